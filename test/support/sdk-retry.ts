/**
 * A stand-in for the SDK's retry, for simulations whose fake APIs bypass the SDK: the same policy
 * (src/aws/retry.ts: `retryPolicy.maxAttempts`) with the SDK's own backoff and retry quota for
 * throttling (@smithy/core util-retry, StandardRetryStrategy with the 2026 defaults: full jitter,
 * random × min(1 s × 2^retry, 20 s); a quota of 500 tokens, 5 per throttled retry, given back on
 * success), waited on the simulation's clock. The adaptive mode's client-side rate limiter is not
 * modelled: it only slows sending further, which a simulation's clock does not need.
 *
 * What it retries is what the SDK would: an error the SDK classes as throttling (isThrottling).
 */
import { isThrottling } from '../../src/aws/throttling';
import { retryPolicy } from '../../src/aws/retry';

/** The SDK's constants (@smithy/core/dist-es/submodules/retry/util-retry: constants.js, retries-2026-config.js). */
export const SDK_THROTTLING_DELAY_BASE_MS = 1_000;
export const SDK_MAXIMUM_RETRY_DELAY_MS = 20_000;
const INITIAL_RETRY_TOKENS = 500;
const THROTTLING_RETRY_COST = 5;
const NO_RETRY_INCREMENT = 1;

export interface SdkRetryClock {
  sleep(ms: number): Promise<void>;
  random(): number;
}

export interface SdkRetryStats {
  /** Retries made (throttled attempts that were tried again). */
  retries: number;
  /** Calls that failed after the policy gave up. */
  gaveUp: number;
}

/** `api` with each method retried as an SDK client of the policy retries a call (one quota for all, as one client). */
export function withSdkRetry<T extends object>(api: T, clock: SdkRetryClock, stats?: SdkRetryStats): T {
  let capacity = INITIAL_RETRY_TOKENS;
  return new Proxy(api, {
    get(target, key, receiver) {
      const value = Reflect.get(target, key, receiver) as unknown;
      if (typeof value !== 'function') return value;
      return async (...args: unknown[]) => {
        let cost: number | undefined;
        for (let retry = 0; ; retry++) {
          try {
            const result = await (value as (...a: unknown[]) => Promise<unknown>).apply(target, args);
            capacity = Math.min(INITIAL_RETRY_TOKENS, capacity + (cost ?? NO_RETRY_INCREMENT));
            return result;
          } catch (err) {
            if (!isThrottling(err) || retry + 1 >= retryPolicy.maxAttempts || capacity < THROTTLING_RETRY_COST) {
              if (isThrottling(err) && stats) stats.gaveUp++;
              throw err;
            }
            capacity -= THROTTLING_RETRY_COST;
            cost = THROTTLING_RETRY_COST;
            if (stats) stats.retries++;
            await clock.sleep(
              Math.floor(
                clock.random() * Math.min(SDK_THROTTLING_DELAY_BASE_MS * 2 ** retry, SDK_MAXIMUM_RETRY_DELAY_MS),
              ),
            );
          }
        }
      };
    },
  });
}
