/**
 * Roll planning, a pure function: which out-of-date instances to replace in which batch, and how
 * many temporary extra instances (surge) that needs, so that the instances left running can always
 * hold what the services must keep running.
 *
 * What the services must keep running: for each EC2 replica service, ceil(desired ×
 * minimumHealthyPercent / 100) tasks (ECS never goes below that while it moves tasks off a
 * draining instance, so that is what must fit elsewhere); daemon services run one task on every
 * instance, so they shrink every instance's usable capacity instead. "Fit" is a first-fit
 * decreasing packing of those tasks into the usable capacity of the instances left ACTIVE, by CPU
 * and memory, per instance (a task cannot straddle two instances).
 *
 * The batches after the first are an estimate (replacements are assumed to bring the capacity of
 * the group's current instance type); the roll loop plans again from what AWS reports before
 * every batch, and uses only the first.
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
  readonly runningTasks: number;
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
}

export type BatchSize = { readonly count: number } | { readonly percent: number };

export interface PlanOptions {
  /** Most instances drained at once. @default 20% of the group's desired capacity, at least 1 */
  readonly batch?: BatchSize;
  /** Most extra instances added for the roll. @default the batch size */
  readonly surge?: number;
  /** Most instances below the original desired capacity at once. @default no limit but capacity */
  readonly maxUnavailable?: number;
}

export const DEFAULT_BATCH: BatchSize = { percent: 20 };

export interface PlannedBatch {
  readonly instances: readonly string[];
  /** How many of them are terminated with the desired capacity decremented (surge given back instead of replaced). */
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
  readonly batches: readonly PlannedBatch[];
  readonly capacity: CapacitySummary;
  /** Why no (further) batch can be made, and what to do. */
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

/** How many tasks of `d` one instance of capacity `c` still holds. */
function howMany(c: Resources, d: Demand): number {
  const byCpu = d.cpu > 0 ? Math.floor(c.cpu / d.cpu) : Number.POSITIVE_INFINITY;
  const byMemory = d.memory > 0 ? Math.floor(c.memory / d.memory) : Number.POSITIVE_INFINITY;
  return Math.max(0, Math.min(byCpu, byMemory));
}

/** First-fit decreasing: do the demands fit into these bins? (Bins are copied.) */
export function fits(bins: readonly Resources[], demands: readonly Demand[]): boolean {
  const free = bins.map((b) => ({ cpu: b.cpu, memory: b.memory })).sort((a, b) => b.cpu - a.cpu || b.memory - a.memory);
  for (const d of demands) {
    let left = d.count;
    for (const bin of free) {
      if (left === 0) break;
      const n = Math.min(left, howMany(bin, d));
      if (n === 0) continue;
      bin.cpu -= n * d.cpu;
      bin.memory -= n * d.memory;
      left -= n;
    }
    if (left > 0) return false;
  }
  return true;
}

function totals(input: Pick<PlanInput, 'instances' | 'services'>): CapacitySummary & { daemon: Resources; demands: Demand[] } {
  const active = input.instances.filter((i) => i.status === 'ACTIVE');
  const daemon = input.services.filter((s) => s.daemon).reduce<Resources>((r, s) => add(r, { cpu: s.cpu, memory: s.memory }), ZERO);
  const replica = input.services.filter((s) => !s.daemon);
  const demands = replica
    .map((s) => ({ name: s.name, cpu: s.cpu, memory: s.memory, count: minimumTasks(s.desired, s.minimumHealthyPercent) }))
    .filter((d) => d.count > 0)
    .sort((a, b) => b.cpu - a.cpu || b.memory - a.memory || a.name.localeCompare(b.name));
  const daemons = times(daemon, active.length);
  return {
    needed: replica.reduce((r, s) => add(r, times({ cpu: s.cpu, memory: s.memory }, s.desired)), daemons),
    minimum: demands.reduce((r, d) => add(r, times(d, d.count)), daemons),
    registered: active.reduce((r, i) => add(r, i.capacity), ZERO),
    daemon,
    demands,
  };
}

/** What the services need against what the ACTIVE instances registered. */
export function capacitySummary(input: Pick<PlanInput, 'instances' | 'services'>): CapacitySummary {
  const { needed, minimum, registered } = totals(input);
  return { needed, minimum, registered };
}

/** Out-of-date instances in the order they are taken: in progress first, then empty, then fewest tasks. */
function queueOrder(input: PlanInput): PlanInstance[] {
  const rank = (i: PlanInstance) => (i.status === 'DRAINING' ? 0 : i.status === 'UNREGISTERED' ? 1 : 2);
  return input.instances.filter((i) => i.outdated).sort((a, b) => rank(a) - rank(b) || a.runningTasks - b.runningTasks || a.id.localeCompare(b.id));
}

interface Bin {
  readonly id: string;
  readonly usable: Resources;
}

/**
 * Plans the roll. `limit` stops after that many batches (the loop needs only the next one).
 */
export function planRoll(input: PlanInput, options: PlanOptions = {}, limit = Number.POSITIVE_INFINITY): RollPlan {
  const t = totals(input);
  const capacity: CapacitySummary = { needed: t.needed, minimum: t.minimum, registered: t.registered };
  const queue = queueOrder(input);
  const target = batchTarget(options.batch ?? DEFAULT_BATCH, input.originalDesired);
  const currentSurge = Math.max(0, input.desired - input.originalDesired);
  const surgeCap = Math.max(currentSurge, options.surge ?? target);
  const maxUnavailable = options.maxUnavailable ?? Number.POSITIVE_INFINITY;
  const warnings: string[] = [];
  const base = { outdated: queue.length, batchSize: target, capacity };

  const stuck = input.services.filter((s) => !s.daemon && s.desired > 0 && s.minimumHealthyPercent >= 100 && s.maximumPercent <= 100);
  if (stuck.length > 0 && queue.length > 0) {
    return {
      ...base,
      surge: currentSurge,
      batches: [],
      warnings,
      blocked: {
        reason: `ECS cannot move the tasks of ${stuck.map((s) => s.name).join(', ')} off a draining instance: minimumHealthyPercent 100 and maximumPercent 100 allow neither stopping a task first nor starting its replacement first`,
        suggestions: [`Set deployment.maximumPercent above 100 (or minimumHealthyPercent below 100) in services/${stuck[0]!.name}.yaml and deploy it, then roll again.`],
      },
    };
  }

  const usable = (c: Resources): Resources => ({ cpu: Math.max(0, c.cpu - t.daemon.cpu), memory: Math.max(0, c.memory - t.daemon.memory) });
  const newBins = (from: number, n: number): Bin[] => Array.from({ length: Math.max(0, n) }, (_, k) => ({ id: `new-${from + k}`, usable: usable(input.newInstanceCapacity) }));
  const activeBins: Bin[] = input.instances.filter((i) => i.status === 'ACTIVE').map((i) => ({ id: i.id, usable: usable(i.capacity) }));

  /**
   * The next batch: the forced instances, then each candidate in order whose removal still leaves
   * room for the demands. Removing more never helps, so a capacity that did not fit once is skipped
   * from then on.
   */
  const buildBatch = (pool: readonly Bin[], candidates: readonly PlanInstance[], most: number, forced: readonly PlanInstance[]): PlanInstance[] => {
    const batch = [...forced];
    const out = new Set(batch.map((i) => i.id));
    const failed = new Set<string>();
    for (const c of candidates) {
      if (batch.length >= most) break;
      const key = c.status === 'ACTIVE' ? `${c.capacity.cpu}/${c.capacity.memory}` : '';
      if (out.has(c.id) || (key && failed.has(key))) continue;
      const trial = pool.filter((b) => !out.has(b.id) && b.id !== c.id).map((b) => b.usable);
      if (fits(trial, t.demands)) {
        batch.push(c);
        out.add(c.id);
      } else if (key) failed.add(key);
    }
    return batch;
  };

  // The first batch is as large as the target allows; find the fewest extra instances that give it
  // that size (or, if none does, the largest size the allowed surge gives). More surge never makes
  // it smaller, so this is a binary search.
  const forced = queue.filter((i) => i.status === 'DRAINING');
  const goal = Math.min(target, queue.length);
  const firstSize = (s: number) =>
    buildBatch([...activeBins, ...newBins(0, s - currentSurge)], queue, Math.max(forced.length, Math.min(goal, s + maxUnavailable)), forced).length;
  const smallest = (enough: (s: number) => boolean): number => {
    let lo = currentSurge;
    let hi = surgeCap;
    while (lo < hi) {
      const mid = Math.floor((lo + hi) / 2);
      if (enough(mid)) hi = mid;
      else lo = mid + 1;
    }
    return lo;
  };
  let surge = currentSurge;
  if (queue.length > 0) {
    const most = firstSize(surgeCap);
    surge = most === 0 ? currentSurge : smallest((s) => firstSize(s) >= Math.min(goal, most));
  }

  // Walk the batches. Each batch's instances leave the pool and as many new ones join it, except
  // the last `surge` terminated, which give the extra instances back (desired capacity decremented).
  // With no out-of-date instance left but extra instances still there (a resumed run), up-to-date
  // instances of the group are drained and given back instead.
  let pool: Bin[] = [...activeBins, ...newBins(0, surge - currentSurge)];
  let launched = surge - currentSurge;
  let remaining = queue;
  let surgeLeft = surge;
  const batches: PlannedBatch[] = [];
  let blocked: RollPlan['blocked'];
  while (batches.length < limit && (remaining.length > 0 || surgeLeft > 0)) {
    const first = batches.length === 0;
    let batch: PlanInstance[];
    let decrement: number;
    if (remaining.length > 0) {
      const most = Math.max(first ? forced.length : 0, Math.min(target, remaining.length, surgeLeft + maxUnavailable));
      batch = buildBatch(pool, remaining, most, first ? forced : []);
      decrement = Math.max(0, Math.min(batch.length, surgeLeft - (remaining.length - batch.length)));
    } else {
      const spare = input.instances
        .filter((i) => i.inGroup && !i.outdated && i.status === 'ACTIVE' && pool.some((b) => b.id === i.id))
        .sort((a, b) => a.runningTasks - b.runningTasks || a.id.localeCompare(b.id));
      batch = buildBatch(pool, spare, Math.min(target, surgeLeft), []);
      decrement = batch.length;
    }
    if (batch.length === 0) {
      blocked = blockedReason(input, t.minimum, surgeCap, options, batches.length);
      break;
    }
    const ids = new Set(batch.map((i) => i.id));
    remaining = remaining.filter((i) => !ids.has(i.id));
    surgeLeft -= decrement;
    pool = [...pool.filter((b) => !ids.has(b.id)), ...newBins(launched, batch.length - decrement)];
    launched += batch.length - decrement;
    batches.push({ instances: batch.map((i) => i.id), decrement });
  }

  const others = input.instances.filter((i) => i.status === 'DRAINING' && !i.outdated);
  if (others.length > 0) warnings.push(`${others.map((i) => i.id).join(', ')} ${others.length === 1 ? 'is' : 'are'} DRAINING but up to date: left alone, and not counted as capacity`);
  if (input.services.some((s) => !s.daemon && s.minimumHealthyPercent < 100 && s.desired > 0) && batches.length > 0) {
    const low = input.services.filter((s) => !s.daemon && s.minimumHealthyPercent < 100 && s.desired > 0);
    warnings.push(`${low.map((s) => `${s.name} (${s.minimumHealthyPercent}%)`).join(', ')} may run below their desired count while their tasks move, as their minimumHealthyPercent allows`);
  }
  return { ...base, surge, batches, warnings, ...(blocked ? { blocked } : {}) };
}

function blockedReason(input: PlanInput, minimum: Resources, surgeCap: number, options: PlanOptions, done: number): RollPlan['blocked'] {
  const when = done === 0 ? 'any' : 'another';
  const fmt = (r: Resources) => `${r.cpu} CPU units / ${r.memory} MiB`;
  if (input.newInstanceCapacity.cpu === 0 && input.newInstanceCapacity.memory === 0 && surgeCap > 0) {
    return {
      reason: `cannot drain ${when} instance: the others cannot hold what the services must keep running (${fmt(minimum)}), and no instance of the group's current type is registered to tell what an extra one would add`,
      suggestions: ['Raise the group\'s desired capacity by one, wait for the instance to join the cluster, then roll again.'],
    };
  }
  const suggestions =
    options.maxUnavailable === 0 && surgeCap === 0
      ? ['--surge 0 and --max-unavailable 0 leave no room for a batch: allow a surge (--surge 1) or an unavailable instance.']
      : surgeCap === 0 || options.surge !== undefined
        ? [`Allow more temporary instances: --surge ${surgeCap + 1}, or lower what the services keep running (minimumHealthyPercent).`]
        : ['Check the instances\' registered capacity (ecsdeploy cluster status): a task larger than any new instance cannot be moved.'];
  return {
    reason: `cannot drain ${when} instance without running below what the services must keep running (${fmt(minimum)}) with at most ${surgeCap} extra instance${surgeCap === 1 ? '' : 's'}`,
    suggestions,
  };
}
