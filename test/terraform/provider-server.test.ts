/**
 * The provider proxy of a stack (src/terraform/provider-server.ts, provider-proxy.ts), with a
 * scripted provider that behaves like the plugin SDK's managed debug mode (prints
 * TF_REATTACH_PROVIDERS, serves until killed) and the scripted engine of fake-engine.ts. Protects:
 * the reattach configuration is read and keyed by the host the provider is installed under; each
 * engine command gets a proxy of its own, stopped with its providers when the command ends; a provider that does not start, or dies, is not used (the engine starts its own);
 * ECSDEPLOY_ENGINE_FAST=off and a user's own TF_REATTACH_PROVIDERS turn it off. What the proxy does
 * between the engine and real providers: test/terraform/provider-proxy.test.ts; the real engine and
 * provider against moto: test/e2e/deploy-fast-path.test.ts.
 */
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { openStack, RunLog, type Engine, type RunContext } from '../../src/terraform';
import { fastPathEnabled, installedAwsProvider, startProviderServer } from '../../src/terraform/provider-server';
import { ONE_BUCKET_PLAN, writeFakeEngine } from './fake-engine';
import { childrenOf, processGroup } from '../support/processes';

let root: string;
let stackDir: string;

/** A provider binary: `mode` ok (prints its reattach line, then serves), silent (prints nothing), dies (exits at once). */
function installProvider(dir: string, mode: 'ok' | 'silent' | 'dies', host = 'registry.terraform.io'): string {
  const folder = join(dir, '.terraform', 'providers', host, 'hashicorp', 'aws', '5.100.0', 'linux_amd64');
  mkdirSync(folder, { recursive: true });
  const file = join(folder, 'terraform-provider-aws_v5.100.0_x5');
  const body =
    mode === 'dies'
      ? 'exit 3'
      : mode === 'silent'
        ? 'exec sleep 30'
        : [
            '[ "$1" = -debug ] || exit 9',
            'echo "Provider started. To attach Terraform CLI, set the TF_REATTACH_PROVIDERS environment variable with the following:"',
            'echo ""',
            `echo "	TF_REATTACH_PROVIDERS='{\\"registry.terraform.io/hashicorp/aws\\":{\\"Protocol\\":\\"grpc\\",\\"ProtocolVersion\\":5,\\"Pid\\":$$,\\"Test\\":true,\\"Addr\\":{\\"Network\\":\\"unix\\",\\"String\\":\\"/tmp/plugin$$\\"}}}'"`,
            'exec sleep 30',
          ].join('\n');
  writeFileSync(file, `#!/bin/bash\n${body}\n`);
  chmodSync(file, 0o755);
  return file;
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

async function gone(pid: number): Promise<boolean> {
  for (let i = 0; i < 50 && alive(pid); i++) await new Promise((r) => setTimeout(r, 100));
  return !alive(pid);
}

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'ecsdeploy-provider-'));
  stackDir = join(root, 'cdktf.out', 'stacks', 'dev-api');
  mkdirSync(stackDir, { recursive: true });
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

describe('fastPathEnabled', () => {
  it('is on unless ECSDEPLOY_ENGINE_FAST says off', () => {
    expect(fastPathEnabled({})).toBe(true);
    expect(fastPathEnabled({ ECSDEPLOY_ENGINE_FAST: 'on' })).toBe(true);
    for (const v of ['off', 'OFF', '0', 'false', 'no'])
      expect(fastPathEnabled({ ECSDEPLOY_ENGINE_FAST: v })).toBe(false);
  });
});

describe('startProviderServer', () => {
  const log = () => RunLog.create(join(root, 'logs'), 'test');

  it('reads the reattach configuration, keyed by the host the provider is installed under, and stops it with its providers', async () => {
    installProvider(stackDir, 'ok', 'registry.opentofu.org');
    expect(installedAwsProvider(stackDir)?.address).toBe('registry.opentofu.org/hashicorp/aws');
    const server = await startProviderServer({ stackDir, stack: 'dev-api', env: process.env, log: log() });
    expect(server).toBeDefined();
    const reattach = JSON.parse(server!.reattach) as Record<string, { Pid: number; Addr: { String: string } }>;
    expect(Object.keys(reattach)).toEqual(['registry.opentofu.org/hashicorp/aws']);
    expect(reattach['registry.opentofu.org/hashicorp/aws']!.Pid).toBe(server!.pid);
    expect(server!.alive()).toBe(true);
    // The proxy prints its configuration once the provider it starts ahead is ready.
    const providers = childrenOf(server!.pid);
    expect(providers).toHaveLength(1);
    const socketDir = dirname(reattach['registry.opentofu.org/hashicorp/aws']!.Addr.String);
    expect(basename(socketDir)).toMatch(/^ecsdeploy-provider-/);
    expect(existsSync(socketDir)).toBe(true);
    server!.stop();
    expect(await gone(server!.pid)).toBe(true);
    expect(await gone(providers[0]!)).toBe(true);
    expect(server!.alive()).toBe(false);
    // Killed, the proxy cannot remove its socket's folder: stop() does (each engine command left one in /tmp).
    expect(existsSync(socketDir)).toBe(false);
  });

  it('is not used when no provider is installed, when it prints nothing in time, or when it exits', async () => {
    expect(await startProviderServer({ stackDir, stack: 'dev-api', env: process.env, log: log() })).toBeUndefined();
    installProvider(stackDir, 'silent');
    const l = log();
    expect(
      await startProviderServer({ stackDir, stack: 'dev-api', env: process.env, log: l, timeoutMs: 500 }),
    ).toBeUndefined();
    expect(readFileSync(l.path, 'utf8')).toContain('provider server not used: no reattach configuration after 0.5 s');
    installProvider(stackDir, 'dies');
    expect(await startProviderServer({ stackDir, stack: 'dev-api', env: process.env, log: l })).toBeUndefined();
    expect(readFileSync(l.path, 'utf8')).toContain('provider server not used: it exited (3)');
  });
});

describe('a stack through the engine with its provider server', () => {
  let seen: string;
  let engine: Engine;

  beforeEach(() => {
    // The scripted engine, behind a wrapper that records which provider each command was given.
    const fake = writeFakeEngine(join(root, 'bin'));
    seen = join(root, 'reattach.txt');
    const wrapper = join(root, 'bin', 'terraform-wrapper');
    writeFileSync(
      wrapper,
      `#!/bin/bash\nif [ "$1" = init ]; then "${fake}" "$@"; s=$?; ${installCommand()}; exit $s; fi\necho "$1 \${TF_REATTACH_PROVIDERS:-none}" >> "${seen}"\nexec "${fake}" "$@"\n`,
    );
    chmodSync(wrapper, 0o755);
    engine = { kind: 'terraform', path: wrapper, version: '1.11.4' };
    writeFileSync(
      join(stackDir, 'cdk.tf.json'),
      JSON.stringify({
        terraform: {
          required_providers: { aws: { source: 'aws', version: '5.100.0' } },
          backend: { local: { path: 'dev-api.tfstate' } },
        },
      }),
    );
    writeFileSync(join(root, 'plan.json'), ONE_BUCKET_PLAN);
  });

  /** init installs the scripted provider (the fake engine's init leaves an empty folder). */
  const installCommand = () => {
    const src = join(root, 'provider-src');
    installProvider(src, 'ok');
    return `cp -r "${src}/.terraform/providers" .terraform/`;
  };

  function context(env: NodeJS.ProcessEnv = {}): RunContext {
    const planDir = join(root, 'plans');
    mkdirSync(planDir, { recursive: true });
    return {
      engine,
      log: RunLog.create(join(root, 'logs'), 'test'),
      planDir,
      root,
      env: { FAKE_SHOW: join(root, 'plan.json'), ...env },
    };
  }
  const lines = () => (existsSync(seen) ? readFileSync(seen, 'utf8').trim().split('\n') : []);

  const pidsOf = (calls: readonly string[]) =>
    calls.map(
      (l) =>
        (JSON.parse(l.slice(l.indexOf(' ') + 1)) as Record<string, { Pid: number }>)[
          'registry.terraform.io/hashicorp/aws'
        ]!.Pid,
    );

  /** Every proxy (and every provider it started) is gone. */
  async function allGone(pids: readonly number[]): Promise<void> {
    for (const pid of pids) {
      expect(await gone(pid)).toBe(true);
      for (let i = 0; i < 50 && processGroup(pid).length > 0; i++) await new Promise((r) => setTimeout(r, 100));
      expect(processGroup(pid)).toEqual([]);
    }
  }

  it('each engine command (plan, show, apply) gets a provider proxy of its own, stopped with its providers when it ends', async () => {
    const stack = openStack('dev-api', stackDir, context());
    await stack.init();
    const planned = await stack.plan();
    await stack.apply(planned);
    const calls = lines();
    expect(calls.map((l) => l.split(' ')[0])).toEqual(['plan', 'show', 'apply']);
    const pids = pidsOf(calls);
    expect(new Set(pids).size).toBe(3);
    await allGone(pids);
  });

  it('a plan without changes leaves no proxy running', async () => {
    const stack = openStack('dev-api', stackDir, context({ FAKE_PLAN: 'none' }));
    await stack.init();
    expect((await stack.plan()).planFile).toBeUndefined();
    const pids = pidsOf(lines());
    expect(pids).toHaveLength(1);
    const log = readFileSync(readdirSync(join(root, 'logs')).map((f) => join(root, 'logs', f))[0]!, 'utf8');
    const started = [...log.matchAll(/\(provider server (\d+) ready\)/g)].map((m) => Number(m[1]));
    expect(started).toEqual(pids);
    await allGone(pids);
  });

  it('a destroy plans and applies through the proxy too (a connection per walk: no provider configured twice)', async () => {
    const stack = openStack('dev-api', stackDir, context());
    await stack.init();
    const planned = await stack.plan({ destroy: true });
    await stack.apply(planned);
    const calls = lines();
    expect(calls.map((l) => l.split(' ')[0])).toEqual(['plan', 'apply']);
    expect(calls.every((l) => l.split(' ')[1] !== 'none')).toBe(true);
    await allGone(pidsOf(calls));
  });

  it("ECSDEPLOY_ENGINE_FAST=off, or a TF_REATTACH_PROVIDERS of the user's own: every command starts its own provider", async () => {
    for (const env of [{ ECSDEPLOY_ENGINE_FAST: 'off' }, { TF_REATTACH_PROVIDERS: '{"x":1}' }]) {
      rmSync(seen, { force: true });
      const stack = openStack('dev-api', stackDir, context(env));
      await stack.init();
      await stack.apply(await stack.plan());
      const expected = env.TF_REATTACH_PROVIDERS ?? 'none';
      expect(lines()).toEqual([`plan ${expected}`, `show ${expected}`, `apply ${expected}`]);
    }
  });
});
