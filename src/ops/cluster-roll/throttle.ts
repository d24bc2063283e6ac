/**
 * Throttling, handled once for every call the roll makes: a throttled call is retried after a
 * jittered exponential backoff (on top of the SDK's own adaptive retries), which the loop reports
 * as an event. A throttled request was not carried out, so retrying a change is safe.
 */
import { isThrottling } from '../../aws/throttling';
import { checkAbort, type Clock } from './clock';

export interface RetryOptions {
  readonly clock: Clock;
  readonly signal?: AbortSignal;
  /** Called before each wait. */
  readonly onThrottle?: (operation: string, retryInMs: number) => void;
  /** @default 10 */
  readonly maxAttempts?: number;
  /** First wait, doubled each time up to `capMs`. @default 1000 */
  readonly baseMs?: number;
  /** @default 30000 */
  readonly capMs?: number;
}

/** Backoff before attempt `attempt` (1-based): half fixed, half random ("equal jitter"). */
export function backoff(attempt: number, options: Pick<RetryOptions, 'baseMs' | 'capMs' | 'clock'>): number {
  const ceiling = Math.min(options.capMs ?? 30_000, (options.baseMs ?? 1_000) * 2 ** (attempt - 1));
  return Math.round(ceiling / 2 + (ceiling / 2) * options.clock.random());
}

/** The same API, each method retried on throttling. */
export function withThrottleRetry<T extends object>(api: T, options: RetryOptions): T {
  const maxAttempts = options.maxAttempts ?? 10;
  return new Proxy(api, {
    get(target, key, receiver) {
      const value = Reflect.get(target, key, receiver) as unknown;
      if (typeof value !== 'function') return value;
      return async (...args: unknown[]) => {
        for (let attempt = 1; ; attempt++) {
          try {
            return await (value as (...a: unknown[]) => Promise<unknown>).apply(target, args);
          } catch (err) {
            if (!isThrottling(err) || attempt >= maxAttempts) throw err;
            const wait = backoff(attempt, options);
            options.onThrottle?.(String(key), wait);
            await options.clock.sleep(wait, options.signal);
            checkAbort(options.signal);
          }
        }
      };
    },
  });
}
