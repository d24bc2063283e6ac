/**
 * Roll planning, a pure function: which out-of-date instances to replace in which batch, and how
 * many temporary extra instances (surge) that needs, so that no service ever has to run fewer
 * tasks than its minimumHealthyPercent allows.
 *
 * It works from where the tasks run now. Draining a batch displaces the tasks on it; ECS stops a
 * displaced task without a replacement only while its service keeps ceil(desired ×
 * minimumHealthyPercent / 100) tasks running, and never touches tasks on other instances. So a
 * batch is safe when, for every service, the displaced tasks that must keep running elsewhere fit
 * into the free CPU and memory of the instances left ACTIVE, instance by instance (a task cannot
 * straddle two; first-fit decreasing), even after the other services' displaced tasks took the room
 * they could. Daemon tasks are not displaced: they leave with their instance and every new instance
 * starts one.
 *
 * Later batches are planned on a model of what follows: ECS places the displaced tasks into free
 * space (those that do not fit wait for the replacements), replacements arrive empty but for their
 * daemons, with the capacity an instance of the group's current type registers. The roll loop plans
 * again from what AWS reports before every batch and acts only on the first.
 */
import type { Resources } from '../../aws/ecs-cluster';

export interface PlanInstance {
  readonly id: string;
  /** In the Auto Scaling group (false: other capacity of the cluster, used but never touched). */
  readonly inGroup: boolean;
  readonly instanceType?: string;
  readonly outdated: boolean;
  /**
   * ACTIVE: takes tasks. DRAINING: being emptied (an out-of-date one is a batch in progress, from an
   * interrupted run). UNREGISTERED: in service but not in the cluster (holds no tasks).
   */
  readonly status: 'ACTIVE' | 'DRAINING' | 'UNREGISTERED';
  /** Registered capacity (0 when unregistered). */
  readonly capacity: Resources;
  /** Not reserved by any task now (ECS remainingResources). */
  readonly free: Resources;
  /** Tasks on it now, by service name; a task of no service is counted under its group (`family:...`). */
  readonly tasks: Readonly<Record<string, number>>;
}

export interface PlanService {
  readonly name: string;
  readonly desired: number;
  /** What one task reserves. */
  readonly cpu: number;
  readonly memory: number;
  readonly minimumHealthyPercent: number;
  readonly maximumPercent: number;
  readonly daemon: boolean;
}

export interface PlanInput {
  /** Instances in service: the group's, and other instances of the cluster (never out of date). */
  readonly instances: readonly PlanInstance[];
  /** Services whose tasks run on the cluster's EC2 instances. */
  readonly services: readonly PlanService[];
  /** The group's desired capacity now. */
  readonly desired: number;
  /** Its desired capacity before the roll (differs while a surge is in place). */
  readonly originalDesired: number;
  /** What a newly launched instance is expected to register. */
  readonly newInstanceCapacity: Resources;
  /** Up-to-date instances of the group on their way (launching, or not registered yet): capacity soon. @default 0 */
  readonly launching?: number;
}

export type BatchSize = { readonly count: number } | { readonly percent: number };

export interface PlanOptions {
  /** Most instances drained at once. @default 20% of the group's desired capacity, at least 1 */
  readonly batch?: BatchSize;
  /** Most extra instances added for the roll. @default the batch size, or as many new instances as the largest old one holds */
  readonly surge?: number;
  /** Most instances below the original desired capacity at once. @default no limit but capacity */
  readonly maxUnavailable?: number;
}

export const DEFAULT_BATCH: BatchSize = { percent: 20 };

export interface PlannedBatch {
  readonly instances: readonly string[];
  /** How many of them (the last ones) are terminated with the desired capacity decremented: surge given back instead of replaced. */
  readonly decrement: number;
}

export interface CapacitySummary {
  /** Every desired task (daemons on every ACTIVE instance). */
  readonly needed: Resources;
  /** What must keep running while tasks move (minimumHealthyPercent). */
  readonly minimum: Resources;
  /** Registered by ACTIVE instances. */
  readonly registered: Resources;
}

export interface RollPlan {
  readonly outdated: number;
  /** Target batch size (instances). */
  readonly batchSize: number;
  /** Extra instances above the original desired capacity the plan uses (at its peak). */
  readonly surge: number;
  /** The most extra instances allowed (--surge, or its default). */
  readonly surgeLimit: number;
  readonly batches: readonly PlannedBatch[];
  readonly capacity: CapacitySummary;
  /**
   * Why no (further) batch can be made, and what to do. With batches before it, this is an
   * estimate (the instances they bring are not there yet): the roll goes on and plans again.
   */
  readonly blocked?: { readonly reason: string; readonly suggestions: readonly string[] };
  readonly warnings: readonly string[];
}

interface Demand {
  readonly name: string;
  readonly cpu: number;
  readonly memory: number;
  readonly count: number;
}

const add = (a: Resources, b: Resources): Resources => ({ cpu: a.cpu + b.cpu, memory: a.memory + b.memory });
const times = (r: Resources, n: number): Resources => ({ cpu: r.cpu * n, memory: r.memory * n });
const ZERO: Resources = { cpu: 0, memory: 0 };

/** ceil(desired × percent / 100), as ECS rounds the minimum. */
export function minimumTasks(desired: number, minimumHealthyPercent: number): number {
  return Math.max(0, Math.ceil((desired * minimumHealthyPercent) / 100 - 1e-9));
}

export function batchTarget(batch: BatchSize, groupSize: number): number {
  if ('count' in batch) return Math.max(1, batch.count);
  return Math.max(1, Math.floor((groupSize * batch.percent) / 100));
}

/** How many tasks of `d` fit into `c`. */
function howMany(c: Resources, d: Resources): number {
  const byCpu = d.cpu > 0 ? Math.floor(c.cpu / d.cpu) : Number.POSITIVE_INFINITY;
  const byMemory = d.memory > 0 ? Math.floor(c.memory / d.memory) : Number.POSITIVE_INFINITY;
  return Math.max(0, Math.min(byCpu, byMemory));
}

/**
 * First-fit decreasing into `free` (mutated: what is placed is taken). Returns, per demand, how
 * many did not fit.
 */
function pack(
  free: Resources[],
  demands: readonly Demand[],
  onPlace?: (bin: number, name: string, n: number) => void,
): number[] {
  const order = free.map((_, i) => i).sort((a, b) => free[b]!.cpu - free[a]!.cpu || free[b]!.memory - free[a]!.memory);
  return demands.map((d) => {
    let left = d.count;
    for (const i of order) {
      if (left === 0) break;
      const n = Math.min(left, howMany(free[i]!, d));
      if (n === 0) continue;
      free[i] = { cpu: free[i]!.cpu - n * d.cpu, memory: free[i]!.memory - n * d.memory };
      onPlace?.(i, d.name, n);
      left -= n;
    }
    return left;
  });
}

/** Do the demands fit into these free spaces? */
export function fits(free: readonly Resources[], demands: readonly Demand[]): boolean {
  return pack([...free], demands).every((left) => left === 0);
}

/** What the services need against what the ACTIVE instances registered. */
export function capacitySummary(input: Pick<PlanInput, 'instances' | 'services'>): CapacitySummary {
  const active = input.instances.filter((i) => i.status === 'ACTIVE');
  const daemons = input.services
    .filter((s) => s.daemon)
    .reduce<Resources>((r, s) => add(r, times(s, active.length)), ZERO);
  const replica = input.services.filter((s) => !s.daemon);
  return {
    needed: replica.reduce((r, s) => add(r, times(s, s.desired)), daemons),
    minimum: replica.reduce((r, s) => add(r, times(s, minimumTasks(s.desired, s.minimumHealthyPercent))), daemons),
    registered: active.reduce((r, i) => add(r, i.capacity), ZERO),
  };
}

/** One instance in the planner's model of the cluster. */
interface Bin {
  readonly id: string;
  /** ECS places tasks on it (ACTIVE, or a new instance). */
  readonly placeable: boolean;
  readonly free: Resources;
  readonly tasks: ReadonlyMap<string, number>;
}

/** New instances it takes to hold what the largest of these holds. */
function toAbsorb(instances: readonly PlanInstance[], fresh: Resources): number {
  if (fresh.cpu <= 0 || fresh.memory <= 0) return 1;
  return instances.reduce(
    (n, i) => Math.max(n, Math.ceil(i.capacity.cpu / fresh.cpu), Math.ceil(i.capacity.memory / fresh.memory)),
    1,
  );
}

const taskCount = (i: PlanInstance) => Object.values(i.tasks).reduce((a, b) => a + b, 0);

/** Out-of-date instances in the order they are taken: in progress first, then empty, then fewest tasks. */
function queueOrder(input: PlanInput): PlanInstance[] {
  const rank = (i: PlanInstance) => (i.status === 'DRAINING' ? 0 : i.status === 'UNREGISTERED' ? 1 : 2);
  return input.instances
    .filter((i) => i.outdated)
    .sort((a, b) => rank(a) - rank(b) || taskCount(a) - taskCount(b) || a.id.localeCompare(b.id));
}

/** What every step of planning reads: the input, the services that move, and new instances' shape. */
interface Planner {
  readonly input: PlanInput;
  /** Replica services, largest tasks first (the order they are packed in). */
  readonly replica: readonly PlanService[];
  readonly replicaNames: ReadonlySet<string>;
  /** `n` new instances numbered from `from`, each with its daemons' tasks placed. */
  readonly freshBins: (from: number, n: number) => Bin[];
  /**
   * Where no batch is safe and no more surge is allowed, one instance goes if the tasks that must
   * keep running fit once the others' extra tasks (those ECS may stop) are not counted: ECS still
   * keeps every service at its minimum, the drain may only wait for room (and a stalled drain gets
   * a surge instance where allowed). Refusing would end a roll the capacity allows.
   */
  relaxed: boolean;
}

/** The limits of one plan: batch target, surge allowed, unavailability allowed. */
interface Limits {
  readonly target: number;
  readonly currentSurge: number;
  readonly surgeCap: number;
  readonly maxUnavailable: number;
}

/** Plans the roll. `limit` stops after that many batches (the loop needs only the next one). */
export function planBatches(input: PlanInput, options: PlanOptions = {}, limit = Number.POSITIVE_INFINITY): RollPlan {
  const capacity = capacitySummary(input);
  const queue = queueOrder(input);
  const target = batchTarget(options.batch ?? DEFAULT_BATCH, input.originalDesired);
  const currentSurge = Math.max(0, input.desired - input.originalDesired);
  const limits: Limits = {
    target,
    currentSurge,
    surgeCap: Math.max(currentSurge, options.surge ?? Math.max(target, toAbsorb(queue, input.newInstanceCapacity))),
    maxUnavailable: options.maxUnavailable ?? Number.POSITIVE_INFINITY,
  };
  const base = { outdated: queue.length, batchSize: target, surgeLimit: limits.surgeCap, capacity };
  const planner = plannerOf(input);

  const stuck = stuckServices(planner, queue);
  if (stuck !== undefined) return { ...base, surge: currentSurge, batches: [], warnings: [], blocked: stuck };
  const warnings = foreignTaskWarnings(input, queue);
  const startBins = startingBins(planner);
  const forced = queue.filter((i) => i.status === 'DRAINING');
  const surge = firstSurge(planner, limits, queue, startBins, forced);
  const walked = walkBatches(planner, limits, options, { queue, forced, startBins, surge, limit, capacity });
  warnings.push(...closingWarnings(planner, walked.batches));
  return {
    ...base,
    surge: walked.surge,
    batches: walked.batches,
    warnings,
    ...(walked.blocked ? { blocked: walked.blocked } : {}),
  };
}

function plannerOf(input: PlanInput): Planner {
  const replica = input.services
    .filter((s) => !s.daemon)
    .sort((a, b) => b.cpu - a.cpu || b.memory - a.memory || a.name.localeCompare(b.name));
  const daemons = input.services.filter((s) => s.daemon);
  const daemonReserve = daemons.reduce<Resources>((r, s) => add(r, s), ZERO);
  const fresh = (n: number): Bin => ({
    id: `new-${n}`,
    placeable: true,
    free: {
      cpu: Math.max(0, input.newInstanceCapacity.cpu - daemonReserve.cpu),
      memory: Math.max(0, input.newInstanceCapacity.memory - daemonReserve.memory),
    },
    tasks: new Map(daemons.map((s) => [s.name, 1])),
  });
  return {
    input,
    replica,
    replicaNames: new Set(replica.map((s) => s.name)),
    freshBins: (from, n) => Array.from({ length: Math.max(0, n) }, (_, k) => fresh(from + k)),
    relaxed: false,
  };
}

/**
 * ECS rounds the minimum up and the maximum down: where neither allows one task more or one less,
 * a task of that service never leaves a draining instance. The roll is blocked from the start.
 */
function stuckServices(p: Planner, queue: readonly PlanInstance[]): RollPlan['blocked'] {
  const stuck = p.replica.filter(
    (s) =>
      s.desired > 0 &&
      minimumTasks(s.desired, s.minimumHealthyPercent) >= s.desired &&
      Math.floor((s.desired * s.maximumPercent) / 100) <= s.desired &&
      queue.some((i) => (i.tasks[s.name] ?? 0) > 0),
  );
  if (stuck.length === 0) return undefined;
  const s = stuck[0]!;
  return {
    reason: `ECS cannot move the tasks of ${stuck.map((x) => x.name).join(', ')} off a draining instance: with ${s.desired} desired task${s.desired === 1 ? '' : 's'}, minimumHealthyPercent ${s.minimumHealthyPercent} keeps all of them running and maximumPercent ${s.maximumPercent} allows no extra one`,
    suggestions: [
      `Set deployment.maximumPercent to 200 (or lower minimumHealthyPercent) in services/${s.name}.yaml and deploy it, then roll again.`,
    ],
  };
}

/** Tasks that belong to no service (ECS does not move them): their instances drain only once they end. */
function foreignTaskWarnings(input: PlanInput, queue: readonly PlanInstance[]): string[] {
  const known = new Set(input.services.map((s) => s.name));
  const warnings: string[] = [];
  for (const i of queue) {
    const foreign = Object.entries(i.tasks).filter(([name, n]) => n > 0 && !known.has(name));
    if (foreign.length > 0) {
      warnings.push(
        `${i.id} runs ${foreign.map(([name, n]) => `${n} × ${name}`).join(', ')}, not part of a service: ECS does not move such tasks, so it drains only once they end`,
      );
    }
  }
  return warnings;
}

/** The instances as they are (registered ones), and those the group is launching now. */
function startingBins(p: Planner): Bin[] {
  const { input } = p;
  return [
    ...input.instances
      .filter((i) => i.status !== 'UNREGISTERED')
      .map((i) => ({
        id: i.id,
        placeable: i.status === 'ACTIVE',
        free: i.free,
        tasks: new Map(Object.entries(i.tasks)),
      })),
    ...p.freshBins(-(input.launching ?? 0), input.launching ?? 0),
  ];
}

/**
 * The displaced tasks if `out` goes, per service: those that must keep running elsewhere (never
 * below the minimum, nor below what runs now where that is less), and the others, which ECS
 * places too where there is room.
 */
function displaced(p: Planner, bins: readonly Bin[], out: ReadonlySet<string>): { must: Demand[]; may: Demand[] } {
  const must: Demand[] = [];
  const may: Demand[] = [];
  for (const s of p.replica) {
    let total = 0;
    let moving = 0;
    for (const b of bins) {
      const n = b.tasks.get(s.name) ?? 0;
      total += n;
      if (out.has(b.id)) moving += n;
    }
    if (moving === 0) continue;
    const least = Math.min(minimumTasks(s.desired, s.minimumHealthyPercent), total);
    const count = Math.min(moving, Math.max(0, least - (total - moving)));
    if (count > 0) must.push({ name: s.name, cpu: s.cpu, memory: s.memory, count });
    if (moving > count) may.push({ name: s.name, cpu: s.cpu, memory: s.memory, count: moving - count });
  }
  return { must, may };
}

/**
 * A batch is safe when each service's tasks that must move still fit after every other service
 * placed its displaced tasks first (each service's scheduler works on its own; a task that finds
 * no room makes the drain wait, though no service ever goes below its minimum). ECS may still
 * fragment the free space more than this packing does: the loop adds a surge instance to a drain
 * that stalls.
 */
function safe(p: Planner, bins: readonly Bin[], out: ReadonlySet<string>): boolean {
  const { must, may } = displaced(p, bins, out);
  if (must.length === 0) return true;
  const room = bins.filter((b) => b.placeable && !out.has(b.id)).map((b) => b.free);
  return must.every((m) => {
    const free = [...room];
    pack(
      free,
      [...must, ...(p.relaxed ? [] : may)].filter((d) => d.name !== m.name),
    );
    return fits(free, [m]);
  });
}

/**
 * The next batch: the forced instances, then each candidate in order that can go too. Removing
 * more never helps, so a candidate that did not fit is not tried again within this batch.
 */
function buildBatch(
  p: Planner,
  bins: readonly Bin[],
  candidates: readonly PlanInstance[],
  most: number,
  forced: readonly PlanInstance[],
): PlanInstance[] {
  const batch = [...forced];
  const out = new Set(batch.map((i) => i.id));
  // Instances already draining without the room their tasks need: more surge first.
  if (forced.length > 0 && !safe(p, bins, out)) return [];
  for (const c of candidates) {
    if (batch.length >= most) break;
    if (out.has(c.id)) continue;
    out.add(c.id);
    if (safe(p, bins, out)) batch.push(c);
    else out.delete(c.id);
  }
  return batch;
}

/**
 * What follows a batch: its instances leave; ECS places their tasks (up to each service's
 * desired count) into free space; `replacements` new instances arrive and take what did not fit.
 */
function after(p: Planner, bins: readonly Bin[], out: ReadonlySet<string>, replacements: Bin[]): Bin[] {
  const moving = new Map<string, number>();
  for (const b of bins)
    if (out.has(b.id))
      for (const [name, n] of b.tasks) if (p.replicaNames.has(name)) moving.set(name, (moving.get(name) ?? 0) + n);
  const next = [...bins.filter((b) => !out.has(b.id)), ...replacements].map((b) => ({
    ...b,
    free: { ...b.free },
    tasks: new Map(b.tasks),
  }));
  const placeable = next.filter((b) => b.placeable);
  const demands = p.replica
    .filter((s) => (moving.get(s.name) ?? 0) > 0)
    .map((s) => ({ name: s.name, cpu: s.cpu, memory: s.memory, count: moving.get(s.name)! }));
  const free = placeable.map((b) => b.free);
  pack(free, demands, (i, name, n) => placeable[i]!.tasks.set(name, (placeable[i]!.tasks.get(name) ?? 0) + n));
  placeable.forEach((b, i) => Object.assign(b, { free: free[i]! }));
  return next;
}

/**
 * The first batch is as large as the target allows; find the fewest extra instances that give it
 * that size (or, if none does, the largest size the allowed surge gives). More surge never makes
 * it smaller, so this is a binary search.
 */
function firstSurge(
  p: Planner,
  limits: Limits,
  queue: readonly PlanInstance[],
  startBins: readonly Bin[],
  forced: readonly PlanInstance[],
): number {
  const { currentSurge, surgeCap, maxUnavailable } = limits;
  const goal = Math.min(limits.target, queue.length);
  const firstSize = (s: number) =>
    buildBatch(
      p,
      [...startBins, ...p.freshBins(0, s - currentSurge)],
      queue,
      Math.max(forced.length, Math.min(goal, s + maxUnavailable)),
      forced,
    ).length;
  if (queue.length === 0) return currentSurge;
  const most = firstSize(surgeCap);
  if (most === 0) return currentSurge;
  let lo = currentSurge;
  let hi = surgeCap;
  while (lo < hi) {
    const mid = Math.floor((lo + hi) / 2);
    if (firstSize(mid) >= Math.min(goal, most)) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

/**
 * Walks the batches. Each batch's instances leave and as many new ones join, except the last
 * `surge` terminated, which give the extra instances back (desired capacity decremented). Where a
 * later batch finds no room (replacements smaller than what they replace), surge grows. With no
 * out-of-date instance left but extra instances still there (a resumed run), up-to-date instances
 * of the group are drained and given back instead.
 */
function walkBatches(
  p: Planner,
  limits: Limits,
  options: PlanOptions,
  start: {
    readonly queue: readonly PlanInstance[];
    readonly forced: readonly PlanInstance[];
    readonly startBins: readonly Bin[];
    readonly surge: number;
    readonly limit: number;
    readonly capacity: CapacitySummary;
  },
): { surge: number; batches: PlannedBatch[]; blocked: RollPlan['blocked'] } {
  const { input } = p;
  const { target, surgeCap, maxUnavailable, currentSurge } = limits;
  const { forced, limit } = start;
  let surge = start.surge;
  let bins: Bin[] = [...start.startBins, ...p.freshBins(0, surge - currentSurge)];
  let launched = surge - currentSurge;
  let remaining = start.queue;
  let surgeLeft = surge;
  const batches: PlannedBatch[] = [];
  let blocked: RollPlan['blocked'];
  while (batches.length < limit && (remaining.length > 0 || surgeLeft > 0)) {
    const first = batches.length === 0;
    const next = (pool: readonly Bin[], extra: number): { batch: PlanInstance[]; decrement: number } => {
      const left = surgeLeft + extra;
      if (remaining.length > 0) {
        const most = Math.max(first ? forced.length : 0, Math.min(target, remaining.length, left + maxUnavailable));
        const batch = buildBatch(p, pool, remaining, most, first ? forced : []);
        return { batch, decrement: Math.max(0, Math.min(batch.length, left - (remaining.length - batch.length))) };
      }
      const spare = input.instances
        .filter((i) => i.inGroup && !i.outdated && i.status === 'ACTIVE' && pool.some((b) => b.id === i.id))
        .sort((a, b) => taskCount(a) - taskCount(b) || a.id.localeCompare(b.id));
      const batch = buildBatch(p, pool, spare, Math.min(target, left), []);
      return { batch, decrement: batch.length };
    };
    let { batch, decrement } = next(bins, 0);
    // Already draining (an interrupted run) and no surge allowed makes room: it goes on anyway (its
    // drain waits for room, within the timeout); nothing is made worse.
    if (batch.length === 0 && first && forced.length > 0)
      ({ batch, decrement } = {
        batch: [...forced],
        decrement: Math.max(0, Math.min(forced.length, surgeLeft - (remaining.length - forced.length))),
      });
    // A later batch with no room (replacements smaller than what they replace) may need more surge.
    for (let extra = 1; batch.length === 0 && !first && surge + extra <= surgeCap; extra++) {
      const grown = [...bins, ...p.freshBins(launched, extra)];
      ({ batch, decrement } = next(grown, extra));
      if (batch.length > 0) {
        bins = grown;
        launched += extra;
        surge += extra;
        surgeLeft += extra;
      }
    }
    if (batch.length === 0 && remaining.length > 0) {
      p.relaxed = true;
      const one = next(bins, 0);
      p.relaxed = false;
      if (one.batch.length > 0)
        ({ batch, decrement } = { batch: one.batch.slice(0, 1), decrement: Math.min(one.decrement, 1) });
    }
    if (batch.length === 0) {
      blocked = blockedReason(input, start.capacity.minimum, surgeCap, options, batches.length);
      break;
    }
    const out = new Set(batch.map((i) => i.id));
    remaining = remaining.filter((i) => !out.has(i.id));
    surgeLeft -= decrement;
    bins = after(p, bins, out, p.freshBins(launched, batch.length - decrement));
    launched += batch.length - decrement;
    batches.push({ instances: batch.map((i) => i.id), decrement });
  }
  return { surge, batches, blocked };
}

/** Instances left alone, and services that may run below their desired count while tasks move. */
function closingWarnings(p: Planner, batches: readonly PlannedBatch[]): string[] {
  const warnings: string[] = [];
  const others = p.input.instances.filter((i) => i.status === 'DRAINING' && !i.outdated);
  if (others.length > 0)
    warnings.push(
      `${others.map((i) => i.id).join(', ')} ${others.length === 1 ? 'is' : 'are'} DRAINING but up to date: left alone, and not counted as capacity`,
    );
  const low = p.replica.filter((s) => s.minimumHealthyPercent < 100 && s.desired > 0);
  if (low.length > 0 && batches.length > 0) {
    warnings.push(
      `${low.map((s) => `${s.name} (${s.minimumHealthyPercent}%)`).join(', ')} may run below their desired count while their tasks move, as their minimumHealthyPercent allows`,
    );
  }
  return warnings;
}

function blockedReason(
  input: PlanInput,
  minimum: Resources,
  surgeCap: number,
  options: PlanOptions,
  done: number,
): RollPlan['blocked'] {
  const when = done === 0 ? 'any' : 'another';
  const fmt = (r: Resources) => `${r.cpu} CPU units / ${r.memory} MiB`;
  if (input.newInstanceCapacity.cpu === 0 && input.newInstanceCapacity.memory === 0 && surgeCap > 0) {
    return {
      reason: `cannot drain ${when} instance: the others have no room for the tasks that must keep running, and no instance of the group's current type is registered to tell what an extra one would add`,
      suggestions: [
        "Raise the group's desired capacity by one, wait for the instance to join the cluster, then roll again.",
      ],
    };
  }
  const suggestions =
    options.maxUnavailable === 0 && surgeCap === 0
      ? [
          '--surge 0 and --max-unavailable 0 leave no room for a batch: allow a surge (--surge 1) or an unavailable instance.',
        ]
      : surgeCap === 0 || options.surge !== undefined
        ? [
            `Allow more temporary instances: --surge ${surgeCap + 1}, or lower what the services keep running (minimumHealthyPercent).`,
          ]
        : [
            "Check the instances' capacity and the services' task sizes (ecsdeploy cluster status): the group's new instances may be too small to hold what the old ones ran.",
          ];
  return {
    reason: `cannot drain ${when} instance without a service running below its minimumHealthyPercent (the services keep ${fmt(minimum)} running) with at most ${surgeCap} extra instance${surgeCap === 1 ? '' : 's'}`,
    suggestions,
  };
}
