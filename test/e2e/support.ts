/**
 * What the end-to-end tests share: whether they can run (terraform, the provider mirror, moto),
 * a copy of the bundled example project pointed at moto through the environments' `endpoint:` key
 * (configuration any user could write), and the built CLI run as a child process.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { awsTestEnv, skipReason, writeTerraformCliConfig } from '../support/moto';
import { copyExampleProject } from '../support/example-project';
import { describeProcesses } from '../support/processes';
import { isCI } from '../../src/ui/prompt';

export const REPO = join(__dirname, '..', '..');

/**
 * Timeout of an end-to-end file's afterAll. Stopping moto may take 10 s (SIGTERM, up to 5 s, then
 * SIGKILL, up to 5 s more), and removing a project deletes its Terraform working folders: on a
 * loaded machine that outlasts Jest's default of 5 s, and the hook failed a file whose tests passed.
 */
export const TEARDOWN_MS = 60_000;
const BIN = join(REPO, 'bin', 'run.js');

/** `describe` or `describe.skip` with a one-line notice; missing pieces fail the run in CI. */
export function e2eDescribe(): jest.Describe {
  const reason = skipReason();
  if (reason === undefined) return describe;
  if (isCI()) throw new Error(`${reason}; CI must have terraform, the provider mirror and moto (.ci/run checks them)`);
  console.warn(reason);
  return describe.skip;
}

export function builtCli(): void {
  if (!existsSync(join(REPO, 'dist', 'src', 'commands', 'apply.js')))
    throw new Error('dist/ is missing: run `npm run build` (npm run test:e2e does it first)');
}

/** A copy of the example project (ecsdeploy.yaml, environments/, services/) whose environments use `endpoint`. */
export function exampleProject(endpoint: string, projectYaml?: (text: string) => string): string {
  const dir = mkdtempSync(join(tmpdir(), 'ecsdeploy-e2e-'));
  copyExampleProject(dir);
  for (const f of readdirSync(join(dir, 'environments'))) {
    const file = join(dir, 'environments', f);
    writeFileSync(file, `${readFileSync(file, 'utf8')}endpoint: ${endpoint}\n`);
  }
  if (projectYaml)
    writeFileSync(join(dir, 'ecsdeploy.yaml'), projectYaml(readFileSync(join(dir, 'ecsdeploy.yaml'), 'utf8')));
  return dir;
}

/** The environment of the CLI under test: moto's endpoint and credentials, the mirror, CI behaviour. */
export function cliEnv(endpoint: string, work: string): NodeJS.ProcessEnv {
  return {
    ...process.env,
    ...awsTestEnv(endpoint),
    TF_CLI_CONFIG_FILE: writeTerraformCliConfig(work),
    CI: 'true',
    NO_COLOR: '1',
  };
}

export interface CliResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly seconds: number;
}

/** The exit code, and on a surprise the tail of what the CLI said, so a CI log shows why. */
export function exitOf(r: CliResult): { code: number | null; said?: string } {
  return r.code === 0 ? { code: 0 } : { code: r.code, said: `${r.stderr.slice(-1500)}\n${r.stdout.slice(-1500)}` };
}

export interface Running {
  readonly child: ChildProcess;
  readonly done: Promise<CliResult>;
  /** Resolves once stderr matches. */
  waitFor(pattern: RegExp, timeoutMs: number): Promise<void>;
}

/**
 * A CLI call still running after this long (ECSDEPLOY_E2E_HANG_REPORT_S, 420 s: longer than any
 * command of the suite takes on a loaded machine, shorter than the tests' timeouts) prints what it
 * is doing on the test's console, and again each time as long again passes: so a command that hangs
 * in CI says where (which processes, the engine command and the provider calls in its run log)
 * before its test times out.
 */
const HANG_REPORT_MS = Number(process.env['ECSDEPLOY_E2E_HANG_REPORT_S'] || 420) * 1000;

/** The processes under a running CLI and the last lines of its run log (`<project>/.ecsdeploy/logs/*-<pid>.log`). */
export function hangReport(pid: number, args: readonly string[], dir: string, seconds: number): string {
  const logs = join(dir, '.ecsdeploy', 'logs');
  const own = existsSync(logs) ? readdirSync(logs).filter((f) => f.endsWith(`-${pid}.log`)) : [];
  const tail = own.map((f) => {
    const lines = readFileSync(join(logs, f), 'utf8').trimEnd().split('\n');
    return `--- the last ${Math.min(40, lines.length)} of ${lines.length} lines of ${join(logs, f)}\n${lines.slice(-40).join('\n')}`;
  });
  return [
    `ecsdeploy ${args.join(' ')} (pid ${pid}) still runs after ${seconds} s. Its processes:`,
    describeProcesses([pid, ...descendants(pid)]),
    ...(tail.length ? tail : ['(no run log of it yet)']),
  ].join('\n');
}

export function startCli(args: readonly string[], dir: string, env: NodeJS.ProcessEnv): Running {
  const started = Date.now();
  const child = spawn(process.execPath, [BIN, ...args, '-C', dir], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  const report = setInterval(() => {
    try {
      console.warn(hangReport(child.pid!, args, dir, Math.round((Date.now() - started) / 1000)));
    } catch {
      // a report is not worth failing a test for
    }
  }, HANG_REPORT_MS);
  report.unref();
  child.on('close', () => clearInterval(report));
  let stdout = '';
  let stderr = '';
  const watchers: Array<{ pattern: RegExp; resolve: () => void }> = [];
  child.stdout!.setEncoding('utf8').on('data', (c: string) => (stdout += c));
  child.stderr!.setEncoding('utf8').on('data', (c: string) => {
    stderr += c;
    for (const w of watchers.filter((x) => x.pattern.test(stderr))) {
      watchers.splice(watchers.indexOf(w), 1);
      w.resolve();
    }
  });
  const done = new Promise<CliResult>((resolve) =>
    child.on('close', (code) => resolve({ code, stdout, stderr, seconds: Math.round((Date.now() - started) / 1000) })),
  );
  return {
    child,
    done,
    waitFor: (pattern, timeoutMs) =>
      new Promise((resolve, reject) => {
        if (pattern.test(stderr)) return resolve();
        const timer = setTimeout(
          () => reject(new Error(`stderr did not show ${pattern} within ${timeoutMs} ms:\n${stderr.slice(-3000)}`)),
          timeoutMs,
        );
        watchers.push({ pattern, resolve: () => (clearTimeout(timer), resolve()) });
        void done.then(() =>
          reject(new Error(`the CLI exited before stderr showed ${pattern}:\n${stderr.slice(-3000)}`)),
        );
      }),
  };
}

export function cli(args: readonly string[], dir: string, env: NodeJS.ProcessEnv): Promise<CliResult> {
  return startCli(args, dir, env).done;
}

/** The JSON a `--json` run printed; fails with its stderr when it is not JSON. */
export function json<T>(r: CliResult): T {
  try {
    return JSON.parse(r.stdout) as T;
  } catch {
    throw new Error(`not JSON (exit ${r.code}):\n${r.stdout.slice(0, 2000)}\n--- stderr ---\n${r.stderr.slice(-4000)}`);
  }
}

/** Every process under `pid` (the engine and the provider plugin), read from /proc. */
export function descendants(pid: number): number[] {
  const out: number[] = [];
  const children = (p: number) => {
    const file = `/proc/${p}/task/${p}/children`;
    if (!existsSync(file)) return [];
    return readFileSync(file, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
  };
  const queue = [pid];
  while (queue.length)
    for (const c of children(queue.shift()!)) {
      out.push(c);
      queue.push(c);
    }
  return out;
}

export { alive, describeProcesses, leftRunningAfter } from '../support/processes';
