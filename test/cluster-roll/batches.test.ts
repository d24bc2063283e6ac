/**
 * Roll planning (src/ops/cluster-roll/batches.ts), a pure function, by tables. What it protects: a batch is
 * only ever as large as the free space left on the other instances can take the tasks that must
 * keep running (per instance, by CPU and memory), surge instances are asked for exactly when there
 * is no such room, and they are given back at the end.
 *
 * Each case names where the tasks run now; an instance's free space is what those tasks leave.
 */
import {
  batchTarget,
  fits,
  minimumTasks,
  planBatches,
  type PlanInput,
  type PlanInstance,
  type PlanOptions,
  type PlanService,
} from '../../src/ops/cluster-roll/batches';
import type { Resources } from '../../src/aws/ecs-cluster';

const SMALL = { cpu: 1024, memory: 2048 };
const MEDIUM = { cpu: 2048, memory: 4096 };
const LARGE = { cpu: 4096, memory: 8192 };

function svc(name: string, desired: number, cpu: number, memory: number, more: Partial<PlanService> = {}): PlanService {
  return { name, desired, cpu, memory, minimumHealthyPercent: 100, maximumPercent: 200, daemon: false, ...more };
}

interface Spec {
  readonly capacity?: Resources;
  readonly tasks?: Record<string, number>;
  readonly more?: Partial<PlanInstance>;
}

/** Instances with the given tasks on them (free space = capacity - what those reserve). */
function input(specs: Record<string, Spec>, services: PlanService[], more: Partial<PlanInput> = {}): PlanInput {
  const size = new Map(services.map((s) => [s.name, s]));
  const instances = Object.entries(specs).map(([id, spec]): PlanInstance => {
    const capacity = spec.capacity ?? MEDIUM;
    const tasks = spec.tasks ?? {};
    const used = Object.entries(tasks).reduce(
      (r, [name, n]) => ({
        cpu: r.cpu + n * (size.get(name)?.cpu ?? 0),
        memory: r.memory + n * (size.get(name)?.memory ?? 0),
      }),
      { cpu: 0, memory: 0 },
    );
    return {
      id,
      inGroup: true,
      outdated: true,
      status: 'ACTIVE',
      capacity,
      free: { cpu: capacity.cpu - used.cpu, memory: capacity.memory - used.memory },
      tasks,
      ...spec.more,
    };
  });
  const inGroup = instances.filter((i) => i.inGroup).length;
  return { instances, services, desired: inGroup, originalDesired: inGroup, newInstanceCapacity: MEDIUM, ...more };
}

/** Four medium (2048 CPU) instances, `n` web tasks (512 CPU) on each. */
const four = (n: number, more: Partial<PlanInstance> = {}) =>
  Object.fromEntries(['a', 'b', 'c', 'd'].map((id) => [id, { tasks: { web: n }, more }]));
const web = (desired: number, more: Partial<PlanService> = {}) => svc('web', desired, 512, 1024, more);
const shape = (p: ReturnType<typeof planBatches>) => ({
  surge: p.surge,
  batches: p.batches.map((b) => `${b.instances.join('+')}${b.decrement ? ` -${b.decrement}` : ''}`),
  blocked: p.blocked !== undefined,
});

describe('planBatches: headroom and surge', () => {
  // "Half full": 2 web tasks on each instance (room for 2 more). "Full": 4 on each.
  const halfFull = () => input(four(2), [web(8)]);
  const full = () => input(four(4), [web(16)]);

  it.each<[string, () => PlanInput, PlanOptions, ReturnType<typeof shape>]>([
    [
      'headroom, default batch (20% of 4 → 1): one at a time, no surge',
      halfFull,
      {},
      { surge: 0, batches: ['a', 'b', 'c', 'd'], blocked: false },
    ],
    [
      'headroom for two: batches of two, no surge',
      halfFull,
      { batch: { count: 2 } },
      { surge: 0, batches: ['a+b', 'c+d'], blocked: false },
    ],
    [
      'a batch of three needs one surge instance, given back by the last batch',
      halfFull,
      { batch: { count: 3 } },
      { surge: 1, batches: ['a+b+c', 'd -1'], blocked: false },
    ],
    [
      'batch as a percentage (50% of 4)',
      halfFull,
      { batch: { percent: 50 } },
      { surge: 0, batches: ['a+b', 'c+d'], blocked: false },
    ],
    [
      'no headroom: one surge instance, the last instance gives it back',
      full,
      {},
      { surge: 1, batches: ['a', 'b', 'c', 'd -1'], blocked: false },
    ],
    [
      'no headroom, batch of two: two surge instances',
      full,
      { batch: { count: 2 } },
      { surge: 2, batches: ['a+b', 'c+d -2'], blocked: false },
    ],
    [
      'no headroom, surge capped at 1: batches shrink to 1',
      full,
      { batch: { count: 2 }, surge: 1 },
      { surge: 1, batches: ['a', 'b', 'c', 'd -1'], blocked: false },
    ],
    ['no headroom and --surge 0: blocked', full, { surge: 0 }, { surge: 0, batches: [], blocked: true }],
    [
      '--max-unavailable 0: only as many at once as surge instances',
      halfFull,
      { batch: { count: 4 }, surge: 2, maxUnavailable: 0 },
      { surge: 2, batches: ['a+b', 'c+d -2'], blocked: false },
    ],
  ])('%s', (_name, make, options, expected) => {
    expect(shape(planBatches(make(), options))).toEqual(expected);
  });

  it('blocked without surge says which flag would help', () => {
    const plan = planBatches(full(), { surge: 0 });
    expect(plan.blocked?.reason).toContain(
      'cannot drain any instance without a service running below its minimumHealthyPercent',
    );
    expect(plan.blocked?.suggestions.join(' ')).toContain('--surge 1');
    const none = planBatches(full(), { surge: 0, maxUnavailable: 0 });
    expect(none.blocked?.suggestions.join(' ')).toContain('--max-unavailable');
  });

  it('free space counts instance by instance: two half-slots are not one slot', () => {
    // Each instance has 256 CPU free (it runs 3 × 512 and 1 × 256): a 512 task fits nowhere.
    const plan = planBatches(input(four(0, {}), [web(12), svc('tiny', 4, 256, 256)], {}), { surge: 0 });
    expect(plan.blocked).toBeUndefined(); // empty instances: anything fits
    const packed = input(Object.fromEntries(['a', 'b', 'c', 'd'].map((id) => [id, { tasks: { web: 3, tiny: 1 } }])), [
      web(12),
      svc('tiny', 4, 256, 256),
    ]);
    expect(shape(planBatches(packed, { surge: 0 }))).toEqual({ surge: 0, batches: [], blocked: true });
  });
});

describe('planBatches: minimumHealthyPercent', () => {
  // Full cluster (4 web tasks on each of 4 instances), batches of two.
  it.each<[number, ReturnType<typeof shape>]>([
    [100, { surge: 2, batches: ['a+b', 'c+d -2'], blocked: false }],
    // Half the tasks may stop while they move: two instances can go without any surge.
    [50, { surge: 0, batches: ['a+b', 'c+d'], blocked: false }],
    // 75%: 12 of 16 must keep running, 8 run elsewhere: 4 must move, one surge instance's worth.
    [75, { surge: 1, batches: ['a+b', 'c+d -1'], blocked: false }],
  ])('minimumHealthyPercent %i', (min, expected) => {
    const plan = planBatches(input(four(4), [web(16, { minimumHealthyPercent: min })]), { batch: { count: 2 } });
    expect(shape(plan)).toEqual(expected);
  });

  it('a task that must move finds room even where the tasks that may stop are placed first', () => {
    // b runs 1 "keep" task (100%) and 3 "spare" tasks (0%); a has room for 2 tasks. ECS places
    // spare's tasks as it places keep's: if spare took a's room first, keep's task could never
    // leave b (the drain would wait forever). So b needs one surge instance.
    const services = [
      svc('keep', 1, 512, 1024),
      svc('spare', 3, 512, 1024, { minimumHealthyPercent: 0, maximumPercent: 100 }),
    ];
    const specs = {
      a: { tasks: {} as Record<string, number>, capacity: { cpu: 1024, memory: 2048 }, more: { outdated: false } },
      b: { tasks: { keep: 1, spare: 3 } },
    };
    expect(shape(planBatches(input(specs, services)))).toEqual({ surge: 1, batches: ['b -1'], blocked: false });
  });

  it('only displaced tasks may stop: a 0% service elsewhere keeps its room (ECS never stops it)', () => {
    // a runs 4 "keep" tasks (100%); b, c run 4 "batch" tasks (0%) each: b and c can go at no risk,
    // but ECS puts their batch tasks back onto the replacements, so a's keep tasks still find no
    // room without a surge instance.
    const services = [svc('keep', 4, 512, 1024), svc('batch', 8, 512, 1024, { minimumHealthyPercent: 0 })];
    const specs = { a: { tasks: { keep: 4 } }, b: { tasks: { batch: 4 } }, c: { tasks: { batch: 4 } } };
    expect(shape(planBatches(input(specs, services), { surge: 0 }))).toEqual({
      surge: 0,
      batches: ['b', 'c'],
      blocked: true,
    });
    expect(shape(planBatches(input(specs, services)))).toEqual({
      surge: 1,
      batches: ['b', 'c', 'a -1'],
      blocked: false,
    });
  });

  it('the minimum is rounded up, as ECS does', () => {
    expect(minimumTasks(3, 50)).toBe(2);
    expect(minimumTasks(4, 50)).toBe(2);
    expect(minimumTasks(1, 1)).toBe(1);
    expect(minimumTasks(10, 0)).toBe(0);
    expect(minimumTasks(3, 100)).toBe(3);
  });

  it('a service that may run below its desired count is named in a warning', () => {
    const plan = planBatches(input(four(4), [web(16, { minimumHealthyPercent: 50 })]), { batch: { count: 2 } });
    expect(plan.warnings.join(' ')).toContain('web (50%)');
  });

  it.each<[string, number, number, number, boolean]>([
    ['100% / 100%', 4, 100, 100, true],
    // ECS rounds: 1 task, 50% → 1 must run; 150% of 1 → 1 at most.
    ['one task at 50% / 150%', 1, 50, 150, true],
    ['one task at 100% / 200% (the usual)', 1, 100, 200, false],
    ['three tasks at 100% / 134% (4 allowed)', 3, 100, 134, false],
    ['three tasks at 66% / 100% (2 must run)', 3, 66, 100, false],
  ])(
    'a service whose rounded counts allow neither one task more nor one less cannot move a task: %s',
    (_name, desired, min, max, blocked) => {
      const plan = planBatches(
        input({ a: { tasks: { ledger: desired } }, b: {} }, [
          svc('ledger', desired, 256, 512, { minimumHealthyPercent: min, maximumPercent: max }),
        ]),
      );
      expect(plan.blocked !== undefined).toBe(blocked);
      if (blocked) {
        expect(plan.blocked?.reason).toContain(
          `ECS cannot move the tasks of ledger off a draining instance: with ${desired} desired task`,
        );
        expect(plan.blocked?.suggestions[0]).toContain('services/ledger.yaml');
      }
    },
  );

  it('such a service blocks nothing while none of its tasks is on an out-of-date instance', () => {
    const plan = planBatches(
      input({ a: { tasks: { web: 1 } }, b: { tasks: { ledger: 2 }, more: { outdated: false } } }, [
        web(1),
        svc('ledger', 2, 256, 512, { maximumPercent: 100 }),
      ]),
    );
    expect(plan.blocked).toBeUndefined();
  });
});

describe('planBatches: the shape of the cluster', () => {
  it.each<[string, PlanInput, PlanOptions, ReturnType<typeof shape>]>([
    [
      'a single instance with tasks: surge one, give it back',
      input({ only: { tasks: { web: 2 } } }, [web(2)]),
      {},
      { surge: 1, batches: ['only -1'], blocked: false },
    ],
    [
      'a single instance whose service allows 0% healthy: replaced in place, no surge',
      input({ only: { tasks: { web: 2 } } }, [web(2, { minimumHealthyPercent: 0 })]),
      {},
      { surge: 0, batches: ['only'], blocked: false },
    ],
    [
      'a single instance, one task at 50%: ceil(0.5) = 1 must keep running, so surge',
      input({ only: { tasks: { web: 1 } } }, [web(1, { minimumHealthyPercent: 50 })]),
      {},
      { surge: 1, batches: ['only -1'], blocked: false },
    ],
    [
      // The smalls' tasks fit into the larges' free space; the larges then move onto the (large)
      // replacements.
      'mixed types: small instances first, then the large ones onto their replacements',
      input(
        {
          L1: { capacity: LARGE, tasks: { web: 4 } },
          L2: { capacity: LARGE, tasks: { web: 4 } },
          S1: { capacity: SMALL, tasks: { web: 2 } },
          S2: { capacity: SMALL, tasks: { web: 2 } },
        },
        [web(12)],
        {
          newInstanceCapacity: LARGE,
        },
      ),
      { batch: { count: 2 } },
      { surge: 0, batches: ['S1+S2', 'L1+L2'], blocked: false },
    ],
    [
      // Two tasks of 3072 CPU, one on each large; the smalls are empty. The 1024 free on each
      // instance adds up to more than 3072, but no single instance holds one: the smalls go first,
      // and their large replacements take the larges' tasks.
      'a task cannot straddle two instances',
      input(
        {
          L1: { capacity: LARGE, tasks: { big: 1 } },
          L2: { capacity: LARGE, tasks: { big: 1 } },
          S1: { capacity: SMALL },
          S2: { capacity: SMALL },
        },
        [svc('big', 2, 3072, 1024)],
        {
          newInstanceCapacity: LARGE,
        },
      ),
      {},
      { surge: 0, batches: ['S1', 'S2', 'L1', 'L2'], blocked: false },
    ],
    [
      'a task cannot straddle two instances: with small replacements, a large one cannot go',
      input(
        {
          L1: { capacity: LARGE, tasks: { big: 1 } },
          L2: { capacity: LARGE, tasks: { big: 1 } },
          S1: { capacity: SMALL },
        },
        [svc('big', 2, 3072, 1024)],
        { newInstanceCapacity: SMALL },
      ),
      {},
      { surge: 0, batches: ['S1'], blocked: true },
    ],
    [
      // Every instance runs the agent (512): a new instance has 1536 free, not 2048. d (one web task)
      // and then a (two) can go together only with one surge instance (3 slots).
      'daemon tasks stay with their instance, and take their share of every new one',
      input(
        {
          a: { tasks: { agent: 1, web: 2 } },
          b: { tasks: { agent: 1, web: 2 } },
          c: { tasks: { agent: 1, web: 2 } },
          d: { tasks: { agent: 1, web: 1 } },
        },
        [
          svc('web', 7, 512, 512),
          svc('agent', 4, 512, 512, { daemon: true, minimumHealthyPercent: 0, maximumPercent: 100 }),
        ],
      ),
      { batch: { count: 2 } },
      { surge: 1, batches: ['d+a', 'b+c -1'], blocked: false },
    ],
    [
      'up-to-date instances and instances outside the group are capacity, never in a batch',
      input(
        {
          old: { tasks: { web: 2 } },
          new: { tasks: { web: 2 }, more: { outdated: false } },
          other: { tasks: { web: 4 }, more: { outdated: false, inGroup: false } },
        },
        [web(8)],
      ),
      { batch: { count: 3 } },
      { surge: 0, batches: ['old'], blocked: false },
    ],
    [
      // Its replacement then brings the room the full instances a and b need: no surge.
      'an instance not in the cluster holds no task: taken first, whatever the capacity',
      input(
        {
          a: { tasks: { web: 4 } },
          b: { tasks: { web: 4 } },
          ghost: { capacity: { cpu: 0, memory: 0 }, more: { status: 'UNREGISTERED' } },
        },
        [web(8)],
      ),
      {},
      { surge: 0, batches: ['ghost', 'a', 'b'], blocked: false },
    ],
    [
      'launching instances are room on the way',
      input(four(4), [web(16)], { launching: 1 }),
      {},
      { surge: 0, batches: ['a', 'b', 'c', 'd'], blocked: false },
    ],
    [
      'nothing out of date: no batch',
      input(four(2, { outdated: false }), [web(8)]),
      {},
      { surge: 0, batches: [], blocked: false },
    ],
  ])('%s', (_name, planInput, options, expected) => {
    expect(shape(planBatches(planInput, options))).toEqual(expected);
  });

  it('a task of no service is named in a warning: ECS does not move it', () => {
    const plan = planBatches(
      input({ a: { tasks: { 'web': 1, 'family:nightly': 1 } }, b: { tasks: { web: 1 } } }, [web(2)]),
    );
    expect(plan.warnings.join(' ')).toContain('a runs 1 × family:nightly, not part of a service');
  });

  it('capacity: every desired task (daemons once per ACTIVE instance) against what ACTIVE instances registered', () => {
    const plan = planBatches(
      input(four(1), [
        svc('web', 7, 512, 256, { minimumHealthyPercent: 50 }),
        svc('agent', 4, 128, 64, { daemon: true }),
      ]),
    );
    expect(plan.capacity).toEqual({
      needed: { cpu: 7 * 512 + 4 * 128, memory: 7 * 256 + 4 * 64 },
      minimum: { cpu: 4 * 512 + 4 * 128, memory: 4 * 256 + 4 * 64 },
      registered: { cpu: 4 * 2048, memory: 4 * 4096 },
    });
  });
});

describe('planBatches: resuming from what AWS reports', () => {
  it('an out-of-date instance left DRAINING is the first batch, with the surge its tasks need', () => {
    const specs = { ...four(4), c: { tasks: { web: 4 }, more: { status: 'DRAINING' as const } } };
    expect(shape(planBatches(input(specs, [web(16)])))).toEqual({
      surge: 1,
      batches: ['c', 'a', 'b', 'd -1'],
      blocked: false,
    });
    // No surge allowed: it is still the first batch (its drain waits for room, within the timeout).
    expect(planBatches(input(specs, [web(16)]), { surge: 0 }).batches[0]).toEqual({ instances: ['c'], decrement: 0 });
  });

  it('surge already in place (desired above the original) is used, not added again', () => {
    const specs = { ...four(4), s1: { more: { outdated: false } } };
    const plan = planBatches(input(specs, [web(16)], { desired: 5, originalDesired: 4 }));
    expect(shape(plan)).toEqual({ surge: 1, batches: ['a', 'b', 'c', 'd -1'], blocked: false });
  });

  it('extra instances left when nothing is out of date any more are given back, emptiest first, never outside the group', () => {
    const specs = {
      n1: { tasks: { web: 4 }, more: { outdated: false } },
      n2: { tasks: { web: 1 }, more: { outdated: false } },
      n3: { tasks: { web: 3 }, more: { outdated: false } },
      x: { more: { outdated: false, inGroup: false } },
    };
    const plan = planBatches(input(specs, [web(8)], { desired: 3, originalDesired: 2 }));
    expect(shape(plan)).toEqual({ surge: 1, batches: ['n2 -1'], blocked: false });
  });

  it('`limit` plans only the next batch (what the loop asks for before each one)', () => {
    expect(planBatches(input(four(4), [web(16)]), {}, 1).batches).toHaveLength(1);
  });
});

describe('packing and sizes', () => {
  it.each<[string, Resources[], Array<{ name: string; cpu: number; memory: number; count: number }>, boolean]>([
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
