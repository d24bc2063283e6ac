/**
 * ecsdeploy killed outright (SIGKILL: no exit hook runs) must not leave its AWS provider servers
 * running for good (src/terraform/orphans.ts). Found by the kill -9 fault scenario
 * (test/faults/engine-env.test.ts, kill-deliver): every killed `env create` / `service deploy`
 * left a `terraform-provider-aws -debug` process, re-parented to init, serving forever.
 *
 * A real process plays ecsdeploy (src/terraform bundled with esbuild, so it runs the code under
 * test, not a copy): it starts a provider server (the scripted provider of provider-server.test.ts)
 * and, in the second case, an engine command using it; the test kills it with SIGKILL. Protects:
 * the provider is stopped once ecsdeploy is gone, but not before an orphaned engine command has
 * ended (an apply cut from its provider mid-way would leave resources its state does not know).
 */
import { spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildSync } from 'esbuild';
import { alive } from '../support/processes';

let root: string;
let bundle: string;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
async function until(check: () => boolean, ms: number): Promise<boolean> {
  for (const end = Date.now() + ms; Date.now() < end; await sleep(100)) if (check()) return true;
  return check();
}

beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'ecsdeploy-orphans-'));
  bundle = join(root, 'terraform.js');
  writeFileSync(
    join(root, 'entry.ts'),
    `export * from ${JSON.stringify(join(__dirname, '../../src/terraform/process'))};
export * from ${JSON.stringify(join(__dirname, '../../src/terraform/provider-server'))};`,
  );
  buildSync({
    entryPoints: [join(root, 'entry.ts')],
    bundle: true,
    platform: 'node',
    outfile: bundle,
    logLevel: 'error',
  });
  // The scripted provider: prints its reattach line like the plugin SDK's debug mode, then serves (sleeps).
  const folder = join(
    root,
    'stack',
    '.terraform',
    'providers',
    'registry.terraform.io',
    'hashicorp',
    'aws',
    '5.100.0',
    'linux_amd64',
  );
  mkdirSync(folder, { recursive: true });
  const provider = join(folder, 'terraform-provider-aws_v5.100.0_x5');
  writeFileSync(
    provider,
    [
      '#!/bin/bash',
      `echo "	TF_REATTACH_PROVIDERS='{\\"registry.terraform.io/hashicorp/aws\\":{\\"Protocol\\":\\"grpc\\",\\"ProtocolVersion\\":5,\\"Pid\\":$$,\\"Test\\":true,\\"Addr\\":{\\"Network\\":\\"unix\\",\\"String\\":\\"/tmp/plugin$$\\"}}}'"`,
      // It logs as it serves, as the AWS provider in debug mode does (~1 MB of trace lines a plan, on stderr).
      'for i in $(seq 1 300); do echo "[TRACE] serving" >&2; sleep 0.2; done',
    ].join('\n'),
  );
  chmodSync(provider, 0o755);
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** Plays ecsdeploy: a provider server, and an engine command of `engineSeconds` (none when 0); prints their pids. */
function ecsdeploy(engineSeconds: number) {
  const script = `
const t = require(${JSON.stringify(bundle)});
const log = { write() {} };
(async () => {
  const server = await t.startProviderServer({ stackDir: ${JSON.stringify(join(root, 'stack'))}, stack: 'dev-api', env: process.env, log });
  let engine;
  if (${engineSeconds} > 0) {
    void t.runEngine({ kind: 'terraform', path: '/bin/sleep', version: '1.11.4' },
      { args: ['${engineSeconds}'], cwd: ${JSON.stringify(root)}, stack: 'dev-api', log, env: { TF_REATTACH_PROVIDERS: server.reattach } });
  }
  setTimeout(() => console.log(JSON.stringify({ provider: server.pid })), 300);
  setInterval(() => {}, 1000);
})();`;
  const child = spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
  const pids = new Promise<{ provider: number }>((resolve, reject) => {
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (c: string) => {
      out += c;
      if (out.includes('\n')) resolve(JSON.parse(out.split('\n')[0]!) as { provider: number });
    });
    child.on('exit', (code) => reject(new Error(`it exited ${code} before starting its provider`)));
  });
  return { child, pids };
}

const cleanup: number[] = [];
afterEach(() => {
  for (const pid of cleanup.splice(0))
    try {
      process.kill(-pid, 'SIGKILL');
    } catch {
      // gone
    }
});

it('ecsdeploy killed with SIGKILL: its provider server is stopped', async () => {
  const run = ecsdeploy(0);
  const { provider } = await run.pids;
  cleanup.push(provider);
  expect(alive(provider)).toBe(true);
  run.child.kill('SIGKILL');
  expect(await until(() => !alive(provider), 10_000)).toBe(true);
}, 30_000);

it('ecsdeploy killed while an engine command runs: the provider serves it to its end, then is stopped', async () => {
  const run = ecsdeploy(4);
  const { provider } = await run.pids;
  cleanup.push(provider);
  run.child.kill('SIGKILL');
  const killedAt = Date.now();
  await sleep(1500);
  expect(alive(provider)).toBe(true);
  expect(await until(() => !alive(provider), 15_000)).toBe(true);
  // Not before the orphaned engine command (4 s from its start) ended.
  expect(Date.now() - killedAt).toBeGreaterThan(2500);
}, 30_000);

it('ecsdeploy killed while the engine runs: the engine goes on writing its output and ends normally', async () => {
  // An engine that prints as it works (as `apply -json` does) and, at its end, saves (the marker).
  // With its output on a pipe it died of SIGPIPE at the first line after ecsdeploy was gone, before
  // saving: an apply killed that way leaves resources its state does not list.
  const marker = join(root, 'saved');
  const engine = join(root, 'engine.sh');
  writeFileSync(
    engine,
    [
      '#!/bin/bash',
      'sleep 1',
      'for i in $(seq 1 200); do echo "{\\"@message\\":\\"line $i\\"}"; done',
      `touch ${marker}`,
    ].join('\n'),
  );
  chmodSync(engine, 0o755);
  const script = `
const t = require(${JSON.stringify(bundle)});
void t.runEngine({ kind: 'terraform', path: ${JSON.stringify(engine)}, version: '1.11.4' },
  { args: [], cwd: ${JSON.stringify(root)}, stack: 'dev-api', log: { write() {} }, json: true, env: {} });
setTimeout(() => console.log('started'), 200);
setInterval(() => {}, 1000);`;
  const child = spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
  await new Promise<void>((resolve) => child.stdout.once('data', () => resolve()));
  child.kill('SIGKILL');
  expect(await until(() => existsSync(marker), 10_000)).toBe(true);
}, 30_000);
