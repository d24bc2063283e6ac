/**
 * Recorded AWS answers for the verify checks: real SDK clients whose `send` answers from a table
 * of SDK-shaped outputs (by command name), so the real adapters of src/aws parse them (URL-encoded
 * trust policies, manifest strings, paginated pages), and errors shaped as the SDK throws them.
 */
import { createHash } from 'node:crypto';
import { ECRClient } from '@aws-sdk/client-ecr';
import { EC2Client } from '@aws-sdk/client-ec2';
import { ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import { IAMClient } from '@aws-sdk/client-iam';
import { S3Client } from '@aws-sdk/client-s3';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SSMClient } from '@aws-sdk/client-ssm';
import type { AwsClients } from '../../src/aws/clients';
import { instanceTypesApi } from '../../src/aws/ec2-instance-types';
import { ecrManifestsApi } from '../../src/aws/ecr-manifests';
import { targetGroupsApi } from '../../src/aws/elb-target-groups';
import { iamApi } from '../../src/aws/iam';
import { objectHeadApi } from '../../src/aws/s3-head';
import { secretsApi } from '../../src/aws/secrets-manager';
import { parametersApi } from '../../src/aws/ssm';
import type { VerifyApis, VerifyDeps } from '../../src/ops/verify';

/** An answer: the command's output, or an error to throw (SDK-shaped: name, $metadata). */
export type Answer = (input: Record<string, unknown>) => unknown;
export type Recorded = Record<string, Answer>;

export const ACCOUNT = '123456789012';
export const sha = (text: string) => `sha256:${createHash('sha256').update(text).digest('hex')}`;

/** An error as the SDK throws it for a service's error answer. */
export function awsFailure(name: string, status = 400, message = name): Error {
  return Object.assign(new Error(message), { name, $metadata: { httpStatusCode: status } });
}

function client<T extends { send: unknown }>(c: T, recorded: Recorded, calls: string[]): T {
  (c as { send: unknown }).send = async (command: {
    constructor: { name: string };
    input: Record<string, unknown>;
  }) => {
    const name = command.constructor.name.replace(/Command$/, '');
    calls.push(`${name} ${JSON.stringify(command.input)}`);
    const answer = recorded[name];
    if (answer === undefined) throw new Error(`no recorded answer for ${name}`);
    const out = answer(command.input);
    if (out instanceof Error) throw out;
    return { $metadata: { httpStatusCode: 200 }, ...(out as object) };
  };
  return c;
}

/** AwsClients answering from `recorded`; `calls` lists every request made. */
export function recordedClients(recorded: Recorded, calls: string[] = []): AwsClients {
  const config = { region: 'eu-west-1', credentials: { accessKeyId: 'x', secretAccessKey: 'y' } };
  const made = {
    ecr: client(new ECRClient(config), recorded, calls),
    ssm: client(new SSMClient(config), recorded, calls),
    secretsManager: client(new SecretsManagerClient(config), recorded, calls),
    s3: client(new S3Client(config), recorded, calls),
    iam: client(new IAMClient(config), recorded, calls),
    ec2: client(new EC2Client(config), recorded, calls),
    elbv2: client(new ElasticLoadBalancingV2Client(config), recorded, calls),
  };
  return {
    target: { region: 'eu-west-1' },
    ecr: () => made.ecr,
    ssm: () => made.ssm,
    secretsManager: () => made.secretsManager,
    s3: () => made.s3,
    iam: () => made.iam,
    ec2: () => made.ec2,
    elbv2: () => made.elbv2,
  } as unknown as AwsClients;
}

/** The real adapters over recorded answers; `blobs`: what a config blob's download URL serves. */
export function recordedApis(
  recorded: Recorded,
  blobs: Record<string, unknown> = {},
  calls: string[] = [],
): VerifyApis {
  const clients = recordedClients(recorded, calls);
  const fetchBlob = (async (url: string | URL | Request) => {
    const body = blobs[String(url)];
    return body === undefined ? new Response('', { status: 404 }) : new Response(JSON.stringify(body), { status: 200 });
  }) as typeof fetch;
  return {
    manifests: ecrManifestsApi(clients, fetchBlob),
    parameters: parametersApi(clients),
    secrets: secretsApi(clients),
    objects: objectHeadApi(clients),
    iam: iamApi(clients),
    instanceTypes: instanceTypesApi(clients),
    targetGroups: targetGroupsApi(clients),
  };
}

export function recordedDeps(
  recorded: Recorded,
  options: { blobs?: Record<string, unknown>; account?: string; calls?: string[] } = {},
): VerifyDeps {
  const apis = recordedApis(recorded, options.blobs, options.calls);
  const account = options.account ?? ACCOUNT;
  return {
    apis: () => apis,
    identity: async () => ({
      account,
      arn: `arn:aws:sts::${account}:assumed-role/deployer/ci`,
      userId: 'AROAEXAMPLE:ci',
    }),
  };
}

// ------------------------------------------------------------------ manifests as registries serve them

export const ORDERS_DIGEST = sha('orders 1.4.3 manifest list');

/** A Docker manifest list (docker buildx --platform linux/amd64,linux/arm64). */
export function manifestList(platforms: ReadonlyArray<{ architecture: string; variant?: string }>): string {
  return JSON.stringify({
    schemaVersion: 2,
    mediaType: 'application/vnd.docker.distribution.manifest.list.v2+json',
    manifests: platforms.map((p) => ({
      mediaType: 'application/vnd.docker.distribution.manifest.v2+json',
      size: 1570,
      digest: sha(`manifest ${p.architecture}`),
      platform: { architecture: p.architecture, os: 'linux', ...(p.variant ? { variant: p.variant } : {}) },
    })),
  });
}

/** An OCI index with a buildx provenance attestation (listed as unknown/unknown). */
export function ociIndex(architectures: readonly string[]): string {
  return JSON.stringify({
    schemaVersion: 2,
    mediaType: 'application/vnd.oci.image.index.v1+json',
    manifests: [
      ...architectures.map((a) => ({
        mediaType: 'application/vnd.oci.image.manifest.v1+json',
        size: 1100,
        digest: sha(`oci ${a}`),
        platform: { architecture: a, os: 'linux' },
      })),
      {
        mediaType: 'application/vnd.oci.image.manifest.v1+json',
        size: 566,
        digest: sha('attestation'),
        platform: { architecture: 'unknown', os: 'unknown' },
        annotations: {
          'vnd.docker.reference.digest': sha('oci amd64'),
          'vnd.docker.reference.type': 'attestation-manifest',
        },
      },
    ],
  });
}

export const CONFIG_DIGEST = sha('config blob');

/** A single-platform Docker v2 manifest: the platform is only in its config blob. */
export function singleManifest(): string {
  return JSON.stringify({
    schemaVersion: 2,
    mediaType: 'application/vnd.docker.distribution.manifest.v2+json',
    config: { mediaType: 'application/vnd.docker.container.image.v1+json', size: 7023, digest: CONFIG_DIGEST },
    layers: [{ mediaType: 'application/vnd.docker.image.rootfs.diff.tar.gzip', size: 32654, digest: sha('layer') }],
  });
}

/** BatchGetImage answering one image. */
export function batchGetImage(repository: string, digest: string, manifest: string, mediaType: string): Answer {
  return (input) => {
    const id = (input['imageIds'] as Array<{ imageDigest?: string; imageTag?: string }>)[0]!;
    if (input['repositoryName'] !== repository || (id.imageDigest !== undefined && id.imageDigest !== digest)) {
      return {
        images: [],
        failures: [{ imageId: id, failureCode: 'ImageNotFound', failureReason: 'Requested image not found' }],
      };
    }
    return {
      images: [
        {
          registryId: ACCOUNT,
          repositoryName: repository,
          imageId: { imageDigest: digest, ...(id.imageTag ? { imageTag: id.imageTag } : {}) },
          imageManifest: manifest,
          imageManifestMediaType: mediaType,
        },
      ],
      failures: [],
    };
  };
}

/** The trust policy ECS task roles have, URL-encoded as IAM's GetRole returns it. */
export function ecsTrust(service = 'ecs-tasks.amazonaws.com'): string {
  return encodeURIComponent(
    JSON.stringify({
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Principal: { Service: service }, Action: 'sts:AssumeRole' }],
    }),
  );
}

export function getRole(roles: Record<string, string>): Answer {
  return (input) => {
    const name = input['RoleName'] as string;
    const trust = roles[name];
    if (trust === undefined)
      return awsFailure('NoSuchEntityException', 404, `The role with name ${name} cannot be found.`);
    return {
      Role: {
        Path: '/',
        RoleName: name,
        RoleId: 'AROA3XFRBF23',
        Arn: `arn:aws:iam::${ACCOUNT}:role/${name}`,
        CreateDate: new Date('2026-11-02T10:00:00Z'),
        AssumeRolePolicyDocument: trust,
      },
    };
  };
}
