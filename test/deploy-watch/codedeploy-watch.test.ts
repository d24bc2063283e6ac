/**
 * The CodeDeploy watcher (blue/green, canary, linear) against a simulated deployment: every
 * lifecycle stage and traffic shift is reported, success is CodeDeploy's Succeeded, a rollback is
 * reported as one with its reasons, and Ctrl-C stops (with a rollback) only when the user says yes.
 */
import { watchCodeDeploy, type CodeDeployRolloutTarget } from '../../src/ops/deploy-watch/codedeploy';
import { drain, type RolloutEvent } from '../../src/ops/deploy-watch/types';
import { CodeDeploySim, EcsSim, FakeClock, T0, TD_NEW, TD_OLD } from './sim';

const MIN = 60_000;

function setup() {
  const clock = new FakeClock();
  const ecs = new EcsSim(clock, 'payments', 2);
  ecs.service.steady('ecs-svc/blue', TD_OLD);
  const cd = new CodeDeploySim(clock);
  const target: CodeDeployRolloutTarget = {
    deploymentId: cd.deployment.id,
    cluster: 'shop-dev',
    service: 'payments',
    taskDefinition: TD_NEW,
    startedAt: T0,
    timeoutMs: 30 * MIN,
  };
  return { clock, ecs, cd, target };
}

/** A canary: install green, test traffic, 10% for five minutes, then all of it; blue terminated after 5 minutes. */
function canary(cd: CodeDeploySim): void {
  cd.at(0, (d) => (d.status = 'InProgress'))
    .at(10_000, (d) => d.event('BeforeInstall', 'Succeeded').event('Install', 'InProgress').traffic(0, 0))
    .at(60_000, (d) => d.event('Install', 'Succeeded').event('AfterInstall', 'Succeeded').traffic(0, 2))
    .at(70_000, (d) =>
      d
        .event('AllowTestTraffic', 'Succeeded')
        .event('AfterAllowTestTraffic', 'Succeeded')
        .event('BeforeAllowTraffic', 'Succeeded')
        .event('AllowTraffic', 'InProgress')
        .traffic(10),
    )
    .at(70_000 + 5 * MIN, (d) => d.traffic(100))
    .at(80_000 + 5 * MIN, (d) => d.event('AllowTraffic', 'Succeeded').event('AfterAllowTraffic', 'Succeeded'))
    .at(80_000 + 10 * MIN, (d) => (d.status = 'Succeeded'));
}

async function run(
  ecs: EcsSim,
  cd: CodeDeploySim,
  target: CodeDeployRolloutTarget,
  clock: FakeClock,
  options: Parameters<typeof watchCodeDeploy>[3] = {},
) {
  const events: RolloutEvent[] = [];
  const outcome = await drain(watchCodeDeploy({ codeDeploy: cd, ecs }, target, clock, options), (e) => events.push(e));
  return { outcome, events, elapsed: clock.now() - T0 };
}

describe('watchCodeDeploy', () => {
  it('a canary goes through every stage and shifts traffic 0 → 10 → 100%, then completes', async () => {
    const { clock, ecs, cd, target } = setup();
    canary(cd);
    const { outcome, events, elapsed } = await run(ecs, cd, target, clock);

    expect(outcome).toMatchObject({ kind: 'completed', deploymentId: 'd-ABCDEF123' });
    expect(elapsed).toBeGreaterThanOrEqual(80_000 + 10 * MIN);
    const succeeded = events.flatMap((e) => (e.type === 'lifecycle' && e.status === 'Succeeded' ? [e.name] : []));
    expect(succeeded).toEqual([
      'BeforeInstall',
      'Install',
      'AfterInstall',
      'AllowTestTraffic',
      'AfterAllowTestTraffic',
      'BeforeAllowTraffic',
      'AllowTraffic',
      'AfterAllowTraffic',
    ]);
    const green = events.flatMap((e) =>
      e.type === 'traffic' ? [e.taskSets.find((t) => t.label === 'Green')!.trafficWeight] : [],
    );
    expect(green.filter((w, i) => i === 0 || w !== green[i - 1])).toEqual([0, 10, 100]);
    expect(events.flatMap((e) => (e.type === 'codedeploy-status' ? [e.status] : []))).toEqual([
      'InProgress',
      'Succeeded',
    ]);
  });

  it('a failure after test traffic: rolled back, with the failed hook and CodeDeploy’s reasons', async () => {
    const { clock, ecs, cd, target } = setup();
    cd.at(0, (d) => (d.status = 'InProgress'))
      .at(20_000, (d) =>
        d
          .event('BeforeInstall', 'Succeeded')
          .event('Install', 'Succeeded')
          .event('AfterInstall', 'Succeeded')
          .traffic(0),
      )
      .at(40_000, (d) =>
        d
          .event('AllowTestTraffic', 'Succeeded')
          .event(
            'AfterAllowTestTraffic',
            'Failed',
            'The Lambda hook returned Failed: smoke test GET /payments/health returned 503',
          ),
      )
      .at(45_000, (d) => {
        d.status = 'Failed';
        d.error = { code: 'HOOK_FAILED', message: 'The deployment failed because a lifecycle event hook failed.' };
        d.rollback = { deploymentId: 'd-ROLLBACK9', message: 'Automatic rollback: deployment d-ABCDEF123 failed.' };
      });
    ecs.at(30_000, (s) =>
      s
        .event('(service payments) (task 77aa) failed ELB health checks in (target-group payments-green)')
        .taskFailed('ecs-svc/blue', 'ignored: not our task definition'),
    );
    const { outcome, events } = await run(ecs, cd, target, clock);

    expect(outcome.kind).toBe('rolledBack');
    expect(outcome.reasons).toEqual([
      'HOOK_FAILED: The deployment failed because a lifecycle event hook failed.',
      'AfterAllowTestTraffic failed: The Lambda hook returned Failed: smoke test GET /payments/health returned 503',
      'Automatic rollback: deployment d-ABCDEF123 failed.',
    ]);
    expect(events.some((e) => e.type === 'service-event' && e.message.includes('failed ELB health checks'))).toBe(true);
  });

  it('failed without a rollback: failed', async () => {
    const { clock, ecs, cd, target } = setup();
    cd.at(0, (d) => (d.status = 'InProgress')).at(30_000, (d) => {
      d.status = 'Failed';
      d.error = { code: 'ECS_UPDATE_ERROR', message: 'The ECS service cannot be updated.' };
    });
    const { outcome } = await run(ecs, cd, target, clock);
    expect(outcome).toMatchObject({
      kind: 'failed',
      reasons: ['ECS_UPDATE_ERROR: The ECS service cannot be updated.'],
    });
  });

  it('Ctrl-C and "yes": stops the deployment with a rollback and watches it to the end', async () => {
    const { clock, ecs, cd, target } = setup();
    canary(cd);
    let handler: (() => void) | undefined;
    clock.at(3 * MIN, () => handler?.());
    const asked: number[] = [];
    const { outcome, events, elapsed } = await run(ecs, cd, target, clock, {
      onInterrupt: (h) => {
        handler = h;
        return () => undefined;
      },
      confirmStop: async () => {
        asked.push(clock.now() - T0);
        return true;
      },
    });
    expect(asked).toEqual([3 * MIN]);
    expect(cd.deployment.stopRequests).toEqual([true]);
    expect(events.some((e) => e.type === 'stopping' && e.rollback)).toBe(true);
    expect(outcome.kind).toBe('rolledBack');
    expect(outcome.reasons).toContain('stopped on request (Ctrl-C)');
    expect(elapsed).toBeLessThan(4 * MIN);
  });

  it('Ctrl-C and "no": nothing is stopped; watching goes on to the end', async () => {
    const { clock, ecs, cd, target } = setup();
    canary(cd);
    let handler: (() => void) | undefined;
    clock.at(3 * MIN, () => handler?.());
    const { outcome, events } = await run(ecs, cd, target, clock, {
      onInterrupt: (h) => {
        handler = h;
        return () => undefined;
      },
      confirmStop: async () => false,
    });
    expect(cd.deployment.stopRequests).toEqual([]);
    expect(events.some((e) => e.type === 'continuing')).toBe(true);
    expect(outcome.kind).toBe('completed');
  });

  it('Ctrl-C with nobody to ask (CI): ends the watch, the deployment goes on', async () => {
    const { clock, ecs, cd, target } = setup();
    canary(cd);
    let handler: (() => void) | undefined;
    clock.at(3 * MIN, () => handler?.());
    const { outcome } = await run(ecs, cd, target, clock, {
      onInterrupt: (h) => {
        handler = h;
        return () => undefined;
      },
    });
    expect(cd.deployment.stopRequests).toEqual([]);
    expect(outcome).toMatchObject({ kind: 'timedOut', interrupted: true, state: 'InProgress' });
  });

  it('the timeout passes during the wait before the original task set is terminated: timed out, with the traffic then', async () => {
    const { clock, ecs, cd, target } = setup();
    canary(cd);
    const { outcome } = await run(ecs, cd, { ...target, timeoutMs: 8 * MIN }, clock);
    expect(outcome.kind).toBe('timedOut');
    if (outcome.kind !== 'timedOut') return;
    expect(outcome.state).toBe('InProgress');
    expect(outcome.taskSets?.find((t) => t.label === 'Green')?.trafficWeight).toBe(100);
  });
});
