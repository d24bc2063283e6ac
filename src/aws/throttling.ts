/**
 * Throttling, however it reaches us: the SDK's own error (after its adaptive retries gave up), or
 * wrapped by awsError() as the cause of an EcsdeployError. Long-running watchers back off on it
 * instead of failing.
 */
const THROTTLING = new Set([
  'Throttling',
  'ThrottlingException',
  'ThrottledException',
  'RequestLimitExceeded',
  'TooManyRequestsException',
  'RequestThrottled',
  'RequestThrottledException',
  'ProvisionedThroughputExceededException',
  'SlowDown',
]);

export function isThrottling(err: unknown): boolean {
  for (
    let e = err as { name?: string; cause?: unknown; $metadata?: { httpStatusCode?: number } } | undefined, depth = 0;
    e && depth < 4;
    e = e.cause as typeof e, depth++
  ) {
    if (typeof e.name === 'string' && THROTTLING.has(e.name)) return true;
    if (e.$metadata?.httpStatusCode === 429) return true;
  }
  return false;
}
