/**
 * Applied environments for the end-to-end files, each applied once per run by the e2e project's
 * global setup (test/setup/e2e-global-setup.ts), and a copy of one for each file that builds on it.
 * Two templates, built side by side while the files that need neither run:
 *
 * - `base`, dev's registry and cluster of the bundled example (`apply --env dev --stack registry
 *   --stack cluster`): what most files start from (`devEnvironment()`).
 * - `whole`, every stack of dev applied at once on an empty account (`apply --env dev`): the apply
 *   that test/e2e/dev-environment.test.ts checks, its JSON report kept (`wholeDevEnvironment()`).
 *
 * A template is moto's state after its apply (saved by the launcher's snapshot endpoint,
 * test/moto/server.py) plus the project's `.ecsdeploy/` folder (the Terraform state of the stacks;
 * `whole` also keeps `cdktf.out/`, the initialized stack folders). A file gets its own moto
 * restored from that snapshot and its own copy of the project with that state: the same VPC, load
 * balancer and cluster ids the apply made, in a server and a folder no other file touches, so a
 * file may deploy, mutate or destroy what it likes. Files whose assertions need an apply of their
 * own (an interrupted create, another project) start their own moto instead.
 *
 * The global setup starts building when the run begins and does not wait: files that need no
 * template run meanwhile; `devEnvironment()` and `wholeDevEnvironment()` wait for theirs. Without
 * the global setup (another jest configuration), the first file that asks builds it in its own
 * process.
 *
 * `ECSDEPLOY_E2E_SHARED=off` turns the sharing off, to measure what it saves or to rule it out when
 * a file fails: the global setup builds no template, and each file starts a fresh moto and makes
 * the apply itself, in the file, as every file did before.
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

/** Set by the global setup: the folder the templates are built in, one folder each (`ready.json` or `failed.json` appear there). */
export const SHARED_DIR_ENV = 'ECSDEPLOY_E2E_SHARED_DIR';
/** What the `base` template holds: the stacks applied, in the order `apply` reports them. */
export const TEMPLATE_STACKS = ['registry', 'dev-cluster'] as const;
/** What the `whole` template holds: every stack of the bundled dev, in the order `apply` reports them. */
export const WHOLE_STACKS = [
  'registry',
  'dev-cluster',
  'dev-orders',
  'dev-payments',
  'dev-web',
  'dev-job-nightly-report',
] as const;

export type TemplateKind = 'base' | 'whole';
/**
 * Each template: the apply that makes it, the stacks it must report applied, the function a file
 * calls to get a copy (test/setup/sequencer.js knows the same two names), and whether it keeps the
 * initialized stack folders (`cdktf.out/`) for that copy.
 */
export const TEMPLATES: Record<
  TemplateKind,
  {
    readonly args: readonly string[];
    readonly stacks: readonly string[];
    readonly call: string;
    readonly keepsStackFolders: boolean;
  }
> = {
  base: {
    args: ['apply', '--env', 'dev', '--stack', 'registry', '--stack', 'cluster', '--yes', '--json'],
    stacks: TEMPLATE_STACKS,
    call: 'devEnvironment',
    keepsStackFolders: false,
  },
  whole: {
    args: ['apply', '--env', 'dev', '--yes', '--json'],
    stacks: WHOLE_STACKS,
    call: 'wholeDevEnvironment',
    keepsStackFolders: true,
  },
};
/** The templates a test file's source asks for (by the call it makes). */
export function templatesUsedBy(source: string): TemplateKind[] {
  return (Object.keys(TEMPLATES) as TemplateKind[]).filter((k) =>
    new RegExp(`\\b${TEMPLATES[k].call}\\(`).test(source),
  );
}
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
  /** `whole` only: the initialized stack folders. */
  readonly cdktfOut?: string;
  /** The apply's JSON report, and how long the apply ran (s). */
  readonly report: string;
  readonly applySeconds: number;
  readonly seconds: number;
}
interface Failed {
  readonly error: string;
  readonly log: string;
}

/** The folder of one template under the shared folder, and its files. */
export const templateFiles = (root: string, kind: TemplateKind) => {
  const dir = join(root, kind);
  return {
    dir,
    ready: join(dir, 'ready.json'),
    failed: join(dir, 'failed.json'),
    log: join(dir, 'template.log'),
    snapshot: join(dir, 'moto.pickle'),
    ecsdeploy: join(dir, 'ecsdeploy'),
    cdktfOut: join(dir, 'cdktf.out'),
    report: join(dir, 'apply.json'),
  };
};

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
 * The apply of template `kind` (TEMPLATES) in `project` against `endpoint`: what the template
 * holds, and what a file applies itself with the switch off. Returns the CLI's stdout (the JSON
 * report) and how long it ran; throws unless it exits 0 having applied exactly the template's stacks. `log` gets the
 * CLI's output; `signal` interrupts the apply (SIGINT: the CLI stops the engine gracefully).
 */
async function applyTemplate(
  kind: TemplateKind,
  endpoint: string,
  project: string,
  log: (text: string) => void,
  signal?: AbortSignal,
): Promise<{ stdout: string; seconds: number }> {
  const { args, stacks: expected } = TEMPLATES[kind];
  const apply = startCli([...args], project, cliEnv(endpoint, project));
  const interrupt = () => apply.child.kill('SIGINT');
  signal?.addEventListener('abort', interrupt);
  const r = await apply.done;
  signal?.removeEventListener('abort', interrupt);
  log(`--- ${args.join(' ')} (exit ${r.code}, ${r.seconds} s) stdout ---\n${r.stdout}\n--- stderr ---\n${r.stderr}`);
  if (r.code !== 0) {
    // The engine's own output, before the project copy (and its .ecsdeploy/logs) is removed.
    const logs = join(project, '.ecsdeploy', 'logs');
    for (const f of existsSync(logs) ? readdirSync(logs) : [])
      log(`--- engine log ${f} ---\n${readFileSync(join(logs, f), 'utf8')}`);
    throw new Error(`${args.slice(0, -2).join(' ')} exited ${r.code}`);
  }
  const stacks = (JSON.parse(r.stdout) as ApplyReport).stacks.map((s) => s.stack);
  if (JSON.stringify(stacks) !== JSON.stringify(expected))
    throw new Error(`apply reported the stacks ${JSON.stringify(stacks)}, not ${JSON.stringify(expected)}`);
  return { stdout: r.stdout, seconds: r.seconds };
}

/**
 * Builds template `kind` under `root`: a moto of its own, the template's apply, the snapshot, the
 * state. Writes `ready.json`, or `failed.json` with the reason; the log (the CLI's output, moto's
 * stderr) goes to `template.log`. Stops the moto it started and removes its project copy whatever
 * happens. `signal` aborts it (the global teardown of a run cut short).
 */
export async function buildTemplate(root: string, kind: TemplateKind, signal?: AbortSignal): Promise<void> {
  const f = templateFiles(root, kind);
  mkdirSync(f.dir, { recursive: true });
  const log = (text: string) => appendFileSync(f.log, `${text.endsWith('\n') ? text : `${text}\n`}`);
  const started = Date.now();
  let moto: MotoServer | undefined;
  let project: string | undefined;
  try {
    log(
      `[${new Date().toISOString()}] building the ${kind} template (${TEMPLATES[kind].stacks.join(', ')}) in ${f.dir}`,
    );
    builtCli();
    moto = await startMoto({ startTimeoutMs: 120_000 });
    if (signal?.aborted) throw new Error('aborted before the apply');
    project = exampleProject(moto.endpoint);
    const applied = await applyTemplate(kind, moto.endpoint, project, log, signal);
    writeFileSync(f.report, applied.stdout);
    await snapshot(moto.endpoint, f.snapshot);
    // The state of the stacks (and what else apply recorded); not the engine logs, which name this folder.
    cpSync(join(project, '.ecsdeploy'), f.ecsdeploy, {
      recursive: true,
      filter: (src) => !src.startsWith(join(project!, '.ecsdeploy', 'logs')),
    });
    // `whole`: the stack folders as the apply left them (initialized), so the next command need not init.
    const keepsStackFolders = TEMPLATES[kind].keepsStackFolders;
    if (keepsStackFolders) cpSync(join(project, 'cdktf.out'), f.cdktfOut, { recursive: true });
    const ready: Ready = {
      snapshot: f.snapshot,
      ecsdeploy: f.ecsdeploy,
      ...(keepsStackFolders ? { cdktfOut: f.cdktfOut } : {}),
      report: f.report,
      applySeconds: applied.seconds,
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

const ownBuilds = new Map<TemplateKind, Promise<string>>();

/** Template `kind` once it is ready; throws with the reason and the log's path if it failed. */
async function template(kind: TemplateKind): Promise<Ready> {
  let root = process.env[SHARED_DIR_ENV];
  if (!root) {
    // No global setup (another configuration): build it here, once per process.
    let own = ownBuilds.get(kind);
    if (!own) {
      own = (async () => {
        const dir = mkdtempSync(join(tmpdir(), 'ecsdeploy-e2e-shared-'));
        // Kept when the build failed (the error names its log); removed with this process otherwise.
        process.once('exit', () => {
          if (!existsSync(templateFiles(dir, kind).failed)) rmSync(dir, { recursive: true, force: true });
        });
        await buildTemplate(dir, kind);
        return dir;
      })();
      ownBuilds.set(kind, own);
    }
    root = await own;
  }
  const f = templateFiles(root, kind);
  const deadline = Date.now() + TEMPLATE_WAIT_MS;
  for (;;) {
    if (existsSync(f.ready)) return JSON.parse(readFileSync(f.ready, 'utf8')) as Ready;
    if (existsSync(f.failed)) {
      const failed = JSON.parse(readFileSync(f.failed, 'utf8')) as Failed;
      throw new Error(
        `the shared dev environment (${kind}: ${TEMPLATES[kind].stacks.join(', ')}) could not be built: ${failed.error.trim()}; see ${failed.log}`,
      );
    }
    if (Date.now() > deadline)
      throw new Error(
        `the shared dev environment (${kind}) was not ready within ${TEMPLATE_WAIT_MS / 1000} s; see ${f.log}`,
      );
    await sleep(2_000);
  }
}

export interface DevEnvironment {
  /** This file's own moto, restored from the template: dev's registry and cluster exist. */
  readonly moto: MotoServer;
  /** This file's own copy of the example project (environments pointed at its moto), with the stacks' state. */
  readonly dir: string;
}

/** Options of devEnvironment(): `motoEnv` is its moto's environment (e.g. MOTO_ECS_SERVICE_RUNNING); `projectYaml` edits ecsdeploy.yaml as exampleProject() does. */
export interface DevEnvironmentOptions {
  readonly motoEnv?: NodeJS.ProcessEnv;
  readonly projectYaml?: (text: string) => string;
}

/**
 * dev's registry and cluster, applied, for this file alone (the `base` template).
 * With ECSDEPLOY_E2E_SHARED=off: a fresh moto and the same apply, here (no template).
 */
export async function devEnvironment(options: DevEnvironmentOptions = {}): Promise<DevEnvironment> {
  if (sharedMode() === 'off') return (await ownEnvironment('base', options)).environment;
  return restore(await template('base'), options);
}

export interface WholeDevEnvironment extends DevEnvironment {
  /** The JSON report (`apply --env dev --yes --json`) of the apply that made every stack. */
  readonly report: ApplyReport;
  /** How long that apply took, in seconds (the CLI's own run). */
  readonly applySeconds: number;
}

/**
 * Every stack of dev, applied at once on an empty account (the `whole` template), for this file
 * alone, with the report of that apply and its stack folders (initialized: the next command need not
 * init). With ECSDEPLOY_E2E_SHARED=off: a fresh moto and the same apply, here.
 */
export async function wholeDevEnvironment(): Promise<WholeDevEnvironment> {
  if (sharedMode() === 'off') {
    const own = await ownEnvironment('whole', {});
    return { ...own.environment, report: JSON.parse(own.stdout) as ApplyReport, applySeconds: own.seconds };
  }
  const t = await template('whole');
  const environment = await restore(t, {});
  return {
    ...environment,
    report: JSON.parse(readFileSync(t.report, 'utf8')) as ApplyReport,
    applySeconds: t.applySeconds,
  };
}

/** A moto of this file's own restored from template `t`, and a copy of the project with its state. */
async function restore(t: Ready, options: DevEnvironmentOptions): Promise<DevEnvironment> {
  const moto = await startMoto({ env: { ...options.motoEnv, MOTO_RESTORE: t.snapshot }, startTimeoutMs: 120_000 });
  const dir = exampleProject(moto.endpoint, options.projectYaml);
  cpSync(t.ecsdeploy, join(dir, '.ecsdeploy'), { recursive: true });
  if (t.cdktfOut) cpSync(t.cdktfOut, join(dir, 'cdktf.out'), { recursive: true });
  return { moto, dir };
}

/** The switch off: what every file did before the templates, a fresh moto and its own apply. */
async function ownEnvironment(
  kind: TemplateKind,
  options: DevEnvironmentOptions,
): Promise<{ environment: DevEnvironment; stdout: string; seconds: number }> {
  const moto = await startMoto({ env: options.motoEnv, startTimeoutMs: 120_000 });
  // Applied as the template is (the bundled project as it is), then given the file's project
  // settings, as restore() gives them to its copy of the template: a file whose settings move
  // the state (an S3 backend whose bucket it creates afterwards) finds what it would find on.
  const dir = exampleProject(moto.endpoint);
  let said = '';
  try {
    const { stdout, seconds } = await applyTemplate(kind, moto.endpoint, dir, (text) => (said = text));
    if (options.projectYaml) {
      const file = join(dir, 'ecsdeploy.yaml');
      writeFileSync(file, options.projectYaml(readFileSync(file, 'utf8')));
    }
    return { environment: { moto, dir }, stdout, seconds };
  } catch (err) {
    await moto.stop();
    rmSync(dir, { recursive: true, force: true });
    throw new Error(`${SHARED_SWITCH_ENV}=off: ${(err as Error).message}\n${said.slice(-3000)}`);
  }
}
