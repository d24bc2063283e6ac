/**
 * One applied environment for the end-to-end files: dev's registry and cluster of the bundled
 * example, applied once per run by the e2e project's global setup (test/setup/e2e-global-setup.ts),
 * and a copy of it for each file that builds on it.
 *
 * The template is moto's state after `apply --env dev --stack registry --stack cluster` (saved by
 * the launcher's snapshot endpoint, test/moto/server.py) plus the project's `.ecsdeploy/` folder
 * (the Terraform state of both stacks). `devEnvironment()` gives a file its own moto restored from
 * that snapshot and its own copy of the project with that state: the same VPC, load balancer and
 * cluster ids a fresh apply would have made, in a server and a folder no other file touches, so a
 * file may deploy, mutate or destroy what it likes. Files whose assertions need the apply itself
 * (a fresh cluster, its creation counts, an interrupted create) start their own moto instead.
 *
 * The global setup starts building when the run begins and does not wait: files that need no
 * template run meanwhile; `devEnvironment()` waits for it. Without the global setup (another jest
 * configuration), the first file that asks builds it in its own process.
 *
 * `ECSDEPLOY_E2E_SHARED=off` turns the sharing off, to measure what it saves or to rule it out when
 * a file fails: the global setup builds no template, and `devEnvironment()` starts a fresh moto and
 * applies dev's registry and cluster itself, in the file, as every file did before.
 */
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
  appendFileSync,
} from 'node:fs';
import * as http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ApplyReport } from '../../src/ops/infra';
import { startMoto, type MotoServer } from '../support/moto';
import { builtCli, cliEnv, exampleProject, startCli } from './support';

/** Set by the global setup: the folder the template is built in (`ready.json` or `failed.json` appear there). */
export const SHARED_DIR_ENV = 'ECSDEPLOY_E2E_SHARED_DIR';
/** What the template holds: the stacks applied, in the order `apply` reports them. */
export const TEMPLATE_STACKS = ['registry', 'dev-cluster'] as const;
/** The switch: `off` makes every file apply dev's registry and cluster itself (no template). */
export const SHARED_SWITCH_ENV = 'ECSDEPLOY_E2E_SHARED';
export type SharedMode = 'on' | 'off';

/** `ECSDEPLOY_E2E_SHARED`: unset, empty or `on` is on; `off` is off; anything else is a mistake, named. */
export function sharedMode(env: NodeJS.ProcessEnv = process.env): SharedMode {
  const raw = env[SHARED_SWITCH_ENV];
  const value = raw?.trim().toLowerCase();
  if (value === undefined || value === '' || value === 'on') return 'on';
  if (value === 'off') return 'off';
  throw new Error(
    `${SHARED_SWITCH_ENV}=${JSON.stringify(raw)} is not a setting: use "off" (each e2e file applies dev's registry and cluster itself) or "on" (the default: one applied environment per run, restored into each file's moto)`,
  );
}

/** How long a file waits for the template (it takes 2–4 minutes on a loaded 2-core machine). */
export const TEMPLATE_WAIT_MS = 1_200_000;
/** A beforeAll that calls devEnvironment() and then applies a stack of its own. */
export const SHARED_SETUP_MS = TEMPLATE_WAIT_MS + 600_000;

interface Ready {
  readonly snapshot: string;
  readonly ecsdeploy: string;
  readonly seconds: number;
}
interface Failed {
  readonly error: string;
  readonly log: string;
}

export const templateFiles = (dir: string) => ({
  ready: join(dir, 'ready.json'),
  failed: join(dir, 'failed.json'),
  log: join(dir, 'template.log'),
  snapshot: join(dir, 'moto.pickle'),
  ecsdeploy: join(dir, 'ecsdeploy'),
});

function snapshot(endpoint: string, file: string): Promise<void> {
  const url = `${endpoint}/moto-api/ecsdeploy/snapshot?path=${encodeURIComponent(file)}`;
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method: 'POST', timeout: 120_000 }, (res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (c: string) => (body += c));
      res.on('end', () =>
        res.statusCode === 200 ? resolve() : reject(new Error(`moto snapshot: HTTP ${res.statusCode}: ${body}`)),
      );
    });
    req.on('timeout', () => req.destroy(new Error('moto snapshot: no answer within 120 s')));
    req.on('error', reject);
    req.end();
  });
}

/**
 * `apply --env dev --stack registry --stack cluster --yes --json` in `project` against `endpoint`:
 * what the template holds, and what a file applies itself with the switch off. Throws unless it
 * exits 0 having applied exactly TEMPLATE_STACKS. `log` gets the CLI's output; `signal` interrupts
 * the apply (SIGINT: the CLI stops the engine gracefully).
 */
async function applyDevBase(
  endpoint: string,
  project: string,
  log: (text: string) => void,
  signal?: AbortSignal,
): Promise<void> {
  const apply = startCli(
    ['apply', '--env', 'dev', '--stack', 'registry', '--stack', 'cluster', '--yes', '--json'],
    project,
    cliEnv(endpoint, project),
  );
  const interrupt = () => apply.child.kill('SIGINT');
  signal?.addEventListener('abort', interrupt);
  const r = await apply.done;
  signal?.removeEventListener('abort', interrupt);
  log(`--- apply (exit ${r.code}, ${r.seconds} s) stdout ---\n${r.stdout}\n--- stderr ---\n${r.stderr}`);
  if (r.code !== 0) {
    // The engine's own output, before the project copy (and its .ecsdeploy/logs) is removed.
    const logs = join(project, '.ecsdeploy', 'logs');
    for (const f of existsSync(logs) ? readdirSync(logs) : [])
      log(`--- engine log ${f} ---\n${readFileSync(join(logs, f), 'utf8')}`);
    throw new Error(`apply --env dev --stack registry --stack cluster exited ${r.code}`);
  }
  const stacks = (JSON.parse(r.stdout) as ApplyReport).stacks.map((s) => s.stack);
  if (JSON.stringify(stacks) !== JSON.stringify(TEMPLATE_STACKS))
    throw new Error(`apply reported the stacks ${JSON.stringify(stacks)}, not ${JSON.stringify(TEMPLATE_STACKS)}`);
}

/**
 * Builds the template in `dir`: a moto of its own, `apply --env dev --stack registry --stack
 * cluster`, the snapshot, the state. Writes `ready.json`, or `failed.json` with the reason; the log
 * (the CLI's output, moto's stderr) goes to `template.log`. Stops the moto it started and removes
 * its project copy whatever happens. `signal` aborts it (the global teardown of a run cut short).
 */
export async function buildTemplate(dir: string, signal?: AbortSignal): Promise<void> {
  const f = templateFiles(dir);
  mkdirSync(dir, { recursive: true });
  const log = (text: string) => appendFileSync(f.log, `${text.endsWith('\n') ? text : `${text}\n`}`);
  const started = Date.now();
  let moto: MotoServer | undefined;
  let project: string | undefined;
  try {
    log(`[${new Date().toISOString()}] building the shared dev environment (registry + cluster) in ${dir}`);
    builtCli();
    moto = await startMoto({ startTimeoutMs: 120_000 });
    if (signal?.aborted) throw new Error('aborted before the apply');
    project = exampleProject(moto.endpoint);
    await applyDevBase(moto.endpoint, project, log, signal);
    await snapshot(moto.endpoint, f.snapshot);
    // The state of both stacks (and what else apply recorded); not the engine logs, which name this folder.
    cpSync(join(project, '.ecsdeploy'), f.ecsdeploy, {
      recursive: true,
      filter: (src) => !src.startsWith(join(project!, '.ecsdeploy', 'logs')),
    });
    const ready: Ready = {
      snapshot: f.snapshot,
      ecsdeploy: f.ecsdeploy,
      seconds: Math.round((Date.now() - started) / 1000),
    };
    writeFileSync(f.ready, JSON.stringify(ready));
    log(`[${new Date().toISOString()}] ready in ${ready.seconds} s`);
  } catch (err) {
    const failed: Failed = { error: (err as Error).message, log: f.log };
    log(`[${new Date().toISOString()}] FAILED: ${(err as Error).stack ?? String(err)}`);
    writeFileSync(f.failed, JSON.stringify(failed));
  } finally {
    if (moto) {
      log(`--- moto stderr (tail) ---\n${moto.logs()}`);
      await moto.stop();
    }
    if (project) rmSync(project, { recursive: true, force: true });
  }
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

let ownBuild: Promise<string> | undefined;

/** The template's folder once it is ready; throws with the reason and the log's path if it failed. */
async function template(): Promise<Ready> {
  let dir = process.env[SHARED_DIR_ENV];
  if (!dir) {
    // No global setup (another configuration): build it here, once per process.
    ownBuild ??= (async () => {
      const own = mkdtempSync(join(tmpdir(), 'ecsdeploy-e2e-shared-'));
      // Kept when the build failed (the error names its log); removed with this process otherwise.
      process.once('exit', () => {
        if (!existsSync(templateFiles(own).failed)) rmSync(own, { recursive: true, force: true });
      });
      await buildTemplate(own);
      return own;
    })();
    dir = await ownBuild;
  }
  const f = templateFiles(dir);
  const deadline = Date.now() + TEMPLATE_WAIT_MS;
  for (;;) {
    if (existsSync(f.ready)) return JSON.parse(readFileSync(f.ready, 'utf8')) as Ready;
    if (existsSync(f.failed)) {
      const failed = JSON.parse(readFileSync(f.failed, 'utf8')) as Failed;
      throw new Error(
        `the shared dev environment (registry + cluster) could not be built: ${failed.error.trim()}; see ${failed.log}`,
      );
    }
    if (Date.now() > deadline)
      throw new Error(`the shared dev environment was not ready within ${TEMPLATE_WAIT_MS / 1000} s; see ${f.log}`);
    await sleep(2_000);
  }
}

export interface DevEnvironment {
  /** This file's own moto, restored from the template: dev's registry and cluster exist. */
  readonly moto: MotoServer;
  /** This file's own copy of the example project (environments pointed at its moto), with both stacks' state. */
  readonly dir: string;
}

/**
 * dev's registry and cluster, applied, for this file alone. `motoEnv` is the environment of its
 * moto (e.g. MOTO_ECS_SERVICE_RUNNING); `projectYaml` edits ecsdeploy.yaml as exampleProject() does.
 * With ECSDEPLOY_E2E_SHARED=off: a fresh moto and the same apply, here (no template).
 */
export async function devEnvironment(
  options: { motoEnv?: NodeJS.ProcessEnv; projectYaml?: (text: string) => string } = {},
): Promise<DevEnvironment> {
  if (sharedMode() === 'off') return ownDevEnvironment(options);
  const t = await template();
  const moto = await startMoto({ env: { ...options.motoEnv, MOTO_RESTORE: t.snapshot }, startTimeoutMs: 120_000 });
  const dir = exampleProject(moto.endpoint, options.projectYaml);
  cpSync(t.ecsdeploy, join(dir, '.ecsdeploy'), { recursive: true });
  return { moto, dir };
}

/** The switch off: what every file did before the template, a fresh moto and its own apply. */
async function ownDevEnvironment(options: {
  motoEnv?: NodeJS.ProcessEnv;
  projectYaml?: (text: string) => string;
}): Promise<DevEnvironment> {
  const moto = await startMoto({ env: options.motoEnv, startTimeoutMs: 120_000 });
  // Applied as the template is (the bundled project as it is), then given the file's project
  // settings, as devEnvironment() gives them to its copy of the template: a file whose settings move
  // the state (an S3 backend whose bucket it creates afterwards) finds what it would find on.
  const dir = exampleProject(moto.endpoint);
  let said = '';
  try {
    await applyDevBase(moto.endpoint, dir, (text) => (said = text));
    if (options.projectYaml) {
      const file = join(dir, 'ecsdeploy.yaml');
      writeFileSync(file, options.projectYaml(readFileSync(file, 'utf8')));
    }
  } catch (err) {
    await moto.stop();
    rmSync(dir, { recursive: true, force: true });
    throw new Error(`${SHARED_SWITCH_ENV}=off: ${(err as Error).message}\n${said.slice(-3000)}`);
  }
  return { moto, dir };
}
