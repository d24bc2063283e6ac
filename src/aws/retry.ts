/**
 * The one retry policy of every AWS call ecsdeploy makes: the SDK's own adaptive retry, configured
 * here once and applied to every client (src/aws/clients.ts), the assumed role's STS client included.
 *
 * - `retryMode: 'adaptive'`: the SDK retries throttling and transient errors with full-jitter
 *   exponential backoff (1 s × 2^retry for throttling, capped at 20 s, 50 ms × 2^retry otherwise) and,
 *   once AWS throttles, rate-limits the client's own sending; a per-client retry quota stops retries
 *   when most calls fail.
 * - `maxAttempts: 10`: one call and up to 9 retries, at most about 2 minutes of backoff, so a long
 *   roll rides out a burst of throttling. What outlasts it surfaces as the SDK's throttling error:
 *   watchers back off on it (`pollFailure`, src/ops/deploy-watch/clock.ts) and a roll stops in a
 *   state the next run resumes.
 *
 * Nothing else retries a call: no wrapper around an adapter, no loop around a request. Simulations
 * whose fake APIs bypass the SDK retry with a stand-in of this same policy (test/support/sdk-retry.ts).
 */
export const retryPolicy = { retryMode: 'adaptive', maxAttempts: 10 } as const;

export type RetryPolicy = typeof retryPolicy;
