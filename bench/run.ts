/**
 * `npm run bench [-- --quick] [-- --with-peers]`: every performance figure ecsdeploy claims,
 * measured in one run on this machine, printed as a table and written to bench/results/latest.json.
 * Whole processes are timed by repeated runs; medians and spread, never one run. The commands a
 * ratio compares run interleaved (A B A B ...), so both see the same machine: on a shared 2-core
 * VM the load drifts within a minute, and timing all of A and then all of B measured the drift.
 * --quick proves the benchmarks still run (CI), with few runs and small projects. --with-peers
 * installs cdktf-cli into bench/.peer to time `cdktf synth` on the same app. --only=start|synth|modules|deploy
 * measures one group of figures (into bench/results/only-<group>.json). --rounds=N sets the timed
 * rounds of the deploy group (bench/deploy.ts, bench/environments.ts: minutes each on a loaded
 * machine; default 5 and 3, 1 with --quick). Every ratio of two commands
 * timed in the same rounds is the median of the per-round ratios, with their min–max.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { environmentFigures } from './environments';
import { median, pairedRatio } from './stats';

const REPO = join(__dirname, '..', '..');
const BIN = join(REPO, 'bin', 'run.js');
const args = new Set(process.argv.slice(2));
const QUICK = args.has('--quick');
const WITH_PEERS = args.has('--with-peers');
/** --only=start|synth|modules|deploy: one group of figures (while working on it), written to bench/results/only-<group>.json. */
const ONLY = [...args].find((a) => a.startsWith('--only='))?.slice('--only='.length);
if (ONLY !== undefined && !['start', 'synth', 'modules', 'deploy'].includes(ONLY)) {
  console.error(`--only=${ONLY}: expected one of start, synth, modules, deploy`);
  process.exit(2);
}
/** --rounds=N: timed rounds of the deploy group (each takes minutes: fit the run to the time there is). */
const ROUNDS_ARG = [...args].find((a) => a.startsWith('--rounds='))?.slice('--rounds='.length);
const ROUNDS = ROUNDS_ARG === undefined ? undefined : Number(ROUNDS_ARG);
if (ROUNDS !== undefined && !(Number.isInteger(ROUNDS) && ROUNDS >= 1)) {
  console.error(`--rounds=${ROUNDS_ARG}: expected a whole number of rounds, 1 or more`);
  process.exit(2);
}
const RUNS = QUICK ? 2 : 7;
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { generate } = require(join(REPO, 'bench', 'generate.js')) as {
  generate: (dir: string, envs: number, services: number) => string;
};

export interface Figure {
  readonly figure: string;
  /** Median. */
  readonly value: number;
  readonly unit: string;
  /** min–max of the runs. */
  readonly spread?: string;
  readonly baseline?: string;
  readonly baselineValue?: number;
  /** value / baseline (or baseline / value for "faster than" targets; see target): the median of the per-round ratios where the two were timed in the same rounds. */
  readonly ratio?: number;
  /** min–max of the per-round ratios (the ratio's spread; issue #19: one run's ratio is not a figure). */
  readonly ratioSpread?: string;
  readonly target?: string;
  readonly met?: boolean;
  readonly note?: string;
}

interface Timing {
  readonly median: number;
  readonly min: number;
  readonly max: number;
  /** Every timed run, round by round. */
  readonly runs: readonly number[];
}

const gnuTime = existsSync('/usr/bin/time');

interface Run {
  readonly cmd: readonly string[];
  readonly env?: NodeJS.ProcessEnv;
  /** Shell command run before each timed run (not timed). */
  readonly prepare?: string;
}

/**
 * Times whole commands (ms): one untimed warm-up round, then `runs` rounds in which each command
 * runs once, in turn. Returns one timing per command.
 */
function compare(commands: readonly Run[], runs = RUNS): Timing[] {
  const times = commands.map((): number[] => []);
  for (let round = 0; round <= runs; round++) {
    commands.forEach((c, i) => {
      if (c.prepare) execFileSync('sh', ['-c', c.prepare]);
      const t = process.hrtime.bigint();
      const r = spawnSync(c.cmd[0]!, c.cmd.slice(1), { cwd: REPO, stdio: 'ignore', env: { ...process.env, ...c.env } });
      const ms = Number(process.hrtime.bigint() - t) / 1e6;
      if (r.status !== 0) throw new Error(`${c.cmd.join(' ')} exited ${r.status}`);
      if (round > 0) times[i]!.push(ms);
    });
  }
  return times.map((t) => ({ median: median(t), min: Math.min(...t), max: Math.max(...t), runs: t }));
}

function time(cmd: string[], opts: { runs?: number; prepare?: string } = {}): Timing {
  return compare([{ cmd, prepare: opts.prepare }], opts.runs)[0]!;
}

/** Peak resident memory (MB) of one run of a command, or undefined without GNU time. */
function peakMb(cmd: string[], prepare?: string): number | undefined {
  if (!gnuTime) return undefined;
  if (prepare) execFileSync('sh', ['-c', prepare]);
  const r = spawnSync('/usr/bin/time', ['-f', '%M', ...cmd], { cwd: REPO, encoding: 'utf8' });
  const kb = Number(r.stderr.trim().split('\n').pop());
  return Number.isFinite(kb) ? Math.round(kb / 1024) : undefined;
}

const spread = (t: Timing) => `${Math.round(t.min)}–${Math.round(t.max)}`;
const round = (x: number, d = 2) => Math.round(x * 10 ** d) / 10 ** d;

function startFigures(): Figure[] {
  const node = [process.execPath, '-e', '0'];
  const help = [process.execPath, BIN, '--help'];
  const validate = [process.execPath, BIN, 'config', 'validate'];
  const runs = QUICK ? 3 : 21;
  const [tNode, tHelp, tValidate, tUncached] = compare(
    [{ cmd: node }, { cmd: help }, { cmd: validate }, { cmd: validate, env: { ECSDEPLOY_CODE_CACHE: 'off' } }],
    runs,
  );
  const figs: Figure[] = [];
  for (const [name, t] of [
    ['start: ecsdeploy --help', tHelp!],
    ['start: ecsdeploy config validate (examples)', tValidate!],
  ] as const) {
    const r = pairedRatio(t.runs, tNode!.runs);
    figs.push({
      figure: name,
      value: Math.round(t.median),
      unit: 'ms',
      spread: spread(t),
      baseline: 'node -e 0',
      baselineValue: Math.round(tNode!.median),
      ...r,
      target: '≤ 2.5x node -e 0',
      met: r.ratio <= 2.5,
    });
  }
  figs.push({
    figure: 'start: config validate without the code cache (ECSDEPLOY_CODE_CACHE=off)',
    value: Math.round(tUncached!.median),
    unit: 'ms',
    spread: spread(tUncached!),
    baseline: 'node -e 0',
    baselineValue: Math.round(tNode!.median),
    ...pairedRatio(tUncached!.runs, tNode!.runs),
    note: 'what the V8 code cache saves',
  });
  return figs;
}

function synthFigures(work: string): Figure[] {
  const figs: Figure[] = [];
  const [E, S] = QUICK ? [3, 10] : [20, 100];
  const big = generate(join(work, `p${E}x${S}`), E, S);
  const small = generate(join(work, 'p1x1'), 1, 1);

  // Deploy latency: what `service deploy` synthesizes (one service stack), big project vs tiny one.
  const one = (dir: string) => [
    process.execPath,
    BIN,
    'synth',
    '-C',
    dir,
    '--env',
    'env0',
    '--stack',
    'svc0',
    '--no-cache',
    '--out',
    join(work, 'one'),
  ];
  const [tBig, tSmall] = compare([{ cmd: one(big) }, { cmd: one(small) }]);
  const p1 = pairedRatio(tBig!.runs, tSmall!.runs);
  const r1 = p1.ratio;
  figs.push({
    figure: `deploy synth: 1 service stack of ${E}x${S}`,
    value: Math.round(tBig!.median),
    unit: 'ms',
    spread: spread(tBig!),
    baseline: '1x1 project',
    baselineValue: Math.round(tSmall!.median),
    ...p1,
    target: '≤ 1.5x',
    met: r1 <= 1.5,
  });

  // Full synth, fresh, and a second synth with nothing changed.
  const outBig = join(work, 'out-big');
  const full = [process.execPath, BIN, 'synth', '-C', big, '--out', outBig];
  // Each run starts from an empty folder. The previous run's output is moved aside, not deleted:
  // ext4 without a journal (as here) will not reuse an inode freed in the last 60 s (300 s while its
  // table block is dirty) and scans past every such inode for each new file (fs/ext4/ialloc.c,
  // recently_deleted()). Right after `rm -rf` of the previous 4,042 files and folders that scan
  // made the synth 1.5-3 s slower, all of it kernel time: the deletion measured, not the synth.
  const trash = join(work, 'trash');
  mkdirSync(trash, { recursive: true });
  const fresh = `if [ -d ${outBig} ]; then mv ${outBig} ${trash}/$(date +%s%N); fi`;
  const tFull = time(full, { runs: QUICK ? 1 : 3, prepare: fresh });
  const mem = peakMb(full, fresh);
  figs.push({
    figure: `full synth ${E}x${S} (${E * (S + 1) + 1} stacks)`,
    value: Math.round(tFull.median),
    unit: 'ms',
    spread: spread(tFull),
    target: QUICK ? 'n/a (quick)' : '< 6000 ms',
    met: QUICK ? undefined : tFull.median < 6000,
  });
  if (mem !== undefined)
    figs.push({
      figure: `full synth ${E}x${S} peak memory`,
      value: mem,
      unit: 'MB',
      target: QUICK ? 'n/a (quick)' : '< 600 MB',
      met: QUICK ? undefined : mem < 600,
    });
  execFileSync(full[0]!, full.slice(1), { stdio: 'ignore' }); // make sure the cache is warm
  const tSecond = time(full);
  // Not timed in the same rounds (3 fresh synths, then 7 second ones): the ratio of the medians,
  // and its spread the extremes (slowest first / fastest second, fastest first / slowest second).
  const r2 = tFull.median / tSecond.median;
  figs.push({
    figure: `second synth ${E}x${S}, nothing changed`,
    value: Math.round(tSecond.median),
    unit: 'ms',
    spread: spread(tSecond),
    baseline: 'first synth',
    baselineValue: Math.round(tFull.median),
    ratio: round(r2),
    ratioSpread: `${round(tFull.min / tSecond.max)}–${round(tFull.max / tSecond.min)}`,
    target: QUICK ? 'n/a (quick)' : '≥ 10x faster',
    met: QUICK ? undefined : r2 >= 10,
  });

  // The bundled examples, against cdktf synth of the same app (cdktf.json), interleaved.
  const ours = { cmd: [process.execPath, BIN, 'synth', '--no-cache', '--out', join(work, 'ex')] };
  const cdktf = peerCdktf();
  if (cdktf) {
    const [examples, peer] = compare(
      [ours, { cmd: [cdktf, 'synth', '--output', join(work, 'ex-cdktf')] }],
      QUICK ? 1 : 7,
    );
    const p3 = pairedRatio(examples!.runs, peer!.runs, true);
    const r3 = p3.ratio;
    figs.push({
      figure: 'synth of the bundled examples',
      value: Math.round(examples!.median),
      unit: 'ms',
      spread: spread(examples!),
      baseline: 'cdktf synth (cdktf-cli 0.21.0)',
      baselineValue: Math.round(peer!.median),
      ...p3,
      target: '≥ 5x faster',
      met: r3 >= 5,
    });
  } else {
    const examples = compare([ours])[0]!;
    figs.push({
      figure: 'synth of the bundled examples',
      value: Math.round(examples.median),
      unit: 'ms',
      spread: spread(examples),
      baseline: 'cdktf synth',
      target: '≥ 5x faster',
      note: 'peer not installed: run npm run bench -- --with-peers',
    });
  }
  rmSync(small, { recursive: true, force: true });
  return figs;
}

/** cdktf-cli, from bench/.peer (installed there on --with-peers, never a project dependency: it is 400 MB). */
function peerCdktf(): string | undefined {
  const bin = join(REPO, 'bench', '.peer', 'node_modules', '.bin', 'cdktf');
  if (!existsSync(bin) && WITH_PEERS) {
    mkdirSync(join(REPO, 'bench', '.peer'), { recursive: true });
    execFileSync(
      'npm',
      ['install', '--prefix', join(REPO, 'bench', '.peer'), '--no-audit', '--no-fund', 'cdktf-cli@0.21.0'],
      { stdio: 'inherit' },
    );
  }
  if (!existsSync(bin)) return undefined;
  process.env['CI'] = '1';
  process.env['CHECKPOINT_DISABLE'] = '1';
  return bin;
}

/** Figures other modules contribute (e.g. bench/roll.ts): each exports run*Bench(quick). */
async function moduleFigures(): Promise<Figure[]> {
  const figs: Figure[] = [];
  for (const [file, fn] of [
    ['./roll', 'runRollBench'],
    ['./plan', 'runPlanBench'],
  ] as const) {
    if (!existsSync(join(__dirname, `${file}.js`))) continue;
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const mod = require(file) as Record<string, (quick: boolean) => Promise<Figure[]>>;
    if (typeof mod[fn] === 'function') figs.push(...(await mod[fn](QUICK)));
  }
  return figs;
}

/**
 * Deploy latency on a real engine against moto (bench/deploy.ts, with bench/environments.ts:
 * `apply --env dev` with no changes and `env create`; issue #17). Not in --quick (CI): its set-up
 * applies the whole of dev, which with the plan fan-out would pass the 3-minute budget;
 * `--only=deploy --quick` runs one round of each.
 */
async function deployFigures(): Promise<Figure[]> {
  if (QUICK && ONLY !== 'deploy')
    return [
      {
        figure: 'deploy: service deploy --no-wait (real engine against moto)',
        value: Number.NaN,
        unit: 's',
        note: 'not in --quick: npm run bench -- --only=deploy',
      },
      ...environmentFigures(undefined, 'not in --quick: npm run bench -- --only=deploy'),
    ];
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const mod = require('./deploy') as { runDeployBench: (quick: boolean, rounds?: number) => Promise<Figure[]> };
  return mod.runDeployBench(QUICK, ROUNDS);
}

function render(figs: readonly Figure[]): string {
  const rows = figs.map((f) => [
    f.figure,
    `${f.value} ${f.unit}${f.spread ? ` (${f.spread})` : ''}`,
    f.baseline ? `${f.baseline}${f.baselineValue !== undefined ? `: ${f.baselineValue} ${f.unit}` : ''}` : '',
    f.ratio !== undefined ? `${f.ratio}x${f.ratioSpread ? ` (${f.ratioSpread})` : ''}` : '',
    f.target ?? '',
    f.met === undefined ? (f.note ?? '') : f.met ? 'yes' : 'NO',
  ]);
  const head = ['figure', 'value (median, min–max)', 'peer or baseline', 'ratio (median, min–max)', 'target', 'met?'];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (r: string[]) =>
    r
      .map((c, i) => c.padEnd(widths[i]!))
      .join('  ')
      .trimEnd();
  return [line(head), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}

async function main(): Promise<void> {
  const work = mkdtempSync(join(tmpdir(), 'ecsdeploy-bench-'));
  try {
    const started = Date.now();
    const wanted = (group: string) => ONLY === undefined || ONLY === group;
    const figs = [
      ...(wanted('start') ? startFigures() : []),
      ...(wanted('synth') ? synthFigures(work) : []),
      ...(wanted('modules') ? await moduleFigures() : []),
      ...(wanted('deploy') ? await deployFigures() : []),
    ];
    console.log(render(figs));
    const results = {
      date: new Date().toISOString(),
      quick: QUICK,
      ...(ONLY !== undefined ? { only: ONLY } : {}),
      machine: { node: process.version, cpus: cpus().length, load: loadavg().map((x) => round(x)) },
      measuredWith: 'repeated runs, interleaved where figures are compared',
      seconds: Math.round((Date.now() - started) / 1000),
      figures: figs,
    };
    mkdirSync(join(REPO, 'bench', 'results'), { recursive: true });
    const file = ONLY === undefined ? 'latest.json' : `only-${ONLY}.json`;
    writeFileSync(join(REPO, 'bench', 'results', file), `${JSON.stringify(results, null, 2)}\n`);
    console.log(`\nwritten to bench/results/${file} (${results.seconds} s, load ${results.machine.load.join(' ')})`);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

void main().catch((err) => {
  console.error(err);
  process.exit(1);
});
