/**
 * The AWS provider of a stack, served to the engine through Terraform's provider reattach mechanism
 * (TF_REATTACH_PROVIDERS, the plugin SDK's "managed debug" mode): ecsdeploy starts a provider proxy
 * (./provider-proxy) that prints a reattach configuration and starts real provider processes (with
 * `-debug`) behind it; an engine command given that configuration talks to the proxy instead of
 * starting (and loading the schema of) providers of its own. Terraform never stops a reattached
 * provider: the stack stops the proxy when the engine command it served ends (./stack), and every
 * proxy still running is killed with its providers (its process group) when ecsdeploy exits.
 *
 * Safety: the proxy gives each engine connection (one per provider instance: per graph walk, as the
 * engine would start one process per walk) a provider process of its own, so no provider process is
 * configured twice (the AWS provider 5.x keeps state from one configuration to the next in a
 * process, and fails the second with a custom CA bundle: "unable to add custom RootCAs
 * HTTPClient"). What it caches (the schema, the provider configuration's validation) is a function
 * of the binary, the request and the environment, and keyed by them, and kept on disk: so each
 * engine command, one-step applies and destroys included, gets a proxy of its own that starts warm.
 * Only registry.terraform.io/hashicorp/aws (or OpenTofu's address of it) is served; any other
 * provider of a stack is started by the engine as usual.
 *
 * The proxy runs in its own process group: a Ctrl-C on the terminal reaches ecsdeploy, which stops
 * the engine gracefully (one SIGINT); the providers must outlive that graceful stop, so they are not
 * signalled until the engine has exited. When ecsdeploy is killed outright (SIGKILL: no exit hook
 * runs), a watchdog process stops the proxy and its providers once the orphaned engine commands
 * have ended (./orphans).
 *
 * ECSDEPLOY_ENGINE_FAST=off turns this off (docs/engine.md): every engine command starts its own
 * providers, as Terraform does by default.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync, rmSync } from 'node:fs';
import { homedir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { z } from 'zod';
import type { RunLog } from './log';
import { forget, watchProvider } from './orphans';
import { PROXY_SOURCE } from './provider-proxy';

/** How long a provider may take to print its reattach configuration before the engine starts its own. */
const START_TIMEOUT_MS = 60_000;

const ReattachSchema = z.record(
  z.string(),
  z.looseObject({
    Protocol: z.string(),
    ProtocolVersion: z.number(),
    Pid: z.number(),
    Test: z.boolean().optional(),
    Addr: z.looseObject({ Network: z.string(), String: z.string() }),
  }),
);

export interface ProviderServer {
  /** The value of TF_REATTACH_PROVIDERS for the engine commands of this stack. */
  readonly reattach: string;
  readonly pid: number;
  /** The process still runs (a provider that died is not used again). */
  alive(): boolean;
  stop(): void;
}

const running = new Set<ChildProcess>();
let exitHook = false;

/** The proxy and the providers it started (its process group). */
function killGroup(child: ChildProcess): void {
  try {
    process.kill(-child.pid!, 'SIGKILL');
  } catch {
    try {
      child.kill('SIGKILL');
    } catch {
      // already gone
    }
  }
}

/** Each running proxy's socket folder: a proxy killed with SIGKILL cannot remove it itself. */
const socketDirs = new Map<ChildProcess, string>();

function removeSocketDir(child: ChildProcess): void {
  const dir = socketDirs.get(child);
  socketDirs.delete(child);
  if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
}

function killAll(): void {
  for (const child of running) {
    killGroup(child);
    removeSocketDir(child);
  }
  running.clear();
}

/** Whether the engine fast paths are on (ECSDEPLOY_ENGINE_FAST=off turns them off). */
export function fastPathEnabled(env: NodeJS.ProcessEnv = process.env): boolean {
  const v = (env['ECSDEPLOY_ENGINE_FAST'] ?? '').trim().toLowerCase();
  return !['off', '0', 'false', 'no'].includes(v);
}

/**
 * The AWS provider binary `init` installed for a stack, with the registry host it is installed
 * under (registry.terraform.io for Terraform, registry.opentofu.org for OpenTofu).
 */
export function installedAwsProvider(stackDir: string): { binary: string; address: string } | undefined {
  const root = join(stackDir, '.terraform', 'providers');
  if (!existsSync(root)) return undefined;
  for (const host of readdirSync(root)) {
    const base = join(root, host, 'hashicorp', 'aws');
    if (!existsSync(base)) continue;
    for (const version of readdirSync(base)) {
      for (const platform of readdirSync(join(base, version))) {
        const dir = join(base, version, platform);
        const binary = readdirSync(dir).find((f) => f.startsWith('terraform-provider-aws'));
        if (binary !== undefined) return { binary: join(dir, binary), address: `${host}/hashicorp/aws` };
      }
    }
  }
  return undefined;
}

/**
 * Where the provider proxy keeps the answers it caches (./provider-proxy): ECSDEPLOY_PROVIDER_CACHE_DIR, or
 * `ecsdeploy/provider-answers` in the user's cache folder (XDG_CACHE_HOME, else ~/.cache).
 */
export function providerCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  const own = env['ECSDEPLOY_PROVIDER_CACHE_DIR'];
  if (own) return own;
  return join(env['XDG_CACHE_HOME'] || join(env['HOME'] || homedir(), '.cache'), 'ecsdeploy', 'provider-answers');
}

/**
 * Starts the stack's provider proxy (./provider-proxy), which starts the AWS provider processes
 * behind it; undefined (the engine starts its own) when the provider is not installed, does not
 * start in time, or no reattach configuration is printed. Never throws.
 */
export function startProviderServer(options: {
  readonly stackDir: string;
  readonly stack: string;
  readonly env: NodeJS.ProcessEnv;
  readonly log: RunLog;
  readonly timeoutMs?: number;
  /** How many provider connections (graph walks) the engine command will open, when known: the proxy starts no more ahead. */
  readonly connections?: number;
}): Promise<ProviderServer | undefined> {
  const installed = installedAwsProvider(options.stackDir);
  if (installed === undefined) return Promise.resolve(undefined);
  const log = (text: string) => options.log.write(options.stack, text);
  log(
    `$ provider proxy for ${installed.binary} -debug   (one per engine command; a provider process per engine connection; ECSDEPLOY_ENGINE_FAST=off: none)`,
  );
  return new Promise((resolve) => {
    let child: ChildProcess;
    try {
      child = spawn(
        process.execPath,
        [
          '-e',
          PROXY_SOURCE,
          installed.binary,
          installed.address,
          providerCacheDir(options.env),
          options.log.path,
          options.stack,
          options.connections === undefined ? '' : String(options.connections),
        ],
        {
          cwd: options.stackDir,
          // The providers' environment; not NODE_OPTIONS of a test runner or a debugger.
          env: { ...options.env, NODE_OPTIONS: '' },
          // Its errors and its providers' logs (stderr) are nobody's to read: /dev/null, never a pipe,
          // which would kill it with SIGPIPE once a killed ecsdeploy stopped reading, in the middle of
          // the orphaned engine command it serves.
          stdio: ['ignore', 'pipe', 'ignore'],
          // Its own process group, with its providers in it: stopped as one.
          detached: true,
        },
      );
    } catch (err) {
      log(`(provider server not started: ${(err as Error).message}; the engine starts its own)`);
      resolve(undefined);
      return;
    }
    running.add(child);
    watchProvider(child.pid);
    if (!exitHook) {
      exitHook = true;
      process.once('exit', killAll);
    }
    let settled = false;
    let out = '';
    const stop = () => {
      running.delete(child);
      if (child.exitCode === null && child.signalCode === null) killGroup(child);
      forget(child.pid);
      removeSocketDir(child);
    };
    const give = (server: ProviderServer | undefined, why?: string) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (server === undefined) {
        stop();
        log(`(provider server not used: ${why}; the engine starts its own)`);
      } else log(`(provider server ${server.pid} ready)`);
      resolve(server);
    };
    const timer = setTimeout(
      () => give(undefined, `no reattach configuration after ${(options.timeoutMs ?? START_TIMEOUT_MS) / 1000} s`),
      options.timeoutMs ?? START_TIMEOUT_MS,
    );
    child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
      if (settled) return;
      out += chunk;
      const m = /TF_REATTACH_PROVIDERS='([^'\n]+)'/.exec(out);
      if (!m) return;
      let parsed: z.infer<typeof ReattachSchema>;
      try {
        parsed = ReattachSchema.parse(JSON.parse(m[1]!));
      } catch {
        give(undefined, 'its reattach configuration could not be read');
        return;
      }
      const entry = Object.values(parsed)[0];
      if (entry === undefined) return give(undefined, 'an empty reattach configuration');
      // Its own folder in the temporary folder (ecsdeploy-provider-*), nothing else: that is what is removed.
      const folder = dirname(entry.Addr.String);
      if (entry.Addr.Network === 'unix' && /^ecsdeploy-provider-[A-Za-z0-9]+$/.test(basename(folder)))
        socketDirs.set(child, folder);
      // Keyed by the address the engine knows the provider by (OpenTofu: registry.opentofu.org/...).
      // Running, it must not keep ecsdeploy alive: the stack stops it after its command, or the exit hook kills it.
      child.unref();
      (child.stdout as unknown as { unref?: () => void }).unref?.();
      give({
        reattach: JSON.stringify({ [installed.address]: entry }),
        pid: child.pid!,
        alive: () => running.has(child),
        stop,
      });
    });
    child.on('error', (err) => give(undefined, err.message));
    child.on('exit', (code, signal) => {
      running.delete(child);
      forget(child.pid);
      give(undefined, `it exited (${code ?? signal})`);
    });
  });
}
