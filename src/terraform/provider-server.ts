/**
 * AWS provider processes started by ecsdeploy and handed to the engine through Terraform's provider
 * reattach mechanism (TF_REATTACH_PROVIDERS, the plugin SDK's "managed debug" mode): the provider is
 * started with `-debug`, prints its reattach configuration and serves until it is stopped; an engine
 * command given that configuration talks to it instead of starting (and loading the schema of) a
 * provider of its own. Terraform never stops a reattached provider: the stack stops it when its
 * command is done (./stack), and every provider still running is killed when ecsdeploy exits.
 *
 * Safety: Terraform configures the provider (ConfigureProvider: region, role, endpoints) at the
 * start of each command that talks to AWS, and the AWS provider 5.x keeps state from one
 * configuration to the next in a process (with a custom CA bundle a second configuration fails:
 * "unable to add custom RootCAs HTTPClient"). So ./stack gives each configuring command (plan,
 * apply) a process nobody configured, lets `show -json` (schema only) reuse the plan's, and never
 * shares one between stacks. Only registry.terraform.io/hashicorp/aws (or OpenTofu's address of
 * it) is served; any other provider of a stack is started by the engine as usual.
 *
 * The provider runs in its own process group: a Ctrl-C on the terminal reaches ecsdeploy, which
 * stops the engine gracefully (one SIGINT); the provider must outlive that graceful stop, so it is
 * not signalled until the engine has exited. When ecsdeploy is killed outright (SIGKILL: no exit
 * hook runs), a watchdog process stops the providers once the orphaned engine commands have ended
 * (./orphans).
 *
 * ECSDEPLOY_ENGINE_FAST=off turns this off (docs/engine.md): every engine command starts its own
 * provider, as Terraform does by default.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import type { RunLog } from './log';
import { forget, watchProvider } from './orphans';

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

function killAll(): void {
  for (const child of running) {
    try {
      child.kill('SIGKILL');
    } catch {
      // already gone
    }
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
 * Starts the stack's AWS provider in debug mode; undefined (the engine starts its own) when it is
 * not installed, does not start in time, or prints no reattach configuration. Never throws.
 */
export function startProviderServer(options: {
  readonly stackDir: string;
  readonly stack: string;
  readonly env: NodeJS.ProcessEnv;
  readonly log: RunLog;
  readonly timeoutMs?: number;
}): Promise<ProviderServer | undefined> {
  const installed = installedAwsProvider(options.stackDir);
  if (installed === undefined) return Promise.resolve(undefined);
  const log = (text: string) => options.log.write(options.stack, text);
  log(
    `$ ${installed.binary} -debug   (one provider for this stack's engine commands; ECSDEPLOY_ENGINE_FAST=off: one per command)`,
  );
  return new Promise((resolve) => {
    let child: ChildProcess;
    try {
      child = spawn(installed.binary, ['-debug'], {
        cwd: options.stackDir,
        env: options.env,
        // Its log (stderr) is not the engine's and nobody reads it: /dev/null, never a pipe, which
        // would kill it with SIGPIPE at its next log line once a killed ecsdeploy stopped reading,
        // in the middle of the orphaned engine command it serves.
        stdio: ['ignore', 'pipe', 'ignore'],
        detached: true,
      });
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
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      forget(child.pid);
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
      // Keyed by the address the engine knows the provider by (OpenTofu: registry.opentofu.org/...).
      // Running, it must not keep ecsdeploy alive: the stack stops it, or the exit hook kills it.
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
