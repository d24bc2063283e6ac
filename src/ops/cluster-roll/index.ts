/**
 * `cluster status` and `cluster roll`: an environment's EC2 capacity, and replacing its out-of-date
 * instances without losing a task. The commands call these; the loops themselves (./loop,
 * ./refresh) take any ClusterApi and clock, so tests run them against a simulation.
 */
import { resolve } from 'node:path';
import { SdkAutoScalingApi, SdkLaunchTemplates } from '../../aws/autoscaling';
import { AwsClients } from '../../aws/clients';
import { SdkEcsClusterApi } from '../../aws/ecs-cluster';
import type { ResolvedEnvironment } from '../../config/load';
import { EcsdeployError, ExitCode, UsageError } from '../../errors';
import { assertAccount, environmentTarget } from '../accounts';
import { permanentNames } from '../environments/names';
import { awsS3 } from '../environments/storage';
import { openProject } from '../project';
import { systemClock, type Clock } from './clock';
import { claimRollLock, projectLockStore, type LockStore } from './lock';
import { failureError, rollCluster, type RollDeps } from './loop';
import { clusterNames } from './names';
import { observe } from './observe';
import { parseRollOptions, type RollFlags } from './options';
import { refreshCluster } from './refresh';
import type { ClusterApi, ClusterStatus, RollEvent, RollOutcome, RollReport } from './types';

export * from './types';
export { clusterNames } from './names';
export { DEFAULT_TIMEOUT, type RollFlags } from './options';
export type { RollPlan, PlannedBatch } from './batches';
export { claimRollLock, localLockStore, s3LockStore, type LockStore, type LockInfo } from './lock';

/** What the user asked: which project and environment. */
export interface ClusterRequest {
  /** Project folder (the one holding ecsdeploy.yaml). */
  readonly dir: string;
  readonly env: string;
}

/**
 * What the user asked of a roll, and the run's conversation with them: the flags and
 * --force-unlock, the progress view (onEvent), Ctrl-C (signal) and the question before rolling
 * (confirm: absent with --yes). The UI wrapper of the command supplies these per run
 * (src/ui/roll-run), as `apply` gets its confirm in its request; what tests replace with
 * simulations (AWS, the clock, the lock store) are the deps.
 */
export interface RollRequest extends ClusterRequest {
  readonly flags: RollFlags;
  /** Progress, for a live view or a log. */
  readonly onEvent?: (event: RollEvent) => void;
  /** Abort to stop between steps (Ctrl-C). */
  readonly signal?: AbortSignal;
  /** Asked once the plan is made; absent: roll without asking (--yes). */
  readonly confirm?: RollDeps['confirm'];
  /** The ID of a roll lock left by a run that died: released before this run claims the lock. */
  readonly forceUnlock?: string;
}

type Target = Pick<ResolvedEnvironment, 'region' | 'endpoint' | 'config'>;

/**
 * What `cluster status` and `cluster roll` work with, built in one place (clusterDeps): tests pass
 * a simulation's api and clock, and a lock store of their own.
 */
export interface ClusterDeps {
  /** The Auto Scaling, launch template and ECS calls for one environment. */
  api(env: Target): ClusterApi;
  readonly clock: Clock;
  /** Where the roll lock of the project in `root` is kept. */
  lockStore(root: string): LockStore;
  /** Between two looks at AWS while a step waits. @default the loop's (./loop) */
  readonly pollMs?: number;
}

/** The live dependencies: the AWS SDK with the environment's region, endpoint and role, the system clock, the lock beside the project's state. */
export function clusterDeps(): ClusterDeps {
  return {
    api: sdkClusterApi,
    clock: systemClock,
    lockStore: (root) => projectLockStore(root, onDemand().projectConfig(root), awsS3),
  };
}
const awsClients = (env: Target) => new AwsClients(environmentTarget(env));

/** The SDK implementation of AutoScalingApi for one environment (apply reads the group through it too: src/ops/infra/roll-guard). */
export function sdkAutoScalingApi(env: Target, clients: AwsClients = awsClients(env)): SdkAutoScalingApi {
  return new SdkAutoScalingApi(clients.autoScaling(), new SdkLaunchTemplates(clients.ec2()));
}

/** The SDK implementation of ClusterApi for one environment. */
export function sdkClusterApi(env: Target): ClusterApi {
  const clients = awsClients(env);
  return combine(sdkAutoScalingApi(env, clients), new SdkEcsClusterApi(clients.ecs()));
}

/** One object with the methods of both (bound). */
export function combine<A extends object, B extends object>(a: A, b: B): A & B {
  const out: Record<string, unknown> = {};
  for (const src of [a, b] as Array<Record<string, unknown>>) {
    for (const key of Object.getOwnPropertyNames(Object.getPrototypeOf(src))) {
      const value = src[key];
      if (key !== 'constructor' && typeof value === 'function')
        out[key] = (value as (...args: unknown[]) => unknown).bind(src);
    }
  }
  return out as A & B;
}

// Records of environments on demand are read only for a name that is not a permanent environment.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const onDemand = () => require('../environments/resolve') as typeof import('../environments/resolve');

/**
 * The environment whose instances are shown or rolled: a permanent one, or an isolated environment
 * on demand (it has a cluster of its own). A shared environment on demand (the default of `env
 * create`) has none: its tasks run on its base's instances, so the command to run is the base's,
 * and that is what the error says, from the record alone (nothing is resolved, nothing asked of
 * AWS). A name of neither kind gets the "no environment" error of every other command.
 * `instead` is the command with the base's name, for that error.
 */
async function environment(
  dir: string,
  envName: string,
  instead: (base: string) => string,
): Promise<ResolvedEnvironment> {
  const root = resolve(dir);
  let env: ResolvedEnvironment;
  if (permanentNames(root).includes(envName)) {
    env = openProject(root, [envName]).envs[0]!;
  } else {
    const { projectRecordStore, readRecords, resolveWithRecords } = onDemand();
    const record = (await readRecords(root, [envName], projectRecordStore(root)))[0]!;
    if (!record.isolated) {
      throw new UsageError(
        `${envName} is an environment on demand on ${record.base}'s cluster: it has no cluster of its own, so the instances its tasks run on are ${record.base}'s.`,
        [instead(record.base)],
      );
    }
    env = resolveWithRecords(root, [envName], [record]).envs[0]!;
  }
  await assertAccount(env);
  if (env.config.cluster.ec2 === undefined) {
    throw new UsageError(
      `Environment '${env.name}' has no EC2 capacity (no cluster.ec2 in ${env.file}): there are no instances to show or roll.`,
      [
        'Fargate tasks need no instances. To add EC2 capacity, add cluster.ec2 to the environment (docs/configuration.md) and apply it.',
      ],
    );
  }
  return env;
}

/** `ecsdeploy cluster status`: the instances, which are out of date, and capacity against need. */
export async function clusterStatus(
  req: ClusterRequest,
  deps: Pick<ClusterDeps, 'api'> = clusterDeps(),
): Promise<ClusterStatus> {
  const env = await environment(req.dir, req.env, (base) => `Run \`ecsdeploy cluster status --env ${base}\` instead.`);
  const snapshot = await observe(deps.api(env), clusterNames(env));
  return { environment: env.name, outdated: snapshot.instances.filter((i) => i.outdated).length, ...snapshot };
}

/**
 * `ecsdeploy cluster roll`: plans, asks, and replaces the out-of-date instances (or watches the
 * group's instance refresh). A failed roll throws its EcsdeployError (exit 1), a declined one too;
 * an interrupted one throws with exit 130 and says what it left in place and how to go on.
 */
export async function clusterRoll(req: RollRequest, deps: ClusterDeps = clusterDeps()): Promise<RollReport> {
  const options = parseRollOptions(req.flags);
  const env = await environment(
    req.dir,
    req.env,
    (base) =>
      `Run \`ecsdeploy cluster roll --env ${base}${options.dryRun ? ' --dry-run' : ''}\` instead: it replaces ${base}'s out-of-date instances, moving ${req.env}'s tasks like every other task on them.`,
  );
  const names = clusterNames(env);
  const api = deps.api(env);
  const loop: RollDeps = {
    clock: deps.clock,
    ...(req.signal ? { signal: req.signal } : {}),
    ...(req.confirm ? { confirm: req.confirm } : {}),
    ...(deps.pollMs !== undefined ? { pollMs: deps.pollMs } : {}),
  };
  const again = `ecsdeploy cluster roll --env ${env.name}${options.strategy === 'instance-refresh' ? ' --strategy instance-refresh' : ''}`;
  if (options.dryRun && req.forceUnlock !== undefined)
    throw new UsageError('--force-unlock releases the lock of a roll, and --dry-run takes none: pass one of them.');
  // One run at a time on the group (./lock); --dry-run changes nothing and takes no lock.
  const held = options.dryRun
    ? undefined
    : await claimRollLock(
        deps.lockStore(resolve(req.dir)),
        { environment: env.name, group: names.autoScalingGroup, command: again },
        {
          now: () => new Date(deps.clock.now()),
          ...(req.forceUnlock !== undefined ? { forceUnlock: req.forceUnlock } : {}),
        },
      );
  let outcome: RollOutcome;
  try {
    const run =
      options.strategy === 'instance-refresh'
        ? refreshCluster(api, names, options, loop)
        : rollCluster(api, names, options, loop);
    for (;;) {
      const step = await run.next();
      if (step.done) {
        outcome = step.value;
        break;
      }
      req.onEvent?.(step.value);
    }
  } finally {
    await held?.release();
  }
  const resume = outcome.resume === undefined ? undefined : `${outcome.resume} Run \`${again}\` again to go on.`;
  if (outcome.status === 'failed' && outcome.failure) throw failureError(outcome.failure, resume);
  if (outcome.status === 'interrupted') {
    throw new EcsdeployError(
      `Interrupted after ${outcome.replaced.length} instance(s) replaced in ${outcome.batches} batch(es); stopped between two steps.`,
      {
        code: 'ECSDEPLOY_INTERRUPTED',
        exitCode: ExitCode.Interrupted,
        suggestions: [resume ?? `Run \`${again}\` again to go on.`],
      },
    );
  }
  if (outcome.status === 'cancelled') {
    throw new EcsdeployError('Nothing was changed: the roll was not confirmed.', {
      code: 'ECSDEPLOY_CANCELLED',
      suggestions: [`Review it with \`${again} --dry-run\`; pass --yes to roll without asking.`],
    });
  }
  return { ...outcome, ...(resume ? { resume } : {}), environment: env.name, names };
}
