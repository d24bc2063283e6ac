/**
 * The task definition of a service or a scheduled job, built the same way for both: the container
 * definitions (secrets only as `valueFrom` references), the log group(s), the execution role (it
 * may pull exactly these images and read exactly these secrets and files), the task role (exactly
 * the file's `permissions`, plus what ECS Exec and EFS need) and the volumes. Resources are
 * created on the stack itself with the ids the service stack always had, so their Terraform
 * addresses do not change.
 */
import { CloudwatchLogGroup } from '@cdktf/provider-aws/lib/cloudwatch-log-group';
import { DataAwsCallerIdentity } from '@cdktf/provider-aws/lib/data-aws-caller-identity';
import { DataAwsEcrRepository } from '@cdktf/provider-aws/lib/data-aws-ecr-repository';
import { EcsTaskDefinition, type EcsTaskDefinitionVolume } from '@cdktf/provider-aws/lib/ecs-task-definition';
import { IamRole } from '@cdktf/provider-aws/lib/iam-role';
import { IamRolePolicy } from '@cdktf/provider-aws/lib/iam-role-policy';
import { IamRolePolicyAttachment } from '@cdktf/provider-aws/lib/iam-role-policy-attachment';
import {
  DataTerraformRemoteStateLocal,
  DataTerraformRemoteStateS3,
  TerraformResource,
  type TerraformRemoteState,
  type TerraformStack,
} from 'cdktf';
import type { Construct } from 'constructs';
import { assumeRole, awsName, policy, stableJson, stateKey } from './base';
import type {
  ContainerProps,
  LogProps,
  OverrideProps,
  StateBackendProps,
  TaskDefinitionProps,
  TaskProps,
  VolumeProps,
} from './props';

/** What the stack goes on to use: the task definition, its image, log groups and roles. */
export interface TaskDefinitionParts {
  readonly taskDefinition: EcsTaskDefinition;
  /** The main container's image reference. */
  readonly image: string;
  /** The task's log group (containers with ownLogGroup have their own). */
  readonly logGroup: CloudwatchLogGroup;
  /** The log group name of a container (or of the Service Connect proxy, SERVICE_CONNECT). */
  readonly groupOf: (container: string) => string;
  readonly executionRole: IamRole;
  /** The task role's ARN: created, or the file's taskRoleArn. */
  readonly taskRoleArn: string;
}

/**
 * Adds the task definition and what it needs to `stack`. `prefix` is the family and the start of
 * the role names (`<project>-<env>-<service>`), `logGroupName` the task's log group; `family` another
 * family (an adopted service's).
 */
export function addTaskDefinition(
  stack: TerraformStack,
  props: TaskDefinitionProps,
  prefix: string,
  logGroupName: string,
  family = prefix,
): TaskDefinitionParts {
  const fargate = props.launchType === 'fargate';

  // --- Image and logs.
  const ownRepository = props.externalImage === undefined ? ownRepositoryOf(stack, props) : undefined;
  const image =
    props.externalImage ??
    (props.imageVersion.startsWith('sha256:')
      ? `${ownRepository!.repositoryUrl}@${props.imageVersion}`
      : `${ownRepository!.repositoryUrl}:${props.imageVersion}`);
  const logGroup = new CloudwatchLogGroup(stack, 'Logs', {
    name: logGroupName,
    retentionInDays: props.logRetentionDays,
    ...(props.logKmsKeyId !== undefined ? { kmsKeyId: props.logKmsKeyId } : {}),
  });
  const containers: ContainerProps[] = [{ ...props.main, image }, ...props.sidecars];
  const logGroups = new Map<string, CloudwatchLogGroup>(
    containers
      .filter((c) => c.log.logDriver === 'awslogs' && c.log.ownLogGroup)
      .map((c) => [
        c.name,
        new CloudwatchLogGroup(stack, `Logs-${c.name}`, {
          name: `${logGroupName}/${c.name}`,
          retentionInDays: props.logRetentionDays,
          ...(props.logKmsKeyId !== undefined ? { kmsKeyId: props.logKmsKeyId } : {}),
        }),
      ]),
  );
  // The Service Connect proxy may have a group of its own too.
  if (props.serviceConnect?.log.logDriver === 'awslogs' && props.serviceConnect.log.ownLogGroup) {
    logGroups.set(
      SERVICE_CONNECT,
      new CloudwatchLogGroup(stack, `Logs-${SERVICE_CONNECT}`, {
        name: `${logGroupName}/${SERVICE_CONNECT}`,
        retentionInDays: props.logRetentionDays,
        ...(props.logKmsKeyId !== undefined ? { kmsKeyId: props.logKmsKeyId } : {}),
      }),
    );
  }
  const groupOf = (container: string) => (logGroups.get(container) ?? logGroup).name;

  // --- Roles: the execution role may pull exactly these images and read exactly these secrets
  // and files; the task role may do what the file grants, and what exec and EFS need.
  const executionRole = new IamRole(stack, 'ExecutionRole', {
    name: awsName([prefix, 'exec'], 64),
    assumeRolePolicy: assumeRole('ecs-tasks.amazonaws.com'),
  });
  new IamRolePolicy(stack, 'ExecutionPolicy', {
    role: executionRole.id,
    name: 'execution',
    policy: policy(executionStatements(stack, props, containers, ownRepository, [logGroup, ...logGroups.values()])),
  });
  const taskRoleArn = taskRole(stack, props, prefix);

  const taskDefinition = new EcsTaskDefinition(stack, 'TaskDefinition', {
    family,
    networkMode: props.networkMode,
    requiresCompatibilities: [fargate ? 'FARGATE' : 'EC2'],
    cpu: String(props.cpu),
    memory: String(props.memory),
    executionRoleArn: executionRole.arn,
    taskRoleArn,
    containerDefinitions: stableJson(
      containers.map((c) =>
        containerDefinition(c, groupOf(c.name), props.region, containerOverrides(props.overrides, c.name)),
      ),
    ),
    ...(props.runtimePlatform ? { runtimePlatform: { ...props.runtimePlatform } } : {}),
    ...(props.ephemeralStorageGiB !== undefined ? { ephemeralStorage: { sizeInGib: props.ephemeralStorageGiB } } : {}),
    ...(props.volumes.length ? { volume: props.volumes.map(volume) } : {}),
    ...(props.pidMode ? { pidMode: props.pidMode } : {}),
    ...(props.ipcMode ? { ipcMode: props.ipcMode } : {}),
    // Earlier revisions stay ACTIVE, so a rollback never points at a deregistered one.
    skipDestroy: true,
  });
  return { taskDefinition, image, logGroup, groupOf, executionRole, taskRoleArn };
}

/**
 * The service's (or job's) own repository in the registry: its URL and ARN built from the
 * registry's account when the project names it (the environment's role may be in another account,
 * where a lookup by name finds nothing), else looked up by name in the environment's account.
 */
function ownRepositoryOf(
  stack: TerraformStack,
  props: TaskDefinitionProps,
): { readonly repositoryUrl: string; readonly arn: string } {
  const registry = props.registry;
  if (registry === undefined) return new DataAwsEcrRepository(stack, 'Repository', { name: props.repositoryName });
  const domain = props.partition === 'aws-cn' ? 'amazonaws.com.cn' : 'amazonaws.com';
  return {
    repositoryUrl: `${registry.account}.dkr.ecr.${registry.region}.${domain}/${props.repositoryName}`,
    arn: `arn:${props.partition}:ecr:${registry.region}:${registry.account}:repository/${props.repositoryName}`,
  };
}

/** The account id, read once per stack (data.aws_caller_identity) and only by stacks that build ARNs with it. */
export function accountId(stack: TerraformStack): string {
  const found = stack.node.tryFindChild('Account');
  return (found instanceof DataAwsCallerIdentity ? found : new DataAwsCallerIdentity(stack, 'Account', {})).accountId;
}

/** The cluster stack's outputs, through its Terraform state. */
export function clusterRemoteState(
  scope: Construct,
  state: StateBackendProps & { readonly stack: string },
): TerraformRemoteState {
  if (state.kind === 'local')
    return new DataTerraformRemoteStateLocal(scope, 'Cluster', { path: `${state.dir}/${state.stack}.tfstate` });
  return new DataTerraformRemoteStateS3(scope, 'Cluster', {
    bucket: state.bucket,
    key: stateKey(state.prefix, state.stack),
    region: state.region,
    ...(state.roleArn === undefined ? {} : { assumeRole: { roleArn: state.roleArn } }),
    ...(state.endpoint === undefined
      ? {}
      : {
          endpoints: { s3: state.endpoint, sts: state.endpoint },
          usePathStyle: true,
          skipCredentialsValidation: true,
          skipMetadataApiCheck: true,
          skipRegionValidation: true,
          skipRequestingAccountId: true,
        }),
  });
}

function executionStatements(
  stack: TerraformStack,
  props: TaskDefinitionProps,
  containers: readonly ContainerProps[],
  own: { readonly arn: string } | undefined,
  logGroups: CloudwatchLogGroup[],
): Array<Record<string, unknown>> {
  const refs = [
    ...containers.flatMap((c) => [
      ...Object.values(c.secrets),
      ...Object.values(c.log.secretOptions),
      ...(c.repositoryCredentials ? [c.repositoryCredentials] : []),
    ]),
    ...Object.values(props.serviceConnect?.log.secretOptions ?? {}),
  ];
  const grants = secretGrants(refs, props.region, props.partition, () => accountId(stack));
  const files = [...new Set(containers.flatMap((c) => c.environmentFiles))].sort();
  const buckets = [...new Set(files.map((f) => f.slice(0, f.indexOf('/'))))].sort();
  const pulls = own !== undefined || props.pullRepositoryArns.length > 0;
  return [
    // GetAuthorizationToken has no resource-level permissions: AWS accepts only "*" for it.
    ...(pulls ? [{ Sid: 'EcrLogin', Effect: 'Allow', Action: 'ecr:GetAuthorizationToken', Resource: '*' }] : []),
    ...(own ? [{ Sid: 'PullOwnImage', Effect: 'Allow', Action: ECR_PULL, Resource: own.arn }] : []),
    ...(props.pullRepositoryArns.length
      ? [{ Sid: 'PullImages', Effect: 'Allow', Action: ECR_PULL, Resource: [...props.pullRepositoryArns] }]
      : []),
    {
      Sid: 'WriteOwnLogs',
      Effect: 'Allow',
      Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
      Resource: logGroups.length === 1 ? `${logGroups[0]!.arn}:*` : logGroups.map((g) => `${g.arn}:*`),
    },
    ...(grants.ssm.length
      ? [{ Sid: 'ReadOwnParameters', Effect: 'Allow', Action: 'ssm:GetParameters', Resource: grants.ssm }]
      : []),
    ...(grants.secretsManager.length
      ? [
          {
            Sid: 'ReadOwnSecrets',
            Effect: 'Allow',
            Action: 'secretsmanager:GetSecretValue',
            Resource: grants.secretsManager,
          },
        ]
      : []),
    ...(files.length
      ? [
          { Sid: 'ReadEnvironmentFiles', Effect: 'Allow', Action: 's3:GetObject', Resource: files },
          { Sid: 'LocateEnvironmentFiles', Effect: 'Allow', Action: 's3:GetBucketLocation', Resource: buckets },
        ]
      : []),
  ];
}

/** The task role's ARN: the given one, or one created with exactly the statements the task needs. */
function taskRole(stack: TerraformStack, props: TaskDefinitionProps, prefix: string): string {
  if (props.taskRole.existingArn !== undefined) return props.taskRole.existingArn;
  const role = new IamRole(stack, 'TaskRole', {
    name: awsName([prefix, 'task'], 64),
    assumeRolePolicy: assumeRole('ecs-tasks.amazonaws.com'),
  });
  const statements: Array<Record<string, unknown>> = props.taskRole.statements.map((s) => ({
    ...(s.sid ? { Sid: s.sid } : {}),
    Effect: s.effect,
    Action: [...s.actions],
    Resource: [...s.resources],
    ...(s.conditions ? { Condition: s.conditions } : {}),
  }));
  if (props.enableExecuteCommand) {
    // ECS Exec's Session Manager channels: AWS offers no resource narrower than "*" for these.
    statements.push({
      Sid: 'EcsExec',
      Effect: 'Allow',
      Action: [
        'ssmmessages:CreateControlChannel',
        'ssmmessages:CreateDataChannel',
        'ssmmessages:OpenControlChannel',
        'ssmmessages:OpenDataChannel',
      ],
      Resource: '*',
    });
  }
  props.volumes.forEach((v) => {
    if (v.efs === undefined || v.efs.iam !== 'ENABLED') return;
    const region = props.region;
    statements.push({
      Sid: `EfsClient${statements.length}`,
      Effect: 'Allow',
      Action: v.efs.writable
        ? ['elasticfilesystem:ClientMount', 'elasticfilesystem:ClientWrite']
        : ['elasticfilesystem:ClientMount'],
      Resource: `arn:${props.partition}:elasticfilesystem:${region}:${accountId(stack)}:file-system/${v.efs.fileSystemId}`,
      ...(v.efs.accessPointId
        ? {
            Condition: {
              StringEquals: {
                'elasticfilesystem:AccessPointArn': `arn:${props.partition}:elasticfilesystem:${region}:${accountId(stack)}:access-point/${v.efs.accessPointId}`,
              },
            },
          }
        : {}),
    });
  });
  if (statements.length > 0)
    new IamRolePolicy(stack, 'TaskPolicy', { role: role.id, name: 'task', policy: policy(statements) });
  props.taskRole.managedPolicies.forEach(
    (arn, i) => new IamRolePolicyAttachment(stack, `TaskPolicyAttachment${i}`, { role: role.name, policyArn: arn }),
  );
  return role.arn;
}

/** The Service Connect proxy's log stream prefix (and its own log group's suffix). */
export const SERVICE_CONNECT = 'service-connect';

const ECR_PULL = ['ecr:BatchCheckLayerAvailability', 'ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer'];

/**
 * What the execution role must be granted to read these secret references: SSM parameters by ARN
 * (a path becomes the ARN in this region and account), Secrets Manager secrets by the secret's own
 * ARN — without a `:json-key:version-stage:version-id` suffix, and with `-??????` when the ARN is
 * partial (AWS adds six random characters to every secret's name).
 */
export function secretGrants(
  refs: readonly string[],
  region: string,
  partition: string,
  account: () => string,
): { ssm: string[]; secretsManager: string[] } {
  const ssm = new Set<string>();
  const sm = new Set<string>();
  for (const ref of refs) {
    if (ref.startsWith('/')) ssm.add(`arn:${partition}:ssm:${region}:${account()}:parameter${ref}`);
    else if (ref.includes(':ssm:')) ssm.add(ref);
    else if (ref.includes(':secretsmanager:')) {
      const secret = ref.split(':').slice(0, 7).join(':');
      sm.add(/-[A-Za-z0-9]{6}$/.test(secret) ? secret : `${secret}-??????`);
    }
  }
  return { ssm: [...ssm].sort(), secretsManager: [...sm].sort() };
}

function volume(v: VolumeProps): EcsTaskDefinitionVolume {
  return {
    name: v.name,
    ...(v.hostPath ? { hostPath: v.hostPath } : {}),
    ...(v.efs
      ? {
          efsVolumeConfiguration: {
            fileSystemId: v.efs.fileSystemId,
            ...(v.efs.rootDirectory ? { rootDirectory: v.efs.rootDirectory } : {}),
            transitEncryption: v.efs.transitEncryption,
            ...(v.efs.transitEncryptionPort ? { transitEncryptionPort: v.efs.transitEncryptionPort } : {}),
            authorizationConfig: {
              iam: v.efs.iam,
              ...(v.efs.accessPointId ? { accessPointId: v.efs.accessPointId } : {}),
            },
          },
        }
      : {}),
    ...(v.docker
      ? {
          dockerVolumeConfiguration: {
            scope: v.docker.scope,
            ...(v.docker.autoprovision !== undefined && v.docker.scope === 'shared'
              ? { autoprovision: v.docker.autoprovision }
              : {}),
            ...(v.docker.driver ? { driver: v.docker.driver } : {}),
            ...(Object.keys(v.docker.driverOpts).length ? { driverOpts: { ...v.docker.driverOpts } } : {}),
            ...(Object.keys(v.docker.labels).length ? { labels: { ...v.docker.labels } } : {}),
          },
        }
      : {}),
  };
}

/** A log configuration in ECS's JSON shape; awslogs defaults to the service's (or the container's own) group. */
export function logConfiguration(
  l: LogProps,
  group: string,
  region: string,
  streamPrefix: string,
): Record<string, unknown> {
  const defaults =
    l.logDriver === 'awslogs'
      ? { 'awslogs-group': group, 'awslogs-region': region, 'awslogs-stream-prefix': streamPrefix }
      : {};
  const secretOptions = Object.entries(l.secretOptions)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([name, valueFrom]) => ({ name, valueFrom }));
  return {
    logDriver: l.logDriver,
    options: { ...defaults, ...l.options },
    ...(secretOptions.length ? { secretOptions } : {}),
  };
}

/** The `container_definitions.<container>.<path>` overrides of one container, as path → value. */
function containerOverrides(
  overrides: readonly OverrideProps[],
  container: string,
): ReadonlyArray<readonly [string[], unknown]> {
  const prefix = `container_definitions.${container}.`;
  return overrides
    .filter((o) => o.resource === 'TaskDefinition' && o.path.startsWith(prefix))
    .map((o) => [o.path.slice(prefix.length).split('.'), o.value] as const);
}

/** `overrides:` through CDKTF's escape hatch; container definition fields are set in containerDefinition. */
export function applyOverrides(stack: TerraformStack, id: string, overrides: readonly OverrideProps[]): void {
  for (const o of overrides) {
    if (o.resource === 'TaskDefinition' && o.path.startsWith('container_definitions.')) continue;
    const target = stack.node.tryFindChild(o.resource);
    if (!(target instanceof TerraformResource)) throw new Error(`overrides.${o.resource}: ${id} has no such resource`);
    target.addOverride(o.path, o.value);
  }
}

/** An ECS container definition; secrets only as `valueFrom` references, never values. */
function containerDefinition(
  c: ContainerProps,
  logGroup: string,
  region: string,
  overrides: ReadonlyArray<readonly [string[], unknown]>,
): Record<string, unknown> {
  const env = Object.entries(c.variables)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([name, value]) => ({ name, value }));
  const secrets = Object.entries(c.secrets)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([name, valueFrom]) => ({ name, valueFrom }));
  const def: Record<string, unknown> = {
    name: c.name,
    image: c.image,
    essential: c.essential,
    ...(c.cpu !== undefined ? { cpu: c.cpu } : {}),
    ...(c.memory !== undefined ? { memory: c.memory } : {}),
    ...(c.memoryReservation !== undefined ? { memoryReservation: c.memoryReservation } : {}),
    ...(c.command ? { command: [...c.command] } : {}),
    ...(c.entryPoint ? { entryPoint: [...c.entryPoint] } : {}),
    ...(c.workingDirectory ? { workingDirectory: c.workingDirectory } : {}),
    ...(c.user ? { user: c.user } : {}),
    portMappings: c.portMappings.map((m) => ({ ...m })),
    ...(c.dependsOn
      ? { dependsOn: c.dependsOn.map((d) => ({ containerName: d.containerName, condition: d.condition })) }
      : {}),
    environment: env,
    ...(c.environmentFiles.length
      ? { environmentFiles: c.environmentFiles.map((value) => ({ value, type: 's3' })) }
      : {}),
    secrets,
    ...(c.ulimits ? { ulimits: c.ulimits.map((u) => ({ ...u })) } : {}),
    ...(c.linuxParameters
      ? {
          linuxParameters: {
            ...(c.linuxParameters.initProcessEnabled !== undefined
              ? { initProcessEnabled: c.linuxParameters.initProcessEnabled }
              : {}),
            ...(c.linuxParameters.capabilities
              ? {
                  capabilities: {
                    add: [...c.linuxParameters.capabilities.add],
                    drop: [...c.linuxParameters.capabilities.drop],
                  },
                }
              : {}),
            ...(c.linuxParameters.sharedMemorySize !== undefined
              ? { sharedMemorySize: c.linuxParameters.sharedMemorySize }
              : {}),
          },
        }
      : {}),
    ...(c.stopTimeout !== undefined ? { stopTimeout: c.stopTimeout } : {}),
    readonlyRootFilesystem: c.readonlyRootFilesystem,
    mountPoints: c.mountPoints.map((m) => ({ ...m })),
    volumesFrom: c.volumesFrom.map((v) => ({ ...v })),
    ...(c.healthCheck
      ? {
          healthCheck: {
            command: [...c.healthCheck.command],
            interval: c.healthCheck.interval,
            timeout: c.healthCheck.timeout,
            retries: c.healthCheck.retries,
            startPeriod: c.healthCheck.startPeriod,
          },
        }
      : {}),
    ...(c.log.logDriver === 'none' ? {} : { logConfiguration: logConfiguration(c.log, logGroup, region, c.name) }),
    ...(c.firelensConfiguration
      ? {
          firelensConfiguration: {
            type: c.firelensConfiguration.type,
            ...(Object.keys(c.firelensConfiguration.options).length
              ? { options: { ...c.firelensConfiguration.options } }
              : {}),
          },
        }
      : {}),
    ...(c.repositoryCredentials ? { repositoryCredentials: { credentialsParameter: c.repositoryCredentials } } : {}),
    ...(Object.keys(c.dockerLabels).length ? { dockerLabels: { ...c.dockerLabels } } : {}),
  };
  for (const [path, value] of overrides) setPath(def, path, value);
  return def;
}

function setPath(target: Record<string, unknown>, path: readonly string[], value: unknown): void {
  let cur = target;
  path.slice(0, -1).forEach((seg) => {
    const next = cur[seg];
    if (next === null || typeof next !== 'object' || Array.isArray(next)) cur[seg] = {};
    cur = cur[seg] as Record<string, unknown>;
  });
  cur[path[path.length - 1]!] = value;
}

/**
 * Where tasks of a service or a job run, in the shape ECS's CreateService and RunTask share: the
 * capacity provider strategy, the awsvpc network (the environment's private subnets unless the file
 * names others) and, on EC2, the placement (spread over zones, then binpack on memory, by default).
 */
export function runsOn(
  props: Pick<
    TaskProps,
    'launchType' | 'networkMode' | 'capacityProviderStrategy' | 'network' | 'placementConstraints' | 'placementStrategy'
  >,
  cluster: TerraformRemoteState,
  securityGroups: string[],
): {
  capacityProviderStrategy: Array<{ capacityProvider: string; weight: number; base: number }>;
  networkConfiguration?: { subnets: string[]; securityGroups: string[]; assignPublicIp: boolean };
  placementConstraints?: Array<{ type: string; expression?: string }>;
  placementStrategy?: Array<{ type: string; field?: string }>;
} {
  const fargate = props.launchType === 'fargate';
  const strategy = props.capacityProviderStrategy ?? [
    { provider: fargate ? ('fargate' as const) : ('ec2' as const), weight: 1, base: 0 },
  ];
  return {
    capacityProviderStrategy: strategy.map((s) => ({
      capacityProvider:
        s.provider === 'ec2'
          ? cluster.getString('capacity_provider_name')
          : s.provider === 'fargate'
            ? 'FARGATE'
            : 'FARGATE_SPOT',
      weight: s.weight,
      base: s.base,
    })),
    ...(props.networkMode === 'awsvpc'
      ? {
          networkConfiguration: {
            subnets: props.network?.subnets ? [...props.network.subnets] : cluster.getList('private_subnet_ids'),
            securityGroups,
            assignPublicIp: props.network?.assignPublicIp ?? false,
          },
        }
      : {}),
    ...(fargate
      ? {}
      : {
          ...(props.placementConstraints
            ? {
                placementConstraints: props.placementConstraints.map((p) => ({
                  type: p.type,
                  ...(p.expression ? { expression: p.expression } : {}),
                })),
              }
            : {}),
          placementStrategy: props.placementStrategy
            ? props.placementStrategy.map((p) => ({ type: p.type, ...(p.field ? { field: p.field } : {}) }))
            : [
                { type: 'spread', field: 'attribute:ecs.availability-zone' },
                { type: 'binpack', field: 'memory' },
              ],
        }),
  };
}
