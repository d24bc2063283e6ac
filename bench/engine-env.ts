/**
 * The real engine against moto, for the bench modules that time ecsdeploy and Terraform
 * (bench/plan.ts, bench/deploy.ts, bench/environments.ts), set up exactly as the end-to-end tests
 * do it (test/README.md): the patched moto server (test/moto/server.py), a project whose
 * environment files point at it (`endpoint:`), Terraform and the AWS provider from the filesystem
 * mirror (TF_CLI_CONFIG_FILE), moto's credentials, CI behaviour.
 *
 * Children run asynchronously, never with spawnSync: moto's request log is piped to this process,
 * and a blocked event loop stops draining it, which blocks moto and every engine waiting on it.
 */
import { spawn } from 'node:child_process';
import { appendFileSync, cpSync, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PROJECT_ENTRIES } from '../test/support/example-project';
import { awsTestEnv, startMoto, writeTerraformCliConfig, type MotoServer } from '../test/support/moto';

/** The source tree (this file runs from dist-bench/bench/). */
export const REPO = join(__dirname, '..', '..');
/** The built CLI. */
export const BIN = join(REPO, 'bin', 'run.js');
/** The launcher in the source tree (test/support/moto's default would be under dist-bench/). */
const MOTO_LAUNCHER = join(REPO, 'test', 'moto', 'server.py');
const GNU_TIME = '/usr/bin/time';

export interface Proc {
  readonly code: number | null;
  readonly stdout: string;
  /** The last 20,000 characters. */
  readonly stderr: string;
  /** Wall clock. */
  readonly ms: number;
  /** CPU seconds (user + system) of the process and every process under it, when run with `cpuFile` and GNU time is installed. */
  readonly cpu?: number;
}

export interface RunOptions {
  readonly env: NodeJS.ProcessEnv;
  readonly cwd?: string;
  /** SIGINT (the CLI stops its engines gracefully), then SIGKILL 30 s later; the promise rejects. */
  readonly timeoutMs?: number;
  /** Run under GNU time (when installed), writing its output to this scratch file: Proc.cpu. */
  readonly cpuFile?: string;
}

/**
 * A child process, timed (wall clock, and CPU with `cpuFile`). GNU time ignores SIGINT, so on
 * timeout the signals go to the command under it; a Ctrl-C on the terminal reaches it directly.
 */
export function run(file: string, args: readonly string[], opts: RunOptions): Promise<Proc> {
  return new Promise((resolve, reject) => {
    const timed = opts.cpuFile !== undefined && existsSync(GNU_TIME);
    if (timed) rmSync(opts.cpuFile!, { force: true });
    const started = process.hrtime.bigint();
    const [cmd, ...rest] = timed ? [GNU_TIME, '-f', '%U %S', '-o', opts.cpuFile!, file, ...args] : [file, ...args];
    const child = spawn(cmd!, rest, { cwd: opts.cwd, env: opts.env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (c: string) => (stdout += c));
    child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr = (stderr + c).slice(-20_000)));
    const signal = (s: NodeJS.Signals) => {
      const pids = [child.pid!];
      try {
        if (timed)
          pids.unshift(
            ...readFileSync(`/proc/${child.pid}/task/${child.pid}/children`, 'utf8')
              .trim()
              .split(/\s+/)
              .filter(Boolean)
              .map(Number),
          );
      } catch {
        // no /proc: time passes on what it does not ignore
      }
      for (const pid of pids) {
        try {
          process.kill(pid, s);
        } catch {
          // already gone
        }
      }
    };
    let timedOut = false;
    const timer =
      opts.timeoutMs === undefined
        ? undefined
        : setTimeout(() => {
            timedOut = true;
            signal('SIGINT');
            setTimeout(() => signal('SIGKILL'), 30_000).unref();
          }, opts.timeoutMs);
    child.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      if (timedOut)
        return reject(
          new Error(
            `${[file, ...args].join(' ')} took more than ${opts.timeoutMs! / 60_000} min: stopped\n${stderr.slice(-3000)}`,
          ),
        );
      // GNU time's last line: "user system" (a line before it says when the command failed).
      const used =
        timed && existsSync(opts.cpuFile!)
          ? readFileSync(opts.cpuFile!, 'utf8')
              .trim()
              .split('\n')
              .pop()!
              .split(' ')
              .map(Number)
              .reduce((a, b) => a + b, 0)
          : Number.NaN;
      resolve({ code, stdout, stderr, ms, ...(Number.isFinite(used) ? { cpu: used } : {}) });
    });
  });
}

/** The process, if it exited 0; otherwise an error with the ends of its output (and of moto's log). */
export function must(p: Proc, what: string, moto?: MotoServer): Proc {
  if (p.code === 0) return p;
  throw new Error(
    `${what} exited ${p.code}\n${p.stdout.slice(-3000)}\n--- stderr ---\n${p.stderr.slice(-3000)}${moto ? `\n--- moto ---\n${moto.logs().slice(-2000)}` : ''}`,
  );
}

export interface EngineEnv {
  /** Scratch folder of the run (the project is in it); removed by stop(). */
  readonly work: string;
  /** The project folder. */
  readonly dir: string;
  /** The environment of every ecsdeploy and engine process: moto's endpoint and credentials, the mirror, CI. */
  readonly env: NodeJS.ProcessEnv;
  readonly moto: MotoServer;
  /** For AWS SDK clients of the bench itself. */
  readonly aws: { region: string; endpoint: string; credentials: { accessKeyId: string; secretAccessKey: string } };
  /** The built CLI on the project (`-C dir`), timed. */
  cli(args: readonly string[], opts?: Omit<RunOptions, 'env'> & { env?: NodeJS.ProcessEnv }): Promise<Proc>;
  /** Stops moto and removes the scratch folder. */
  stop(): Promise<void>;
}

/** Writes the bundled example project (ecsdeploy.yaml, environments/, services/, jobs/ of the source tree) into `dir`. */
export function exampleProject(dir: string): void {
  for (const entry of PROJECT_ENTRIES)
    if (existsSync(join(REPO, entry))) cpSync(join(REPO, entry), join(dir, entry), { recursive: true });
}

/**
 * moto, and the project `write` puts into a scratch folder with every environment file pointed at
 * it. `prefix` names the scratch folder (ecsdeploy-bench-<prefix>-...).
 */
export async function startEngineEnv(prefix: string, write: (dir: string) => void): Promise<EngineEnv> {
  if (!existsSync(join(REPO, 'dist', 'bundle', 'cli.js')))
    throw new Error('dist/ is missing: run `npm run build` (npm run bench does it first)');
  const work = mkdtempSync(join(tmpdir(), `ecsdeploy-bench-${prefix}-`));
  let moto: MotoServer | undefined;
  try {
    moto = await startMoto({ launcher: MOTO_LAUNCHER });
    const dir = join(work, 'project');
    write(dir);
    for (const f of readdirSync(join(dir, 'environments')))
      appendFileSync(join(dir, 'environments', f), `endpoint: ${moto.endpoint}\n`);
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      ...awsTestEnv(moto.endpoint),
      TF_CLI_CONFIG_FILE: writeTerraformCliConfig(work),
      // The provider proxy's answers (docs/engine.md): this bench's own, empty at the start, not the user's.
      ECSDEPLOY_PROVIDER_CACHE_DIR: join(work, 'provider-answers'),
      CI: 'true',
      NO_COLOR: '1',
    };
    const m = moto;
    return {
      work,
      dir,
      env,
      moto: m,
      aws: { region: 'eu-west-1', endpoint: m.endpoint, credentials: { accessKeyId: 'test', secretAccessKey: 'test' } },
      cli: (args, opts = {}) =>
        run(process.execPath, [BIN, ...args, '-C', dir], { ...opts, env: { ...env, ...opts.env } }),
      stop: async () => {
        await m.stop();
        rmSync(work, { recursive: true, force: true });
      },
    };
  } catch (err) {
    await moto?.stop();
    rmSync(work, { recursive: true, force: true });
    throw err;
  }
}

/**
 * A bare `terraform plan` (the engine ecsdeploy uses: $ECSDEPLOY_ENGINE, else terraform) in a
 * synthesized stack folder, as a careful user runs it: `plan -input=false -out=<file>`, whole
 * process, wall clock. The folder is already initialized (ecsdeploy applied it).
 */
export async function barePlan(e: EngineEnv, stack: string, planFile: string): Promise<number> {
  const engine = process.env['ECSDEPLOY_ENGINE'] || 'terraform';
  const cwd = join(e.dir, 'cdktf.out', 'stacks', stack);
  const p = must(
    await run(engine, ['plan', '-input=false', `-out=${planFile}`], { cwd, env: { ...e.env, TF_IN_AUTOMATION: '1' } }),
    `terraform plan of ${stack}`,
    e.moto,
  );
  return p.ms;
}

/** One engine command of a run (`terraform init`, `plan`, `show`, `apply`, ...), from the run's engine log. */
export interface EngineCommand {
  readonly stack: string;
  /** The engine's subcommand: init, plan, show, apply, destroy, output, ... */
  readonly verb: string;
  /** ms since the day's start (UTC; past midnight counts on). */
  readonly start: number;
  readonly end: number;
}

/**
 * The engine commands of one run, from its log (.ecsdeploy/logs/: `HH:MM:SS.mmm [stack] $ terraform
 * plan ...` ... `HH:MM:SS.mmm [stack] (exit N)`). The provider processes ecsdeploy starts (`$
 * .../terraform-provider-aws... -debug`) are not engine commands and have no exit line.
 */
export function engineCommands(logFile: string): EngineCommand[] {
  const running = new Map<string, { verb: string; start: number }>();
  const commands: EngineCommand[] = [];
  let first: number | undefined;
  for (const line of readFileSync(logFile, 'utf8').split('\n')) {
    const m = /^(\d\d):(\d\d):(\d\d)\.(\d{3}) \[([^\]]+)\] (.*)$/.exec(line);
    if (!m) continue;
    let t = ((Number(m[1]) * 60 + Number(m[2])) * 60 + Number(m[3])) * 1000 + Number(m[4]);
    first ??= t;
    if (t < first) t += 86_400_000; // past midnight (UTC)
    const [stack, text] = [m[5]!, m[6]!];
    const cmd = /^\$ (\S+) (\S+)/.exec(text);
    if (cmd && /(^|\/)(terraform|tofu)$/.test(cmd[1]!)) running.set(stack, { verb: cmd[2]!, start: t });
    else if (text.startsWith('(exit ') && running.has(stack)) {
      const { verb, start } = running.get(stack)!;
      commands.push({ stack, verb, start, end: t });
      running.delete(stack);
    }
  }
  return commands;
}

/** Most engine commands running at the same moment. */
export function peakConcurrency(commands: readonly EngineCommand[]): number {
  const events = commands
    .flatMap((c) => [[c.start, 1] as const, [c.end, -1] as const])
    .sort((x, y) => x[0] - y[0] || x[1] - y[1]);
  let now = 0;
  let peak = 0;
  for (const [, d] of events) peak = Math.max(peak, (now += d));
  return peak;
}

/** What the engine did in one run, in words: `3 init, 3 plan, 3 show, 3 apply: 95 s of engine time, at most 2 at once`. */
export function engineBreakdown(commands: readonly EngineCommand[]): string {
  const verbs = new Map<string, number>();
  for (const c of commands) verbs.set(c.verb, (verbs.get(c.verb) ?? 0) + 1);
  const busy = commands.reduce((a, c) => a + c.end - c.start, 0);
  return `${[...verbs].map(([v, n]) => `${n} ${v}`).join(', ')}: ${Math.round(busy / 1000)} s of engine time, at most ${peakConcurrency(commands)} at once`;
}
