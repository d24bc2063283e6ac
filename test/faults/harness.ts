/**
 * Seeded fault runs: which seeds a scenario runs (FAULT_SEEDS, FAULT_ENGINE_SEEDS, FAULT_KILL_SEEDS,
 * or one FAULT_SEED to replay), a proxy per run, and a log of every run (seed, faults injected,
 * outcome, broken invariants) in a file that a failure names. See test/README.md "Fault injection".
 */
import { appendFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { RegisterTaskDefinitionCommand, type ECSClient } from '@aws-sdk/client-ecs';
import { draw, startFaultProxy, type FaultKind, type FaultProxy } from './proxy';

export const LOG_DIR = process.env['FAULT_LOG_DIR'] ?? join(tmpdir(), 'ecsdeploy-faults');

function count(name: string, fallback: number): number {
  const v = process.env[name];
  if (v === undefined || v === '') return fallback;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new Error(`${name}=${v}: expected a whole number of seeds ≥ 1`);
  return n;
}

/** The seeds of a scenario: FAULT_SEED alone when set, else 1..n (n from the env var or the default). */
export function seeds(kind: 'cheap' | 'engine' | 'kill', defaults: number): number[] {
  const one = process.env['FAULT_SEED'];
  if (one !== undefined && one !== '') {
    const n = Number(one);
    if (!Number.isInteger(n)) throw new Error(`FAULT_SEED=${one}: expected a whole number`);
    return [n];
  }
  const n = count(
    kind === 'cheap' ? 'FAULT_SEEDS' : kind === 'engine' ? 'FAULT_ENGINE_SEEDS' : 'FAULT_KILL_SEEDS',
    defaults,
  );
  return Array.from({ length: n }, (_, i) => i + 1);
}

export interface RunLog {
  readonly scenario: string;
  readonly seed: number;
  readonly rate: number;
  readonly faults: string[];
  readonly outcome: string;
  readonly problems: string[];
  readonly ms: number;
}

export interface Run {
  readonly seed: number;
  readonly rate: number;
  readonly proxy: FaultProxy;
  /** Notes for the log (what the run decided, exit codes). */
  note(text: string): void;
  /** A broken invariant: the run fails, the log says why. */
  problem(text: string): void;
}

/** The fault rate of a seed: spread over [min, max] so some seeds barely fault and some fault a lot. */
export function rateOf(seed: number, scenario: string, min: number, max: number): number {
  return Math.round((min + (max - min) * draw(seed, scenario, 0, 'rate')) * 100) / 100;
}

export interface ScenarioOptions {
  readonly target: string;
  readonly rate: readonly [number, number];
  readonly kinds?: readonly FaultKind[];
  readonly lifetimeMs: number;
  readonly concurrency: number;
  readonly spare?: RegExp;
  /** One proxy for every run, reseeded each time (an engine's working folder keeps its endpoint); runs go one at a time. */
  readonly shared?: FaultProxy;
}

/**
 * Runs `body` once per seed (a few at a time), each behind its own proxy, and throws one error
 * naming every failing seed, the log file and how to replay one.
 */
/**
 * Under the engine, only faults after which the request did not take effect (or took long): the
 * AWS provider's creates are not idempotent, so a create that landed and whose answer was lost
 * fails its retry with "already exists", on AWS as here. The CLI's own calls get every fault.
 */
export const ENGINE_FAULTS = ['http500', 'http503', 'throttle', 'latency', 'dropBefore'] as const;

/** The options of an engine scenario: one run at a time through the file's one proxy (the engine's folders keep its endpoint). */
export function engineScenario(target: string, shared: FaultProxy, rate: readonly [number, number]): ScenarioOptions {
  return { target, rate, lifetimeMs: 0, concurrency: 1, shared, kinds: ENGINE_FAULTS };
}

export async function runSeeds(
  scenario: string,
  list: readonly number[],
  options: ScenarioOptions,
  body: (run: Run) => Promise<void>,
): Promise<RunLog[]> {
  mkdirSync(LOG_DIR, { recursive: true });
  const file = join(LOG_DIR, `${scenario}.jsonl`);
  appendFileSync(file, `${JSON.stringify({ scenario, started: new Date().toISOString(), seeds: list.length })}\n`);
  const logs: RunLog[] = [];
  const queue = [...list];
  const worker = async () => {
    for (let seed = queue.shift(); seed !== undefined; seed = queue.shift()) {
      const rate = rateOf(seed, scenario, ...options.rate);
      if (options.shared) options.shared.reseed(seed, rate, options.kinds);
      const proxy =
        options.shared ??
        (await startFaultProxy({
          target: options.target,
          seed,
          rate,
          lifetimeMs: options.lifetimeMs,
          ...(options.kinds ? { kinds: options.kinds } : {}),
          ...(options.spare ? { spare: options.spare } : {}),
        }));
      const notes: string[] = [];
      const problems: string[] = [];
      const started = Date.now();
      try {
        await body({ seed, rate, proxy, note: (t) => notes.push(t), problem: (t) => problems.push(t) });
      } catch (err) {
        problems.push(`threw: ${(err as Error).stack ?? String(err)}`);
      } finally {
        if (options.shared) options.shared.setRate(0);
        else await proxy.close();
      }
      const log: RunLog = {
        scenario,
        seed,
        rate,
        faults: proxy.injected.map((f) => `${f.operation}#${f.nth}:${f.kind}`),
        outcome: notes.join('; '),
        problems,
        ms: Date.now() - started,
      };
      logs.push(log);
      appendFileSync(file, `${JSON.stringify(log)}\n`);
    }
  };
  await Promise.all(Array.from({ length: options.shared ? 1 : Math.min(options.concurrency, list.length) }, worker));
  const failed = logs.filter((l) => l.problems.length > 0).sort((a, b) => a.seed - b.seed);
  if (failed.length > 0) {
    const first = failed[0]!;
    throw new Error(
      `${scenario}: ${failed.length} of ${logs.length} seeded runs broke an invariant (seeds ${failed.map((f) => f.seed).join(', ')}).\n` +
        `Log of every run (seed, faults, outcome): ${file}\n` +
        `Replay one: FAULT_SEED=${first.seed} ${replayCommand(scenario)}\n` +
        `Seed ${first.seed} (rate ${first.rate}; faults ${first.faults.join(', ') || 'none'}):\n  ${first.problems.join('\n  ').slice(0, 4000)}`,
    );
  }
  return logs;
}

/** What a scenario ran, for the summary line: runs, faults injected, outcomes. */
export function summary(logs: readonly RunLog[]): string {
  const faults = logs.reduce((n, l) => n + l.faults.length, 0);
  return `${logs.length} runs, ${faults} faults injected`;
}

/** Two revisions of task definition `family` (images nginx:1 and nginx:2), registered straight in moto: their ARNs. */
export async function twoRevisions(ecs: ECSClient, family: string): Promise<[string, string]> {
  const register = async (image: string) =>
    (
      await ecs.send(
        new RegisterTaskDefinitionCommand({ family, containerDefinitions: [{ name: 'web', image, memory: 128 }] }),
      )
    ).taskDefinition!.taskDefinitionArn!;
  return [await register('nginx:1'), await register('nginx:2')];
}

/**
 * The jest command that runs the current test alone (its file, and its full name as a `-t`
 * pattern, regex characters escaped): the scenario's name is not in every test's title.
 */
export function replayCommand(
  scenario: string,
  state: { readonly currentTestName?: string; readonly testPath?: string } = expect.getState(),
): string {
  const title = state.currentTestName ?? scenario;
  const pattern = title.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/'/g, '.');
  const file = state.testPath ? `${relative(process.cwd(), state.testPath)} ` : '';
  return `npx jest ${file}--selectProjects faults -t '${pattern}'`;
}
