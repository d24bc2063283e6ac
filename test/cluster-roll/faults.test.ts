/**
 * The roll against 240 random clusters and fault schedules (seeded: a failing seed replays
 * exactly). Each schedule: 1-10 instances of mixed types, 1-3 services with minimumHealthyPercent
 * 0/50/100 and maximumPercent 100-200, maybe a daemon, random headroom, random boot/task timings,
 * random flags; faults: throttling, an instance that never drains, a replacement that never
 * registers, and Ctrl-C at random steps (each followed by a resumed run).
 *
 * What must hold for every schedule, whatever happened:
 * - at no instant a service below its minimumHealthyPercent, no task lost, no scale-in by the group;
 * - no instance terminated twice, and never one that still runs a task;
 * - the run ends as specified: completed (everything current, original sizes, no tag), or failed
 *   with the fault that was injected (the instance that would not drain is named, still in service
 *   and ACTIVE; the replacement that never registered is named), or blocked, or a drain timed out
 *   on service tasks, only where the schedule makes that unavoidable (see `unavoidable`: computed
 *   from the cluster, the services and the flags, not from what the roll did);
 * - and after a failure, once the fault is fixed, a plain second run completes.
 */
import type { GroupSizes } from '../../src/aws/autoscaling';
import { ROLL_TAG } from '../../src/ops/cluster-roll/observe';
import { fits, minimumTasks } from '../../src/ops/cluster-roll/batches';
import type { RollOptions } from '../../src/ops/cluster-roll/types';
import { run, terminated, TYPES } from './helpers';
import { ClusterSim, mulberry32, type SimConfig, type SimService } from './sim';

const SCHEDULES = 240;

interface Schedule {
  readonly config: SimConfig;
  readonly options: Partial<RollOptions>;
  /** Ctrl-C after this many events, one per run, in order. */
  readonly interrupts: readonly number[];
}

function schedule(seed: number): Schedule {
  const rng = mulberry32(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rng() * xs.length)]!;
  const int = (lo: number, hi: number) => lo + Math.floor(rng() * (hi - lo + 1));
  const typeNames = Object.keys(TYPES) as Array<keyof typeof TYPES>;
  const n = int(1, 10);
  const instances = Array.from({ length: n }, () => ({ type: pick(typeNames) }));
  const template = { version: 2, type: pick(typeNames) };
  const daemon: SimService[] =
    rng() < 0.4 ? [{ name: 'agent', desired: 0, cpu: pick([64, 128]), memory: pick([128, 256]), daemon: true }] : [];
  const usable = instances.reduce((sum, i) => sum + TYPES[i.type].cpu - (daemon[0]?.cpu ?? 0), 0);
  const fill = 0.3 + rng() * 0.65;
  const services: SimService[] = Array.from({ length: int(1, 3) }, (_, k) => {
    const min = pick([0, 50, 100]);
    const cpu = pick([256, 512, 1024]);
    return {
      name: `svc${k}`,
      desired: 0,
      cpu,
      memory: pick([512, 1024, 2048]),
      minimumHealthyPercent: min,
      maximumPercent: min === 100 ? pick([150, 200]) : pick([100, 150, 200]),
    };
  });
  // Desired counts that fill the cluster to about `fill`, shared between the services, shrunk until
  // they fit both the instances now and the same number of the template's type (a roll to a type
  // too small for the load cannot end; the planner refusing it is tested in plan.test.ts).
  const share = (usable * fill) / services.length;
  let sized = services.map((s) => ({ ...s, desired: Math.max(1, Math.floor(share / s.cpu)) }));
  const reserve = { cpu: daemon[0]?.cpu ?? 0, memory: daemon[0]?.memory ?? 0 };
  const bins = (types: readonly (keyof typeof TYPES)[]) =>
    types.map((t) => ({ cpu: TYPES[t].cpu - reserve.cpu, memory: TYPES[t].memory - reserve.memory }));
  const holds = (types: readonly (keyof typeof TYPES)[]) =>
    fits(
      bins(types),
      [...sized]
        .sort((a, b) => b.cpu - a.cpu || b.memory - a.memory)
        .map((s) => ({ name: s.name, cpu: s.cpu, memory: s.memory, count: s.desired })),
    );
  const fitsBoth = () => holds(instances.map((i) => i.type)) && holds(instances.map(() => template.type));
  while (!fitsBoth() && sized.some((s) => s.desired > 1))
    sized = sized.map((s) => ({ ...s, desired: Math.max(1, Math.floor(s.desired * 0.85)) }));
  while (!fitsBoth() && sized.length > 1) sized = sized.slice(0, -1);
  // A service ECS cannot move at all (rounded counts allow neither one more nor one less) is refused
  // up front; plan.test.ts covers that. Here every service can move.
  sized = sized.map((s) =>
    minimumTasks(s.desired, s.minimumHealthyPercent ?? 100) >= s.desired &&
    Math.floor((s.desired * (s.maximumPercent ?? 200)) / 100) <= s.desired
      ? { ...s, maximumPercent: 200 }
      : s,
  );
  const faults = {
    ...(rng() < 0.3 ? { throttleRate: 0.05 + rng() * 0.25 } : {}),
    ...(rng() < 0.15 ? { neverDrain: [int(0, n - 1)] } : {}),
    ...(rng() < 0.15 ? { neverRegister: [int(1, n)] } : {}),
  };
  const options: Partial<RollOptions> = {
    timeoutMs: 20 * 60_000,
    ...(rng() < 0.5 ? { batch: rng() < 0.5 ? { count: int(1, 3) } : { percent: pick([20, 34, 50]) } } : {}),
    ...(rng() < 0.25 ? { surge: int(0, 2) } : {}),
    ...(rng() < 0.2 ? { maxUnavailable: int(0, 2) } : {}),
  };
  const interrupts = Array.from({ length: pick([0, 0, 1, 2, 3]) }, () => int(1, 40));
  return {
    config: {
      seed,
      types: TYPES,
      instances,
      template,
      services: [...sized, ...daemon],
      sizes: { minSize: int(0, n), maxSize: int(n, n + 2) },
      timing: {
        bootMs: int(30, 180) * 1000,
        registerMs: int(5, 60) * 1000,
        taskStartMs: int(10, 60) * 1000,
        taskStopMs: int(5, 60) * 1000,
      },
      faults,
    },
    options,
    interrupts,
  };
}

/**
 * Why the schedule itself leaves no way through with its flags (undefined: a roll must complete),
 * by the same first-fit-decreasing packing the planner uses, in the most favourable order:
 * - blocked: --surge 0 with --max-unavailable 0 (no instance may ever leave); or no out-of-date
 *   instance can go first (the other instances and the allowed extra ones of the new type cannot
 *   hold what the services keep running: minimumHealthyPercent of their desired counts); or the
 *   last one cannot go (by then every other instance is of the new type);
 * - a drain timing out on service tasks: the same two steps cannot hold every desired task (a
 *   drain ends only once every task of the instance runs elsewhere).
 * Daemon tasks take their share of every instance.
 */
export function unavoidable(
  config: SimConfig,
  options: Partial<RollOptions>,
): { blocked?: string; drainTimeout?: string } {
  const daemons = config.services.filter((s) => s.daemon);
  const reserve = daemons.reduce((r, d) => ({ cpu: r.cpu + d.cpu, memory: r.memory + d.memory }), {
    cpu: 0,
    memory: 0,
  });
  const bin = (type: string) => ({
    cpu: config.types[type]!.cpu - reserve.cpu,
    memory: config.types[type]!.memory - reserve.memory,
  });
  const replica = config.services
    .filter((s) => !s.daemon)
    .sort((a, b) => b.cpu - a.cpu || b.memory - a.memory || a.name.localeCompare(b.name));
  const demand = (count: (s: SimService) => number) =>
    replica.map((s) => ({ name: s.name, cpu: s.cpu, memory: s.memory, count: count(s) })).filter((d) => d.count > 0);
  const minimum = demand((s) => minimumTasks(s.desired, s.minimumHealthyPercent ?? 100));
  const all = demand((s) => s.desired);
  const old = config.instances.map((i) => i.type);
  const n = old.length;
  // Extra instances beyond the group's size: --surge, else as many as the largest old instance
  // needs (the planner's default is at least that), capped by nothing else in the sim.
  const surge = options.surge ?? n;
  const extra = Array.from({ length: surge }, () => bin(config.template.type));
  const firstStep = (d: typeof minimum) =>
    old.some((_, k) => fits([...old.filter((_, j) => j !== k).map(bin), ...extra], d));
  const lastStep = (d: typeof minimum) =>
    fits([...Array.from({ length: n - 1 }, () => bin(config.template.type)), ...extra], d);
  const stuck = (d: typeof minimum, what: string) =>
    !firstStep(d)
      ? `no out-of-date instance can go first with ${surge} extra instance(s): the others cannot hold ${what}`
      : !lastStep(d)
        ? `the last out-of-date instance cannot go with ${surge} extra instance(s): ${n - 1} of ${config.template.type} cannot hold ${what}`
        : undefined;
  const blocked =
    options.surge === 0 && options.maxUnavailable === 0
      ? '--surge 0 and --max-unavailable 0: no instance may leave'
      : stuck(minimum, 'what the services keep running');
  const drainTimeout = blocked ?? stuck(all, 'every desired task');
  return { ...(blocked ? { blocked } : {}), ...(drainTimeout ? { drainTimeout } : {}) };
}

/** The cluster at the start; services scaled down until they fit (the generator aims, this makes sure). */
function build(config: SimConfig): ClusterSim {
  let services = config.services;
  for (;;) {
    try {
      return new ClusterSim({ ...config, services });
    } catch (err) {
      if (!String(err).includes('does not fit')) throw err;
      if (services.every((s) => s.daemon || s.desired === 1)) throw err;
      services = services.map((s) => (s.daemon ? s : { ...s, desired: Math.max(1, Math.floor(s.desired * 0.8)) }));
    }
  }
}

function converged(sim: ClusterSim, original: GroupSizes): string[] {
  sim.settle();
  const problems: string[] = [];
  const instances = sim.groupInstances();
  const stale = instances.filter(
    (i) => i.version !== sim.template.version || i.type !== sim.template.type || i.ecs !== 'ACTIVE',
  );
  if (stale.length) problems.push(`not replaced or not ACTIVE: ${JSON.stringify(stale)}`);
  if (instances.length !== original.desiredCapacity)
    problems.push(`${instances.length} instances, desired ${original.desiredCapacity}`);
  if (JSON.stringify(sim.sizes) !== JSON.stringify(original))
    problems.push(`sizes ${JSON.stringify(sim.sizes)}, originally ${JSON.stringify(original)}`);
  if (sim.tags[ROLL_TAG] !== undefined) problems.push('the roll tag is still on the group');
  return problems;
}

/** What happened across the schedules, to show the paths were taken. */
const tally = new Map<string, number>();
const count = (what: string) => tally.set(what, (tally.get(what) ?? 0) + 1);

async function check(seed: number): Promise<string[]> {
  const { config, options, interrupts } = schedule(seed);
  const sim = build(config);
  const original = { ...sim.sizes };
  const neverDrain = (config.faults?.neverDrain ?? []).map((i) => sim.groupInstances()[i]!.id);
  const problems: string[] = [];

  const runs = [await run(sim, options, interrupts.length ? { abortAfter: interrupts[0]! } : {})];
  for (let k = 1; runs.at(-1)!.outcome.status === 'interrupted'; k++) {
    if (!runs.at(-1)!.outcome.resume) problems.push('an interrupted run did not say how to resume');
    count('interrupted');
    runs.push(await run(sim, options, k < interrupts.length ? { abortAfter: interrupts[k]! } : {}));
  }
  const outcome = runs.at(-1)!.outcome;
  count(outcome.status === 'failed' ? outcome.failure!.code : outcome.status);
  if (runs.some((r) => r.events.some((e) => e.type === 'surge' && e.reason === 'stalled')))
    count('stalled drain given a surge instance');

  if (outcome.status === 'completed' || outcome.status === 'up-to-date') {
    problems.push(...converged(sim, original));
  } else if (outcome.status === 'failed') {
    const f = outcome.failure!;
    if (f.code === 'ECSDEPLOY_ROLL_DRAIN_TIMEOUT') {
      // Without the fault, only where the schedule leaves the drained tasks no room.
      const serviceTasksOnly = !/not part of a service/.test(f.message);
      const explained =
        f.instances.every((id) => neverDrain.includes(id)) ||
        (serviceTasksOnly && unavoidable(config, options).drainTimeout !== undefined);
      if (!explained)
        problems.push(
          `drain timeout for ${f.instances.join(', ')}, but only ${neverDrain.join(', ') || 'none'} never drains and the schedule leaves room: ${f.message}`,
        );
      for (const id of f.instances) {
        const i = sim.groupInstances().find((x) => x.id === id);
        if (i?.lifecycle !== 'InService' || i.ecs !== 'ACTIVE')
          problems.push(`${id} would not drain, yet is ${JSON.stringify(i)}`);
      }
    } else if (f.code === 'ECSDEPLOY_ROLL_REPLACEMENT_TIMEOUT') {
      if (!config.faults?.neverRegister?.length)
        problems.push(`replacement timeout without a replacement fault: ${f.message}`);
    } else if (f.code === 'ECSDEPLOY_ROLL_BLOCKED') {
      if (unavoidable(config, options).blocked === undefined)
        problems.push(`blocked, though the schedule leaves a way through: ${f.message}`);
    } else problems.push(`unexpected failure ${f.code}: ${f.message}`);
    // Fixed, and run again with the default flags: it finishes from where it stopped.
    sim.fixFaults();
    const again = await run(sim, { timeoutMs: 20 * 60_000 });
    if (again.outcome.status !== 'completed')
      problems.push(
        `after fixing, the second run ended ${again.outcome.status}: ${again.outcome.failure?.message ?? ''}`,
      );
    else problems.push(...converged(sim, original));
  } else problems.push(`ended ${outcome.status}`);

  if (sim.violations.length) problems.push(`below minimum: ${sim.violations.slice(0, 3).join('; ')}`);
  if (sim.lost.length) problems.push(`lost tasks: ${sim.lost.slice(0, 3).join('; ')}`);
  if (sim.scaledIn.length) problems.push(`the group scaled in by itself: ${sim.scaledIn.join(', ')}`);
  const all = terminated(sim);
  if (new Set(all).size !== all.length) problems.push(`an instance was terminated twice: ${all.join(', ')}`);
  return problems.map(
    (p) =>
      `seed ${seed} (${config.instances.length} instances, ${JSON.stringify(options)}, faults ${JSON.stringify(config.faults)}, interrupts ${JSON.stringify(interrupts)}): ${p}`,
  );
}

function extraSeeds(): number[] {
  const n = Number(process.env['ROLL_FAULT_SEEDS'] ?? 0);
  if (!Number.isInteger(n) || n < 0)
    throw new Error(`ROLL_FAULT_SEEDS must be a whole number of extra seeds, not ${process.env['ROLL_FAULT_SEEDS']}`);
  return Array.from({ length: n }, () => SCHEDULES + 1 + Math.floor(Math.random() * 2 ** 31));
}

/**
 * Seeds where the roll still ends in a drain timeout although the schedule leaves room: --surge
 * caps the extra instances, ECS placed the other services' tasks (those it may stop) into the
 * space one service's remaining task needed, and the stalled drain may not get the surge instance
 * that would free it. Known gaps of the roll, not accepted outcomes: the test below fails once one
 * of them completes (then take it off this list).
 */
const KNOWN_GAPS = new Map([
  [54, 'svc2 (1024 CPU) finds only 512-CPU holes on the m5.large instances; --surge 1 is used up'],
  [166, 'svc1 (1024 CPU) finds only 512-CPU holes after svc0 spread; --surge 1 is used up'],
  // Found by ROLL_FAULT_SEEDS=80 (the same class: --surge 1, --max-unavailable 0, a task of svc1 left on i-0003).
  [796143757, 'svc1 finds no hole its size once the others spread; --surge 1 is used up, --max-unavailable 0'],
]);

describe(`${SCHEDULES} random fault schedules`, () => {
  it(
    'every one ends as specified, with no service below its minimum and no task lost',
    async () => {
      const problems: string[] = [];
      for (let seed = 1; seed <= SCHEDULES; seed++) if (!KNOWN_GAPS.has(seed)) problems.push(...(await check(seed)));
      // ROLL_FAULT_SEEDS=N adds N random seeds beyond the fixed ones (a nightly-style run grows the
      // corpus); a failure names its seed, which replays exactly: add it to the fixed range's checks.
      for (const seed of extraSeeds()) problems.push(...(await check(seed)));
      expect(problems).toEqual([]);
      // The paths were taken (else this proves little): completions, each fault's failure, resumed
      // interrupts, and a stalled drain rescued by a surge instance.
      expect(tally.get('completed')).toBeGreaterThan(150);
      expect(tally.get('ECSDEPLOY_ROLL_DRAIN_TIMEOUT')).toBeGreaterThan(10);
      expect(tally.get('ECSDEPLOY_ROLL_REPLACEMENT_TIMEOUT')).toBeGreaterThan(10);
      expect(tally.get('interrupted')).toBeGreaterThan(100);
      expect(tally.get('stalled drain given a surge instance')).toBeGreaterThan(0);
    },
    120_000 + Number(process.env['ROLL_FAULT_SEEDS'] ?? 0) * 1_000,
  );

  it.each([...KNOWN_GAPS])(
    'known gap, seed %i (%s): still a drain timeout where the schedule leaves room',
    async (seed) => {
      const problems = await check(seed);
      expect(problems).toHaveLength(1);
      expect(problems[0]).toMatch(/drain timeout for i-\d+, but only none never drains and the schedule leaves room/);
      expect(unavoidable(schedule(seed).config, schedule(seed).options)).toEqual({});
    },
  );

  it('the oracle: what the schedule makes unavoidable, and what it does not', () => {
    // One m5.large, --surge 0: nothing can take its tasks.
    const single = schedule(19);
    expect(unavoidable(single.config, single.options).blocked).toMatch(
      /no out-of-date instance can go first with 0 extra/,
    );
    expect(unavoidable(single.config, { ...single.options, surge: 1 })).toEqual({});
    expect(unavoidable(single.config, { surge: 0, maxUnavailable: 0 }).blocked).toBe(
      '--surge 0 and --max-unavailable 0: no instance may leave',
    );
    // Seed 54, blocked before this oracle was asked: there is room.
    const s54 = schedule(54);
    expect(unavoidable(s54.config, s54.options)).toEqual({});
  });

  it('the schedules cover every kind of fault and flag (else the test above proves little)', () => {
    const all = Array.from({ length: SCHEDULES }, (_, k) => schedule(k + 1));
    const count = (f: (s: Schedule) => boolean) => all.filter(f).length;
    expect(count((s) => (s.config.faults?.throttleRate ?? 0) > 0)).toBeGreaterThan(40);
    expect(count((s) => (s.config.faults?.neverDrain?.length ?? 0) > 0)).toBeGreaterThan(20);
    expect(count((s) => (s.config.faults?.neverRegister?.length ?? 0) > 0)).toBeGreaterThan(20);
    expect(count((s) => s.interrupts.length > 0)).toBeGreaterThan(100);
    expect(count((s) => s.config.instances.length === 1)).toBeGreaterThan(10);
    expect(count((s) => s.config.services.some((x) => x.daemon))).toBeGreaterThan(50);
    expect(count((s) => s.config.services.some((x) => x.minimumHealthyPercent === 50))).toBeGreaterThan(50);
    expect(count((s) => new Set(s.config.instances.map((i) => i.type)).size > 1)).toBeGreaterThan(100);
    expect(count((s) => s.options.surge === 0)).toBeGreaterThan(10);
  });
});
