/**
 * What verify checks of one service, taken from the same stack props synth builds
 * (src/synth/props.ts serviceProps), so the checks see exactly what the apply would create: the
 * images (the main one by the digest the deploy would use), secrets and files, the role names,
 * the target groups, the size and where the task runs.
 */
import type { ResolvedEnvironment, ResolvedProject, ResolvedService } from '../../config/load';
import { serviceProps } from '../../synth/props';
import { serviceStackName } from '../../synth/stack-order';
import { awsName } from '../../../stacks/names';
import type { ReleaseImage } from '../releases';

export type ImageToCheck =
  | { readonly container: string; readonly reference: string }
  /** The deploy would stop before it starts (no image, unknown tag): said as a problem. */
  | { readonly container: string; readonly unresolved: string };

export interface ServiceSubject {
  readonly service: string;
  readonly environment: string;
  readonly region: string;
  readonly partition: string;
  readonly images: readonly ImageToCheck[];
  /** The task's runtimePlatform as an OCI platform (Fargate defaults to linux/amd64). */
  readonly platform?: { readonly os: string; readonly architecture: string };
  readonly fargate: boolean;
  /** Task size: CPU units and MiB. */
  readonly cpu: number;
  readonly memory: number;
  /** Secret references (SSM parameter names or ARNs, Secrets Manager ARNs), as the task definition carries them. */
  readonly secrets: readonly string[];
  /** S3 object ARNs of environmentFiles. */
  readonly environmentFiles: readonly string[];
  readonly executionRole: string;
  /** The task role: created by the stack (its name), or the file's taskRoleArn. */
  readonly taskRole: { readonly name: string; readonly created: boolean };
  readonly http?: {
    readonly container: string;
    readonly containerPort: number;
    /** The port mapping's protocol (tcp, udp). */
    readonly protocol: string;
    readonly healthCheckPath: string;
    readonly targetGroups: readonly string[];
  };
  /** The cluster's EC2 instance types (an EC2 task). */
  readonly instanceTypes: readonly string[];
}

const ARCHITECTURES: Record<string, string> = { X86_64: 'amd64', ARM64: 'arm64' };

/** `image`: the main container's image as the deploy resolved it, or why it could not be. */
export function serviceSubject(
  project: ResolvedProject,
  env: ResolvedEnvironment,
  svc: ResolvedService,
  image: ReleaseImage | { readonly unresolved: string },
): ServiceSubject {
  const released =
    'unresolved' in image ? undefined : image.serviceRepository ? image.digest : `${image.repository}@${image.digest}`;
  const stack = serviceStackName(env.name, svc.name);
  const props = serviceProps(project, env, svc, stack, '.', undefined, released);
  const prefix = awsName([props.project, props.environment, props.service]);
  const containers = [props.main, ...props.sidecars];
  const refs = [
    ...containers.flatMap((c) => [
      ...Object.values(c.secrets),
      ...Object.values(c.log.secretOptions),
      ...(c.repositoryCredentials ? [c.repositoryCredentials] : []),
    ]),
    ...Object.values(props.serviceConnect?.log.secretOptions ?? {}),
  ];
  const rp = props.runtimePlatform;
  const http = props.http;
  const mapping = http
    ? containers
        .find((c) => c.name === http.containerName)
        ?.portMappings.find((m) => m.containerPort === http.containerPort)
    : undefined;
  const codeDeploy = props.deployment.strategy !== 'rolling';
  const existingTaskRole = props.taskRole.existingArn;
  return {
    service: svc.name,
    environment: env.name,
    region: props.region,
    partition: props.partition,
    images: [
      'unresolved' in image
        ? { container: props.main.name, unresolved: image.unresolved }
        : { container: props.main.name, reference: `${image.repository}@${image.digest}` },
      ...props.sidecars.map((c) => ({ container: c.name, reference: c.image })),
    ],
    ...(rp
      ? {
          platform: {
            os: rp.operatingSystemFamily === 'LINUX' ? 'linux' : 'windows',
            architecture: ARCHITECTURES[rp.cpuArchitecture] ?? rp.cpuArchitecture.toLowerCase(),
          },
        }
      : {}),
    fargate: props.launchType === 'fargate',
    cpu: props.cpu,
    memory: props.memory,
    secrets: [...new Set(refs)].sort(),
    environmentFiles: [...new Set(containers.flatMap((c) => c.environmentFiles))].sort(),
    executionRole: awsName([prefix, 'exec'], 64),
    taskRole: existingTaskRole
      ? { name: existingTaskRole.slice(existingTaskRole.lastIndexOf('/') + 1), created: false }
      : { name: awsName([prefix, 'task'], 64), created: true },
    ...(http
      ? {
          http: {
            container: http.containerName,
            containerPort: http.containerPort,
            protocol: mapping?.protocol ?? 'tcp',
            healthCheckPath: http.healthCheck.path,
            targetGroups: (codeDeploy ? ['blue', 'green'] : ['']).map((suffix) =>
              awsName([props.project, props.environment, props.service, suffix], 32),
            ),
          },
        }
      : {}),
    instanceTypes: props.launchType === 'fargate' ? [] : [...(env.config.cluster.ec2?.instanceTypes ?? [])],
  };
}
