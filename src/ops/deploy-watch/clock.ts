/**
 * Time for watchers, injected (the one Clock of src/clock.ts): the system clock in the CLI, a fake
 * one in tests (so a 20-minute rollout is simulated in milliseconds). And the polling cadence: fast while things change, slower
 * while they do not, much slower while AWS throttles, always jittered.
 */
import { isThrottling } from '../../aws/throttling';
import { EcsdeployError } from '../../errors';
import type { Clock } from '../../clock';
import type { RolloutEvent } from './types';

export { systemClock, type Clock } from '../../clock';

export interface CadenceOptions {
  /** Interval while things change. @default 2 s */
  readonly minMs?: number;
  /** Longest interval while nothing changes. @default 15 s */
  readonly maxMs?: number;
  /** Growth per unchanged poll. @default 1.5 */
  readonly factor?: number;
  /** Longest interval while throttled. @default 60 s */
  readonly throttledMaxMs?: number;
  /** ± fraction of each interval. @default 0.1 */
  readonly jitter?: number;
}

/**
 * The interval before the next poll. A watch of T seconds makes at most T / minMs polls, and about
 * T / maxMs while nothing happens.
 */
export class Cadence {
  private current: number;
  private readonly o: Required<CadenceOptions>;

  constructor(
    private readonly clock: Clock,
    options: CadenceOptions = {},
  ) {
    this.o = { minMs: 2_000, maxMs: 15_000, factor: 1.5, throttledMaxMs: 60_000, jitter: 0.1, ...options };
    this.current = this.o.minMs;
  }

  /** After a poll: changed → fast again; unchanged → a little slower. Returns the delay (jittered). */
  next(changed: boolean): number {
    this.current = changed ? this.o.minMs : Math.min(this.o.maxMs, this.current * this.o.factor);
    return this.jittered();
  }

  /** After a throttled call: at least double, up to throttledMaxMs. */
  throttled(): number {
    this.current = Math.min(this.o.throttledMaxMs, Math.max(this.current * 2, this.o.minMs * 2));
    return this.jittered();
  }

  private jittered(): number {
    return Math.round(this.current * (1 + this.o.jitter * (2 * this.clock.random() - 1)));
  }
}

/** Consecutive failed polls (not throttling) a watcher rides out before it gives up. */
export const MAX_POLL_ERRORS = 4;

/**
 * How a watcher treats a failed poll: throttling → wait longer; an error the user must act on
 * (credentials, a missing resource) → stop at once; anything else (network) → retry a few times.
 */
export function pollFailure(err: unknown, consecutive: number): 'throttled' | 'retry' | 'fatal' {
  if (isThrottling(err)) return 'throttled';
  if (err instanceof EcsdeployError && ['ECSDEPLOY_AWS_CREDENTIALS', 'ECSDEPLOY_NOT_FOUND'].includes(err.code))
    return 'fatal';
  return consecutive < MAX_POLL_ERRORS ? 'retry' : 'fatal';
}

/**
 * After a failed poll: rethrows what must end the watch; otherwise the event that says what
 * happened and how long to wait before the next poll (longer while throttled).
 */
export function failedPoll(
  err: unknown,
  consecutive: number,
  cadence: Cadence,
  at: number,
): { event: RolloutEvent; delay: number } {
  const kind = pollFailure(err, consecutive);
  if (kind === 'fatal') throw err;
  const delay = kind === 'throttled' ? cadence.throttled() : cadence.next(false);
  return {
    delay,
    event:
      kind === 'throttled'
        ? { type: 'throttled', at, retryInMs: delay }
        : { type: 'retrying', at, message: (err as Error).message, retryInMs: delay },
  };
}
