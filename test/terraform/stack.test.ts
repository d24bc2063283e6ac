/**
 * One stack through the engine (a scripted engine, see fake-engine.ts; the real one is in
 * test/e2e). Protects: init runs once and again only when what it depends on changes; a plan
 * without changes is not shown or kept; the saved plan file is what apply gets; sensitive outputs
 * are masked; a crash and an interrupt are told apart; everything lands in the run log.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStack, RunLog, SENSITIVE, StackInterruptedError, type Engine, type RunContext } from '../../src/terraform';
import { ONE_BUCKET_PLAN, writeFakeEngine } from './fake-engine';
import { rejection } from './rejection';

let root: string;
let stackDir: string;
let calls: string;
let engine: Engine;

const TF_JSON = (backendPath: string) =>
  JSON.stringify({
    terraform: {
      required_providers: { aws: { source: 'aws', version: '5.100.0' } },
      backend: { local: { path: backendPath } },
    },
  });

function context(env: NodeJS.ProcessEnv = {}, signal?: AbortSignal): RunContext {
  const planDir = join(root, 'plans');
  mkdirSync(planDir, { recursive: true });
  return {
    engine,
    log: RunLog.create(join(root, 'logs'), 'test'),
    planDir,
    root,
    env: { FAKE_CALLS: calls, FAKE_SHOW: join(root, 'plan.json'), ...env },
    ...(signal ? { signal } : {}),
  };
}

const invocations = () => (existsSync(calls) ? readFileSync(calls, 'utf8').trim().split('\n') : []);

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'ecsdeploy-stack-'));
  stackDir = join(root, 'cdktf.out', 'stacks', 'dev-api');
  mkdirSync(stackDir, { recursive: true });
  writeFileSync(join(stackDir, 'cdk.tf.json'), TF_JSON('../../../.ecsdeploy/state/dev-api.tfstate'));
  writeFileSync(join(root, 'plan.json'), ONE_BUCKET_PLAN);
  calls = join(root, 'calls.txt');
  engine = { kind: 'terraform', path: writeFakeEngine(join(root, 'bin')), version: '1.11.4' };
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

describe('init caching', () => {
  it('runs init once; a second init of the same stack is cached', async () => {
    expect(await openStack('dev-api', stackDir, context()).init()).toBe('initialized');
    expect(await openStack('dev-api', stackDir, context()).init()).toBe('cached');
    expect(invocations().filter((l) => l.startsWith('dev-api init'))).toEqual([
      'dev-api init -input=false -no-color -reconfigure',
    ]);
  });

  it('inits again when the backend changes, and says so', async () => {
    await openStack('dev-api', stackDir, context()).init();
    writeFileSync(join(stackDir, 'cdk.tf.json'), TF_JSON('/elsewhere/dev-api.tfstate'));
    expect(await openStack('dev-api', stackDir, context()).init()).toBe('backend-changed');
    expect(invocations().filter((l) => l.includes(' init '))).toHaveLength(2);
  });

  it('inits again when the engine or the CLI configuration changes', async () => {
    await openStack('dev-api', stackDir, context()).init();
    engine = { ...engine, version: '1.12.0' };
    expect(await openStack('dev-api', stackDir, context()).init()).toBe('initialized');
    const rc = join(root, 'terraform.rc');
    writeFileSync(rc, 'provider_installation { direct {} }');
    expect(await openStack('dev-api', stackDir, context({ TF_CLI_CONFIG_FILE: rc })).init()).toBe('initialized');
    expect(await openStack('dev-api', stackDir, context({ TF_CLI_CONFIG_FILE: rc })).init()).toBe('cached');
  });

  it('inits again when the installed providers are gone (e.g. a dangling plugin-cache link)', async () => {
    await openStack('dev-api', stackDir, context()).init();
    rmSync(
      join(stackDir, '.terraform', 'providers', 'registry.terraform.io', 'hashicorp', 'aws', '5.100.0', 'linux_amd64'),
      { recursive: true },
    );
    expect(await openStack('dev-api', stackDir, context()).init()).toBe('initialized');
  });

  it('a plan that finds the stack not initialized inits and plans again, once', async () => {
    const stack = openStack('dev-api', stackDir, context({ FAKE_PLAN: 'init-once' }));
    const planned = await stack.plan();
    expect(planned.summary.add).toBe(1);
    expect(invocations().map((l) => l.split(' ')[1])).toEqual(['plan', 'init', 'plan', 'show']);
  });
});

describe('plan and apply', () => {
  it('a plan without changes keeps no plan file and runs no show', async () => {
    const planned = await openStack('dev-api', stackDir, context({ FAKE_PLAN: 'none' })).plan();
    expect(planned).toEqual({ summary: expect.objectContaining({ changes: false }) });
    expect(invocations().map((l) => l.split(' ')[1])).toEqual(['plan']);
  });

  it('plans to a saved file in the run folder, summarizes it, and applies exactly that file', async () => {
    const run = context();
    const stack = openStack('dev-api', stackDir, run);
    const planned = await stack.plan();
    expect(planned.planFile).toBe(join(run.planDir, 'dev-api.tfplan'));
    expect(planned.summary).toMatchObject({ changes: true, add: 1, outputs: 1 });
    const outputs = await stack.apply(planned);
    expect(outputs).toEqual({ url: 'http://b', token: SENSITIVE });
    const [plan, show, apply] = invocations();
    expect(plan).toMatch(
      /^dev-api plan -input=false -no-color -json -detailed-exitcode -lock-timeout=0s -out=\S+dev-api\.tfplan$/,
    );
    expect(show).toBe(`dev-api show -json -no-color ${planned.planFile}`);
    expect(apply).toBe(`dev-api apply -input=false -no-color -json -lock-timeout=0s ${planned.planFile}`);
    expect(existsSync(planned.planFile!)).toBe(false);
  });

  it("a destroy plan is a separate file, planned with -destroy, and summarized from the engine's stream without show", async () => {
    const planned = await openStack('dev-api', stackDir, { ...context(), lockTimeout: '5m' }).plan({ destroy: true });
    expect(planned.planFile).toMatch(/dev-api\.destroy\.tfplan$/);
    expect(planned.summary).toMatchObject({
      changes: true,
      destroy: 1,
      add: 0,
      resources: [{ address: 'aws_s3_bucket.b', type: 'aws_s3_bucket', action: 'delete' }],
    });
    expect(invocations()).toHaveLength(1);
    expect(invocations()[0]).toMatch(/ -lock-timeout=5m .* -destroy$/);
  });

  it('an engine crash is an ECSDEPLOY_ENGINE_CRASHED error naming the stack and the log, which holds the output', async () => {
    const run = context({ FAKE_PLAN: 'crash' });
    const err = await rejection(openStack('dev-api', stackDir, run).plan());
    expect(err.code).toBe('ECSDEPLOY_ENGINE_CRASHED');
    expect(err.message).toContain('terraform crashed during plan of stack dev-api: it exited with code 2.');
    expect(err.message).toContain(`Full engine output: ${run.log.path}`);
    const log = readFileSync(run.log.path, 'utf8');
    expect(log).toContain('[dev-api] $ terraform plan -input=false');
    expect(log).toContain('[dev-api] panic: runtime error: invalid memory address or nil pointer dereference');
    expect(log).toContain('[dev-api] (exit 2)');
  });

  it('an interrupt sends the engine one SIGINT and waits for it to stop; the result is StackInterruptedError', async () => {
    const controller = new AbortController();
    const run = context({ FAKE_APPLY: 'wait' }, controller.signal);
    const stack = openStack('dev-api', stackDir, run);
    const planned = await stack.plan();
    const applying = rejection(stack.apply(planned));
    await new Promise((r) => setTimeout(r, 300));
    controller.abort();
    const err = await applying;
    expect(err).toBeInstanceOf(StackInterruptedError);
    expect(invocations().filter((l) => l === 'INT')).toHaveLength(1);
    expect(readFileSync(run.log.path, 'utf8')).toContain(
      '(interrupted: SIGINT sent to the engine; waiting for it to stop gracefully)',
    );
  });
});
