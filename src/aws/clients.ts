/* eslint-disable @typescript-eslint/no-require-imports -- SDK clients load on first use: each costs start-up time (see bench/). */
/**
 * One AWS configuration for every live operation: region and credentials from the standard AWS
 * environment (AWS_REGION, AWS_PROFILE, AWS_ACCESS_KEY_ID, ...), and an endpoint from the
 * environment's `endpoint:` or AWS_ENDPOINT_URL, so the same code runs against AWS, LocalStack or
 * moto. Clients are created lazily (each SDK client costs start-up time) and retry with the one
 * policy of src/aws/retry.ts (the SDK's adaptive mode).
 */
import type { ApplicationAutoScalingClient } from '@aws-sdk/client-application-auto-scaling';
import type { AutoScalingClient } from '@aws-sdk/client-auto-scaling';
import type { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import type { CodeDeployClient } from '@aws-sdk/client-codedeploy';
import type { EC2Client } from '@aws-sdk/client-ec2';
import type { ECRClient } from '@aws-sdk/client-ecr';
import type { ECSClient } from '@aws-sdk/client-ecs';
import type { ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import type { S3Client } from '@aws-sdk/client-s3';
import type { SchedulerClient } from '@aws-sdk/client-scheduler';
import type { SQSClient } from '@aws-sdk/client-sqs';
import type { SSMClient } from '@aws-sdk/client-ssm';
import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { IAMClient } from '@aws-sdk/client-iam';
import { EcsdeployError } from '../errors';
import { retryPolicy, type RetryPolicy } from './retry';

/** An IAM role the CLI assumes (environment `role:`, `state.role`, `releases.role`, `registry.role`). */
export interface AssumedRole {
  readonly roleArn: string;
  readonly externalId?: string;
  /** @default ecsdeploy-<user> */
  readonly sessionName?: string;
}

export interface AwsTarget {
  readonly region: string;
  /** Custom endpoint for every service (LocalStack, moto). @default AWS_ENDPOINT_URL, else AWS */
  readonly endpoint?: string;
  /** A role assumed (STS AssumeRole) with the standard credentials. @default the standard credentials themselves */
  readonly role?: AssumedRole;
}

export interface ClientConfig {
  readonly region: string;
  readonly endpoint?: string;
  readonly forcePathStyle?: boolean;
  readonly maxAttempts: RetryPolicy['maxAttempts'];
  readonly retryMode: RetryPolicy['retryMode'];
  /** The assumed role's credentials (absent: the SDK's default chain). */
  readonly credentials?: AwsCredentialIdentityProvider;
}

export function clientConfig(target: AwsTarget): ClientConfig {
  const endpoint = target.endpoint ?? process.env['AWS_ENDPOINT_URL'];
  return {
    region: target.region,
    ...(endpoint ? { endpoint, forcePathStyle: true } : {}),
    ...retryPolicy,
    ...(target.role ? { credentials: roleCredentials(target.role, target.region, endpoint) } : {}),
  };
}

/** The session name of an assumed role without `sessionName`: who runs the CLI, as CloudTrail shows it. */
export function defaultSessionName(env: NodeJS.ProcessEnv = process.env): string {
  const who = env['ECSDEPLOY_ACTOR'] ?? env['GITHUB_ACTOR'] ?? env['USER'] ?? 'cli';
  // RoleSessionName: 2 to 64 characters of [\w+=,.@-].
  return `ecsdeploy-${who}`.replace(/[^\w+=,.@-]/g, '-').slice(0, 64);
}

/** Credentials as every SDK client takes them. */
export type AwsCredentialIdentityProvider = () => Promise<{
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken?: string;
  readonly expiration?: Date;
}>;

const providers = new Map<string, AwsCredentialIdentityProvider>();

/**
 * The credentials of an assumed role: the SDK's fromTemporaryCredentials (STS AssumeRole with the
 * standard credentials), one per role, region and endpoint for the whole process, memoized and
 * refreshed before they expire by the SDK's own identity memoization, so every client shares one session.
 */
export function roleCredentials(role: AssumedRole, region: string, endpoint?: string): AwsCredentialIdentityProvider {
  const key = JSON.stringify([role.roleArn, role.externalId ?? '', role.sessionName ?? '', region, endpoint ?? '']);
  let provider = providers.get(key);
  if (provider === undefined) {
    const { fromTemporaryCredentials } =
      require('@aws-sdk/credential-providers') as typeof import('@aws-sdk/credential-providers');
    const { memoizeIdentityProvider, isIdentityExpired, doesIdentityRequireRefresh } =
      require('@smithy/core') as typeof import('@smithy/core');
    const assume = fromTemporaryCredentials({
      params: {
        RoleArn: role.roleArn,
        RoleSessionName: role.sessionName ?? defaultSessionName(),
        ...(role.externalId ? { ExternalId: role.externalId } : {}),
      },
      clientConfig: { region, ...(endpoint ? { endpoint } : {}), ...retryPolicy },
    });
    const memo = memoizeIdentityProvider(assume, isIdentityExpired, doesIdentityRequireRefresh)!;
    provider = () => memo();
    providers.set(key, provider);
  }
  return provider;
}

/** Lazily created SDK clients for one region and endpoint. */
export class AwsClients {
  private readonly cache = new Map<string, unknown>();
  constructor(readonly target: AwsTarget) {}

  private get<T>(key: string, make: (config: ClientConfig) => T): T {
    if (!this.cache.has(key)) this.cache.set(key, namingOperations(make(clientConfig(this.target))));
    return this.cache.get(key) as T;
  }

  ecs(): ECSClient {
    return this.get(
      'ecs',
      (c) => new (require('@aws-sdk/client-ecs') as typeof import('@aws-sdk/client-ecs')).ECSClient(c),
    );
  }
  ec2(): EC2Client {
    return this.get(
      'ec2',
      (c) => new (require('@aws-sdk/client-ec2') as typeof import('@aws-sdk/client-ec2')).EC2Client(c),
    );
  }
  ecr(): ECRClient {
    return this.get(
      'ecr',
      (c) => new (require('@aws-sdk/client-ecr') as typeof import('@aws-sdk/client-ecr')).ECRClient(c),
    );
  }
  s3(): S3Client {
    return this.get(
      's3',
      (c) => new (require('@aws-sdk/client-s3') as typeof import('@aws-sdk/client-s3')).S3Client(c),
    );
  }
  autoScaling(): AutoScalingClient {
    return this.get(
      'asg',
      (c) =>
        new (
          require('@aws-sdk/client-auto-scaling') as typeof import('@aws-sdk/client-auto-scaling')
        ).AutoScalingClient(c),
    );
  }
  codeDeploy(): CodeDeployClient {
    return this.get(
      'codedeploy',
      (c) =>
        new (require('@aws-sdk/client-codedeploy') as typeof import('@aws-sdk/client-codedeploy')).CodeDeployClient(c),
    );
  }
  logs(): CloudWatchLogsClient {
    return this.get(
      'logs',
      (c) =>
        new (
          require('@aws-sdk/client-cloudwatch-logs') as typeof import('@aws-sdk/client-cloudwatch-logs')
        ).CloudWatchLogsClient(c),
    );
  }
  elbv2(): ElasticLoadBalancingV2Client {
    return this.get(
      'elbv2',
      (c) =>
        new (
          require('@aws-sdk/client-elastic-load-balancing-v2') as typeof import('@aws-sdk/client-elastic-load-balancing-v2')
        ).ElasticLoadBalancingV2Client(c),
    );
  }
  scheduler(): SchedulerClient {
    return this.get(
      'scheduler',
      (c) =>
        new (require('@aws-sdk/client-scheduler') as typeof import('@aws-sdk/client-scheduler')).SchedulerClient(c),
    );
  }
  applicationAutoScaling(): ApplicationAutoScalingClient {
    return this.get(
      'aas',
      (c) =>
        new (
          require('@aws-sdk/client-application-auto-scaling') as typeof import('@aws-sdk/client-application-auto-scaling')
        ).ApplicationAutoScalingClient(c),
    );
  }
  sqs(): SQSClient {
    return this.get(
      'sqs',
      (c) => new (require('@aws-sdk/client-sqs') as typeof import('@aws-sdk/client-sqs')).SQSClient(c),
    );
  }
  ssm(): SSMClient {
    return this.get(
      'ssm',
      (c) => new (require('@aws-sdk/client-ssm') as typeof import('@aws-sdk/client-ssm')).SSMClient(c),
    );
  }
  secretsManager(): SecretsManagerClient {
    return this.get(
      'secretsmanager',
      (c) =>
        new (
          require('@aws-sdk/client-secrets-manager') as typeof import('@aws-sdk/client-secrets-manager')
        ).SecretsManagerClient(c),
    );
  }
  /** IAM is global: the same client whatever the region (the endpoint, if any, still applies). */
  iam(): IAMClient {
    return this.get(
      'iam',
      (c) => new (require('@aws-sdk/client-iam') as typeof import('@aws-sdk/client-iam')).IAMClient(c),
    );
  }
}

interface WithMiddleware {
  middlewareStack: {
    add(
      middleware: (
        next: (args: unknown) => Promise<unknown>,
        context: { commandName?: string },
      ) => (args: unknown) => Promise<unknown>,
      options: { step: 'initialize'; name: string },
    ): void;
  };
}

/** Marks every error a client throws with the API operation it answered (`$operation`), for awsError. */
function namingOperations<T>(client: T): T {
  (client as unknown as WithMiddleware).middlewareStack.add(
    (next, context) => async (args) => {
      try {
        return await next(args);
      } catch (err) {
        if (err !== null && typeof err === 'object' && context.commandName)
          Object.defineProperty(err, '$operation', {
            value: context.commandName.replace(/Command$/, ''),
            enumerable: false,
            configurable: true,
          });
        throw err;
      }
    },
    { step: 'initialize', name: 'ecsdeployOperationName' },
  );
  return client;
}

/**
 * An answer that is not AWS's: an HTTP error whose body the SDK could not read as an AWS error (an
 * HTML page from a proxy, a load balancer or an emulator's crash). Its HTTP status, not the
 * parser's complaint about the page, is what the user can act on.
 */
function foreignAnswer(err: unknown): { status: number; operation?: string } | undefined {
  const e = err as {
    name?: string;
    message?: string;
    $metadata?: { httpStatusCode?: number };
    $response?: { statusCode?: number };
    $responseBodyText?: unknown;
    $operation?: string;
  };
  const status = e.$response?.statusCode ?? e.$metadata?.httpStatusCode;
  if (status === undefined || status < 300) return undefined;
  const body = typeof e.$responseBodyText === 'string' ? e.$responseBodyText : '';
  // The SDK's words when the body held no AWS error: "Unknown" (no error code found in it), or a
  // parser's complaint (an XML or JSON parse error, "Deserialization error").
  const unreadable =
    (e.name === 'Unknown' && (e.message === 'Unknown' || e.message === undefined)) ||
    /Deserialization error|parse error|mismatched tag|Unexpected token/i.test(e.message ?? '');
  if (!unreadable && !/^\s*<(!doctype|html)/i.test(body)) return undefined;
  return { status, ...(e.$operation ? { operation: e.$operation } : {}) };
}

const CREDENTIAL_ERRORS = new Set([
  'ExpiredToken',
  'ExpiredTokenException',
  'InvalidClientTokenId',
  'UnrecognizedClientException',
  'CredentialsProviderError',
  'InvalidSignatureException',
  'AccessDeniedException',
  'AccessDenied',
]);

/** Turns SDK failures the user can act on (credentials, throttling left over, missing resources) into EcsdeployErrors. */
export function awsError(err: unknown, doing: string): EcsdeployError {
  const e = err as { name?: string; message?: string; $metadata?: { httpStatusCode?: number } };
  const name = e.name ?? 'Error';
  if (CREDENTIAL_ERRORS.has(name) || /credential/i.test(e.message ?? '')) {
    return new EcsdeployError(`AWS refused the credentials while ${doing}: ${name}: ${e.message ?? ''}`.trim(), {
      code: 'ECSDEPLOY_AWS_CREDENTIALS',
      suggestions: ['Refresh your credentials (aws sso login, or new keys) and check AWS_PROFILE / AWS_REGION.'],
      cause: err,
    });
  }
  const foreign = foreignAnswer(err);
  if (foreign !== undefined) {
    return new EcsdeployError(
      `AWS answered HTTP ${foreign.status} to ${foreign.operation ?? 'a request'} while ${doing}, with a page that is not an AWS error answer (a proxy's, a load balancer's or an emulator's).`,
      {
        code: 'ECSDEPLOY_AWS',
        suggestions: [
          foreign.status >= 500
            ? "A 5xx answer is usually passing: run the command again. If it stays, check AWS_ENDPOINT_URL or the environment's endpoint: and any proxy (HTTPS_PROXY) between you and AWS."
            : "Check AWS_ENDPOINT_URL or the environment's endpoint: and any proxy (HTTPS_PROXY) between you and AWS.",
        ],
        cause: err,
      },
    );
  }
  if (name === 'ECONNREFUSED' || /ECONNREFUSED|ENOTFOUND|getaddrinfo/.test(e.message ?? '')) {
    return new EcsdeployError(`Could not reach AWS while ${doing}: ${e.message ?? name}`, {
      code: 'ECSDEPLOY_AWS_UNREACHABLE',
      suggestions: ["Check the network, and AWS_ENDPOINT_URL or the environment's endpoint: if you use one."],
      cause: err,
    });
  }
  return new EcsdeployError(`AWS error while ${doing}: ${name}: ${e.message ?? ''}`.trim(), {
    code: 'ECSDEPLOY_AWS',
    cause: err,
  });
}
