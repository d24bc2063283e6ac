/**
 * The one-off task watcher against a simulated task on a fake clock: it passes the container's exit
 * code through (0 or not), never calls a task that did not start a success, stops the task at the
 * timeout, asks on Ctrl-C and stops only on a yes, streams log lines in order without repeats, and
 * rides out throttling.
 */
import { drain } from '../../src/ops/deploy-watch/types';
import {
  taskExitCode,
  watchTask,
  type TaskEvent,
  type TaskTarget,
  type TaskWatchOptions,
} from '../../src/ops/task/watch';
import { FakeClock, T0 } from '../deploy-watch/sim';
import { TASK_ARN, TaskSim } from './sim';

const MIN = 60_000;
const target = (over: Partial<TaskTarget> = {}): TaskTarget => ({
  cluster: 'shop-dev',
  taskArn: TASK_ARN,
  container: 'orders',
  log: { group: '/ecs/shop/dev/orders', stream: 'orders/orders/0123' },
  timeoutMs: 30 * MIN,
  ...over,
});

async function run(sim: TaskSim, t: TaskTarget = target(), options: TaskWatchOptions = {}) {
  const events: TaskEvent[] = [];
  const outcome = await drain(watchTask({ tasks: sim.tasks, logs: sim.logs }, t, sim.clock, options), (e) =>
    events.push(e),
  );
  return {
    outcome,
    events,
    logs: events.flatMap((e) => (e.type === 'log' ? [e.message] : [])),
    elapsed: sim.clock.now() - T0,
  };
}

describe('watchTask', () => {
  it('passes exit code 0 through, with the log lines in order, once each, and the lines written just before it stopped', async () => {
    const sim = new TaskSim(new FakeClock());
    sim
      .at(3_000, (s) => s.status('PENDING'))
      .at(10_000, (s) =>
        s.status('RUNNING').log('Applying migration 0001', 'Applying migration 0002', 'Applying migration 0003'),
      )
      .at(20_000, (s) => s.log('Applying migration 0004', 'done'))
      .at(31_000, (s) => s.exit(0).log('bye'));
    const { outcome, events, logs } = await run(sim);
    expect(outcome).toMatchObject({ kind: 'exited', exitCode: 0, container: 'orders', taskArn: TASK_ARN });
    expect(taskExitCode(outcome)).toBe(0);
    expect(logs).toEqual([
      'Applying migration 0001',
      'Applying migration 0002',
      'Applying migration 0003',
      'Applying migration 0004',
      'done',
      'bye',
    ]);
    expect(events.flatMap((e) => (e.type === 'status' ? [e.lastStatus] : []))).toEqual([
      'PROVISIONING',
      'PENDING',
      'RUNNING',
      'STOPPED',
    ]);
    expect(outcome.lastLines).toEqual(logs);
  });

  it.each([1, 3, 42, 137])('passes exit code %i through', async (code) => {
    const sim = new TaskSim(new FakeClock());
    sim.at(5_000, (s) => s.status('RUNNING').log('working')).at(9_000, (s) => s.exit(code));
    const { outcome } = await run(sim);
    expect(outcome).toMatchObject({ kind: 'exited', exitCode: code });
    expect(taskExitCode(outcome)).toBe(code);
  });

  it('takes the exit code of the container asked for (--container), not of another one', async () => {
    const sim = new TaskSim(new FakeClock());
    sim.at(5_000, (s) => s.status('RUNNING')).at(9_000, (s) => s.exit(0, 'orders').exit(7, 'envoy'));
    const { outcome } = await run(sim, target({ container: 'envoy' }));
    expect(outcome).toMatchObject({ kind: 'exited', exitCode: 7, container: 'envoy' });
  });

  it('a task that never started (image pull) is notStarted with ECS reason, exit 1, never 0', async () => {
    const sim = new TaskSim(new FakeClock());
    sim
      .at(4_000, (s) => s.status('PENDING'))
      .at(12_000, (s) =>
        s.failToStart(
          'CannotPullContainerError: pull image manifest has been retried 5 time(s): not found',
          'CannotPullContainerError: ref not found',
        ),
      );
    const { outcome } = await run(sim);
    expect(outcome).toMatchObject({ kind: 'notStarted', stopCode: 'TaskFailedToStart' });
    expect(outcome.kind === 'notStarted' && outcome.reason).toBe(
      'CannotPullContainerError: pull image manifest has been retried 5 time(s): not found; container orders: CannotPullContainerError: ref not found',
    );
    expect(taskExitCode(outcome)).toBe(1);
  });

  it('a task that could not get an ENI is notStarted, even though moto-like containers report no exit code', async () => {
    const sim = new TaskSim(new FakeClock());
    sim.at(2_000, (s) => s.stop('TaskFailedToStart', 'ResourceInitializationError: failed to attach ENI'));
    const { outcome } = await run(sim);
    expect(outcome.kind).toBe('notStarted');
    expect(taskExitCode(outcome)).toBe(1);
  });

  it('a started task that stopped without an exit code (host lost) is failed, exit 1', async () => {
    const sim = new TaskSim(new FakeClock());
    sim
      .at(2_000, (s) => s.status('RUNNING'))
      .at(60_000, (s) => s.stop('TerminationNotice', 'Your Spot Task was interrupted.'));
    const { outcome } = await run(sim);
    expect(outcome).toMatchObject({ kind: 'failed', reason: 'Your Spot Task was interrupted.' });
    expect(taskExitCode(outcome)).toBe(1);
  });

  it('timeout: stops the task with a reason, waits for STOPPED, and is timedOut (exit 1)', async () => {
    const sim = new TaskSim(new FakeClock());
    sim.at(2_000, (s) => s.status('RUNNING').log('still going'));
    // ECS takes 20 s to stop it (SIGTERM, then the stop timeout).
    sim.onStop = (s) =>
      void s.at(s.clock.now() - T0 + 20_000, (x) => x.stop('UserInitiated', 'ecsdeploy: the timeout', 143));
    const { outcome, events, elapsed } = await run(sim, target({ timeoutMs: 5 * MIN }));
    expect(outcome).toMatchObject({ kind: 'timedOut', stopped: true, lastStatus: 'STOPPED' });
    expect(sim.calls.stopTask).toBe(1);
    expect(sim.stopReasons[0]).toMatch(/timeout \(300 s\) passed/);
    expect(events.some((e) => e.type === 'stopping')).toBe(true);
    expect(elapsed).toBeGreaterThanOrEqual(5 * MIN + 20_000);
    expect(elapsed).toBeLessThan(5 * MIN + 40_000);
    expect(taskExitCode(outcome)).toBe(1);
  });

  it('Ctrl-C asks; no keeps watching; yes stops the task and ends as interrupted (exit 130)', async () => {
    const clock = new FakeClock();
    const sim = new TaskSim(clock);
    sim.at(2_000, (s) => s.status('RUNNING'));
    let handler: (() => void) | undefined;
    const answers = [false, true];
    const asked: number[] = [];
    clock.at(30_000, () => handler?.());
    clock.at(90_000, () => handler?.());
    const { outcome, events } = await run(sim, target(), {
      onInterrupt: (h) => ((handler = h), () => (handler = undefined)),
      confirmStop: async () => (asked.push(clock.now() - T0), answers.shift()!),
    });
    expect(asked).toEqual([30_000, 90_000]); // asked at once: Ctrl-C wakes the sleeping watcher
    expect(events.map((e) => e.type)).toContain('continuing');
    expect(sim.calls.stopTask).toBe(1);
    expect(outcome).toMatchObject({ kind: 'interrupted', stopped: true });
    expect(taskExitCode(outcome)).toBe(130);
  });

  it('Ctrl-C with nobody to ask ends the watch and leaves the task running', async () => {
    const clock = new FakeClock();
    const sim = new TaskSim(clock);
    sim.at(2_000, (s) => s.status('RUNNING'));
    let handler: (() => void) | undefined;
    clock.at(20_000, () => handler?.());
    const { outcome } = await run(sim, target(), { onInterrupt: (h) => ((handler = h), () => (handler = undefined)) });
    expect(outcome).toMatchObject({ kind: 'interrupted', stopped: false, lastStatus: 'RUNNING' });
    expect(sim.calls.stopTask).toBe(0);
  });

  it('reads long logs page by page and never shows a line twice', async () => {
    const sim = new TaskSim(new FakeClock());
    sim.pageSize = 3;
    sim
      .at(1_000, (s) => s.status('RUNNING').log(...Array.from({ length: 10 }, (_, i) => `line ${i}`)))
      .at(8_000, (s) => s.log(...Array.from({ length: 5 }, (_, i) => `line ${10 + i}`)))
      .at(15_000, (s) => s.exit(0));
    const { logs } = await run(sim);
    expect(logs).toEqual(Array.from({ length: 15 }, (_, i) => `line ${i}`));
    expect(sim.pages.filter((n) => n > 0).length).toBeGreaterThan(3);
  });

  it('rides out throttling (after the SDK gave up): waits longer, reports it, and misses no line', async () => {
    const sim = new TaskSim(new FakeClock());
    sim
      .throttle(5_000, 45_000)
      .at(1_000, (s) => s.status('RUNNING').log('a'))
      .at(10_000, (s) => s.log('b'))
      .at(50_000, (s) => s.log('c').exit(0));
    const { outcome, events, logs } = await run(sim);
    expect(outcome).toMatchObject({ kind: 'exited', exitCode: 0 });
    expect(logs).toEqual(['a', 'b', 'c']);
    const throttled = events.filter((e) => e.type === 'throttled') as Array<{ retryInMs: number }>;
    expect(throttled.length).toBeGreaterThan(0);
    expect(throttled.length).toBeLessThan(8);
    expect(throttled[throttled.length - 1]!.retryInMs).toBeGreaterThan(throttled[0]!.retryInMs);
  });

  it('a task ECS no longer knows is failed', async () => {
    const sim = new TaskSim(new FakeClock());
    const { outcome } = await run(sim, target({ taskArn: 'arn:aws:ecs:eu-west-1:123456789012:task/shop-dev/gone' }));
    expect(outcome.kind).toBe('failed');
  });
});
