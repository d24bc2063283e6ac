/**
 * Benchmark of `cluster roll`: simulated time to replace every instance of clusters of 10, 100 and
 * 500 instances (quick: 10 and 100), with headroom (services fill 60% of the instances) and
 * without (every instance full), rolled with the default flags (batches of 20%, surge as needed)
 * against one instance at a time (--batch 1 --surge 1, what a hand-written drain script does).
 *
 * It runs the real roll loop (src/ops/cluster-roll) against the deterministic cluster simulation of the
 * tests (test/cluster-roll/sim.ts: instances boot in 90 s and register 20 s later, tasks take 30 s to
 * start and 20 s to stop, the loop polls every 10 s), so the figures are simulated minutes, the
 * same on every machine. Every run must also keep its promises: no service below its minimum, no
 * task lost; a run that breaks one fails the benchmark.
 *
 * The lead's bench runner calls runRollBench(quick).
 */
import { rollCluster } from '../src/ops/cluster-roll/loop';
import type { RollOptions } from '../src/ops/cluster-roll/types';
import { ClusterSim } from '../test/cluster-roll/sim';

export interface Figure {
  readonly figure: string;
  readonly value: number;
  readonly unit: string;
  readonly baseline?: number;
  readonly ratio?: number;
  readonly target?: string;
  readonly met?: boolean;
  readonly note?: string;
}

const TYPE = { 'm5.large': { cpu: 2048, memory: 7680 } };
/** Four 512-CPU tasks fill an instance. */
const PER_INSTANCE = 4;

interface Run {
  readonly minutes: number;
  readonly batches: number;
  /** Extra instances at the peak. */
  readonly surge: number;
}

async function roll(instances: number, fill: number, options: Partial<RollOptions>): Promise<Run> {
  const tasks = Math.max(1, Math.floor(instances * PER_INSTANCE * fill));
  const sim = new ClusterSim({
    seed: instances,
    types: TYPE,
    instances: Array.from({ length: instances }, () => ({ type: 'm5.large' })),
    template: { version: 2, type: 'm5.large' },
    sizes: { minSize: 0, maxSize: instances },
    // Two services: a web tier that keeps every task (100%) and a worker tier that may halve (50%).
    services: [
      {
        name: 'web',
        desired: Math.ceil(tasks / 2),
        cpu: 512,
        memory: 1024,
        minimumHealthyPercent: 100,
        maximumPercent: 200,
      },
      {
        name: 'worker',
        desired: Math.floor(tasks / 2),
        cpu: 512,
        memory: 1024,
        minimumHealthyPercent: 50,
        maximumPercent: 200,
      },
    ],
  });
  const names = {
    cluster: sim.clusterName,
    autoScalingGroup: sim.groupName,
    capacityProvider: `${sim.clusterName}-ec2`,
  };
  const gen = rollCluster(
    sim.api,
    names,
    { strategy: 'drain', timeoutMs: 60 * 60_000, dryRun: false, ...options },
    { clock: sim.clock },
  );
  let step = await gen.next();
  while (!step.done) step = await gen.next();
  const outcome = step.value;
  if (outcome.status !== 'completed')
    throw new Error(
      `bench roll of ${instances} (${JSON.stringify(options)}) ended ${outcome.status}: ${outcome.failure?.message ?? ''}`,
    );
  if (sim.violations.length || sim.lost.length)
    throw new Error(
      `bench roll of ${instances} broke its promises: ${[...sim.violations, ...sim.lost].slice(0, 3).join('; ')}`,
    );
  return {
    minutes: Math.round(outcome.durationMs / 6_000) / 10,
    batches: outcome.batches,
    surge: Math.max(
      0,
      ...sim.calls.filter((c) => c.op === 'asg:SetDesiredCapacity').map((c) => (c.args[1] as number) - instances),
    ),
  };
}

export async function runRollBench(quick: boolean): Promise<Figure[]> {
  const sizes = quick ? [10, 100] : [10, 100, 500];
  const figures: Figure[] = [];
  for (const n of sizes) {
    for (const [label, fill] of [
      ['with headroom', 0.6],
      ['without headroom', 1],
    ] as const) {
      const ours = await roll(n, fill, {});
      const one = await roll(n, fill, { batch: { count: 1 }, surge: 1 });
      const ratio = Math.round((one.minutes / ours.minutes) * 10) / 10;
      // Batches of 20% make 5 batches whatever the size, so the gain grows with the cluster; at 10
      // instances (batches of 2) it is about 2x.
      const want = n >= 100 ? 10 : 1.5;
      figures.push({
        figure: `roll (simulated, not measured) ${n} instances ${label} (${ours.batches} batches, ${ours.surge} extra instances; one at a time: ${one.batches} batches, ${one.surge} extra)`,
        value: ours.minutes,
        unit: 'simulated min',
        baseline: one.minutes,
        ratio,
        target: `>= ${want}x faster than one at a time`,
        met: ratio >= want,
        note: 'simulated: a consequence of the batch policy on the deterministic cluster simulation (test/cluster-roll/sim.ts), the same on every machine; not a measurement',
      });
    }
  }
  return figures;
}

if (require.main === module) {
  void runRollBench(process.argv.includes('--quick')).then((figures) => {
    for (const f of figures)
      console.log(
        `${f.figure}: ${f.value} ${f.unit} (one at a time ${f.baseline}; ${f.ratio}x; target ${f.target}: ${f.met ? 'met' : 'NOT met'})`,
      );
  });
}
