/**
 * The roll loop (src/ops/cluster-roll/loop.ts) against the simulated cluster, scripted timelines. What it
 * protects: every out-of-date instance is replaced exactly once, only once it runs no task; no
 * service ever runs below its minimumHealthyPercent; surge is added only when needed and the
 * group ends at its original sizes; faults end the roll as specified and a second run resumes.
 */
import { retryPolicy } from '../../src/aws/retry';
import { ROLL_TAG } from '../../src/ops/cluster-roll/observe';
import { ClusterSim, type SimConfig } from './sim';
import { expectConverged, expectSafe, mutations, run, terminated, TYPES } from './helpers';

const web = (desired: number, more: Partial<SimConfig['services'][number]> = {}) => ({
  name: 'web',
  desired,
  cpu: 512,
  memory: 1024,
  ...more,
});

function cluster(n: number, services: SimConfig['services'], more: Partial<SimConfig> = {}): ClusterSim {
  return new ClusterSim({
    types: TYPES,
    instances: Array.from({ length: n }, () => ({ type: 'm5.large' })),
    template: { version: 2, type: 'm5.large' },
    services,
    ...more,
  });
}

describe('a roll that goes to the end', () => {
  it('with headroom: replaces each out-of-date instance once, no surge, sizes unchanged', async () => {
    const sim = cluster(6, [web(12)]);
    const before = sim.groupInstances().map((i) => i.id);
    const original = { ...sim.sizes };
    const { outcome, events } = await run(sim);
    expect(outcome.status).toBe('completed');
    expect([...terminated(sim)].sort()).toEqual(before);
    expect(outcome.replaced).toHaveLength(6);
    expect(mutations(sim).filter((c) => c.op === 'asg:SetDesiredCapacity')).toEqual([]);
    expect(events.filter((e) => e.type === 'surge')).toEqual([]);
    expectConverged(sim, original);
  });

  it('drains before it terminates, and terminates without decrementing (a replacement is launched)', async () => {
    const sim = cluster(3, [web(4)]);
    await run(sim);
    const ops = mutations(sim).map((c) => `${c.op}${c.op.endsWith('State') ? `:${String(c.args[2])}` : ''}`);
    const firstDrain = ops.indexOf('ecs:UpdateContainerInstancesState:DRAINING');
    const firstTerminate = ops.indexOf('asg:TerminateInstanceInAutoScalingGroup');
    expect(firstDrain).toBeGreaterThanOrEqual(0);
    expect(firstTerminate).toBeGreaterThan(firstDrain);
    expect(sim.calls.filter((c) => c.op === 'asg:TerminateInstanceInAutoScalingGroup').map((c) => c.args[1])).toEqual([
      false,
      false,
      false,
    ]);
  });

  it('without headroom: adds a surge instance, gives it back with the last termination, restores max', async () => {
    // Four instances, each full (4 × 512 CPU on 2048).
    const sim = cluster(4, [web(16)], { sizes: { minSize: 4, maxSize: 4 } });
    const original = { ...sim.sizes };
    const { outcome, events } = await run(sim);
    expect(outcome.status).toBe('completed');
    expect(events.find((e) => e.type === 'surge')).toEqual({
      type: 'surge',
      desired: 5,
      maxSize: 5,
      extra: 1,
      reason: 'planned',
    });
    const decrements = sim.calls
      .filter((c) => c.op === 'asg:TerminateInstanceInAutoScalingGroup')
      .map((c) => c.args[1]);
    expect(decrements).toEqual([false, false, false, true]);
    expect(events.at(-1)).toEqual({ type: 'restored', sizes: { minSize: 4, maxSize: 4, desiredCapacity: 4 } });
    expectConverged(sim, original);
  });

  it('minimumHealthyPercent 50: no surge needed, and the service never runs below half', async () => {
    const sim = cluster(4, [web(16, { minimumHealthyPercent: 50, maximumPercent: 100 })]);
    const original = { ...sim.sizes };
    const { outcome } = await run(sim, { batch: { count: 2 } });
    expect(outcome.status).toBe('completed');
    expect(outcome.plan?.surge).toBe(0);
    expect(outcome.batches).toBe(2);
    expectConverged(sim, original);
  });

  it('daemon services: a daemon task runs on every new instance, and leaves a draining one last', async () => {
    const sim = cluster(4, [web(8), { name: 'agent', desired: 0, cpu: 256, memory: 256, daemon: true }]);
    const original = { ...sim.sizes };
    expect((await run(sim)).outcome.status).toBe('completed');
    expectConverged(sim, original);
    expect(sim.groupInstances().every((i) => i.tasks >= 1)).toBe(true);
  });

  it('an instance type change: every instance of the old type is replaced by the new one', async () => {
    const sim = new ClusterSim({
      types: TYPES,
      instances: [
        { type: 'm5.xlarge', version: 2 },
        { type: 'm5.xlarge', version: 2 },
        { type: 'm5.large', version: 2 },
      ],
      template: { version: 3, type: 'm5.large' },
      services: [web(10)],
      sizes: { minSize: 1, maxSize: 6 },
    });
    const original = { ...sim.sizes };
    expect((await run(sim)).outcome.status).toBe('completed');
    expectConverged(sim, original);
  });

  it('a single instance: surge one, move the tasks, give the old one back', async () => {
    const sim = cluster(1, [web(2)], { sizes: { minSize: 1, maxSize: 1 } });
    const original = { ...sim.sizes };
    const { outcome } = await run(sim);
    expect(outcome.status).toBe('completed');
    expect(sim.calls.filter((c) => c.op === 'asg:TerminateInstanceInAutoScalingGroup').map((c) => c.args[1])).toEqual([
      true,
    ]);
    expectConverged(sim, original);
  });

  it('reports progress per batch and instance', async () => {
    const sim = cluster(2, [web(2)]);
    const { events } = await run(sim);
    const kinds = events.map((e) => (e.type === 'instance' ? `${e.type}:${e.state}` : e.type));
    expect(kinds[0]).toBe('plan');
    expect(kinds).toEqual(
      expect.arrayContaining([
        'batch',
        'instance:draining',
        'instance:drained',
        'instance:terminating',
        'ready',
        'restored',
      ]),
    );
    expect(kinds.at(-1)).toBe('restored');
  });
});

describe('nothing changes when it should not', () => {
  it('--dry-run: the plan, and not one change', async () => {
    const sim = cluster(4, [web(16)]);
    const { outcome, events } = await run(sim, { dryRun: true });
    expect(outcome.status).toBe('planned');
    expect(events.map((e) => e.type)).toEqual(['plan']);
    expect(outcome.plan?.batches.length).toBe(4);
    expect(mutations(sim)).toEqual([]);
  });

  it('a declined confirmation changes nothing', async () => {
    const sim = cluster(3, [web(4)]);
    const { outcome } = await run(sim, {}, { confirm: async () => false });
    expect(outcome.status).toBe('cancelled');
    expect(mutations(sim)).toEqual([]);
  });

  it('an up-to-date cluster: nothing to do', async () => {
    const sim = new ClusterSim({
      types: TYPES,
      instances: [{ type: 'm5.large', version: 2 }],
      template: { version: 2, type: 'm5.large' },
      services: [web(2)],
    });
    expect((await run(sim)).outcome.status).toBe('up-to-date');
    expect(mutations(sim)).toEqual([]);
  });

  it('no headroom with --surge 0: fails before any change, saying what would help', async () => {
    const sim = cluster(4, [web(16)]);
    const { outcome } = await run(sim, { surge: 0 });
    expect(outcome.status).toBe('failed');
    expect(outcome.failure?.code).toBe('ECSDEPLOY_ROLL_BLOCKED');
    expect(outcome.failure?.suggestions.join(' ')).toContain('--surge 1');
    expect(mutations(sim)).toEqual([]);
  });
});

describe('faults', () => {
  it('an instance that never drains stops the roll: not terminated, set back to ACTIVE, named with its task', async () => {
    const sim = cluster(3, [web(4)], { faults: { neverDrain: [0] } });
    const { outcome } = await run(sim, { timeoutMs: 10 * 60_000 });
    expect(outcome.status).toBe('failed');
    expect(outcome.failure?.code).toBe('ECSDEPLOY_ROLL_DRAIN_TIMEOUT');
    expect(outcome.failure?.instances).toEqual(['i-0001']);
    expect(outcome.failure?.message).toContain('family:nightly-report');
    expect(outcome.failure?.message).toContain('not part of a service');
    expect(terminated(sim)).not.toContain('i-0001');
    expect(sim.groupInstances().find((i) => i.id === 'i-0001')).toMatchObject({
      lifecycle: 'InService',
      ecs: 'ACTIVE',
    });
    expect(outcome.resume).toContain(ROLL_TAG);
    expectSafe(sim);
  });

  it('a replacement that never registers stops the roll, naming it; once it is replaced, a second run finishes', async () => {
    const sim = cluster(3, [web(4)], { faults: { neverRegister: [1] } });
    const original = { ...sim.sizes };
    const first = await run(sim, { timeoutMs: 10 * 60_000 });
    expect(first.outcome.status).toBe('failed');
    expect(first.outcome.failure?.code).toBe('ECSDEPLOY_ROLL_REPLACEMENT_TIMEOUT');
    const broken = first.outcome.failure!.instances[0]!;
    expect(first.outcome.failure?.message).toContain(`${broken} has been in service for 10m but never registered`);
    expect(first.outcome.replaced).toHaveLength(1);
    expectSafe(sim);
    // What the suggestion says: terminate the broken instance in the group; then run again.
    await sim.api.terminateInstance(broken, false);
    const second = await run(sim);
    expect(second.outcome.status).toBe('completed');
    expect(new Set(terminated(sim)).size).toBe(terminated(sim).length);
    expectConverged(sim, original);
  });

  it('throttling: the SDK retry policy rides it out (a throttled call had no effect) and the roll completes', async () => {
    const sim = cluster(4, [web(8)], { faults: { throttleRate: 0.3 }, seed: 7 });
    const original = { ...sim.sizes };
    const { outcome } = await run(sim);
    expect(outcome.status).toBe('completed');
    expect(sim.throttled).toBeGreaterThan(10);
    expect(sim.retries).toEqual({ retries: sim.throttled, gaveUp: 0 });
    expectSafe(sim);
    expectConverged(sim, original);
  });

  it('throttling that outlasts the retry policy surfaces as the throttling error, with nothing retried on top', async () => {
    const sim = cluster(4, [web(8)], { faults: { throttleRate: 0.97 }, seed: 3 });
    await expect(run(sim)).rejects.toMatchObject({ name: expect.stringMatching(/^Throttling/) });
    expect(sim.retries.gaveUp).toBe(1);
    expect(sim.retries.retries % (retryPolicy.maxAttempts - 1)).toBe(0);
    expectSafe(sim);
  });
});

describe('interrupted and resumed', () => {
  const make = () =>
    cluster(4, [web(12), { name: 'agent', desired: 0, cpu: 128, memory: 128, daemon: true }], {
      sizes: { minSize: 2, maxSize: 4 },
    });

  it('Ctrl-C after every single step, then a second run: always completes, never touches a replaced instance again', async () => {
    const full = await run(make());
    const steps = full.events.length;
    expect(steps).toBeGreaterThan(20);
    for (let k = 1; k <= steps; k++) {
      const sim = make();
      const original = { ...sim.sizes };
      const first = await run(sim, {}, { abortAfter: k });
      expect(['interrupted', 'completed']).toContain(first.outcome.status);
      if (first.outcome.status === 'interrupted') expect(first.outcome.resume).toBeDefined();
      const second = await run(sim);
      expect([k, second.outcome.status]).toEqual([
        k,
        first.outcome.status === 'completed' ? 'up-to-date' : 'completed',
      ]);
      const all = terminated(sim);
      expect([k, new Set(all).size]).toEqual([k, all.length]);
      expectConverged(sim, original);
    }
  });

  it('the interrupted run says what it left in place', async () => {
    const sim = make();
    // Stop right after the first batch started draining.
    const probe = await run(make());
    const at = probe.events.findIndex((e) => e.type === 'instance' && e.state === 'draining') + 1;
    const { outcome } = await run(sim, {}, { abortAfter: at });
    expect(outcome.status).toBe('interrupted');
    expect(outcome.resume).toMatch(/is DRAINING/);
    expect(outcome.resume).toMatch(/extra instance\(s\) \(desired 5, originally 4\)/);
    expect(sim.tags[ROLL_TAG]).toBe('min=2,max=4,desired=4,started=1970-01-01T00:00:00.000Z');
  });
});

describe('strategy instance-refresh', () => {
  it("starts the group's refresh with sizes from the plan, and watches it to the end", async () => {
    const sim = cluster(5, [web(10)], { managedDraining: true, sizes: { minSize: 1, maxSize: 10 } });
    const original = { ...sim.sizes };
    const { outcome, events } = await run(sim, { strategy: 'instance-refresh' });
    expect(outcome.status).toBe('completed');
    expect(sim.calls.filter((c) => c.op === 'asg:StartInstanceRefresh').map((c) => c.args[1])).toEqual([
      { minHealthyPercentage: 80 },
    ]);
    const refresh = events.filter((e) => e.type === 'refresh');
    expect(refresh.at(-1)).toMatchObject({ status: 'Successful', percentComplete: 100 });
    expect(outcome.replaced).toHaveLength(5);
    sim.settle();
    expect(sim.groupInstances().every((i) => i.version === 2)).toBe(true);
    expect(sim.sizes).toEqual(original);
    expect(sim.violations).toEqual([]);
    expect(sim.lost).toEqual([]);
  });

  it('interrupted, it leaves the refresh running; run again, it watches the same refresh', async () => {
    const sim = cluster(4, [web(8)], { managedDraining: true });
    const first = await run(sim, { strategy: 'instance-refresh' }, { abortAfter: 3 });
    expect(first.outcome.status).toBe('interrupted');
    expect(first.outcome.resume).toContain('goes on in AWS');
    const second = await run(sim, { strategy: 'instance-refresh' });
    expect(second.outcome.status).toBe('completed');
    expect(sim.calls.filter((c) => c.op === 'asg:StartInstanceRefresh')).toHaveLength(1);
  });

  it('a refresh held by an instance that never drains fails after the timeout without progress', async () => {
    const sim = cluster(3, [web(4)], { managedDraining: true, faults: { neverDrain: [0, 1, 2] } });
    const { outcome } = await run(sim, { strategy: 'instance-refresh', timeoutMs: 20 * 60_000 });
    expect(outcome.status).toBe('failed');
    expect(outcome.failure?.message).toContain('made no progress for 20m');
    expect(sim.lost).toEqual([]);
  });
});
