/**
 * Watches one ECS rolling deployment to its end, as an event source.
 *
 * It follows OUR deployment: the one with the given id, or else the one running our task
 * definition (created after we started, or already PRIMARY when the apply changed nothing). It
 * succeeds only when that deployment is PRIMARY, its rolloutState is COMPLETED and it runs the
 * desired number of tasks. Never "the service is stable": that also holds after the circuit breaker
 * rolled our deployment back, and reporting success then is the bug this exists to avoid.
 *
 *   completed   ours PRIMARY + COMPLETED + running == desired
 *   rolledBack  ours FAILED and an older task definition is PRIMARY again (circuit breaker, alarms); also
 *               when ours vanished between two polls and the service's events say it failed or is
 *               being rolled back to a task definition that ran before ours (a 15 s cadence can miss
 *               the FAILED state entirely)
 *   failed      ours FAILED with no rollback; or another deployment replaced ours; or the service went away
 *   timedOut    the time ran out (or Ctrl-C) while it still ran
 */
import type { EcsApi, EcsDeployment, EcsService, EcsServiceEvent } from '../../aws/ecs';
import { Cadence, failedPoll, type CadenceOptions, type Clock } from './clock';
import type { DeploymentView, RolloutEvent, RolloutOutcome, StoppedTaskView } from './types';

export interface EcsRolloutTarget {
  readonly cluster: string;
  readonly service: string;
  /** The task definition our deployment runs (the service stack's output). */
  readonly taskDefinition: string;
  /** Our deployment's id, when known. */
  readonly deploymentId?: string;
  /** Epoch ms when the deploy began: events and stopped tasks before it are not ours. */
  readonly startedAt: number;
  /** How long to watch. */
  readonly timeoutMs: number;
  /** The circuit breaker rolls back a failed deployment: wait for that rollback. @default true */
  readonly rollbackOnFailure?: boolean;
}

export interface WatchOptions {
  readonly cadence?: CadenceOptions;
  /** Subscribes a Ctrl-C handler; returns the unsubscribe. Ctrl-C ends an ECS watch (the deployment goes on). */
  readonly onInterrupt?: (handler: () => void) => () => void;
}

export type EcsWatchApi = Pick<EcsApi, 'describeServices' | 'stoppedTasks'>;

/** AWS and this machine disagree on the time by up to this much. */
const CLOCK_SKEW_MS = 10_000;
/** After ours FAILED, how long the circuit breaker gets to start the rollback deployment. */
const ROLLBACK_GRACE_MS = 60_000;

export async function* watchEcsDeployment(
  api: EcsWatchApi,
  target: EcsRolloutTarget,
  clock: Clock,
  options: WatchOptions = {},
): AsyncGenerator<RolloutEvent, RolloutOutcome, void> {
  const cadence = new Cadence(clock, options.cadence);
  const since = target.startedAt - CLOCK_SKEW_MS;
  const deadline = clock.now() + target.timeoutMs;
  const rollbackExpected = target.rollbackOnFailure ?? true;
  let interrupted = false;
  let wake = new AbortController();
  const unsubscribe = options.onInterrupt?.(() => {
    interrupted = true;
    wake.abort();
  });

  let ours = target.deploymentId;
  let lastOurs: EcsDeployment | undefined;
  let failedSince: number | undefined;
  let lastSnapshot = '';
  let lastFailedTasks = 0;
  let errors = 0;
  let last: { deployments: DeploymentView[]; state: string } = { deployments: [], state: 'WAITING' };
  const events = new NewServiceEvents(since);
  /** The service's event messages since we began: the evidence of a rollback no poll saw. */
  const messages: string[] = [];
  /** Task definitions of the other deployments seen while ours ran: what a rollback goes back to. */
  const before = new Set<string>();
  const seenTasks = new Set<string>();
  const stopped: StoppedTaskView[] = [];
  const now = () => clock.now();

  const stoppedTasks = async function* (): AsyncGenerator<RolloutEvent, void, void> {
    const tasks = await api.stoppedTasks(target.cluster, target.service, { since });
    for (const t of [...tasks].reverse()) {
      if (t.taskDefinition !== target.taskDefinition || seenTasks.has(t.arn)) continue;
      seenTasks.add(t.arn);
      const view: StoppedTaskView = {
        taskArn: t.arn,
        taskDefinition: t.taskDefinition,
        reason: t.stoppedReason ?? t.stopCode ?? 'stopped',
        containers: t.containers,
      };
      stopped.push(view);
      yield { type: 'task-stopped', at: now(), ...view };
    }
  };

  /** Reasons for a failure: ECS's rollout reason, then what stopped our tasks. */
  const reasons = (d: EcsDeployment | undefined): string[] => {
    const out = new Set<string>();
    if (d?.rolloutStateReason) out.add(d.rolloutStateReason);
    for (const t of stopped) {
      out.add(`task stopped: ${t.reason}`);
      for (const c of t.containers)
        if (c.reason || c.exitCode) out.add(`container ${c.name}: ${c.reason ?? `exit code ${c.exitCode}`}`);
    }
    return [...out].slice(0, 8);
  };

  /** On a failure, make sure the stopped-task reasons are there even if ECS's failedTasks count lagged. */
  const finishFailure = async function* (): AsyncGenerator<RolloutEvent, void, void> {
    if (stopped.length > 0) return;
    try {
      yield* stoppedTasks();
    } catch {
      // best effort: the outcome stands without them
    }
  };

  try {
    for (;;) {
      if (interrupted || now() >= deadline) {
        return {
          kind: 'timedOut',
          at: now(),
          interrupted,
          ...(ours ? { deploymentId: ours } : {}),
          reasons: [],
          deployments: last.deployments,
          state: last.state,
        };
      }

      let service: EcsService | undefined;
      try {
        const { services } = await api.describeServices(target.cluster, [target.service]);
        service = services.find((s) => s.status !== 'INACTIVE');
        errors = 0;
      } catch (err) {
        const failed = failedPoll(err, ++errors, cadence, now());
        yield failed.event;
        await sleep(failed.delay);
        continue;
      }
      if (service === undefined) {
        return {
          kind: 'failed',
          at: now(),
          ...(ours ? { deploymentId: ours } : {}),
          reasons: [`the service ${target.service} no longer exists in cluster ${target.cluster}`],
        };
      }

      for (const e of events.take(service.events)) {
        if (e.type === 'service-event') messages.push(e.message);
        yield e;
      }

      if (ours === undefined) {
        const found = findOurs(service.deployments, target.taskDefinition, since);
        if (found) {
          ours = found.id;
          yield { type: 'found', at: now(), deploymentId: found.id, taskDefinition: found.taskDefinition };
        }
      }
      const d = ours === undefined ? undefined : service.deployments.find((x) => x.id === ours);
      const primary = service.deployments.find((x) => x.status === 'PRIMARY');
      if (d !== undefined)
        for (const x of service.deployments)
          if (x.createdAt <= d.createdAt && x.taskDefinition !== target.taskDefinition) before.add(x.taskDefinition);

      const views = service.deployments.map((x) => deploymentView(x, x.id === ours));
      const state = d?.rolloutState ?? (d ? 'IN_PROGRESS' : ours ? (lastOurs?.rolloutState ?? 'GONE') : 'WAITING');
      last = { deployments: views, state };
      const snapshot = JSON.stringify([views, service.desiredCount, service.runningCount, service.pendingCount]);
      const changed = snapshot !== lastSnapshot;
      lastSnapshot = snapshot;
      if (changed)
        yield {
          type: 'progress',
          at: now(),
          state,
          deployments: views,
          desired: service.desiredCount,
          running: service.runningCount,
          pending: service.pendingCount,
        };

      if (d !== undefined && d.failedTasks > lastFailedTasks) {
        lastFailedTasks = d.failedTasks;
        try {
          yield* stoppedTasks();
        } catch {
          // Stopped-task reasons are extras: failing to read them never ends the watch (the count retries it next time).
          lastFailedTasks = 0;
        }
      }

      if (ours !== undefined && d === undefined) {
        // Ours is gone from the list: rolled back if it had failed, else replaced by someone else's.
        const failure = lastOurs?.rolloutState === 'FAILED' ? undefined : failedUnseen(ours, messages, primary, before);
        if (lastOurs?.rolloutState === 'FAILED' || failure !== undefined) {
          yield* finishFailure();
          // Its last rolloutStateReason seen was an "in progress" one: the event's words replace it.
          const why = failure === undefined ? reasons(lastOurs) : [failure, ...reasons(undefined)].slice(0, 8);
          return {
            kind: 'rolledBack',
            at: now(),
            deploymentId: ours,
            reasons: why,
            ...(primary ? { runningTaskDefinition: primary.taskDefinition } : {}),
          };
        }
        return supersededBy(primary, ours, now(), reasons(lastOurs));
      }

      if (d !== undefined) {
        lastOurs = d;
        const done =
          d.rolloutState === undefined
            ? d.status === 'PRIMARY' && service.deployments.length === 1 && d.pendingCount === 0
            : d.status === 'PRIMARY' && d.rolloutState === 'COMPLETED';
        if (done && d.runningCount === d.desiredCount)
          return { kind: 'completed', at: now(), deploymentId: d.id, reasons: [] };

        if (d.rolloutState === 'FAILED') {
          failedSince ??= now();
          if (primary !== undefined && primary.id !== d.id) {
            yield* finishFailure();
            return {
              kind: 'rolledBack',
              at: now(),
              deploymentId: d.id,
              reasons: reasons(d),
              runningTaskDefinition: primary.taskDefinition,
            };
          }
          if (!rollbackExpected || now() - failedSince >= ROLLBACK_GRACE_MS) {
            yield* finishFailure();
            return { kind: 'failed', at: now(), deploymentId: d.id, reasons: reasons(d) };
          }
        } else if (d.status !== 'PRIMARY' && primary !== undefined && primary.id !== d.id) {
          const by = deploymentView(primary, false);
          yield { type: 'superseded', at: now(), by };
          return supersededBy(primary, d.id, now(), reasons(d));
        }
      }

      await sleep(Math.max(0, Math.min(cadence.next(changed), deadline - now())));
    }
  } finally {
    unsubscribe?.();
  }

  /** Sleeps, unless Ctrl-C is pending; Ctrl-C wakes it. */
  async function sleep(ms: number): Promise<void> {
    if (interrupted) return;
    if (wake.signal.aborted) wake = new AbortController();
    await clock.sleep(ms, wake.signal);
  }
}

/** An ECS deployment as watchers and views show it; `ours`: the deployment being watched (or the release's). */
export function deploymentView(d: EcsDeployment, ours: boolean): DeploymentView {
  return {
    id: d.id,
    status: d.status,
    taskDefinition: d.taskDefinition,
    ...(d.rolloutState ? { rolloutState: d.rolloutState } : {}),
    ...(d.rolloutStateReason ? { rolloutStateReason: d.rolloutStateReason } : {}),
    desired: d.desiredCount,
    running: d.runningCount,
    pending: d.pendingCount,
    failed: d.failedTasks,
    ours,
  };
}

/** Ours: the newest deployment of our task definition created since we began, else the PRIMARY one running it (nothing new to roll out). */
function findOurs(
  deployments: readonly EcsDeployment[],
  taskDefinition: string,
  since: number,
): EcsDeployment | undefined {
  const candidates = deployments
    .filter((d) => d.taskDefinition === taskDefinition)
    .sort((a, b) => b.createdAt - a.createdAt);
  return candidates.find((d) => d.createdAt >= since) ?? candidates.find((d) => d.status === 'PRIMARY');
}

/**
 * Ours vanished without a poll seeing it FAILED: was it rolled back? Yes when ECS's events since we
 * began say our deployment failed, or say it is rolling back while the PRIMARY deployment runs a
 * task definition that ran before ours (the previous release's). Returns the failure to report
 * (ECS's own words), or undefined when nothing says so: then someone else's deployment replaced ours.
 */
function failedUnseen(
  ours: string,
  messages: readonly string[],
  primary: EcsDeployment | undefined,
  before: ReadonlySet<string>,
): string | undefined {
  const failed = messages.find((m) => m.includes(`(deployment ${ours})`) && /deployment failed/i.test(m));
  if (failed !== undefined) return failed.slice(failed.indexOf('deployment failed'));
  const rollingBack = messages.find((m) => /rolling back to deployment/i.test(m));
  if (rollingBack !== undefined && primary !== undefined && before.has(primary.taskDefinition))
    return `ECS: ${rollingBack.replace(/^\(service [^)]*\) /, '')}`;
  return undefined;
}

function supersededBy(primary: EcsDeployment | undefined, ours: string, at: number, reasons: string[]): RolloutOutcome {
  const who = primary
    ? `deployment ${primary.id} (${shortTaskDefinition(primary.taskDefinition)})`
    : 'another deployment';
  return {
    kind: 'failed',
    at,
    deploymentId: ours,
    reasons: [`${who}, started by someone else, replaced ours before it completed`, ...reasons],
  };
}

/** `arn:aws:ecs:...:task-definition/shop-dev-orders:42` → `shop-dev-orders:42`. */
export function shortTaskDefinition(arn: string): string {
  return arn.slice(arn.lastIndexOf('/') + 1);
}

/** The service events not reported yet, oldest first; those before `since` belong to earlier deploys. */
export class NewServiceEvents {
  private readonly seen = new Set<string>();
  constructor(private readonly since: number) {}

  take(newestFirst: readonly EcsServiceEvent[]): RolloutEvent[] {
    const out: RolloutEvent[] = [];
    for (const e of [...newestFirst].reverse()) {
      if (this.seen.has(e.id)) continue;
      this.seen.add(e.id);
      if (e.createdAt >= this.since) out.push({ type: 'service-event', at: e.createdAt, message: e.message });
    }
    return out;
  }
}
