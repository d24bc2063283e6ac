/**
 * The task and service parts of a resolved service as stack props: containers in ECS's words,
 * volumes, the task role's statements, networking and Service Connect. Pure; ./props.ts calls it.
 */
import type { ResolvedEnvironment, ResolvedService } from '../config/load';
import { portMappingsOf, type ContainerConfig, type LogConfiguration } from '../config/container';
import { flattenOverrides } from '../config/overrides';
import { loadBalancedPort, mainContainerName, networkModeOf, type TaskShape } from '../config/service-rules';
import type { ContainerProps, LogProps, OverrideProps, ServiceStackProps, VolumeProps } from '../../stacks/props';

/** The AWS partition of a region: ARNs in China and GovCloud do not start with arn:aws:. */
export function partitionOf(region: string): string {
  if (region.startsWith('cn-')) return 'aws-cn';
  if (region.startsWith('us-gov-')) return 'aws-us-gov';
  return 'aws';
}

const ECR_IMAGE = /^(\d{12})\.dkr\.ecr(?:-fips)?\.([a-z0-9-]+)\.amazonaws\.com(\.cn)?\/([^:@]+)/;

/** The ECR repository ARN of an image reference, or undefined for an image outside ECR (Docker Hub, ghcr.io, public.ecr.aws, ...). */
export function ecrRepositoryArn(image: string): string | undefined {
  const m = ECR_IMAGE.exec(image);
  if (m === null) return undefined;
  const [, account, region, china, repository] = m;
  return `arn:${china ? 'aws-cn' : partitionOf(region!)}:ecr:${region}:${account}:repository/${repository}`;
}

function logProps(l: LogConfiguration): LogProps {
  return { logDriver: l.logDriver, options: l.options, secretOptions: l.secretOptions, ownLogGroup: l.ownLogGroup };
}

type Mode = ServiceStackProps['networkMode'];

/** A service or a scheduled job, resolved: the task keys they share (src/config/service-rules.ts TaskShape). */
export type ResolvedTask = TaskShape & { readonly name: string; readonly propagateTags: string };

/** Container keys → ContainerProps (without name, image, essential and size, which differ between main and sidecars). */
function containerProps(c: ContainerConfig, mode: Mode): Omit<ContainerProps, 'name' | 'image' | 'essential'> {
  return {
    ...(c.memoryReservation !== undefined ? { memoryReservation: c.memoryReservation } : {}),
    ...(c.command ? { command: c.command } : {}),
    ...(c.entryPoint ? { entryPoint: c.entryPoint } : {}),
    ...(c.workingDirectory ? { workingDirectory: c.workingDirectory } : {}),
    ...(c.user ? { user: c.user } : {}),
    portMappings: portMappingsOf(c).map((m) => ({
      ...(m.name !== undefined ? { name: m.name } : {}),
      containerPort: m.containerPort,
      hostPort: mode === 'bridge' ? (m.hostPort ?? 0) : m.containerPort,
      protocol: m.protocol,
      ...(m.appProtocol !== undefined ? { appProtocol: m.appProtocol } : {}),
    })),
    ...(c.dependsOn?.length ? { dependsOn: c.dependsOn } : {}),
    ...(c.healthCheck ? { healthCheck: c.healthCheck } : {}),
    variables: c.variables,
    environmentFiles: c.environmentFiles,
    secrets: c.secrets,
    ...(c.ulimits?.length ? { ulimits: c.ulimits } : {}),
    ...(c.linuxParameters ? { linuxParameters: c.linuxParameters } : {}),
    ...(c.stopTimeout !== undefined ? { stopTimeout: c.stopTimeout } : {}),
    readonlyRootFilesystem: c.readonlyRootFilesystem,
    mountPoints: c.mountPoints,
    volumesFrom: c.volumesFrom,
    log: logProps(c.logConfiguration),
    ...(c.firelensConfiguration ? { firelensConfiguration: c.firelensConfiguration } : {}),
    ...(c.repositoryCredentials ? { repositoryCredentials: c.repositoryCredentials.credentialsParameter } : {}),
    dockerLabels: c.dockerLabels,
  };
}

/** The main container (image left to the stack) and the sidecars, sorted by name. */
export function taskContainersProps(svc: ResolvedTask): Pick<ServiceStackProps, 'main' | 'sidecars'> {
  const mode = networkModeOf(svc);
  const main = containerProps(svc, mode);
  // ECS Exec needs an init process in the container it opens a shell in.
  const exec = svc.enableExecuteCommand
    ? { linuxParameters: { ...main.linuxParameters, initProcessEnabled: true } }
    : {};
  return {
    main: { ...main, ...exec, name: mainContainerName(svc), essential: true },
    sidecars: Object.entries(svc.sidecars)
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([name, c]) => ({
        ...containerProps(c, mode),
        name,
        image: c.image,
        essential: c.essential,
        ...(c.cpu !== undefined ? { cpu: c.cpu } : {}),
        ...(c.memory !== undefined ? { memory: c.memory } : {}),
      })),
  };
}

function volumeProps(svc: ResolvedTask): VolumeProps[] {
  const mounts = [svc, ...Object.values(svc.sidecars)].flatMap((c) => c.mountPoints);
  return svc.volumes.map((v) => {
    const efs = v.efsVolumeConfiguration;
    const d = v.dockerVolumeConfiguration;
    return {
      name: v.name,
      ...(v.host ? { hostPath: v.host.sourcePath } : {}),
      ...(efs
        ? {
            efs: {
              fileSystemId: efs.fileSystemId,
              ...(efs.rootDirectory !== undefined ? { rootDirectory: efs.rootDirectory } : {}),
              transitEncryption: efs.transitEncryption,
              ...(efs.transitEncryptionPort !== undefined ? { transitEncryptionPort: efs.transitEncryptionPort } : {}),
              ...(efs.authorizationConfig.accessPointId !== undefined
                ? { accessPointId: efs.authorizationConfig.accessPointId }
                : {}),
              iam: efs.authorizationConfig.iam,
              writable: mounts.some((m) => m.sourceVolume === v.name && !m.readOnly),
            },
          }
        : {}),
      ...(d
        ? {
            docker: {
              scope: d.scope,
              ...(d.autoprovision !== undefined ? { autoprovision: d.autoprovision } : {}),
              ...(d.driver ? { driver: d.driver } : {}),
              driverOpts: d.driverOpts,
              labels: d.labels,
            },
          }
        : {}),
    };
  });
}

/**
 * Everything of ServiceStackProps that describes the task and the service beyond image, size,
 * routing and deployment; for a job (no Service Connect), the same of JobStackProps.
 */
export function taskProps(
  env: ResolvedEnvironment,
  svc: ResolvedTask,
  region: string,
  project: string,
  externalImage: string | undefined,
): Pick<
  ServiceStackProps,
  | 'main'
  | 'sidecars'
  | 'networkMode'
  | 'runtimePlatform'
  | 'ephemeralStorageGiB'
  | 'volumes'
  | 'pidMode'
  | 'ipcMode'
  | 'pullRepositoryArns'
  | 'partition'
  | 'taskRole'
  | 'network'
  | 'placementConstraints'
  | 'placementStrategy'
  | 'enableExecuteCommand'
  | 'propagateTags'
  | 'enableEcsManagedTags'
  | 'serviceConnect'
  | 'overrides'
> {
  const mode = networkModeOf(svc);
  const fargate = svc.launchType === 'fargate';
  const containers = taskContainersProps(svc);
  const sidecarRepos = containers.sidecars
    .map((c) => ecrRepositoryArn(c.image))
    .filter((a): a is string => a !== undefined);
  const mainRepo = externalImage === undefined ? undefined : ecrRepositoryArn(externalImage);
  const platform =
    svc.runtimePlatform ??
    (fargate ? { cpuArchitecture: 'X86_64' as const, operatingSystemFamily: 'LINUX' as const } : undefined);
  const sc = svc.serviceConnect?.enabled ? svc.serviceConnect : undefined;
  return {
    ...containers,
    networkMode: mode,
    ...(platform ? { runtimePlatform: platform } : {}),
    ...(svc.ephemeralStorage ? { ephemeralStorageGiB: svc.ephemeralStorage.sizeInGiB } : {}),
    volumes: volumeProps(svc),
    ...(svc.pidMode ? { pidMode: svc.pidMode } : {}),
    ...(svc.ipcMode ? { ipcMode: svc.ipcMode } : {}),
    pullRepositoryArns: [...new Set([...(mainRepo ? [mainRepo] : []), ...sidecarRepos])].sort(),
    partition: partitionOf(region),
    taskRole: {
      ...(svc.taskRoleArn ? { existingArn: svc.taskRoleArn } : {}),
      statements: svc.permissions.map((p) => ({
        ...(p.sid ? { sid: p.sid } : {}),
        effect: p.effect,
        actions: p.actions,
        resources: p.resources,
        ...(p.conditions ? { conditions: p.conditions } : {}),
      })),
      managedPolicies: [...svc.managedPolicies].sort(),
    },
    ...(mode === 'awsvpc'
      ? {
          network: {
            ...(svc.networkConfiguration?.subnets ? { subnets: svc.networkConfiguration.subnets } : {}),
            securityGroups: svc.networkConfiguration?.securityGroups ?? [],
            assignPublicIp: svc.networkConfiguration?.assignPublicIp ?? false,
            ...(env.config.network.egress ? { egress: env.config.network.egress } : {}),
          },
        }
      : {}),
    ...(svc.placementConstraints ? { placementConstraints: svc.placementConstraints } : {}),
    ...(svc.placementStrategy ? { placementStrategy: svc.placementStrategy } : {}),
    enableExecuteCommand: svc.enableExecuteCommand,
    propagateTags: svc.propagateTags,
    enableEcsManagedTags: svc.enableECSManagedTags,
    ...(sc
      ? {
          serviceConnect: {
            namespace: serviceConnectNamespace(env, svc, project),
            services: sc.services.map((s) => {
              const discoveryName = s.discoveryName ?? s.portName;
              return {
                portName: s.portName,
                discoveryName,
                clientAliases: s.clientAliases.map((a) => ({ port: a.port, dnsName: a.dnsName ?? discoveryName })),
                ...(s.ingressPortOverride !== undefined ? { ingressPortOverride: s.ingressPortOverride } : {}),
              };
            }),
            log: logProps(
              sc.logConfiguration ?? { logDriver: 'awslogs', options: {}, secretOptions: {}, ownLogGroup: false },
            ),
          },
        }
      : {}),
    overrides: flattenOverrides(svc.overrides) satisfies OverrideProps[],
  };
}

/** Whether any service of an environment uses Service Connect (its cluster then has a namespace). */
export function usesServiceConnect(env: Pick<ResolvedEnvironment, 'services'>): boolean {
  return env.services.some((s) => s.serviceConnect?.enabled === true);
}

/** The Service Connect namespace name of an environment. */
export function serviceConnectNamespaceName(project: string, env: string): string {
  return `${project}-${env}`;
}

/**
 * A shared environment on demand has no cluster stack of its own: its namespace (so that its
 * services reach each other, not the base's) is created by the stack of its first Service Connect
 * service, which the others depend on (src/synth/stack-order.ts).
 */
function serviceConnectNamespace(
  env: ResolvedEnvironment,
  svc: Pick<ResolvedService, 'name'>,
  project: string,
): NonNullable<ServiceStackProps['serviceConnect']>['namespace'] {
  const shared = env.ephemeral !== undefined && !env.ephemeral.isolated;
  if (!shared) return { kind: 'cluster' };
  return {
    kind: 'own',
    name: serviceConnectNamespaceName(project, env.name),
    owns: serviceConnectOwner(env) === svc.name,
  };
}

/** The service whose stack creates a shared environment on demand's namespace. */
export function serviceConnectOwner(env: Pick<ResolvedEnvironment, 'services'>): string | undefined {
  return env.services
    .filter((s) => s.serviceConnect?.enabled === true)
    .map((s) => s.name)
    .sort()[0];
}

/** The load balancer's target: container and port. */
export function loadBalancerTarget(svc: ResolvedService): { containerName: string; containerPort: number } | undefined {
  const lb = loadBalancedPort(svc);
  return lb === undefined ? undefined : { containerName: lb.container, containerPort: lb.mapping.containerPort };
}
