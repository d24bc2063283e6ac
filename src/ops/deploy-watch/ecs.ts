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
  const deadline = clock.now() + target.timeoutMs;
  const wake = new Wake(clock, options.onInterrupt);
  const watch = new EcsWatch(api, target, clock);
  try {
    for (;;) {
      if (wake.interrupted || clock.now() >= deadline) return watch.timedOut(wake.interrupted);
      const polled = yield* watch.poll(cadence);
      if (polled.retryInMs !== undefined) {
        await wake.sleep(polled.retryInMs);
        continue;
      }
      if (polled.service === undefined) return watch.serviceGone();
      const changed = yield* watch.observe(polled.service);
      const outcome = yield* watch.judge(polled.service);
      if (outcome !== undefined) return outcome;
      await wake.sleep(Math.max(0, Math.min(cadence.next(changed), deadline - clock.now())));
    }
  } finally {
    wake.unsubscribe();
  }
}

/** Sleeps on the clock, unless Ctrl-C is pending; Ctrl-C wakes it. */
class Wake {
  interrupted = false;
  private controller = new AbortController();
  readonly unsubscribe: () => void;

  constructor(
    private readonly clock: Clock,
    onInterrupt: WatchOptions['onInterrupt'],
  ) {
    this.unsubscribe =
      onInterrupt?.(() => {
        this.interrupted = true;
        this.controller.abort();
      }) ?? (() => undefined);
  }

  async sleep(ms: number): Promise<void> {
    if (this.interrupted) return;
    if (this.controller.signal.aborted) this.controller = new AbortController();
    await this.clock.sleep(ms, this.controller.signal);
  }
}

/** What one watch has learnt so far, and its steps: poll, observe, judge. */
class EcsWatch {
  private readonly since: number;
  private readonly rollbackExpected: boolean;
  private ours: string | undefined;
  private lastOurs: EcsDeployment | undefined;
  private failedSince: number | undefined;
  private lastSnapshot = '';
  private lastFailedTasks = 0;
  private errors = 0;
  private last: { deployments: DeploymentView[]; state: string } = { deployments: [], state: 'WAITING' };
  private readonly events: NewServiceEvents;
  /** The service's event messages since we began: the evidence of a rollback no poll saw. */
  private readonly messages: string[] = [];
  /** Task definitions of the other deployments seen while ours ran: what a rollback goes back to. */
  private readonly before = new Set<string>();
  private readonly seenTasks = new Set<string>();
  private readonly stopped: StoppedTaskView[] = [];

  constructor(
    private readonly api: EcsWatchApi,
    private readonly target: EcsRolloutTarget,
    private readonly clock: Clock,
  ) {
    this.since = target.startedAt - CLOCK_SKEW_MS;
    this.rollbackExpected = target.rollbackOnFailure ?? true;
    this.ours = target.deploymentId;
    this.events = new NewServiceEvents(this.since);
  }

  private now(): number {
    return this.clock.now();
  }

  private get ourId(): { deploymentId?: string } {
    return this.ours ? { deploymentId: this.ours } : {};
  }

  timedOut(interrupted: boolean): RolloutOutcome {
    return {
      kind: 'timedOut',
      at: this.now(),
      interrupted,
      ...this.ourId,
      reasons: [],
      deployments: this.last.deployments,
      state: this.last.state,
    };
  }

  serviceGone(): RolloutOutcome {
    return {
      kind: 'failed',
      at: this.now(),
      ...this.ourId,
      reasons: [`the service ${this.target.service} no longer exists in cluster ${this.target.cluster}`],
    };
  }

  /** One look at the service; a failed look says how long to wait before the next (or throws when fatal). */
  async *poll(cadence: Cadence): AsyncGenerator<RolloutEvent, { service?: EcsService; retryInMs?: number }, void> {
    try {
      const { services } = await this.api.describeServices(this.target.cluster, [this.target.service]);
      this.errors = 0;
      const service = services.find((s) => s.status !== 'INACTIVE');
      return service ? { service } : {};
    } catch (err) {
      const failed = failedPoll(err, ++this.errors, cadence, this.now());
      yield failed.event;
      return { retryInMs: failed.delay };
    }
  }

  /** Reports what is new (service events, our deployment found, progress, stopped tasks); true when something changed. */
  async *observe(service: EcsService): AsyncGenerator<RolloutEvent, boolean, void> {
    for (const e of this.events.take(service.events)) {
      if (e.type === 'service-event') this.messages.push(e.message);
      yield e;
    }
    if (this.ours === undefined) {
      const found = findOurs(service.deployments, this.target.taskDefinition, this.since);
      if (found) {
        this.ours = found.id;
        yield { type: 'found', at: this.now(), deploymentId: found.id, taskDefinition: found.taskDefinition };
      }
    }
    const d = this.deployment(service);
    if (d !== undefined)
      for (const x of service.deployments)
        if (x.createdAt <= d.createdAt && x.taskDefinition !== this.target.taskDefinition)
          this.before.add(x.taskDefinition);

    const views = service.deployments.map((x) => deploymentView(x, x.id === this.ours));
    const state =
      d?.rolloutState ?? (d ? 'IN_PROGRESS' : this.ours ? (this.lastOurs?.rolloutState ?? 'GONE') : 'WAITING');
    this.last = { deployments: views, state };
    const snapshot = JSON.stringify([views, service.desiredCount, service.runningCount, service.pendingCount]);
    const changed = snapshot !== this.lastSnapshot;
    this.lastSnapshot = snapshot;
    if (changed)
      yield {
        type: 'progress',
        at: this.now(),
        state,
        deployments: views,
        desired: service.desiredCount,
        running: service.runningCount,
        pending: service.pendingCount,
      };

    if (d !== undefined && d.failedTasks > this.lastFailedTasks) {
      this.lastFailedTasks = d.failedTasks;
      try {
        yield* this.stoppedTasks();
      } catch {
        // Stopped-task reasons are extras: failing to read them never ends the watch (the count retries it next time).
        this.lastFailedTasks = 0;
      }
    }
    return changed;
  }

  /** How our deployment stands: an outcome once it has ended, undefined while it runs. */
  async *judge(service: EcsService): AsyncGenerator<RolloutEvent, RolloutOutcome | undefined, void> {
    const d = this.deployment(service);
    const primary = service.deployments.find((x) => x.status === 'PRIMARY');
    if (this.ours !== undefined && d === undefined) return yield* this.vanished(this.ours, primary);
    if (d === undefined) return undefined;
    this.lastOurs = d;
    const done =
      d.rolloutState === undefined
        ? d.status === 'PRIMARY' && service.deployments.length === 1 && d.pendingCount === 0
        : d.status === 'PRIMARY' && d.rolloutState === 'COMPLETED';
    if (done && d.runningCount === d.desiredCount)
      return { kind: 'completed', at: this.now(), deploymentId: d.id, reasons: [] };

    if (d.rolloutState === 'FAILED') {
      this.failedSince ??= this.now();
      if (primary !== undefined && primary.id !== d.id) {
        yield* this.finishFailure();
        return {
          kind: 'rolledBack',
          at: this.now(),
          deploymentId: d.id,
          reasons: this.reasons(d),
          runningTaskDefinition: primary.taskDefinition,
        };
      }
      if (!this.rollbackExpected || this.now() - this.failedSince >= ROLLBACK_GRACE_MS) {
        yield* this.finishFailure();
        return { kind: 'failed', at: this.now(), deploymentId: d.id, reasons: this.reasons(d) };
      }
    } else if (d.status !== 'PRIMARY' && primary !== undefined && primary.id !== d.id) {
      yield { type: 'superseded', at: this.now(), by: deploymentView(primary, false) };
      return supersededBy(primary, d.id, this.now(), this.reasons(d));
    }
    return undefined;
  }

  /** Ours is gone from the list: rolled back if it had failed, else replaced by someone else's. */
  private async *vanished(
    ours: string,
    primary: EcsDeployment | undefined,
  ): AsyncGenerator<RolloutEvent, RolloutOutcome, void> {
    const lastOurs = this.lastOurs;
    const failure =
      lastOurs?.rolloutState === 'FAILED' ? undefined : failedUnseen(ours, this.messages, primary, this.before);
    if (lastOurs?.rolloutState !== 'FAILED' && failure === undefined)
      return supersededBy(primary, ours, this.now(), this.reasons(lastOurs));
    yield* this.finishFailure();
    // Its last rolloutStateReason seen was an "in progress" one: the event's words replace it.
    const why = failure === undefined ? this.reasons(lastOurs) : [failure, ...this.reasons(undefined)].slice(0, 8);
    return {
      kind: 'rolledBack',
      at: this.now(),
      deploymentId: ours,
      reasons: why,
      ...(primary ? { runningTaskDefinition: primary.taskDefinition } : {}),
    };
  }

  private deployment(service: EcsService): EcsDeployment | undefined {
    return this.ours === undefined ? undefined : service.deployments.find((x) => x.id === this.ours);
  }

  private async *stoppedTasks(): AsyncGenerator<RolloutEvent, void, void> {
    const tasks = await this.api.stoppedTasks(this.target.cluster, this.target.service, { since: this.since });
    for (const t of [...tasks].reverse()) {
      if (t.taskDefinition !== this.target.taskDefinition || this.seenTasks.has(t.arn)) continue;
      this.seenTasks.add(t.arn);
      const view: StoppedTaskView = {
        taskArn: t.arn,
        taskDefinition: t.taskDefinition,
        reason: t.stoppedReason ?? t.stopCode ?? 'stopped',
        containers: t.containers,
      };
      this.stopped.push(view);
      yield { type: 'task-stopped', at: this.now(), ...view };
    }
  }

  /** Reasons for a failure: ECS's rollout reason, then what stopped our tasks. */
  private reasons(d: EcsDeployment | undefined): string[] {
    const out = new Set<string>();
    if (d?.rolloutStateReason) out.add(d.rolloutStateReason);
    for (const t of this.stopped) {
      out.add(`task stopped: ${t.reason}`);
      for (const c of t.containers)
        if (c.reason || c.exitCode) out.add(`container ${c.name}: ${c.reason ?? `exit code ${c.exitCode}`}`);
    }
    return [...out].slice(0, 8);
  }

  /** On a failure, make sure the stopped-task reasons are there even if ECS's failedTasks count lagged. */
  private async *finishFailure(): AsyncGenerator<RolloutEvent, void, void> {
    if (this.stopped.length > 0) return;
    try {
      yield* this.stoppedTasks();
    } catch {
      // best effort: the outcome stands without them
    }
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
