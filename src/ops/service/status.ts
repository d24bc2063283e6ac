/**
 * `service status`, `service list`, `service history`: the current release next to what ECS
 * reports (counts, deployments, the image the primary deployment runs, target health, the latest
 * events), and the release ledger.
 */
import type { EcsService } from '../../aws/ecs';
import type { TargetHealth } from '../../aws/elb';
import { currentRelease, latestRelease, type Ledger, type Release } from '../releases';
import { deploymentView, shortTaskDefinition, type DeploymentView } from '../deploy-watch';
import { openEnvironment, openService, readDeps, type ReadDeps, type ServiceContext } from './context';
import { clusterName, serviceNames } from './names';

/** A deployment as ECS reports it; `ours`: it runs the current release's task definition. */
export interface DeploymentStatus extends DeploymentView {
  /** ISO time. */
  readonly createdAt: string;
}

export interface EcsStatus {
  readonly cluster: string;
  readonly service: string;
  readonly status: string;
  readonly desired: number;
  readonly running: number;
  readonly pending: number;
  readonly taskDefinition: string;
  /** The main container's image in the primary deployment's task definition. */
  readonly image?: string;
  readonly deploymentController: string;
  readonly deployments: readonly DeploymentStatus[];
  /** Newest first. */
  readonly events: ReadonlyArray<{ readonly at: string; readonly message: string }>;
}

export interface ServiceStatus {
  readonly environment: string;
  readonly service: string;
  readonly strategy: string;
  /** The release that runs (or is being rolled out). */
  readonly release?: Release;
  /** The newest release when it is not the current one (it failed or was rolled back). */
  readonly latest?: Release;
  /** What ECS reports; absent when the service does not exist in ECS. */
  readonly ecs?: EcsStatus;
  readonly targets: ReadonlyArray<{ readonly targetGroupArn: string; readonly targets: readonly TargetHealth[] }>;
  /** Disagreements between the release and what runs, in words. */
  readonly warnings: readonly string[];
}

export interface StatusInput {
  readonly dir: string;
  readonly env: string;
  readonly service: string;
  /** Latest service events to include. @default 10 */
  readonly events?: number;
}

export async function serviceStatus(input: StatusInput, deps: ReadDeps = readDeps()): Promise<ServiceStatus> {
  const ctx = await openService(input.dir, input.env, input.service, deps);
  const [{ ledger }, described] = await Promise.all([
    ctx.store.read(ctx.env.name, ctx.service.name),
    ctx.aws.ecs.describeServices(ctx.names.cluster, [ctx.names.service]),
  ]);
  const release = currentRelease(ledger);
  const latest = latestRelease(ledger);
  const svc = described.services.find((s) => s.status !== 'INACTIVE');
  const warnings: string[] = [];
  let ecs: EcsStatus | undefined;
  let targets: ServiceStatus['targets'] = [];
  if (svc === undefined) {
    warnings.push(
      `ECS has no service ${ctx.names.service} in cluster ${ctx.names.cluster}: deploy it (ecsdeploy service deploy ${ctx.service.name} --env ${ctx.env.name} --image <tag>).`,
    );
  } else {
    const [image, health] = await Promise.all([
      mainImage(ctx, svc.taskDefinition),
      Promise.all(
        svc.targetGroupArns.map(async (arn) => ({ targetGroupArn: arn, targets: await ctx.aws.elb.targetHealth(arn) })),
      ),
    ]);
    ecs = ecsStatus(ctx.names.cluster, svc, image, input.events ?? 10, release?.rollout.taskDefinition);
    targets = health;
    if (release !== undefined && image !== undefined && !image.endsWith(`@${release.image.digest}`)) {
      warnings.push(`ECS runs ${image}, not release #${release.id} (${release.image.digest}).`);
    }
    if (release?.rollout.status === 'pending')
      warnings.push(
        `Release #${release.id} is still pending${release.rollout.reason ? ` (${release.rollout.reason})` : ''}: ecsdeploy service watch ${ctx.service.name} --env ${ctx.env.name}.`,
      );
    const unhealthy = health.flatMap((h) => h.targets).filter((t) => t.state === 'unhealthy');
    if (unhealthy.length)
      warnings.push(
        `${unhealthy.length} target${unhealthy.length === 1 ? ' is' : 's are'} unhealthy: ${[...new Set(unhealthy.map((t) => t.description ?? t.reason ?? 'unhealthy'))].join('; ')}.`,
      );
  }
  return {
    environment: ctx.env.name,
    service: ctx.service.name,
    strategy: ctx.service.deployment.strategy,
    ...(release ? { release } : {}),
    ...(latest && latest.id !== release?.id ? { latest } : {}),
    ...(ecs ? { ecs } : {}),
    targets,
    warnings,
  };
}

async function mainImage(ctx: ServiceContext, taskDefinition: string): Promise<string | undefined> {
  if (!taskDefinition) return undefined;
  const td = await ctx.aws.ecs.describeTaskDefinition(taskDefinition);
  return td.containers.find((c) => c.name === ctx.names.container)?.image ?? td.containers[0]?.image;
}

function ecsStatus(
  cluster: string,
  svc: EcsService,
  image: string | undefined,
  events: number,
  releaseTaskDefinition: string | undefined,
): EcsStatus {
  return {
    cluster,
    service: svc.name,
    status: svc.status,
    desired: svc.desiredCount,
    running: svc.runningCount,
    pending: svc.pendingCount,
    taskDefinition: svc.taskDefinition,
    ...(image ? { image } : {}),
    deploymentController: svc.deploymentController,
    deployments: svc.deployments.map((d) => ({
      ...deploymentView(d, d.taskDefinition === releaseTaskDefinition),
      createdAt: new Date(d.createdAt).toISOString(),
    })),
    events: svc.events.slice(0, events).map((e) => ({ at: new Date(e.createdAt).toISOString(), message: e.message })),
  };
}

export interface ServiceSummary {
  readonly service: string;
  /** ECS service name. */
  readonly ecsService: string;
  readonly strategy: string;
  readonly release?: Pick<Release, 'id' | 'image' | 'createdAt' | 'createdBy' | 'rollout'>;
  /** Absent when ECS has no such service. */
  readonly desired?: number;
  readonly running?: number;
  readonly pending?: number;
  /** The primary deployment's rollout state (IN_PROGRESS, COMPLETED, FAILED). */
  readonly rollout?: string;
  readonly deployments?: number;
  readonly taskDefinition?: string;
}

export interface ServiceList {
  readonly environment: string;
  readonly cluster: string;
  readonly services: readonly ServiceSummary[];
}

/** Every service of the environment: its current release and what ECS reports (one DescribeServices per 10 services). */
export async function listServices(
  input: { readonly dir: string; readonly env: string },
  deps: ReadDeps = readDeps(),
): Promise<ServiceList> {
  const ctx = await openEnvironment(input.dir, input.env, deps);
  const entries = ctx.env.services.map((s) => ({
    svc: s,
    names: serviceNames(ctx.project.config.project, ctx.env, s),
  }));
  const cluster = clusterName(ctx.project.config.project, ctx.env);
  const [described, ledgers] = await Promise.all([
    entries.length
      ? ctx.aws.ecs.describeServices(
          cluster,
          entries.map((e) => e.names.service),
        )
      : Promise.resolve({ services: [] as EcsService[], missing: [] }),
    Promise.all(entries.map((e) => ctx.store.read(ctx.env.name, e.svc.name))),
  ]);
  const services = entries.map(({ svc, names }, i): ServiceSummary => {
    const release = currentRelease(ledgers[i]!.ledger);
    const ecs = described.services.find((s) => s.name === names.service && s.status !== 'INACTIVE');
    const primary = ecs?.deployments.find((d) => d.status === 'PRIMARY');
    return {
      service: svc.name,
      ecsService: names.service,
      strategy: svc.deployment.strategy,
      ...(release
        ? {
            release: {
              id: release.id,
              image: release.image,
              createdAt: release.createdAt,
              createdBy: release.createdBy,
              rollout: release.rollout,
            },
          }
        : {}),
      ...(ecs
        ? {
            desired: ecs.desiredCount,
            running: ecs.runningCount,
            pending: ecs.pendingCount,
            deployments: ecs.deployments.length,
            taskDefinition: shortTaskDefinition(ecs.taskDefinition),
            ...(primary?.rolloutState ? { rollout: primary.rolloutState } : {}),
          }
        : {}),
    };
  });
  return { environment: ctx.env.name, cluster, services };
}

export interface ReleaseHistory {
  readonly environment: string;
  readonly service: string;
  /** Where the ledger is kept. */
  readonly store: string;
  /** The current release's number. */
  readonly current?: number;
  /** Newest first. */
  readonly releases: readonly Release[];
}

export async function releaseHistory(
  input: { readonly dir: string; readonly env: string; readonly service: string; readonly limit?: number },
  deps: ReadDeps = readDeps(),
): Promise<ReleaseHistory> {
  const ctx = await openService(input.dir, input.env, input.service, deps);
  const { ledger } = await ctx.store.read(ctx.env.name, ctx.service.name);
  return historyOf(ctx.env.name, ctx.service.name, ctx.store.location, ledger, input.limit);
}

/** A ledger's releases as `history` shows them (services and jobs alike): newest first, the current one marked. */
export function historyOf(
  environment: string,
  name: string,
  store: string,
  ledger: Ledger,
  limit?: number,
): ReleaseHistory {
  const current = currentRelease(ledger);
  return {
    environment,
    service: name,
    store,
    ...(current ? { current: current.id } : {}),
    releases: [...ledger.releases].reverse().slice(0, limit ?? ledger.releases.length),
  };
}
