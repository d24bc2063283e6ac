/**
 * What every service operation starts from: the project, the environment, the service and its AWS
 * names, the release store, and the AWS APIs, all behind small interfaces. `ServiceDeps` is the
 * seam: the CLI uses liveDeps() (AWS through the SDK, the Terraform engine, the system clock);
 * tests pass a simulation, the moto server, or a recording double of the engine.
 */
import { hostname, userInfo } from 'node:os';
import type { ResolvedEnvironment, ResolvedProject, ResolvedService } from '../../config/load';
import { closest } from '../../config/suggest';
import { AwsClients, type AwsTarget } from '../../aws/clients';
import { codeDeployApi, type CodeDeployApi } from '../../aws/codedeploy';
import { ecrApi, type EcrApi } from '../../aws/ecr';
import type { EcsApi } from '../../aws/ecs';
import { ecsAdapter, type EcsAdapter } from '../../aws/ecs-adapter';
import { elbApi, type ElbApi } from '../../aws/elb';
import { logStreamApi, logsApi, type LogStreamApi, type LogsApi } from '../../aws/logs';
import type { EcsTasksApi } from '../../aws/ecs-tasks';
import { UsageError } from '../../errors';
import { createInfraRunner, type InfraRunner } from '../infra';
import { assertAccount, environmentTarget, type IdentityLookup } from '../accounts';
import { openEnvironments } from '../project';
import { projectReleaseStore, registryTarget, type ReleaseStore } from '../releases';
import { systemClock, type Clock } from '../deploy-watch';
import { liveVerifyDeps, type VerifyDeps } from '../verify/types';
import { serviceNames, type ServiceNames } from './names';

export interface ServiceApis {
  readonly ecs: EcsApi;
  readonly ecr: EcrApi;
  readonly codeDeploy: CodeDeployApi;
  readonly logs: LogsApi;
  readonly elb: ElbApi;
  /** One-off tasks (task run, deployment.before, service exec). Optional: only those operations need it. */
  readonly tasks?: EcsTasksApi;
  /** Log streams read forward (a one-off task's live log). */
  readonly logStreams?: LogStreamApi;
}

/** The engine, as deploy uses it: apply the service stack (src/ops/infra; a recording double in tests). */
export type StackApplier = Pick<InfraRunner, 'apply'>;

export interface ServiceDeps {
  /** The AWS APIs for a region and endpoint. */
  apis(target: AwsTarget): ServiceApis;
  /** The engine, for the service stack. */
  readonly infra: StackApplier;
  readonly clock: Clock;
  /** The project's release store. @default ecsdeploy.yaml `releases:` */
  store?(project: ResolvedProject): ReleaseStore;
  /** Who records a release. */
  actor(): string;
  /** STS GetCallerIdentity, for the account check (src/ops/accounts). @default the SDK */
  readonly identity?: IdentityLookup;
  /** The AWS reads of `ecsdeploy verify`, which deploy and promote run first (src/ops/verify). Absent: no checks. */
  readonly verify?: VerifyDeps;
}

/** Who deploys: ECSDEPLOY_ACTOR, else the CI's user (GitHub Actions), else user@host. */
export function currentActor(env: NodeJS.ProcessEnv = process.env): string {
  if (env['ECSDEPLOY_ACTOR']) return env['ECSDEPLOY_ACTOR'];
  if (env['GITHUB_ACTOR']) return `${env['GITHUB_ACTOR']} (GitHub Actions run ${env['GITHUB_RUN_ID'] ?? '?'})`;
  let user = env['USER'] ?? 'unknown';
  try {
    user = userInfo().username;
  } catch {
    // no passwd entry (containers): keep $USER
  }
  return `${user}@${hostname()}`;
}

export function awsApis(target: AwsTarget): ServiceApis {
  const clients = new AwsClients(target);
  // Each API loads its SDK on first use only.
  let ecs: EcsAdapter | undefined,
    ecr: EcrApi | undefined,
    codeDeploy: CodeDeployApi | undefined,
    logs: LogsApi | undefined,
    elb: ElbApi | undefined;
  let logStreams: LogStreamApi | undefined;
  return {
    get ecs() {
      return (ecs ??= ecsAdapter(clients));
    },
    get ecr() {
      return (ecr ??= ecrApi(clients));
    },
    get codeDeploy() {
      return (codeDeploy ??= codeDeployApi(clients));
    },
    get logs() {
      return (logs ??= logsApi(clients));
    },
    get elb() {
      return (elb ??= elbApi(clients));
    },
    get tasks() {
      // The same adapter as `ecs`: one ECS client.
      return (ecs ??= ecsAdapter(clients));
    },
    get logStreams() {
      return (logStreams ??= logStreamApi(clients));
    },
  };
}

export interface EnvironmentContext {
  readonly project: ResolvedProject;
  readonly env: ResolvedEnvironment;
  readonly store: ReleaseStore;
  /** AWS of the environment (ECS, CodeDeploy, logs, load balancers). */
  readonly aws: ServiceApis;
  /** AWS of the project's registry (ECR). */
  readonly registry: ServiceApis;
}

export interface ServiceContext extends EnvironmentContext {
  readonly service: ResolvedService;
  readonly names: ServiceNames;
}

/** Opens a permanent environment or an environment on demand (from its record). */
export async function openEnvironment(
  dir: string,
  envName: string,
  deps: Pick<ServiceDeps, 'apis' | 'store' | 'identity'>,
): Promise<EnvironmentContext> {
  const { project, envs } = await openEnvironments(dir, [envName]);
  const env = envs[0]!;
  // Every operation on an environment with `account:` first checks that its credentials are that account's.
  await assertAccount(env, deps.identity ? { identity: deps.identity } : {});
  return {
    project,
    env,
    store: deps.store ? deps.store(project) : projectReleaseStore(project, env),
    aws: deps.apis(environmentTarget(env)),
    registry: deps.apis(registryTarget(project, env)),
  };
}

export async function openService(
  dir: string,
  envName: string,
  serviceName: string,
  deps: Pick<ServiceDeps, 'apis' | 'store' | 'identity'>,
): Promise<ServiceContext> {
  const ctx = await openEnvironment(dir, envName, deps);
  return { ...ctx, ...pickService(ctx, serviceName) };
}

function pickService(ctx: EnvironmentContext, name: string): { service: ResolvedService; names: ServiceNames } {
  const service = ctx.env.services.find((s) => s.name === name);
  if (service === undefined) {
    const known = ctx.env.services.map((s) => s.name);
    const guess = closest(name, known);
    throw new UsageError(
      `Environment '${ctx.env.name}' has no service '${name}'${guess ? `; did you mean '${guess}'?` : '.'}`,
      [
        known.length
          ? `Services of ${ctx.env.name}: ${known.join(', ')}.`
          : `Environment ${ctx.env.name} has no services.`,
        `A service is a file services/${name}.yaml, listed in environments/${ctx.env.name}.yaml services: (or all when that key is omitted).`,
      ],
    );
  }
  return { service, names: serviceNames(ctx.project.config.project, ctx.env, service) };
}

/** The CLI's dependencies: AWS through the SDK, the Terraform engine, the system clock. */
export function liveDeps(): ServiceDeps {
  return {
    apis: awsApis,
    infra: createInfraRunner(),
    clock: systemClock,
    actor: () => currentActor(),
    verify: liveVerifyDeps(),
  };
}

/** What the read-only operations (status, list, history, logs) need. */
export type ReadDeps = Pick<ServiceDeps, 'apis' | 'store' | 'clock' | 'identity'>;

export function readDeps(): ReadDeps {
  return { apis: awsApis, clock: systemClock };
}
