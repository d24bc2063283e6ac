/**
 * Roll planning (src/ops/roll/plan.ts), a pure function, by tables. What it protects: a batch is
 * only ever as large as the instances left behind can absorb (by CPU and memory, per instance),
 * surge instances are asked for exactly when there is no headroom, and given back at the end.
 */
import { batchTarget, fits, minimumTasks, planRoll, type PlanInput, type PlanInstance, type PlanOptions, type PlanService } from '../../src/ops/roll/plan';

const SMALL = { cpu: 1024, memory: 2048 };
const MEDIUM = { cpu: 2048, memory: 4096 };
const LARGE = { cpu: 4096, memory: 8192 };

function inst(id: string, capacity = MEDIUM, more: Partial<PlanInstance> = {}): PlanInstance {
  return { id, inGroup: true, outdated: true, status: 'ACTIVE', capacity, runningTasks: 0, ...more };
}
function svc(name: string, desired: number, cpu: number, memory: number, more: Partial<PlanService> = {}): PlanService {
  return { name, desired, cpu, memory, minimumHealthyPercent: 100, maximumPercent: 200, daemon: false, ...more };
}
function input(instances: PlanInstance[], services: PlanService[], more: Partial<PlanInput> = {}): PlanInput {
  const inGroup = instances.filter((i) => i.inGroup).length;
  return { instances, services, desired: inGroup, originalDesired: inGroup, newInstanceCapacity: MEDIUM, ...more };
}
const four = (capacity = MEDIUM, more: Partial<PlanInstance> = {}) => ['a', 'b', 'c', 'd'].map((id) => inst(id, capacity, more));
const shape = (p: ReturnType<typeof planRoll>) => ({ surge: p.surge, batches: p.batches.map((b) => `${b.instances.join('+')}${b.decrement ? ` -${b.decrement}` : ''}`), blocked: p.blocked !== undefined });

describe('planRoll: headroom and surge', () => {
  // Four 2048-CPU instances. "Half full": 8 tasks of 512 (4096 CPU, two instances' worth).
  // "Full": 16 tasks of 512 (every instance full).
  const halfFull = [svc('web', 8, 512, 1024)];
  const full = [svc('web', 16, 512, 1024)];

  it.each<[string, PlanService[], PlanOptions, ReturnType<typeof shape>]>([
    ['headroom, default batch (20% of 4 → 1): one at a time, no surge', halfFull, {}, { surge: 0, batches: ['a', 'b', 'c', 'd'], blocked: false }],
    ['headroom for two: batches of two, no surge', halfFull, { batch: { count: 2 } }, { surge: 0, batches: ['a+b', 'c+d'], blocked: false }],
    ['batch of three needs one surge instance, given back by the last batch', halfFull, { batch: { count: 3 } }, { surge: 1, batches: ['a+b+c', 'd -1'], blocked: false }],
    ['batch given as a percentage (50% of 4)', halfFull, { batch: { percent: 50 } }, { surge: 0, batches: ['a+b', 'c+d'], blocked: false }],
    ['no headroom: one surge instance, the last instance gives it back', full, {}, { surge: 1, batches: ['a', 'b', 'c', 'd -1'], blocked: false }],
    ['no headroom, batch of two: two surge instances', full, { batch: { count: 2 } }, { surge: 2, batches: ['a+b', 'c+d -2'], blocked: false }],
    ['no headroom, surge capped at 1: batches shrink to 1', full, { batch: { count: 2 }, surge: 1 }, { surge: 1, batches: ['a', 'b', 'c', 'd -1'], blocked: false }],
    ['no headroom and --surge 0: blocked', full, { surge: 0 }, { surge: 0, batches: [], blocked: true }],
    ['--max-unavailable 0: only as many at once as surge instances', halfFull, { batch: { count: 4 }, surge: 2, maxUnavailable: 0 }, { surge: 2, batches: ['a+b', 'c+d -2'], blocked: false }],
  ])('%s', (_name, services, options, expected) => {
    expect(shape(planRoll(input(four(), services), options))).toEqual(expected);
  });

  it('blocked without surge says which flag would help', () => {
    const plan = planRoll(input(four(), full), { surge: 0 });
    expect(plan.blocked?.reason).toContain('cannot drain any instance');
    expect(plan.blocked?.suggestions.join(' ')).toContain('--surge 1');
    const none = planRoll(input(four(), full), { surge: 0, maxUnavailable: 0 });
    expect(none.blocked?.suggestions.join(' ')).toContain('--max-unavailable');
  });
});

describe('planRoll: minimumHealthyPercent', () => {
  // Full cluster (16 × 512 on 4 × 2048), batches of two.
  it.each<[number, ReturnType<typeof shape>]>([
    [100, { surge: 2, batches: ['a+b', 'c+d -2'], blocked: false }],
    // Half the tasks may stop while they move: two instances can go without any surge.
    [50, { surge: 0, batches: ['a+b', 'c+d'], blocked: false }],
    // 75%: 12 tasks must keep running = 3 instances' worth: one surge instance per batch of two.
    [75, { surge: 1, batches: ['a+b', 'c+d -1'], blocked: false }],
  ])('minimumHealthyPercent %i', (min, expected) => {
    const plan = planRoll(input(four(), [svc('web', 16, 512, 1024, { minimumHealthyPercent: min })]), { batch: { count: 2 } });
    expect(shape(plan)).toEqual(expected);
  });

  it('the minimum is rounded up, as ECS does', () => {
    expect(minimumTasks(3, 50)).toBe(2);
    expect(minimumTasks(4, 50)).toBe(2);
    expect(minimumTasks(1, 1)).toBe(1);
    expect(minimumTasks(10, 0)).toBe(0);
    expect(minimumTasks(3, 100)).toBe(3);
  });

  it('a service that may run below its desired count is named in a warning', () => {
    const plan = planRoll(input(four(), [svc('web', 16, 512, 1024, { minimumHealthyPercent: 50 })]), { batch: { count: 2 } });
    expect(plan.warnings.join(' ')).toContain('web (50%)');
  });

  it('minimumHealthyPercent 100 with maximumPercent 100 cannot move a task: blocked, naming the service file', () => {
    const plan = planRoll(input(four(), [svc('ledger', 2, 256, 512, { maximumPercent: 100 })]));
    expect(plan.blocked?.reason).toContain('ledger');
    expect(plan.blocked?.suggestions[0]).toContain('services/ledger.yaml');
    expect(plan.batches).toEqual([]);
  });
});

describe('planRoll: the shape of the cluster', () => {
  it.each<[string, PlanInput, PlanOptions, ReturnType<typeof shape>]>([
    ['a single instance with a task: surge one, give it back', input([inst('only', MEDIUM, { runningTasks: 2 })], [svc('web', 2, 512, 1024)]), {}, { surge: 1, batches: ['only -1'], blocked: false }],
    [
      'a single instance whose service allows 0% healthy: replaced in place, no surge',
      input([inst('only')], [svc('web', 2, 512, 1024, { minimumHealthyPercent: 0 })]),
      {},
      { surge: 0, batches: ['only'], blocked: false },
    ],
    ['a single instance, one task at 50%: ceil(0.5) = 1 must keep running, so surge', input([inst('only')], [svc('web', 1, 512, 1024, { minimumHealthyPercent: 50 })]), {}, { surge: 1, batches: ['only -1'], blocked: false }],
    [
      // Larges first (fewest tasks). Taking a large and a small leaves 5120 < 6144 needed; two larges
      // leave 2048; so two at once needs one (large) surge instance; the smalls then go together.
      'mixed types: a batch only of instances whose removal the rest absorbs',
      input(
        [inst('L1', LARGE, { runningTasks: 1 }), inst('L2', LARGE, { runningTasks: 1 }), inst('S1', SMALL, { runningTasks: 2 }), inst('S2', SMALL, { runningTasks: 2 })],
        [svc('web', 12, 512, 1024)],
        { newInstanceCapacity: LARGE },
      ),
      { batch: { count: 2 } },
      { surge: 1, batches: ['L1+L2', 'S1+S2 -1'], blocked: false },
    ],
    [
      // Two tasks of 3072 CPU: each needs a large instance of its own. Without L1, the 6144 CPU left
      // (one large, two smalls) would be enough in total but not per instance; so a small goes
      // first, and its (large) replacement then takes L1's task: no surge needed.
      'a task cannot straddle two instances',
      input([inst('L1', LARGE), inst('L2', LARGE), inst('S1', SMALL), inst('S2', SMALL)], [svc('batch', 2, 3072, 1024)], { newInstanceCapacity: LARGE }),
      {},
      { surge: 0, batches: ['S1', 'L1', 'L2', 'S2'], blocked: false },
    ],
    [
      'a task cannot straddle two instances: when replacements are small, the larges need surge',
      input([inst('L1', LARGE), inst('L2', LARGE), inst('S1', SMALL)], [svc('batch', 2, 3072, 1024)], { newInstanceCapacity: SMALL }),
      {},
      { surge: 0, batches: ['S1'], blocked: true },
    ],
    [
      // 7 × 512 on four instances that each keep 512 for a daemon: removing two leaves 2 × 1536 < 3584.
      'daemon tasks take their share of every instance',
      input(four(), [svc('web', 7, 512, 512), svc('agent', 4, 512, 512, { daemon: true, minimumHealthyPercent: 0, maximumPercent: 100 })]),
      { batch: { count: 2 } },
      { surge: 1, batches: ['a+b', 'c+d -1'], blocked: false },
    ],
    [
      'up-to-date instances and instances outside the group are capacity, never in a batch',
      input([inst('old'), inst('new', MEDIUM, { outdated: false }), inst('other', MEDIUM, { outdated: false, inGroup: false })], [svc('web', 8, 512, 1024)]),
      { batch: { count: 3 } },
      { surge: 0, batches: ['old'], blocked: false },
    ],
    [
      // Its replacement then brings the room the full instances a and b need: no surge.
      'an instance not in the cluster holds no task: taken first, whatever the capacity',
      input([inst('a', MEDIUM, { runningTasks: 4 }), inst('b', MEDIUM, { runningTasks: 4 }), inst('ghost', { cpu: 0, memory: 0 }, { status: 'UNREGISTERED' })], [svc('web', 8, 512, 1024)]),
      {},
      { surge: 0, batches: ['ghost', 'a', 'b'], blocked: false },
    ],
    ['nothing out of date: no batch', input(four(MEDIUM, { outdated: false }), [svc('web', 8, 512, 1024)]), {}, { surge: 0, batches: [], blocked: false }],
  ])('%s', (_name, planInput, options, expected) => {
    expect(shape(planRoll(planInput, options))).toEqual(expected);
  });

  it('capacity: every desired task (daemons once per ACTIVE instance) against what ACTIVE instances registered', () => {
    const plan = planRoll(input(four(), [svc('web', 7, 512, 256, { minimumHealthyPercent: 50 }), svc('agent', 4, 128, 64, { daemon: true })]));
    expect(plan.capacity).toEqual({
      needed: { cpu: 7 * 512 + 4 * 128, memory: 7 * 256 + 4 * 64 },
      minimum: { cpu: 4 * 512 + 4 * 128, memory: 4 * 256 + 4 * 64 },
      registered: { cpu: 4 * 2048, memory: 4 * 4096 },
    });
  });
});

describe('planRoll: resuming from what AWS reports', () => {
  const full = [svc('web', 16, 512, 1024)];

  it('an out-of-date instance left DRAINING is the first batch, even where capacity would not allow it', () => {
    const instances = [inst('a'), inst('b'), inst('c', MEDIUM, { status: 'DRAINING' }), inst('d')];
    const plan = planRoll(input(instances, full), { surge: 1 });
    expect(plan.batches[0]!.instances).toEqual(['c']);
  });

  it('surge already in place (desired above the original) is used, not added again', () => {
    // Five in service: the four old ones and one surge instance already launched.
    const instances = [...four(), inst('s1', MEDIUM, { outdated: false })];
    const plan = planRoll(input(instances, full, { desired: 5, originalDesired: 4 }));
    expect(shape(plan)).toEqual({ surge: 1, batches: ['a', 'b', 'c', 'd -1'], blocked: false });
  });

  it('extra instances left when nothing is out of date any more are given back, emptiest first, never outside the group', () => {
    const instances = [
      inst('n1', MEDIUM, { outdated: false, runningTasks: 4 }),
      inst('n2', MEDIUM, { outdated: false, runningTasks: 1 }),
      inst('n3', MEDIUM, { outdated: false, runningTasks: 3 }),
      inst('x', MEDIUM, { outdated: false, inGroup: false, runningTasks: 0 }),
    ];
    const plan = planRoll(input(instances, [svc('web', 8, 512, 1024)], { desired: 3, originalDesired: 2 }));
    expect(shape(plan)).toEqual({ surge: 1, batches: ['n2 -1'], blocked: false });
  });

  it('`limit` plans only the next batch (what the loop asks for before each one)', () => {
    expect(planRoll(input(four(), full), {}, 1).batches).toHaveLength(1);
  });
});

describe('packing and sizes', () => {
  it.each<[string, Array<{ cpu: number; memory: number }>, Array<{ name: string; cpu: number; memory: number; count: number }>, boolean]>([
    ['fits exactly', [MEDIUM, MEDIUM], [{ name: 'a', cpu: 512, memory: 1024, count: 8 }], true],
    ['one task too many', [MEDIUM, MEDIUM], [{ name: 'a', cpu: 512, memory: 1024, count: 9 }], false],
    ['memory is the limit', [MEDIUM], [{ name: 'a', cpu: 1, memory: 3000, count: 2 }], false],
    ['zero-CPU tasks are limited by memory only', [SMALL], [{ name: 'a', cpu: 0, memory: 512, count: 4 }], true],
    ['per instance, not in total', [SMALL, SMALL], [{ name: 'a', cpu: 2048, memory: 10, count: 1 }], false],
    ['no bins, no demand', [], [], true],
  ])('%s', (_name, bins, demands, expected) => {
    expect(fits(bins, demands)).toBe(expected);
  });

  it.each<[Parameters<typeof batchTarget>[0], number, number]>([
    [{ count: 3 }, 10, 3],
    [{ percent: 25 }, 10, 2],
    [{ percent: 5 }, 10, 1],
    [{ percent: 100 }, 7, 7],
    [{ percent: 20 }, 0, 1],
  ])('batch %j of a group of %i → %i', (batch, size, expected) => {
    expect(batchTarget(batch, size)).toBe(expected);
  });
});
