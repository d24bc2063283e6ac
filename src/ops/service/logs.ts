/**
 * `service logs`: the events of the service's log group (its main container's streams, or every
 * stream with `all`), from `since` ago; with `follow`, new events as they arrive until aborted.
 * Paginated; following polls adaptively (every second while lines arrive, up to 10 s when quiet).
 */
import type { LogEvent } from '../../aws/logs';
import { Cadence } from '../deploy-watch';
import { openService, readDeps, type ReadDeps } from './context';

export interface LogsInput {
  readonly dir: string;
  readonly env: string;
  readonly service: string;
  /** How far back to start, ms. */
  readonly sinceMs: number;
  readonly follow?: boolean;
  /** Every container's streams (sidecars too), not only the service's own container. */
  readonly allContainers?: boolean;
  /** Ends a follow. */
  readonly signal?: AbortSignal;
}

export type { LogEvent };

export async function* serviceLogs(
  input: LogsInput,
  deps: ReadDeps = readDeps(),
): AsyncGenerator<LogEvent, void, void> {
  const ctx = await openService(input.dir, input.env, input.service, deps);
  const clock = deps.clock;
  const group = ctx.names.logGroup;
  const streamPrefix = input.allContainers ? undefined : ctx.names.logStreamPrefix;
  let start = clock.now() - input.sinceMs;
  // Ids already shown at the newest timestamp: the next poll starts there again (inclusive).
  let seen = new Set<string>();
  const cadence = new Cadence(clock, { minMs: 1_000, maxMs: 10_000 });

  for (;;) {
    let nextToken: string | undefined;
    let newest = start;
    let count = 0;
    do {
      const page = await ctx.aws.logs.events({
        group,
        start,
        ...(streamPrefix ? { streamPrefix } : {}),
        ...(nextToken ? { nextToken } : {}),
      });
      for (const e of [...page.events].sort((a, b) => a.timestamp - b.timestamp)) {
        if (seen.has(e.id)) continue;
        if (e.timestamp > newest) {
          newest = e.timestamp;
          seen = new Set();
        }
        seen.add(e.id);
        count++;
        yield e;
      }
      nextToken = page.nextToken;
    } while (nextToken !== undefined && !input.signal?.aborted);
    if (!input.follow || input.signal?.aborted) return;
    start = newest;
    await clock.sleep(cadence.next(count > 0), input.signal);
    if (input.signal?.aborted) return;
  }
}
