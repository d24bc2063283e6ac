/**
 * service logs: the service's own log group and container streams from `since` ago, every page,
 * oldest first; with --follow, each new line once (CloudWatch returns the newest timestamp again
 * when asked from it), until Ctrl-C.
 */
import type { LogEvent, LogsApi, LogsQuery } from '../../src/aws/logs';
import { serviceLogs } from '../../src/ops/service';
import { FakeClock, T0 } from '../deploy-watch/sim';
import { exampleProject } from './helpers';

/** CloudWatch Logs in memory: the events at or after `start`, two per page. */
function memoryLogs(events: LogEvent[]) {
  const queries: LogsQuery[] = [];
  const api: LogsApi = {
    async events(q) {
      queries.push(q);
      const matching = events
        .filter((e) => e.timestamp >= q.start && (!q.streamPrefix || e.stream.startsWith(q.streamPrefix)))
        .sort((a, b) => a.timestamp - b.timestamp);
      const from = q.nextToken ? Number(q.nextToken) : 0;
      return {
        events: matching.slice(from, from + 2),
        ...(from + 2 < matching.length ? { nextToken: String(from + 2) } : {}),
      };
    },
  };
  return { api, queries, events };
}

const ev = (n: number, at: number, stream = 'orders/orders/0a1b2c3d4e5f6a7b'): LogEvent => ({
  id: `e${n}`,
  timestamp: T0 + at,
  stream,
  message: `line ${n}`,
});

describe('serviceLogs', () => {
  let project: ReturnType<typeof exampleProject>;
  beforeEach(() => (project = exampleProject()));
  afterEach(() => project.cleanup());

  function deps(api: LogsApi, clock: FakeClock) {
    return { apis: () => ({ logs: api }) as never, clock };
  }

  it('reads every page from `since` ago, only the service container streams', async () => {
    const clock = new FakeClock();
    const logs = memoryLogs([
      ev(1, -700_000),
      ev(2, -500_000),
      ev(3, -400_000),
      ev(4, -300_000, 'log-router/log-router/x'),
      ev(5, -100_000),
      ev(6, -50_000),
    ]);
    const lines: string[] = [];
    for await (const e of serviceLogs(
      { dir: project.dir, env: 'dev', service: 'orders', sinceMs: 600_000 },
      deps(logs.api, clock),
    ))
      lines.push(e.message);
    expect(lines).toEqual(['line 2', 'line 3', 'line 5', 'line 6']);
    expect(logs.queries[0]).toEqual({
      group: '/ecs/shop/dev/orders',
      start: T0 - 600_000,
      streamPrefix: 'orders/orders/',
    });
    expect(logs.queries.map((q) => q.nextToken)).toEqual([undefined, '2']);
  });

  it('--follow: new lines once each, until aborted', async () => {
    const clock = new FakeClock();
    const logs = memoryLogs([ev(1, -1_000), ev(2, 0)]);
    const stop = new AbortController();
    clock.at(3_000, () => logs.events.push(ev(3, 0), ev(4, 2_500))); // one more at the newest timestamp, one later
    clock.at(30_000, () => stop.abort());
    const lines: string[] = [];
    for await (const e of serviceLogs(
      { dir: project.dir, env: 'dev', service: 'orders', sinceMs: 60_000, follow: true, signal: stop.signal },
      deps(logs.api, clock),
    ))
      lines.push(e.message);
    expect(lines).toEqual(['line 1', 'line 2', 'line 3', 'line 4']);
    expect(clock.now() - T0).toBe(30_000);
  });
});
