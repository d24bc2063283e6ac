/**
 * Watches one one-off ECS task to its end, as an event source: its status as it moves
 * (PROVISIONING → PENDING → RUNNING → ... → STOPPED), the log lines of its container as they
 * arrive (CloudWatch Logs, read forward page by page), and how it ended.
 *
 *   exited      the container ran and exited: its exit code is the outcome (0 or not)
 *   notStarted  the task stopped before the container ran (capacity, image pull, ENI, secrets):
 *               ECS's stopped reason; never a success
 *   failed      the task stopped with no exit code for the container (host lost, killed by ECS)
 *   timedOut    the time ran out: the task was stopped (and the watch waited for STOPPED)
 *   interrupted Ctrl-C: stopped when the user said yes (or nobody could be asked and the watch ended)
 *
 * Polls describe the task on a cadence (fast while it changes), back off on throttling (the SDK
 * already retried each call), and take an injected clock, so tests simulate an hour in milliseconds.
 */
import type { EcsTasksApi, TaskState } from '../../aws/ecs-tasks';
import type { LogStreamApi } from '../../aws/logs';
import { Cadence, pollFailure, type CadenceOptions, type Clock } from '../deploy-watch/clock';

export interface TaskTarget {
  readonly cluster: string;
  readonly taskArn: string;
  /** The container whose exit code is the outcome (the essential main container, or --container). */
  readonly container: string;
  /** Its awslogs stream, when it logs to CloudWatch: `<prefix>/<container>/<task id>`. */
  readonly log?: { readonly group: string; readonly stream: string };
  readonly timeoutMs: number;
}

export type TaskEvent =
  /** The task's status changed. */
  | { readonly type: 'status'; readonly at: number; readonly lastStatus: string; readonly desiredStatus: string }
  /** A log line of the container, in the order CloudWatch has them. */
  | { readonly type: 'log'; readonly at: number; readonly timestamp: number; readonly message: string }
  | { readonly type: 'throttled'; readonly at: number; readonly retryInMs: number }
  | { readonly type: 'retrying'; readonly at: number; readonly message: string; readonly retryInMs: number }
  /** The task is being stopped: by the user (Ctrl-C, yes) or because the time ran out. */
  | { readonly type: 'stopping'; readonly at: number; readonly reason: string }
  /** Ctrl-C, and the user said no: watching goes on. */
  | { readonly type: 'continuing'; readonly at: number };

interface OutcomeBase {
  readonly at: number;
  readonly taskArn: string;
  readonly container: string;
  /** The last log lines seen (at most 20): what a failure shows. */
  readonly lastLines: readonly string[];
}

export type TaskOutcome =
  | (OutcomeBase & { readonly kind: 'exited'; readonly exitCode: number; readonly reason?: string })
  | (OutcomeBase & { readonly kind: 'notStarted'; readonly stopCode?: string; readonly reason: string })
  | (OutcomeBase & { readonly kind: 'failed'; readonly reason: string })
  | (OutcomeBase & { readonly kind: 'timedOut'; readonly stopped: boolean; readonly lastStatus: string })
  | (OutcomeBase & { readonly kind: 'interrupted'; readonly stopped: boolean; readonly lastStatus: string });

export type TaskOutcomeKind = TaskOutcome['kind'];

export interface TaskWatchOptions {
  readonly cadence?: CadenceOptions;
  /** Subscribes a Ctrl-C handler; returns the unsubscribe. */
  readonly onInterrupt?: (handler: () => void) => () => void;
  /** Asked on Ctrl-C: stop the task? Absent (nobody to ask): Ctrl-C ends the watch, the task runs on. */
  readonly confirmStop?: () => Promise<boolean>;
  /** After the time runs out, how long to wait for STOPPED once StopTask was sent. @default 2 min */
  readonly stopGraceMs?: number;
}

export type TaskWatchApi = {
  readonly tasks: Pick<EcsTasksApi, 'describeTasks' | 'stopTask'>;
  readonly logs?: LogStreamApi;
};

/** CloudWatch Logs lags the container by a few seconds: after STOPPED, read once more after this. */
const LOG_FLUSH_MS = 3_000;
const LAST_LINES = 20;

/** The exit code a watched task's command ends with: the container's, else 1 (130 after Ctrl-C). */
export function taskExitCode(outcome: TaskOutcome): number {
  if (outcome.kind === 'exited') return outcome.exitCode;
  if (outcome.kind === 'interrupted') return 130;
  return 1;
}

export async function* watchTask(
  api: TaskWatchApi,
  target: TaskTarget,
  clock: Clock,
  options: TaskWatchOptions = {},
): AsyncGenerator<TaskEvent, TaskOutcome, void> {
  const cadence = new Cadence(clock, { minMs: 2_000, maxMs: 6_000, ...options.cadence });
  const now = () => clock.now();
  const deadline = now() + target.timeoutMs;
  const stopGrace = options.stopGraceMs ?? 120_000;
  let interrupts = 0;
  let wake = new AbortController();
  const unsubscribe = options.onInterrupt?.(() => {
    interrupts++;
    wake.abort();
  });

  let logToken: string | undefined;
  const lastLines: string[] = [];
  let lastStatus = '';
  let errors = 0;
  /** Why we stopped it, once we did: 'timeout' or 'user'. */
  let stoppedBy: 'timeout' | 'user' | undefined;
  let stopDeadline = Number.POSITIVE_INFINITY;
  const base = () => ({ at: now(), taskArn: target.taskArn, container: target.container, lastLines: [...lastLines] });

  const readLogs = async function* (): AsyncGenerator<TaskEvent, void, void> {
    if (target.log === undefined || api.logs === undefined) return;
    const page = await api.logs.readStream(target.log.group, target.log.stream, logToken);
    if (page.nextToken !== undefined) logToken = page.nextToken;
    for (const e of page.events) {
      lastLines.push(e.message);
      if (lastLines.length > LAST_LINES) lastLines.shift();
      yield { type: 'log', at: now(), timestamp: e.timestamp, message: e.message };
    }
  };

  const stop = async function* (reason: string, by: 'timeout' | 'user'): AsyncGenerator<TaskEvent, void, void> {
    stoppedBy = by;
    stopDeadline = now() + stopGrace;
    yield { type: 'stopping', at: now(), reason };
    await api.tasks.stopTask(target.cluster, target.taskArn, reason);
  };

  try {
    for (;;) {
      if (interrupts > 0) {
        interrupts = 0;
        if (options.confirmStop === undefined) return { kind: 'interrupted', ...base(), stopped: false, lastStatus };
        if (stoppedBy === undefined) {
          if (await options.confirmStop()) yield* stop('ecsdeploy: stopped by the user (Ctrl-C)', 'user');
          else yield { type: 'continuing', at: now() };
        }
      }
      if (stoppedBy === undefined && now() >= deadline)
        yield* stop(`ecsdeploy: the timeout (${Math.round(target.timeoutMs / 1000)} s) passed`, 'timeout');
      if (stoppedBy !== undefined && now() >= stopDeadline) {
        return stoppedBy === 'user'
          ? { kind: 'interrupted', ...base(), stopped: true, lastStatus }
          : { kind: 'timedOut', ...base(), stopped: true, lastStatus };
      }

      let task: TaskState | undefined;
      try {
        task = (await api.tasks.describeTasks(target.cluster, [target.taskArn]))[0];
        yield* readLogs();
        errors = 0;
      } catch (err) {
        const kind = pollFailure(err, ++errors);
        if (kind === 'fatal') throw err;
        const delay = kind === 'throttled' ? cadence.throttled() : cadence.next(false);
        yield kind === 'throttled'
          ? { type: 'throttled', at: now(), retryInMs: delay }
          : { type: 'retrying', at: now(), message: (err as Error).message, retryInMs: delay };
        await sleep(delay);
        continue;
      }
      if (task === undefined) {
        return {
          kind: 'failed',
          ...base(),
          reason: `ECS no longer knows the task ${target.taskArn} (stopped tasks are kept about an hour)`,
        };
      }
      const changed = task.lastStatus !== lastStatus;
      if (changed) {
        lastStatus = task.lastStatus;
        yield { type: 'status', at: now(), lastStatus: task.lastStatus, desiredStatus: task.desiredStatus };
      }

      if (task.lastStatus === 'STOPPED') {
        // The last lines reach CloudWatch a little after the container exits.
        await clock.sleep(LOG_FLUSH_MS);
        try {
          yield* readLogs();
        } catch {
          // best effort: the outcome stands without them
        }
        if (stoppedBy === 'user') return { kind: 'interrupted', ...base(), stopped: true, lastStatus };
        if (stoppedBy === 'timeout') return { kind: 'timedOut', ...base(), stopped: true, lastStatus };
        return ended(task, target.container, base());
      }
      await sleep(Math.max(0, Math.min(cadence.next(changed), (stoppedBy ? stopDeadline : deadline) - now())));
    }
  } finally {
    unsubscribe?.();
  }

  async function sleep(ms: number): Promise<void> {
    if (interrupts > 0) return;
    if (wake.signal.aborted) wake = new AbortController();
    await clock.sleep(ms, wake.signal);
  }
}

/** How a STOPPED task ended, for its container. */
export function ended(task: TaskState, container: string, base: OutcomeBase): TaskOutcome {
  const c = task.containers.find((x) => x.name === container);
  const reason = task.stoppedReason ?? task.stopCode ?? 'stopped';
  if (c?.exitCode !== undefined)
    return { kind: 'exited', ...base, exitCode: c.exitCode, ...(c.reason ? { reason: c.reason } : {}) };
  const never = task.stopCode === 'TaskFailedToStart' || task.startedAt === undefined;
  const why = [reason, ...(c?.reason && c.reason !== reason ? [`container ${container}: ${c.reason}`] : [])].join('; ');
  if (never) return { kind: 'notStarted', ...base, ...(task.stopCode ? { stopCode: task.stopCode } : {}), reason: why };
  return {
    kind: 'failed',
    ...base,
    reason: c === undefined ? `${why}; the task has no container '${container}'` : why,
  };
}
