/**
 * Delivery of one image to one service in one environment: what deploy, promote and rollback share.
 *
 *   1. record the release (pending), by compare-and-swap: of two concurrent deploys one wins
 *   2. apply the `<env>-<service>` stack only; synth takes the image from that release
 *   3. blue-green / canary / linear: the stack only registered the task definition, so create the
 *      CodeDeploy deployment with its AppSpec
 *   4. watch the rollout to its end: OUR ECS deployment, or the CodeDeploy deployment's lifecycle
 *      and traffic (not with --no-wait: the release stays pending for `service watch`)
 *   5. record the outcome: completed, failed or rolled back (a timeout leaves it pending)
 *   6. after a rollback, apply the stack again: the current release is the previous one again, so
 *      Terraform says what ECS runs
 *
 * Any outcome but completed is thrown as a RolloutError (exit 1) carrying the result, after it is
 * recorded.
 */
import { EcsdeployError, ExitCode, UsageError } from '../../errors';
import {
  appendRelease,
  currentRelease,
  imageUri,
  latestRelease,
  ReleaseConflictError,
  shortDigest,
  updateLedger,
  withRollout,
  type NewRelease,
  type Release,
  type ReleaseImage,
  type Rollout,
} from '../releases';
import {
  drain,
  shortTaskDefinition,
  watchCodeDeploy,
  watchEcsDeployment,
  type RolloutEvent,
  type RolloutOutcome,
} from '../deploy-watch';
import type { InfraEvent } from '../infra';
import type { ServiceContext, ServiceDeps } from './context';
import { parseDuration } from '../../duration';
import { loadBalancedPort } from '../../config/service-rules';
import {
  beforeRecorder,
  BeforeStepError,
  pendingSteps,
  runBeforeSteps,
  runningTaskDefinition,
  type BeforeEvent,
} from './before';

export type DeployEvent =
  /** The image, resolved; `source`: where it came from when --image was not given. */
  | { readonly type: 'image'; readonly image: ReleaseImage; readonly source?: string }
  /** The release was recorded (pending). */
  | { readonly type: 'recorded'; readonly release: Release }
  | {
      readonly type: 'phase';
      readonly phase: 'verify' | 'apply' | 'before' | 'watch' | 'codedeploy' | 'restore';
      readonly message: string;
    }
  /** Progress of the engine while the stack is applied. */
  | { readonly type: 'infra'; readonly event: InfraEvent }
  | { readonly type: 'rollout'; readonly event: RolloutEvent }
  /** A deployment.before command (step of `of`) as its one-off task runs. */
  | {
      readonly type: 'before';
      readonly step: number;
      readonly of: number;
      readonly command: string;
      readonly event: BeforeEvent;
    };

export interface DeliveryOptions {
  /** Watch the rollout to its end. @default true */
  readonly wait?: boolean;
  /** How long to watch. @default 20 minutes, plus a CodeDeploy service's traffic shifting and termination wait */
  readonly timeoutMs?: number;
  readonly onEvent?: (event: DeployEvent) => void;
  /** Aborts the engine gracefully (Ctrl-C during apply). */
  readonly signal?: AbortSignal;
  /** Subscribes a Ctrl-C handler during the watch; returns the unsubscribe. */
  readonly onInterrupt?: (handler: () => void) => () => void;
  /** CodeDeploy: asked on Ctrl-C; yes stops the deployment with a rollback. Absent: Ctrl-C only stops watching. */
  readonly confirmStop?: () => Promise<boolean>;
  /** Run the service file's deployment.before commands. @default true (rollback: false unless asked) */
  readonly runBefore?: boolean;
  /** Apply a stack plan that replaces an adopted ECS service (src/ops/infra/adoption). @default refuse it */
  readonly allowReplace?: boolean;
}

export interface DeployResult {
  readonly environment: string;
  readonly service: string;
  /** The release this delivered, with its rollout's outcome as recorded. */
  readonly release: Release;
  /** The image reference the task definition runs. */
  readonly image: string;
  readonly strategy: string;
  readonly taskDefinition?: string;
  /** Whether the rollout was watched (false with --no-wait). */
  readonly watched: boolean;
  readonly outcome?: RolloutOutcome;
  /** After a rollback: the stack applied again with the release that runs again. */
  readonly restored?: { readonly release?: number; readonly applied: boolean; readonly error?: string };
  /** The commands to keep watching, for a timeout. */
  readonly next?: readonly string[];
}

/** A rollout that did not complete: failed, rolled back, or still running when watching stopped. Exit 1. */
export class RolloutError extends EcsdeployError {
  constructor(
    message: string,
    readonly result: DeployResult,
    code: string,
    suggestions: readonly string[],
  ) {
    super(message, { code, exitCode: ExitCode.Failed, suggestions });
    this.name = 'RolloutError';
  }
}

export const DEFAULT_TIMEOUT_MS = 20 * 60_000;

/** `90s`, `20m`, `1h30m` → ms (a `--timeout` flag). */
export function parseTimeout(text: string, flag = '--timeout'): number {
  const total = parseDuration(text) ?? 0;
  if (total === 0) {
    throw new UsageError(`${flag} ${text}: expected a duration such as 90s, 20m or 1h30m.`, [
      `For example ${flag} 30m.`,
    ]);
  }
  return total;
}

/** 20 minutes, plus what a CodeDeploy service spends shifting traffic and keeping the original tasks. */
export function defaultTimeout(service: ServiceContext['service']): number {
  const d = service.deployment;
  if (d.strategy === 'rolling') return DEFAULT_TIMEOUT_MS;
  const shift =
    d.strategy === 'canary'
      ? (d.canary?.minutes ?? 0)
      : d.strategy === 'linear'
        ? Math.ceil(100 / (d.linear?.percent ?? 100)) * (d.linear?.minutes ?? 0)
        : 0;
  return DEFAULT_TIMEOUT_MS + (shift + d.terminationWait) * 60_000;
}

export async function deliver(
  ctx: ServiceContext,
  image: ReleaseImage,
  meta: Omit<NewRelease, 'image' | 'createdAt' | 'createdBy'>,
  deps: ServiceDeps,
  options: DeliveryOptions = {},
): Promise<DeployResult> {
  const emit = (e: DeployEvent) => options.onEvent?.(e);
  const { env, service, names, store } = ctx;
  const clock = deps.clock;
  const iso = () => new Date(clock.now()).toISOString();
  const codeDeploy = service.deployment.strategy !== 'rolling';
  const startedAt = clock.now();
  emit({ type: 'image', image });

  if (codeDeploy) await refuseRunningCodeDeploy(ctx);

  // 1. Record the release: compare-and-swap, so of two concurrent deploys exactly one gets here.
  const { ledger, version } = await store.read(env.name, service.name);
  const appended = appendRelease(ledger, { ...meta, image, createdAt: iso(), createdBy: deps.actor() }, iso());
  if ((await store.write(appended.ledger, version)) === undefined) {
    const winner = latestRelease((await store.read(env.name, service.name)).ledger);
    throw new ReleaseConflictError(
      `Another deploy of ${service.name} to ${env.name} recorded ${winner ? `release #${winner.id} (${winner.image.tag ?? shortDigest(winner.image.digest)}, by ${winner.createdBy}, ${winner.createdAt})` : 'a release'} while this one was starting, so this one stopped: it changed nothing.`,
      [
        `See what runs: ecsdeploy service status ${service.name} --env ${env.name}.`,
        'Deploy again once that rollout has finished, if you still want this image.',
      ],
    );
  }
  let release = appended.release;
  emit({ type: 'recorded', release });

  const record = recorder(ctx, release.id, clock, (r) => (release = r));

  // deployment.before: a rolling service is held on the task definition it runs while they run (./before).
  const gated = options.runBefore !== false && service.deployment.before.length > 0;
  const recordBefore = beforeRecorder(ctx, release.id, (r) => (release = r));
  const hold = gated && !codeDeploy ? await runningTaskDefinition(ctx) : undefined;
  if (gated) await recordBefore({ status: 'running', ...(hold ? { hold } : {}), steps: pendingSteps(ctx) });

  // 2. Apply the service stack (its synth reads the release just recorded).
  emit({
    type: 'phase',
    phase: 'apply',
    message:
      gated && hold
        ? `Applying ${names.stack} with ${imageUri(image)}: the new task definition only; the ECS service stays on ${shortTaskDefinition(hold)} until deployment.before has passed`
        : `Applying ${names.stack} with ${imageUri(image)}`,
  });
  let taskDefinition: string | undefined;
  const applyFailed = async (err: unknown) => {
    await record({
      status: 'failed',
      reason: `the stack ${names.stack} could not be applied: ${(err as Error).message.split('\n')[0]}`,
    });
    if (gated && release.before?.status === 'running') await recordBefore({ ...release.before, status: 'failed' });
  };
  try {
    taskDefinition = await applyStack(ctx, deps, options);
  } catch (err) {
    await applyFailed(err);
    throw err;
  }
  if (gated && taskDefinition !== undefined) {
    const steps = service.deployment.before.length;
    emit({
      type: 'phase',
      phase: 'before',
      message: `Running deployment.before (${steps} command${steps === 1 ? '' : 's'}) as tasks of ${shortTaskDefinition(taskDefinition)}`,
    });
    try {
      await runBeforeSteps(ctx, deps, taskDefinition, hold, recordBefore, {
        onEvent: (step, of, command, event) => emit({ type: 'before', step, of, command, event }),
        ...(options.onInterrupt ? { onInterrupt: options.onInterrupt } : {}),
      });
    } catch (err) {
      const reason =
        err instanceof BeforeStepError
          ? `deployment.before: \`${err.step.command}\` ${err.step.reason ?? 'failed'}`
          : `deployment.before could not run: ${(err as Error).message.split('\n')[0]}`;
      if (!(err instanceof BeforeStepError) && release.before?.status === 'running')
        await recordBefore({ ...release.before, status: 'failed' });
      await record({ status: 'failed', reason, taskDefinition });
      throw err;
    }
    if (hold !== undefined) {
      // Every step passed: the hold is lifted (recorded), so this apply moves the ECS service to the new revision.
      emit({
        type: 'phase',
        phase: 'apply',
        message: `Applying ${names.stack} again: the ECS service moves to ${shortTaskDefinition(taskDefinition)}`,
      });
      try {
        taskDefinition = await applyStack(ctx, deps, options);
      } catch (err) {
        await applyFailed(err);
        throw err;
      }
    }
  }
  if (taskDefinition === undefined) {
    await record({ status: 'failed', reason: `the stack ${names.stack} has no task_definition_arn output` });
    throw new EcsdeployError(
      `The stack ${names.stack} was applied, but has no task_definition_arn output: there is no telling which deployment runs release #${release.id}.`,
      {
        code: 'ECSDEPLOY_ROLLOUT_FAILED',
        suggestions: [
          `Check the stack's outputs (ecsdeploy apply --env ${env.name} --stack ${service.name}), then deploy again.`,
        ],
      },
    );
  }
  const base = {
    environment: env.name,
    service: service.name,
    image: imageUri(image),
    strategy: service.deployment.strategy,
    taskDefinition,
  };

  // 3. CodeDeploy services: the stack only registered the task definition; the deployment starts it.
  let deploymentId: string | undefined;
  if (codeDeploy) {
    deploymentId = await startCodeDeploy(ctx, taskDefinition, release);
    if (deploymentId === undefined) {
      // The service already runs this task definition: nothing to roll out.
      return finish(
        ctx,
        deps,
        options,
        { ...base, watched: true },
        { kind: 'completed', at: clock.now(), reasons: [] },
        record,
      );
    }
  }
  if (options.wait === false) {
    await record({
      status: 'pending',
      reason: 'not watched (--no-wait)',
      taskDefinition,
      ...(deploymentId ? { deploymentId } : {}),
    });
    return { ...base, release, watched: false, next: watchCommands(ctx) };
  }
  if (deploymentId !== undefined) await record({ status: 'pending', deploymentId, taskDefinition });

  // 4. Watch the rollout to its end.
  const outcome = await watchRollout(
    ctx,
    deps,
    { taskDefinition, startedAt, ...(deploymentId ? { deploymentId } : {}) },
    options,
  );
  return finish(ctx, deps, options, { ...base, watched: true }, outcome, record);
}

/** Updates the rollout of release `id` in the ledger (retrying lost races); `onRecorded` gets the record as stored. */
export function recorder(
  ctx: ServiceContext,
  id: number,
  clock: ServiceDeps['clock'],
  onRecorded: (release: Release) => void,
): (rollout: Omit<Rollout, 'updatedAt'>) => Promise<Release> {
  return async (rollout) => {
    const at = new Date(clock.now()).toISOString();
    const updated = await updateLedger(ctx.store, ctx.env.name, ctx.service.name, (l) =>
      withRollout(l, id, { ...rollout, updatedAt: at }),
    );
    const release = updated.releases.find((r) => r.id === id);
    if (release === undefined)
      throw new EcsdeployError(
        `Release #${id} of ${ctx.service.name} in ${ctx.env.name} is no longer in the ledger (${ctx.store.location}).`,
        { code: 'ECSDEPLOY_RELEASES_INVALID' },
      );
    onRecorded(release);
    return release;
  };
}

export interface RolloutToWatch {
  readonly taskDefinition: string;
  /** Epoch ms the deploy began. */
  readonly startedAt: number;
  /** ECS deployment id when known; the CodeDeploy deployment id (required for CodeDeploy services). */
  readonly deploymentId?: string;
}

/** Watches a rollout to its end with the watcher of the service's strategy. */
export async function watchRollout(
  ctx: ServiceContext,
  deps: ServiceDeps,
  rollout: RolloutToWatch,
  options: DeliveryOptions,
): Promise<RolloutOutcome> {
  const { service, names } = ctx;
  const timeoutMs = options.timeoutMs ?? defaultTimeout(service);
  const minutes = `up to ${Math.round(timeoutMs / 60_000)} min`;
  const onRollout = (event: RolloutEvent) => options.onEvent?.({ type: 'rollout', event });
  const watchOptions = options.onInterrupt ? { onInterrupt: options.onInterrupt } : {};
  const { taskDefinition, startedAt, deploymentId } = rollout;
  if (service.deployment.strategy === 'rolling') {
    options.onEvent?.({
      type: 'phase',
      phase: 'watch',
      message: `Watching the ECS deployment of ${shortTaskDefinition(taskDefinition)} (${minutes})`,
    });
    const target = {
      cluster: names.cluster,
      service: names.service,
      taskDefinition,
      startedAt,
      timeoutMs,
      rollbackOnFailure: service.deployment.circuitBreaker ?? true,
      ...(deploymentId ? { deploymentId } : {}),
    };
    return drain(watchEcsDeployment(ctx.aws.ecs, target, deps.clock, watchOptions), onRollout);
  }
  if (deploymentId === undefined) throw new Error('watchRollout: a CodeDeploy rollout needs its deployment id');
  options.onEvent?.({
    type: 'phase',
    phase: 'codedeploy',
    message: `Watching CodeDeploy deployment ${deploymentId} (${service.deployment.strategy}, ${minutes})`,
  });
  return drain(
    watchCodeDeploy(
      { codeDeploy: ctx.aws.codeDeploy, ecs: ctx.aws.ecs },
      { deploymentId, cluster: names.cluster, service: names.service, taskDefinition, startedAt, timeoutMs },
      deps.clock,
      {
        ...watchOptions,
        ...(options.confirmStop ? { confirmStop: options.confirmStop } : {}),
      },
    ),
    onRollout,
  );
}

/** 5 and 6: record the outcome; after a rollback bring Terraform back to what runs; throw unless completed. */
export async function finish(
  ctx: ServiceContext,
  deps: ServiceDeps,
  options: DeliveryOptions,
  base: Omit<DeployResult, 'release' | 'outcome'>,
  outcome: RolloutOutcome,
  record: (rollout: Omit<Rollout, 'updatedAt'>) => Promise<Release>,
): Promise<DeployResult> {
  const { env, service } = ctx;
  const ids = {
    ...(outcome.deploymentId ? { deploymentId: outcome.deploymentId } : {}),
    ...(base.taskDefinition ? { taskDefinition: base.taskDefinition } : {}),
  };
  const reason = outcome.reasons.join('; ');
  const where = `${service.name} in ${env.name}`;
  switch (outcome.kind) {
    case 'completed': {
      const release = await record({ status: 'completed', ...ids });
      return { ...base, release, outcome };
    }
    case 'timedOut': {
      const release = await record({
        status: 'pending',
        reason: `${outcome.interrupted ? 'watch interrupted' : 'watch timed out'} while ${outcome.state}`,
        ...ids,
      });
      const result: DeployResult = { ...base, release, outcome, next: watchCommands(ctx) };
      throw new RolloutError(
        `${outcome.interrupted ? 'Stopped watching' : 'Timed out'}: the rollout of release #${release.id} to ${where} has not finished (${outcome.state}). It goes on without us.${describeRunning(outcome)}`,
        result,
        'ECSDEPLOY_ROLLOUT_TIMEOUT',
        [`Keep watching: ${watchCommands(ctx)[0]}`, `Or look: ${watchCommands(ctx)[1]}`],
      );
    }
    case 'rolledBack': {
      const release = await record({ status: 'rolled-back', reason, ...ids });
      const restored = await restore(ctx, deps, options);
      const result: DeployResult = { ...base, release, outcome, restored };
      const by = service.deployment.strategy === 'rolling' ? 'the ECS deployment circuit breaker' : 'CodeDeploy';
      throw new RolloutError(
        `Release #${release.id} of ${where} failed and was rolled back by ${by}: ${reason || 'no reason given'}.${outcome.runningTaskDefinition ? ` ECS runs ${shortTaskDefinition(outcome.runningTaskDefinition)} again.` : ''}${restoredNote(restored)}`,
        result,
        'ECSDEPLOY_ROLLED_BACK',
        [
          `See why: ecsdeploy service status ${service.name} --env ${env.name}, and ecsdeploy service logs ${service.name} --env ${env.name} --since 30m.`,
          'Fix the image or its configuration, then deploy again.',
        ],
      );
    }
    case 'failed': {
      const release = await record({ status: 'failed', reason, ...ids });
      const result: DeployResult = { ...base, release, outcome };
      throw new RolloutError(
        `Release #${release.id} of ${where} failed: ${reason || 'no reason given'}.`,
        result,
        'ECSDEPLOY_ROLLOUT_FAILED',
        [
          `See what runs now: ecsdeploy service status ${service.name} --env ${env.name}.`,
          `Go back to the last good release: ecsdeploy service rollback ${service.name} --env ${env.name}.`,
        ],
      );
    }
  }
}

function watchCommands(ctx: ServiceContext): string[] {
  return [
    `ecsdeploy service watch ${ctx.service.name} --env ${ctx.env.name}`,
    `ecsdeploy service status ${ctx.service.name} --env ${ctx.env.name}`,
  ];
}

function describeRunning(outcome: Extract<RolloutOutcome, { kind: 'timedOut' }>): string {
  const lines = outcome.deployments.map(
    (d) =>
      `${d.ours ? 'ours' : 'other'} ${d.status} ${d.id} (${shortTaskDefinition(d.taskDefinition)}): ${d.running} running, ${d.pending} pending of ${d.desired}${d.rolloutState ? `, ${d.rolloutState}` : ''}`,
  );
  const sets = (outcome.taskSets ?? []).map(
    (t) => `${t.label}: ${t.trafficWeight}% of traffic, ${t.running} of ${t.desired} running`,
  );
  const all = [...lines, ...sets];
  return all.length ? `\nStill running:\n  ${all.join('\n  ')}` : '';
}

function restoredNote(r: DeployResult['restored']): string {
  if (r === undefined) return '';
  if (r.error)
    return ` Terraform could not be brought back to the running image (${r.error}); run: ecsdeploy apply --env <env> --stack <service>.`;
  return r.release
    ? ` Terraform now says release #${r.release} again.`
    : ' Terraform now says the configured image again.';
}

/** Applies the service stack; returns its task definition ARN (the `task_definition_arn` output). */
async function applyStack(
  ctx: ServiceContext,
  deps: ServiceDeps,
  options: DeliveryOptions,
): Promise<string | undefined> {
  const report = await deps.infra.apply({
    dir: ctx.project.root,
    env: ctx.env.name,
    stacks: [ctx.service.name],
    onEvent: (event) => options.onEvent?.({ type: 'infra', event }),
    ...(options.signal ? { signal: options.signal } : {}),
    ...(options.allowReplace ? { allowReplace: true } : {}),
    // Nobody is shown this plan: plan and apply in one engine command where that is safe (src/ops/infra/runner).
    direct: true,
  });
  const stack = report.stacks.find((s) => s.stack === ctx.names.stack);
  const arn = stack?.outputs['task_definition_arn'];
  return typeof arn === 'string' && arn !== '' ? arn : undefined;
}

/** After a rollback: apply the stack again, now with the release that runs again. */
async function restore(
  ctx: ServiceContext,
  deps: ServiceDeps,
  options: DeliveryOptions,
): Promise<NonNullable<DeployResult['restored']>> {
  const current = currentRelease((await ctx.store.read(ctx.env.name, ctx.service.name)).ledger);
  options.onEvent?.({
    type: 'phase',
    phase: 'restore',
    message: `Applying ${ctx.names.stack} again with ${current ? `release #${current.id}` : 'the configured image'}, the one that runs again`,
  });
  try {
    await applyStack(ctx, deps, { ...options, signal: undefined });
    return { ...(current ? { release: current.id } : {}), applied: true };
  } catch (err) {
    return {
      ...(current ? { release: current.id } : {}),
      applied: false,
      error: (err as Error).message.split('\n')[0]!,
    };
  }
}

/** CodeDeploy takes one deployment per group at a time: say who is deploying before recording anything. */
async function refuseRunningCodeDeploy(ctx: ServiceContext): Promise<void> {
  const running = await ctx.aws.codeDeploy.activeDeployments(
    ctx.names.codeDeployApplication,
    ctx.names.codeDeployGroup,
  );
  if (running.length === 0) return;
  throw new EcsdeployError(
    `A CodeDeploy deployment of ${ctx.service.name} in ${ctx.env.name} is still running (${running.join(', ')}): CodeDeploy takes one at a time.`,
    {
      code: 'ECSDEPLOY_DEPLOY_CONFLICT',
      suggestions: [
        `Watch it: ecsdeploy service status ${ctx.service.name} --env ${ctx.env.name}; deploy again once it has finished.`,
      ],
    },
  );
}

/** Creates the CodeDeploy deployment for the new task definition; undefined when the service already runs it. */
async function startCodeDeploy(
  ctx: ServiceContext,
  taskDefinition: string,
  release: Release,
): Promise<string | undefined> {
  const { services } = await ctx.aws.ecs.describeServices(ctx.names.cluster, [ctx.names.service]);
  if (services[0]?.taskDefinition === taskDefinition) return undefined;
  const target = loadBalancedPort(ctx.service);
  const appSpec = {
    version: '0.0',
    Resources: [
      {
        TargetService: {
          Type: 'AWS::ECS::Service',
          Properties: {
            TaskDefinition: taskDefinition,
            ...(target !== undefined
              ? { LoadBalancerInfo: { ContainerName: target.container, ContainerPort: target.mapping.containerPort } }
              : {}),
          },
        },
      },
    ],
  };
  return ctx.aws.codeDeploy.createDeployment({
    application: ctx.names.codeDeployApplication,
    group: ctx.names.codeDeployGroup,
    appSpec: JSON.stringify(appSpec),
    description: `ecsdeploy release #${release.id} of ${ctx.service.name} to ${ctx.env.name}: ${release.image.tag ?? shortDigest(release.image.digest)}${release.message ? ` (${release.message})` : ''}`,
  });
}
