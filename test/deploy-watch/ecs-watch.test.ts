/**
 * The ECS rollout watcher against a simulated service on a fake clock: it says "completed" only
 * for OUR deployment (PRIMARY, COMPLETED, running == desired), never for a service that is merely
 * stable again after the circuit breaker rolled us back; it reports why tasks failed; it gives up at
 * the timeout with what still runs; it rides out throttling; it notices someone else's deployment.
 */
import { drain, type RolloutEvent } from '../../src/ops/deploy-watch/types';
import { watchEcsDeployment, type EcsRolloutTarget } from '../../src/ops/deploy-watch/ecs';
import { EcsSim, FakeClock, T0, TD_NEW, TD_OLD, TD_OTHER } from './sim';

const MIN = 60_000;

function setup(desired = 2) {
  const clock = new FakeClock();
  const sim = new EcsSim(clock, 'orders', desired);
  sim.service.steady('ecs-svc/old', TD_OLD);
  const target: EcsRolloutTarget = {
    cluster: 'shop-dev',
    service: 'orders',
    taskDefinition: TD_NEW,
    startedAt: T0,
    timeoutMs: 20 * MIN,
  };
  return { clock, sim, target };
}

async function run(
  sim: EcsSim,
  target: EcsRolloutTarget,
  clock: FakeClock,
  onInterrupt?: (h: () => void) => () => void,
) {
  const events: RolloutEvent[] = [];
  const outcome = await drain(watchEcsDeployment(sim, target, clock, onInterrupt ? { onInterrupt } : {}), (e) =>
    events.push(e),
  );
  return { outcome, events, elapsed: clock.now() - T0 };
}

describe('watchEcsDeployment', () => {
  it('completes only once our deployment is PRIMARY, COMPLETED and runs the desired count', async () => {
    const { clock, sim, target } = setup();
    sim
      .at(5_000, (s) => s.start('ecs-svc/new', TD_NEW))
      .at(40_000, (s) => s.run('ecs-svc/new', 1))
      // The service runs 2 of 2 tasks here (the old ones): "stable", but not our rollout.
      .at(70_000, (s) => s.run('ecs-svc/new', 2).drain('ecs-svc/old'))
      .at(90_000, (s) => s.remove('ecs-svc/old').complete('ecs-svc/new'));
    const { outcome, events, elapsed } = await run(sim, target, clock);

    expect(outcome).toMatchObject({ kind: 'completed', deploymentId: 'ecs-svc/new', reasons: [] });
    expect(elapsed).toBeGreaterThanOrEqual(90_000);
    expect(elapsed).toBeLessThan(90_000 + 16_000); // noticed within one (slowest) poll
    expect(events.find((e) => e.type === 'found')).toMatchObject({
      deploymentId: 'ecs-svc/new',
      taskDefinition: TD_NEW,
    });
    const states = events.flatMap((e) => (e.type === 'progress' ? [e.state] : []));
    expect(states[0]).toBe('WAITING');
    expect(states).toContain('IN_PROGRESS');
    expect(states[states.length - 1]).toBe('COMPLETED');
    expect(events.filter((e) => e.type === 'service-event').map((e) => (e as { message: string }).message)).toContain(
      '(service orders) has reached a steady state.',
    );
  });

  it('COMPLETED with fewer running than desired is not done yet', async () => {
    const { clock, sim, target } = setup();
    sim
      .at(0, (s) => s.start('ecs-svc/new', TD_NEW))
      .at(30_000, (s) => s.run('ecs-svc/new', 1).complete('ecs-svc/new'))
      .at(120_000, (s) => s.run('ecs-svc/new', 2));
    const { outcome, elapsed } = await run(sim, target, clock);
    expect(outcome.kind).toBe('completed');
    expect(elapsed).toBeGreaterThanOrEqual(120_000);
  });

  it('circuit breaker: reports rolled back with the reasons, never success, although the service is stable again', async () => {
    const { clock, sim, target } = setup();
    sim
      .at(0, (s) => s.start('ecs-svc/new', TD_NEW))
      .at(30_000, (s) => s.taskFailed('ecs-svc/new', 'Essential container in task exited', { exitCode: 1 }))
      .at(60_000, (s) => s.taskFailed('ecs-svc/new', 'Essential container in task exited', { exitCode: 1 }))
      .at(90_000, (s) => {
        s.fail('ecs-svc/new', 'ECS deployment circuit breaker: tasks failed to start.');
        s.start('ecs-svc/rollback', TD_OLD).run('ecs-svc/rollback', 2).complete('ecs-svc/rollback');
        s.event('(service orders) rolling back to deployment ecs-svc/rollback.');
      })
      .at(100_000, (s) => s.remove('ecs-svc/new').remove('ecs-svc/old'));
    const { outcome, events } = await run(sim, target, clock);

    expect(outcome.kind).toBe('rolledBack');
    expect(outcome).toMatchObject({ deploymentId: 'ecs-svc/new', runningTaskDefinition: TD_OLD });
    expect(outcome.reasons).toEqual([
      'ECS deployment circuit breaker: tasks failed to start.',
      'task stopped: Essential container in task exited',
      'container orders: exit code 1',
    ]);
    expect(events.filter((e) => e.type === 'task-stopped')).toHaveLength(2);
    expect(events.some((e) => e.type === 'service-event' && e.message.includes('rolling back'))).toBe(true);
  });

  it('tasks failing load-balancer health checks: the events and stopped reasons are shown as they happen', async () => {
    const { clock, sim, target } = setup();
    const tg = 'arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/shop-dev-orders/0123456789abcdef';
    sim
      .at(0, (s) => s.start('ecs-svc/new', TD_NEW))
      .at(45_000, (s) => s.event(`(service orders) (task 0a1b) failed ELB health checks in (target-group ${tg})`))
      .at(50_000, (s) => s.taskFailed('ecs-svc/new', `Task failed ELB health checks in (target-group ${tg})`))
      .at(80_000, (s) =>
        s
          .event(`(service orders) (task 0c2d) failed ELB health checks in (target-group ${tg})`)
          .taskFailed('ecs-svc/new', `Task failed ELB health checks in (target-group ${tg})`),
      )
      .at(120_000, (s) => {
        s.fail('ecs-svc/new', 'ECS deployment circuit breaker: tasks failed to start.');
        s.start('ecs-svc/rollback', TD_OLD);
      });
    const { outcome, events } = await run(sim, target, clock);

    const shown = events.flatMap((e) =>
      e.type === 'service-event' ? [e.message] : e.type === 'task-stopped' ? [`stopped: ${e.reason}`] : [],
    );
    expect(
      shown.filter((m) => m.startsWith('(service orders)') && m.includes('failed ELB health checks')),
    ).toHaveLength(2);
    expect(shown.filter((m) => m.startsWith('stopped: Task failed ELB health checks'))).toHaveLength(2);
    // Each is shown once, in order: the first event before the first stopped task.
    expect(shown.findIndex((m) => m.includes('(task 0a1b)'))).toBeLessThan(
      shown.findIndex((m) => m.startsWith('stopped:')),
    );
    expect(outcome.kind).toBe('rolledBack');
    expect(outcome.reasons).toContain(`task stopped: Task failed ELB health checks in (target-group ${tg})`);
  });

  it('stuck until the timeout: says what still runs, and polls ever more slowly, with a bounded number of calls', async () => {
    const { clock, sim, target } = setup();
    sim
      .at(0, (s) => s.start('ecs-svc/new', TD_NEW))
      .at(20_000, (s) =>
        s.event(
          '(service orders) was unable to place a task because no container instance met all of its requirements.',
        ),
      );
    const { outcome, elapsed } = await run(sim, target, clock);

    expect(outcome.kind).toBe('timedOut');
    if (outcome.kind !== 'timedOut') return;
    expect(outcome.interrupted).toBe(false);
    expect(outcome.state).toBe('IN_PROGRESS');
    expect(outcome.deploymentId).toBe('ecs-svc/new');
    expect(outcome.deployments.map((d) => [d.id, d.status, d.running, d.desired, d.ours])).toEqual([
      ['ecs-svc/new', 'PRIMARY', 0, 2, true],
      ['ecs-svc/old', 'ACTIVE', 2, 2, false],
    ]);
    expect(elapsed).toBe(20 * MIN); // the last sleep is cut to the deadline
    // 20 minutes at 2 s would be 600 calls; with nothing changing it settles at 15 s.
    expect(sim.calls.describeServices).toBeLessThan(100);
    expect(Math.max(...clock.sleeps)).toBe(15_000);
  });

  it('throttling mid-watch: backs off (longer each time), says so, and still sees the rollout complete', async () => {
    const { clock, sim, target } = setup();
    sim
      .at(0, (s) => s.start('ecs-svc/new', TD_NEW))
      .throttle(20_000, 80_000)
      .at(60_000, (s) => s.run('ecs-svc/new', 2).remove('ecs-svc/old').complete('ecs-svc/new'));
    const { outcome, events } = await run(sim, target, clock);

    const waits = events.flatMap((e) => (e.type === 'throttled' ? [e.retryInMs] : []));
    expect(waits.length).toBeGreaterThanOrEqual(2);
    for (let i = 1; i < waits.length; i++) expect(waits[i]).toBeGreaterThan(waits[i - 1]!);
    expect(outcome.kind).toBe('completed');
  });

  it('a network error is retried a few times, then ends the watch with that error', async () => {
    const { clock, sim, target } = setup();
    sim.at(0, (s) => s.start('ecs-svc/new', TD_NEW)).networkDown(10_000, 30 * MIN);
    const events: RolloutEvent[] = [];
    await expect(drain(watchEcsDeployment(sim, target, clock), (e) => events.push(e))).rejects.toThrow(
      'socket hang up',
    );
    expect(events.filter((e) => e.type === 'retrying').length).toBe(3);
  });

  it('circuit breaker seen late: ours vanished between two polls, the events say it failed: rolled back, and the service is genuinely stable', async () => {
    const { clock, sim, target } = setup();
    sim
      .at(0, (s) => s.start('ecs-svc/new', TD_NEW))
      .at(30_000, (s) => s.taskFailed('ecs-svc/new', 'Essential container in task exited', { exitCode: 1 }))
      // Between two polls ECS fails ours, starts the rollback, finishes it and drops ours and the old
      // one: no poll ever sees FAILED; the next one sees only the rollback deployment, stable.
      .at(61_000, (s) => {
        s.fail('ecs-svc/new', 'ECS deployment circuit breaker: tasks failed to start.');
        s.start('ecs-svc/rollback', TD_OLD).run('ecs-svc/rollback', 2).complete('ecs-svc/rollback');
        s.event('(service orders) rolling back to deployment ecs-svc/old.');
        s.remove('ecs-svc/new').remove('ecs-svc/old');
      });
    const { outcome, events } = await run(sim, target, clock);

    expect(events.some((e) => e.type === 'progress' && e.state === 'FAILED')).toBe(false);
    const last = [...events].reverse().find((e) => e.type === 'progress');
    expect(last).toMatchObject({
      deployments: [{ id: 'ecs-svc/rollback', status: 'PRIMARY', rolloutState: 'COMPLETED', running: 2 }],
      running: 2,
      desired: 2,
    });
    expect(outcome).toMatchObject({ kind: 'rolledBack', deploymentId: 'ecs-svc/new', runningTaskDefinition: TD_OLD });
    expect(outcome.reasons).toEqual([
      'deployment failed: tasks failed to start.',
      'task stopped: Essential container in task exited',
      'container orders: exit code 1',
    ]);
  });

  it('ours vanished and a rollback event names no failure of ours, but the PRIMARY runs a task definition that never ran before: someone else replaced it', async () => {
    const { clock, sim, target } = setup();
    sim
      .at(0, (s) => s.start('ecs-svc/new', TD_NEW))
      .at(31_000, (s) => {
        s.start('ecs-svc/theirs', TD_OTHER).run('ecs-svc/theirs', 2).complete('ecs-svc/theirs');
        s.event('(service orders) rolling back to deployment ecs-svc/old.');
        s.remove('ecs-svc/new').remove('ecs-svc/old');
      });
    const { outcome } = await run(sim, target, clock);
    expect(outcome.kind).toBe('failed');
    expect(outcome.reasons[0]).toBe(
      'deployment ecs-svc/theirs (shop-dev-orders:8), started by someone else, replaced ours before it completed',
    );
  });

  it('a second deployment started by someone else: fails, naming it', async () => {
    const { clock, sim, target } = setup();
    sim
      .at(0, (s) => s.start('ecs-svc/new', TD_NEW))
      .at(30_000, (s) => s.run('ecs-svc/new', 1))
      .at(50_000, (s) => s.start('ecs-svc/theirs', TD_OTHER));
    const { outcome, events } = await run(sim, target, clock);

    expect(outcome.kind).toBe('failed');
    expect(outcome.reasons[0]).toBe(
      'deployment ecs-svc/theirs (shop-dev-orders:8), started by someone else, replaced ours before it completed',
    );
    expect(events.find((e) => e.type === 'superseded')).toMatchObject({
      by: { id: 'ecs-svc/theirs', taskDefinition: TD_OTHER },
    });
  });

  it('circuit breaker without rollback: failed, at once', async () => {
    const { clock, sim, target } = setup();
    sim
      .at(0, (s) => s.start('ecs-svc/new', TD_NEW))
      .at(30_000, (s) =>
        s
          .taskFailed('ecs-svc/new', 'CannotPullContainerError: pull image manifest has been retried 5 time(s)')
          .fail('ecs-svc/new', 'ECS deployment circuit breaker: tasks failed to start.'),
      );
    const { outcome, elapsed } = await run(sim, { ...target, rollbackOnFailure: false }, clock);
    expect(outcome.kind).toBe('failed');
    expect(outcome.reasons).toEqual([
      'ECS deployment circuit breaker: tasks failed to start.',
      'task stopped: CannotPullContainerError: pull image manifest has been retried 5 time(s)',
    ]);
    expect(elapsed).toBeLessThan(60_000);
  });

  it('nothing new to roll out (the apply changed nothing): our task definition is already PRIMARY and COMPLETED', async () => {
    const clock = new FakeClock();
    const sim = new EcsSim(clock);
    sim.service.steady('ecs-svc/current', TD_NEW);
    const { outcome, elapsed } = await run(
      sim,
      { cluster: 'shop-dev', service: 'orders', taskDefinition: TD_NEW, startedAt: T0, timeoutMs: 20 * MIN },
      clock,
    );
    expect(outcome).toMatchObject({ kind: 'completed', deploymentId: 'ecs-svc/current' });
    expect(elapsed).toBe(0);
  });

  it('the service deleted mid-watch: failed, saying so', async () => {
    const { clock, sim, target } = setup();
    sim.at(0, (s) => s.start('ecs-svc/new', TD_NEW)).at(30_000, (s) => (s.exists = false));
    const { outcome } = await run(sim, target, clock);
    expect(outcome).toMatchObject({
      kind: 'failed',
      reasons: ['the service orders no longer exists in cluster shop-dev'],
    });
  });

  it('Ctrl-C ends the watch at once (the deployment goes on) and unsubscribes', async () => {
    const { clock, sim, target } = setup();
    sim.at(0, (s) => s.start('ecs-svc/new', TD_NEW));
    let handler: (() => void) | undefined;
    let unsubscribed = false;
    clock.at(95_000, () => handler?.());
    const { outcome, elapsed } = await run(sim, target, clock, (h) => {
      handler = h;
      return () => (unsubscribed = true);
    });
    expect(outcome).toMatchObject({
      kind: 'timedOut',
      interrupted: true,
      deploymentId: 'ecs-svc/new',
      state: 'IN_PROGRESS',
    });
    expect(elapsed).toBe(95_000);
    expect(unsubscribed).toBe(true);
  });
});
