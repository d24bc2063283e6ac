/**
 * Environment latency on a real engine (issue #17), part of the deploy group of `npm run bench`
 * (`--only=deploy`; bench/deploy.ts sets up and calls environmentRounds):
 *
 *   - `ecsdeploy apply --env dev --yes` with nothing changed, against the sum of a bare
 *     `terraform plan` of each of dev's stacks (registry, dev-cluster, the three services, the job);
 *   - `ecsdeploy env create <name> --from dev --ttl 1h --yes`: an environment on demand with dev's
 *     three services (orders, payments, web) on dev's cluster, so three service stacks created from
 *     nothing (init, plan, show, apply), against the sum of a bare `terraform plan` of each of them;
 *   - its `env destroy <name> --yes`, timed separately, against the same sum (informative).
 *
 * A "single plan" is what a careful user runs by hand, with the same engine, in the stack folder
 * ecsdeploy synthesized (already initialized): `terraform plan -input=false -out=<file>`
 * (engine-env.ts barePlan, as bench/deploy.ts's bare plan + apply). The env's single plans run after
 * its create and before its destroy, so they refresh what the create made. Each round: the apply,
 * dev's single plans, the create, its single plans, the destroy; every ratio is the median of the
 * per-round ratios with their min–max (stats.ts pairedRatio). No warm-up round: dev's set-up apply
 * initialized and ran every dev stack, and every create starts new stack folders (init included)
 * whatever round it is in. The issue asks for the figures, not a target: "informative".
 */
import { join } from 'node:path';
import { barePlan, engineBreakdown, engineCommands, must, type EngineEnv } from './engine-env';
import type { Figure } from './run';
import { median, pairedRatio, seconds, spreadSeconds } from './stats';

const BASE = 'dev';
/** Each command (an env create on a loaded machine: minutes): stopped, and the bench failed, past this. */
const COMMAND_TIMEOUT_MS = 20 * 60_000;

/** What was timed, round by round (ms). */
export interface EnvironmentTimings {
  /** dev's stacks, as `apply --env dev` reported them. */
  readonly devStacks: readonly string[];
  /** The stacks of the environment on demand, as `env create` reported them. */
  readonly envStacks: readonly string[];
  readonly apply: readonly number[];
  /** Sum of the single plans of dev's stacks, each round. */
  readonly devPlans: readonly number[];
  readonly create: readonly number[];
  /** Sum of the single plans of the created stacks, each round. */
  readonly envPlans: readonly number[];
  readonly destroy: readonly number[];
  /** Most stacks a no-change apply reported as applied (a perpetual diff against moto would show here). */
  readonly changedByApply: number;
  /** What the engine did in the last round's apply, create and destroy (engine-env.ts engineBreakdown), from their engine logs. */
  readonly engine?: { readonly apply?: string; readonly create?: string; readonly destroy?: string };
}

const APPLY_FIGURE = `environments: apply --env ${BASE} --yes with nothing changed vs the sum of its stacks' single plans`;
const CREATE_FIGURE = `environments: env create <name> --from ${BASE} --ttl 1h --yes (3 services, shared cluster) vs the sum of its stacks' single plans`;
const DESTROY_FIGURE = `environments: env destroy <name> --yes (timed after the create) vs the same sum of single plans`;

/** The three figures from the timings; without timings (skipped), the figures with `note` and no value. */
export function environmentFigures(t: EnvironmentTimings | undefined, note?: string): Figure[] {
  const bare = (stacks: readonly string[]) =>
    `sum of bare terraform plan -out, one per stack${stacks.length ? ` (${stacks.length}: ${stacks.join(', ')})` : ''}`;
  if (t === undefined)
    return [APPLY_FIGURE, CREATE_FIGURE, DESTROY_FIGURE].map((figure) => ({
      figure,
      value: Number.NaN,
      unit: 's',
      target: 'informative',
      ...(note !== undefined ? { note } : {}),
    }));
  const one = (
    figure: string,
    xs: readonly number[],
    base: readonly number[],
    stacks: readonly string[],
    extra = '',
    engine?: string,
  ) => ({
    figure,
    value: seconds(median(xs)),
    unit: 's',
    spread: spreadSeconds(xs),
    baseline: bare(stacks),
    baselineValue: seconds(median(base)),
    ...pairedRatio(xs, base),
    target: 'informative',
    note: `informative${extra}${engine ? `; engine (last round): ${engine}` : ''}`,
  });
  return [
    one(
      APPLY_FIGURE,
      t.apply,
      t.devPlans,
      t.devStacks,
      t.changedByApply ? `; ${t.changedByApply} stacks had changes` : '; no stack had changes',
      t.engine?.apply,
    ),
    one(CREATE_FIGURE, t.create, t.envPlans, t.envStacks, '', t.engine?.create),
    one(DESTROY_FIGURE, t.destroy, t.envPlans, t.envStacks, '', t.engine?.destroy),
  ];
}

interface Report {
  readonly stacks: ReadonlyArray<{ readonly stack: string; readonly applied: boolean }>;
  readonly logFile: string;
}

/** The JSON a command printed, or an error naming the command and the end of what it printed. */
function parse<T>(stdout: string, what: string, ok: (x: unknown) => x is T): T {
  let value: unknown;
  try {
    value = JSON.parse(stdout);
  } catch {
    value = undefined;
  }
  if (!ok(value)) throw new Error(`${what}: unexpected --json output\n${stdout.slice(-2000)}`);
  return value;
}

const isApplyReport = (x: unknown): x is Report =>
  typeof x === 'object' &&
  x !== null &&
  Array.isArray((x as Report).stacks) &&
  typeof (x as Report).logFile === 'string' &&
  (x as Report).stacks.every((s) => typeof s?.stack === 'string' && typeof s.applied === 'boolean');
const isCreateResult = (x: unknown): x is { stacks: string[]; apply: Report } =>
  typeof x === 'object' &&
  x !== null &&
  Array.isArray((x as { stacks: unknown }).stacks) &&
  (x as { stacks: unknown[] }).stacks.every((s) => typeof s === 'string') &&
  isApplyReport((x as { apply: unknown }).apply);
const isDestroyResult = (x: unknown): x is { destroy?: { logFile: string } } =>
  typeof x === 'object' &&
  x !== null &&
  ((x as { destroy?: unknown }).destroy === undefined ||
    typeof (x as { destroy: { logFile?: unknown } }).destroy.logFile === 'string');

/** engineBreakdown of a run's log; a note instead when the log cannot be read (the figure stands without it). */
function breakdown(logFile: string | undefined): string {
  if (logFile === undefined) return 'no engine run';
  try {
    return engineBreakdown(engineCommands(logFile));
  } catch (err) {
    return `engine log not read: ${(err as Error).message.split('\n')[0]}`;
  }
}

/** Sum of the single plans of `stacks` (in turn: one engine at a time, as a user runs them). */
async function singlePlans(p: EngineEnv, stacks: readonly string[]): Promise<number> {
  let total = 0;
  for (const stack of stacks) total += await barePlan(p, stack, join(p.work, 'single.tfplan'));
  return total;
}

/**
 * `rounds` timed rounds on `p`, whose whole base environment (dev) is applied; every environment
 * on demand it creates is destroyed before it returns (or fails).
 */
export async function environmentRounds(
  p: EngineEnv,
  rounds: number,
  progress: (text: string) => void,
): Promise<Figure[]> {
  const env = { ECSDEPLOY_OWNER: 'bench' };
  const t = {
    engine: {} as { apply?: string; create?: string; destroy?: string },
    devStacks: [] as string[],
    envStacks: [] as string[],
    apply: [] as number[],
    devPlans: [] as number[],
    create: [] as number[],
    envPlans: [] as number[],
    destroy: [] as number[],
    changedByApply: 0,
  };
  progress(
    `${rounds} round(s) of: apply --env ${BASE} (no changes), single plans of its stacks, env create, single plans of its stacks, env destroy`,
  );
  for (let round = 1; round <= rounds; round++) {
    const applied = must(
      await p.cli(['apply', '--env', BASE, '--yes', '--json'], { env, timeoutMs: COMMAND_TIMEOUT_MS }),
      `ecsdeploy apply --env ${BASE}`,
      p.moto,
    );
    const report = parse(applied.stdout, `apply --env ${BASE}`, isApplyReport);
    t.devStacks = report.stacks.map((s) => s.stack);
    t.changedByApply = Math.max(t.changedByApply, report.stacks.filter((s) => s.applied).length);
    t.engine.apply = breakdown(report.logFile);
    t.apply.push(applied.ms);
    t.devPlans.push(await singlePlans(p, t.devStacks));

    const name = `bench-${round}`;
    const created = must(
      await p.cli(['env', 'create', name, '--from', BASE, '--ttl', '1h', '--yes', '--json'], {
        env,
        timeoutMs: COMMAND_TIMEOUT_MS,
      }),
      `ecsdeploy env create ${name}`,
      p.moto,
    );
    try {
      const result = parse(created.stdout, `env create ${name}`, isCreateResult);
      t.envStacks = result.stacks;
      t.engine.create = breakdown(result.apply.logFile);
      t.create.push(created.ms);
      t.envPlans.push(await singlePlans(p, t.envStacks));
    } finally {
      const destroyed = must(
        await p.cli(['env', 'destroy', name, '--yes', '--json'], { env, timeoutMs: COMMAND_TIMEOUT_MS }),
        `ecsdeploy env destroy ${name}`,
        p.moto,
      );
      t.destroy.push(destroyed.ms);
      t.engine.destroy = breakdown(parse(destroyed.stdout, `env destroy ${name}`, isDestroyResult).destroy?.logFile);
    }
    progress(
      `round ${round}: apply ${seconds(applied.ms)} s, its ${t.devStacks.length} single plans ${seconds(t.devPlans.at(-1)!)} s; ` +
        `env create ${seconds(created.ms)} s, its ${t.envStacks.length} single plans ${seconds(t.envPlans.at(-1)!)} s, destroy ${seconds(t.destroy.at(-1)!)} s`,
    );
  }
  return environmentFigures(t);
}
