/** What every ecsdeploy stack shares: the pinned AWS provider, default tags, and its state backend. */
import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { LocalBackend, S3Backend, TerraformStack } from 'cdktf';
import type { Construct } from 'constructs';
import { stateKey } from './names';
import type { StackBaseProps, StateBackendProps } from './props';

export { awsName, repositoryName, stateKey } from './names';

/** The AWS provider our machines carry offline; @cdktf/provider-aws 20.1.0 is generated from it. */
export const AWS_PROVIDER_VERSION = '5.100.0';

/** Every AWS API the stacks touch; all pointed at `endpoint` when one is configured. */
const ENDPOINT_SERVICES = [
  'applicationautoscaling',
  'autoscaling',
  'cloudwatch',
  'cloudwatchlogs',
  'codedeploy',
  'dynamodb',
  'ec2',
  'ecr',
  'ecs',
  'elbv2',
  'events',
  'iam',
  'lambda',
  's3',
  'scheduler',
  'servicediscovery',
  'sqs',
  'ssm',
  'sts',
] as const;

export abstract class EcsdeployStack extends TerraformStack {
  constructor(scope: Construct, id: string, props: StackBaseProps) {
    super(scope, id);
    const endpoint = props.endpoint;
    const role = props.assumeRole;
    new AwsProvider(this, 'aws', {
      region: props.region,
      defaultTags: [{ tags: { ...props.tags } }],
      // An environment in an account of its own: the provider assumes its role and refuses any other account.
      ...(role === undefined
        ? {}
        : {
            assumeRole: [
              {
                roleArn: role.roleArn,
                ...(role.externalId ? { externalId: role.externalId } : {}),
                ...(role.sessionName ? { sessionName: role.sessionName } : {}),
              },
            ],
          }),
      ...(props.allowedAccountIds?.length ? { allowedAccountIds: [...props.allowedAccountIds] } : {}),
      ...(endpoint === undefined
        ? {}
        : {
            endpoints: [Object.fromEntries(ENDPOINT_SERVICES.map((s) => [s, endpoint]))],
            s3UsePathStyle: true,
            skipCredentialsValidation: true,
            skipMetadataApiCheck: 'true',
            skipRegionValidation: true,
          }),
    });
    this.addOverride('terraform.required_providers.aws', { source: 'hashicorp/aws', version: AWS_PROVIDER_VERSION });
    configureBackend(this, id, props.backend);
  }

  /**
   * Whether cdktf's pass that resolves every element once before synthesis, only to discover
   * references between stacks, runs. Ours never reference each other's resources (they share values
   * through remote-state outputs they declare themselves; the synth tests check it), so ecsdeploy's
   * own synthesis turns it off (src/synth/cdktf-patches.ts, "cross-stack-pass"): half of synth time.
   * cdktf's behaviour unless that module says otherwise.
   */
  static crossStackPass = true;

  override prepareStack(): void {
    if (EcsdeployStack.crossStackPass) super.prepareStack();
    else this.ensureBackendExists();
  }
}

function configureBackend(stack: TerraformStack, id: string, backend: StateBackendProps): void {
  if (backend.kind === 'local') {
    new LocalBackend(stack, { path: `${backend.dir}/${id}.tfstate` });
    return;
  }
  new S3Backend(stack, {
    bucket: backend.bucket,
    key: stateKey(backend.prefix, id),
    region: backend.region,
    encrypt: true,
    ...(backend.lockTable === undefined ? { useLockfile: true } : { dynamodbTable: backend.lockTable }),
    ...(backend.roleArn === undefined ? {} : { assumeRole: { roleArn: backend.roleArn } }),
    ...(backend.endpoint === undefined
      ? {}
      : {
          endpoints: { s3: backend.endpoint, sts: backend.endpoint, dynamodb: backend.endpoint },
          usePathStyle: true,
          skipCredentialsValidation: true,
          skipMetadataApiCheck: true,
          skipRegionValidation: true,
          skipRequestingAccountId: true,
        }),
  });
}

/** A JSON policy document with sorted keys, so the synthesized JSON is byte-identical run to run. */
export function policy(statements: ReadonlyArray<Record<string, unknown>>): string {
  return stableJson({ Version: '2012-10-17', Statement: statements });
}

export function assumeRole(service: string): string {
  return policy([{ Effect: 'Allow', Principal: { Service: service }, Action: 'sts:AssumeRole' }]);
}

export function stableJson(value: unknown): string {
  return JSON.stringify(sortKeys(value));
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(
      Object.keys(value as Record<string, unknown>)
        .sort()
        .map((k) => [k, sortKeys((value as Record<string, unknown>)[k])]),
    );
  }
  return value;
}
