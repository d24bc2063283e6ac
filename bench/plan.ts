/**
 * Benchmark of the plan fan-out on a real engine: `ecsdeploy plan` of N independent service stacks
 * in one command, against `plan --stack <svc>` of each of them alone. The target: the N stacks are
 * planned concurrently (bounded by the cores), so the whole plan takes under 1.3x the slowest
 * single stack's. N = the number of cores; a second, informative figure (full mode only) plans
 * 2 x cores stacks, more than can run at once, so the reader sees how it scales.
 *
 * Real Terraform and the AWS provider from the filesystem mirror, against the patched moto server,
 * exactly as the end-to-end tests run them (test/README.md): a synthetic project (bench/generate.js,
 * one environment) with `endpoint:` pointing at moto, applied once so that every plan refreshes
 * real state, then timed as whole `node bin/run.js plan ...` processes, wall clock. The commands
 * compared run interleaved (every single stack, then all of them, round after round), so both see
 * the same machine; the apply is the warm-up (it ran the CLI, the engine and the provider for every
 * stack). Only service stacks are planned (`--stack svc0 --stack svc1 ...`: the registry and the
 * cluster are not part of those runs). Each run's engine log (.ecsdeploy/logs) says how many
 * engines actually ran at once and how long each stack's engine took; GNU time, when installed,
 * says how many cores a plan keeps busy.
 *
 * The moto server, the project pointed at it and the timed child processes are bench/engine-env.ts's,
 * shared with bench/deploy.ts and bench/environments.ts.
 *
 * Skipped (one figure with a note) without terraform, the provider mirror or python with moto.
 * The lead's bench runner calls runPlanBench(quick). Quick (CI) plans N = cores stacks, once each:
 * about 2.5 minutes on the 2-core machine, most of it the apply (the provider alone waits 60 s for
 * the load balancer). Full mode: 5 rounds for the target's figure, 3 for the informative one, about
 * 8 minutes.
 */
import { cpus } from 'node:os';
import { join } from 'node:path';
import { skipReason } from '../test/support/moto';
import { engineCommands, peakConcurrency, REPO, startEngineEnv, type EngineEnv, type Proc } from './engine-env';
import type { Figure } from './run';
import { median, seconds, spreadSeconds } from './stats';

const ENV = 'env0';
const APPLY_TIMEOUT_MS = 15 * 60_000;
const PLAN_TIMEOUT_MS = 5 * 60_000;
const TARGET = 1.3;
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { generate } = require(join(REPO, 'bench', 'generate.js')) as {
  generate: (dir: string, envs: number, services: number) => string;
};

const progress = (text: string) => process.stderr.write(`plan bench: ${text}\n`);

/** The built CLI on the project, timed, with its CPU time (GNU time, when installed) when `cpu`. */
function cli(args: readonly string[], p: EngineEnv, timeoutMs: number, cpu = false): Promise<Proc> {
  return p.cli(args, { timeoutMs, ...(cpu ? { cpuFile: join(p.work, 'cpu.txt') } : {}) });
}

/** How the engine commands of one run overlapped, from its log (`HH:MM:SS.mmm [stack] $ terraform ...` ... `(exit N)`). */
interface EngineUse {
  /** Most engine commands running at the same moment. */
  readonly peak: number;
  /** Mean time (ms) a stack's engine commands (plan, and show when it has changes) took. */
  readonly perStack: number;
}

function engineUse(logFile: string): EngineUse {
  const commands = engineCommands(logFile);
  const byStack = new Map<string, number>();
  for (const c of commands) byStack.set(c.stack, (byStack.get(c.stack) ?? 0) + c.end - c.start);
  const total = [...byStack.values()].reduce((x, y) => x + y, 0);
  return { peak: peakConcurrency(commands), perStack: byStack.size ? total / byStack.size : 0 };
}

interface Sample {
  readonly ms: number;
  readonly cpu?: number;
  readonly engines: EngineUse;
  /** Stacks whose plan had changes (a perpetual diff in moto would show here). */
  readonly changed: number;
}

interface PlanOutput {
  readonly logFile: string;
  readonly stacks: ReadonlyArray<{
    readonly stack: string;
    readonly status: string;
    readonly summary?: { readonly changes: boolean };
  }>;
}

/** One timed `plan` of the given services; fails unless it planned exactly them (exit 0: no changes, 3: changes). */
async function plan(services: readonly string[], p: EngineEnv): Promise<Sample> {
  const args = ['plan', '--env', ENV, ...services.flatMap((s) => ['--stack', s]), '--json'];
  const r = await cli(args, p, PLAN_TIMEOUT_MS, true);
  let out: PlanOutput | undefined;
  try {
    out = JSON.parse(r.stdout) as PlanOutput;
  } catch {
    out = undefined;
  }
  const planned = out?.stacks.filter((s) => s.status === 'planned').map((s) => s.stack) ?? [];
  const wanted = services.map((s) => `${ENV}-${s}`);
  if (
    (r.code !== 0 && r.code !== 3) ||
    out === undefined ||
    wanted.some((w) => !planned.includes(w)) ||
    out.stacks.length !== wanted.length
  ) {
    throw new Error(
      `ecsdeploy ${args.join(' ')} exited ${r.code}, planned [${planned.join(', ')}] of [${wanted.join(', ')}]\n${r.stdout.slice(-2000)}\n--- stderr ---\n${r.stderr.slice(-3000)}\n--- moto ---\n${p.moto.logs().slice(-2000)}`,
    );
  }
  return {
    ms: r.ms,
    ...(r.cpu !== undefined ? { cpu: r.cpu } : {}),
    engines: engineUse(out.logFile),
    changed: out.stacks.filter((s) => s.summary?.changes).length,
  };
}

/** Cores kept busy on average (CPU time / wall time), median over samples; undefined without GNU time. */
const busy = (xs: readonly Sample[]) =>
  xs.every((x) => x.cpu !== undefined)
    ? Math.round(median(xs.map((x) => x.cpu! / (x.ms / 1000))) * 10) / 10
    : undefined;

/** One figure: all of `services` in one plan against the slowest of them alone. */
function figure(
  services: readonly string[],
  alone: ReadonlyMap<string, Sample[]>,
  together: readonly Sample[],
  cores: number,
  informative: boolean,
): Figure {
  const [slowest, slowestMs] = services
    .map((s) => [s, median(alone.get(s)!.map((x) => x.ms))] as const)
    .reduce((a, b) => (b[1] > a[1] ? b : a));
  const value = median(together.map((x) => x.ms));
  // Per round: the plan of all of them against the slowest single plan of the same round; the
  // figure is the median of those ratios, with their spread (issue #19: one run's ratio is noise).
  const perRound = together.map((t, i) => t.ms / Math.max(...services.map((s) => alone.get(s)![i]!.ms)));
  const r2 = (x: number) => Math.round(x * 100) / 100;
  const ratio = r2(median(perRound));
  const singles = services.flatMap((s) => alone.get(s)!);
  const busyAlone = busy(singles);
  // About the best the machine allows: the CPU time of the single plans spread over every core.
  const floor =
    busyAlone === undefined
      ? undefined
      : services.map((s) => median(alone.get(s)!.map((x) => x.cpu!))).reduce((a, b) => a + b, 0) / cores;
  const changed = Math.max(...together.map((x) => x.changed));
  const details = [
    `${Math.max(...together.map((x) => x.engines.peak))} engines at once, ${seconds(median(together.map((x) => x.engines.perStack)))} s each vs ${seconds(median(singles.map((x) => x.engines.perStack)))} s alone`,
    ...(floor !== undefined
      ? [`one plan keeps ${busyAlone} cores busy; singles' CPU / cores: ${Math.round(floor * 10) / 10} s`]
      : []),
    ...(changed ? [`${changed} stacks with changes after apply`] : []),
  ];
  return {
    figure: `plan fan-out: ${services.length} service stacks in one plan, ${cores} cores (${details.join('; ')})`,
    value: seconds(value),
    unit: 's',
    spread: spreadSeconds(together.map((x) => x.ms)),
    baseline: `slowest single-stack plan (${slowest})`,
    baselineValue: seconds(slowestMs),
    ratio,
    ratioSpread: `${r2(Math.min(...perRound))}–${r2(Math.max(...perRound))}`,
    target: informative ? `informative (${services.length / cores}x cores)` : `< ${TARGET}x slowest single stack`,
    ...(informative ? { note: 'informative' } : { met: ratio < TARGET }),
  };
}

export async function runPlanBench(quick: boolean): Promise<Figure[]> {
  const cores = cpus().length;
  const reason = skipReason();
  if (reason !== undefined) {
    return [
      {
        figure: `plan fan-out: ${cores} service stacks in one plan vs the slowest alone (real engine against moto)`,
        value: Number.NaN,
        unit: 's',
        target: `< ${TARGET}x slowest single stack`,
        note: reason.replace(/^e2e skipped/, 'skipped'),
      },
    ];
  }
  // Rounds per figure: quick proves it runs; full mode spends its time on the target's figure.
  const figures = quick
    ? [{ n: cores, rounds: 1 }]
    : [
        { n: cores, rounds: 5 },
        { n: 2 * cores, rounds: 3 },
      ];
  const counts = figures.map((f) => f.n);
  const all = Array.from({ length: Math.max(...counts) }, (_, i) => `svc${i}`);
  let project: EngineEnv | undefined;
  try {
    const started = Date.now();
    project = await startEngineEnv('plan', (dir) => generate(dir, 1, all.length));
    const moto = project.moto;

    progress(`apply of 1 environment with ${all.length} service stacks against moto...`);
    const applied = await cli(['apply', '--env', ENV, '--yes', '--json'], project, APPLY_TIMEOUT_MS);
    if (applied.code !== 0)
      throw new Error(
        `ecsdeploy apply --env ${ENV} exited ${applied.code}\n${applied.stderr.slice(-4000)}\n--- moto ---\n${moto.logs().slice(-2000)}`,
      );
    progress(
      `applied in ${seconds(applied.ms)} s; now ${figures.map((f) => `${f.rounds} round(s) of ${f.n} single-stack plans and a plan of all ${f.n}`).join(', ')}`,
    );

    const alone = new Map(all.map((s) => [s, [] as Sample[]]));
    const together = new Map(counts.map((n) => [n, [] as Sample[]]));
    for (let round = 0; round < Math.max(...figures.map((f) => f.rounds)); round++) {
      const active = figures.filter((f) => round < f.rounds).map((f) => f.n);
      for (const s of all.slice(0, Math.max(...active))) alone.get(s)!.push(await plan([s], project));
      for (const n of active) together.get(n)!.push(await plan(all.slice(0, n), project));
    }
    progress(`done in ${Math.round((Date.now() - started) / 1000)} s`);
    return counts.map((n) => figure(all.slice(0, n), alone, together.get(n)!, cores, n > cores));
  } finally {
    await project?.stop();
  }
}

if (require.main === module) {
  void runPlanBench(process.argv.includes('--quick')).then(
    (figures) => {
      for (const f of figures)
        console.log(
          `${f.figure}: ${f.value} ${f.unit} (${f.spread ?? ''}); ${f.baseline ?? ''}: ${f.baselineValue ?? ''} ${f.unit}; ${f.ratio ?? ''}x; target ${f.target}: ${f.met === undefined ? f.note : f.met ? 'met' : 'NOT met'}`,
        );
    },
    (err) => {
      console.error(err);
      process.exit(1);
    },
  );
}
