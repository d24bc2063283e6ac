/** Running the roll against the simulation, and what a finished roll must have left behind. */
import type { GroupSizes } from '../../src/aws/autoscaling';
import { rollCluster, type RollDeps } from '../../src/ops/cluster-roll/loop';
import { ROLL_TAG } from '../../src/ops/cluster-roll/observe';
import { refreshCluster } from '../../src/ops/cluster-roll/refresh';
import type { ClusterNames, RollEvent, RollOptions, RollOutcome } from '../../src/ops/cluster-roll/types';
import { ClusterSim } from './sim';

export const TYPES = {
  'm5.large': { cpu: 2048, memory: 7680 },
  'm5.xlarge': { cpu: 4096, memory: 15600 },
  'c5.large': { cpu: 2048, memory: 3700 },
} as const;

export const OPTIONS: RollOptions = { strategy: 'drain', timeoutMs: 30 * 60_000, dryRun: false };

export function namesOf(sim: ClusterSim): ClusterNames {
  return { cluster: sim.clusterName, autoScalingGroup: sim.groupName, capacityProvider: `${sim.clusterName}-ec2` };
}

export interface Run {
  readonly outcome: RollOutcome;
  readonly events: RollEvent[];
}

/** Runs a roll to its end; `abortAfter` aborts its signal after that many events (Ctrl-C). */
export async function run(
  sim: ClusterSim,
  options: Partial<RollOptions> = {},
  deps: Partial<RollDeps> & { abortAfter?: number } = {},
): Promise<Run> {
  const controller = new AbortController();
  const o = { ...OPTIONS, ...options };
  const d: RollDeps = {
    clock: sim.clock,
    signal: controller.signal,
    ...(deps.confirm ? { confirm: deps.confirm } : {}),
    ...(deps.pollMs ? { pollMs: deps.pollMs } : {}),
  };
  const gen =
    o.strategy === 'instance-refresh'
      ? refreshCluster(sim.api, namesOf(sim), o, d)
      : rollCluster(sim.api, namesOf(sim), o, d);
  const events: RollEvent[] = [];
  for (;;) {
    const step = await gen.next();
    if (step.done) return { outcome: step.value, events };
    events.push(step.value);
    if (deps.abortAfter !== undefined && events.length === deps.abortAfter) controller.abort();
  }
}

const MUTATIONS = new Set([
  'asg:SetDesiredCapacity',
  'asg:UpdateAutoScalingGroup',
  'asg:TerminateInstanceInAutoScalingGroup',
  'asg:CreateOrUpdateTags',
  'asg:DeleteTags',
  'asg:StartInstanceRefresh',
  'ecs:UpdateContainerInstancesState',
]);

/** The calls that changed something. */
export function mutations(sim: ClusterSim) {
  return sim.calls.filter((c) => MUTATIONS.has(c.op));
}

/** Instances terminated by the roll, in order. */
export function terminated(sim: ClusterSim): string[] {
  return sim.calls.filter((c) => c.op === 'asg:TerminateInstanceInAutoScalingGroup').map((c) => c.args[0] as string);
}

/**
 * What every finished roll leaves: every instance of the group from the current template and ACTIVE,
 * the original sizes and no roll tag, and (after the cluster settles) every service at its desired
 * count; at no instant a service below its minimum, and no task lost.
 */
export function expectConverged(sim: ClusterSim, original: GroupSizes): void {
  sim.settle();
  const instances = sim.groupInstances();
  expect(instances.filter((i) => i.version !== sim.template.version || i.type !== sim.template.type)).toEqual([]);
  expect(instances.filter((i) => i.ecs !== 'ACTIVE')).toEqual([]);
  expect(instances).toHaveLength(original.desiredCapacity);
  expect(sim.sizes).toEqual(original);
  expect(sim.tags[ROLL_TAG]).toBeUndefined();
  expectSafe(sim);
}

/** The two invariants, at every instant so far. */
export function expectSafe(sim: ClusterSim): void {
  expect(sim.violations).toEqual([]);
  expect(sim.lost).toEqual([]);
  // The group never scaled in by itself (that terminates an instance whatever runs on it).
  expect(sim.scaledIn).toEqual([]);
}

/** The lifecycle project's dev group (`acme-dev`) with one instance behind the launch template: one batch to roll. */
export function oneOutOfDate(): ClusterSim {
  return new ClusterSim({
    types: TYPES,
    cluster: 'acme-dev',
    instances: [{ type: 'm5.large', version: 1 }],
    template: { version: 2, type: 'm5.large' },
    services: [],
  });
}
