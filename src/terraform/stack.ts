/**
 * One synthesized stack driven through the engine: init (cached), plan to a saved plan file and
 * summarize it, apply exactly that plan file, read outputs.
 *
 * Init caching: a fingerprint of what `init` depends on (the engine, the stack's `terraform` block:
 * required providers and backend, and the CLI configuration file) is stored in
 * `<stack>/.terraform/ecsdeploy-init.json`; init runs again only when it changes or the installed
 * providers are gone. Inits run one at a time, so a shared TF_PLUGIN_CACHE_DIR is safe.
 */
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import type { Engine } from './engine';
import { engineFailure } from './errors';
import type { RunLog } from './log';
import { engineEnv, runEngine, type EngineInvocation, type EngineResult, type UiMessage } from './process';
import { fastPathEnabled, startProviderServer } from './provider-server';
import { NO_CHANGES, summarizeAppliedStream, summarizeDestroyPlan, summarizePlan, type PlanSummary } from './summary';
import { dateOf, systemClock, type Clock } from '../clock';

/** What a run shares between its stacks. */
export interface RunContext {
  readonly engine: Engine;
  readonly log: RunLog;
  /** Folder for this run's saved plan files (removed by the caller at the end of the run). */
  readonly planDir: string;
  /** Folder paths in messages are shown relative to this one (the project folder). */
  readonly root: string;
  /** `-lock-timeout`: how long to wait for a lock someone else holds. @default '0s' */
  readonly lockTimeout?: string;
  /** Extra environment for the engine. */
  readonly env?: NodeJS.ProcessEnv;
  readonly signal?: AbortSignal;
  /** @default the system clock */
  readonly clock?: Clock;
}

export type Outputs = Readonly<Record<string, unknown>>;

export interface PlannedStack {
  readonly summary: PlanSummary;
  /** The saved plan, when there is something to apply. */
  readonly planFile?: string;
}

/**
 * How many provider connections (graph walks, each a provider process of its own) Terraform 1.x
 * opens for each engine command (counted in the run log's proxy lines): validate and plan; validate,
 * refresh and destroy plan; the saved plan's apply; validate, plan and apply; `show -json` only
 * reads the schema (test/e2e/provider-proxy.test.ts checks each count on the real engine). Told to
 * the provider proxy so that it starts no provider ahead that nobody takes; a wrong count, or the
 * first command of a provider version (its schema not cached yet: one more), costs a provider
 * started late or one started for nothing, never a failure.
 */
export const PROVIDER_WALKS = { plan: 2, destroyPlan: 3, show: 0, apply: 1, applyNow: 3 } as const;

export type InitResult = 'cached' | 'initialized' | 'backend-changed';

/** What ops needs of a stack; tests substitute a scripted one. A destroy plan is summarized from the engine's stream (no `show`). */
export interface StackEngine {
  init(): Promise<InitResult>;
  plan(options?: { readonly destroy?: boolean }): Promise<PlannedStack>;
  /** Applies the saved plan; returns the stack's outputs afterwards. */
  apply(plan: PlannedStack): Promise<Outputs>;
  outputs(): Promise<Outputs>;
  /**
   * Plans and applies in one engine command (`apply -auto-approve`), for runs that would apply
   * whatever they plan without showing it to anyone (a non-interactive deploy). Absent: not offered.
   */
  applyNow?(): Promise<{ readonly summary: PlanSummary; readonly outputs: Outputs }>;
}

export const SENSITIVE = '(sensitive)';
const MARKER = 'ecsdeploy-init.json';

let initQueue: Promise<unknown> = Promise.resolve();
/** Runs inits one at a time in this process (the provider plugin cache is not safe for concurrent installs). */
function serialized<T>(fn: () => Promise<T>): Promise<T> {
  const next = initQueue.then(fn, fn);
  initQueue = next.catch(() => undefined);
  return next;
}

function sha(value: unknown): string {
  return createHash('sha256').update(JSON.stringify(value)).digest('hex');
}

/** Every provider folder under `.terraform/providers/<host>/<ns>/<name>/<version>/<platform>` resolves (symlinks to a cache or mirror can dangle). */
function providersInstalled(dir: string): boolean {
  const root = join(dir, '.terraform', 'providers');
  if (!existsSync(root)) return false;
  const walk = (d: string, depth: number): boolean => {
    if (depth === 0) return existsSync(d);
    let entries: string[];
    try {
      entries = readdirSync(d);
    } catch {
      return false;
    }
    return entries.length > 0 && entries.every((e) => walk(join(d, e), depth - 1));
  };
  return walk(root, 5);
}

/** Error summaries that mean "init again". */
const NEEDS_INIT =
  /Backend initialization required|Backend configuration changed|Inconsistent dependency lock file|Required plugins are not installed|Missing required provider|Could not load plugin|please run "(terraform|tofu) init"/i;

export function openStack(name: string, dir: string, run: RunContext, onMessage?: (m: UiMessage) => void): StackEngine {
  const shown = relative(run.root, dir) || '.';
  const clock = run.clock ?? systemClock;
  const lockTimeout = `-lock-timeout=${run.lockTimeout ?? '0s'}`;
  const invoke = (args: string[], extra: Partial<EngineInvocation> = {}) =>
    runEngine(run.engine, {
      args,
      cwd: dir,
      stack: name,
      log: run.log,
      ...(run.env ? { env: run.env } : {}),
      ...(run.signal ? { signal: run.signal } : {}),
      ...extra,
    });
  // A provider proxy for each engine command that talks to AWS (./provider-server, ./provider-proxy):
  // it answers the schema and the configuration check from the cache on disk and gives each engine
  // connection a provider process of its own, so none is configured twice. Stopped with its
  // providers as soon as the command ends: a stack waiting (for a confirmation, for the stacks it
  // depends on) keeps no process, and a run of hundreds of stacks holds at most one proxy per engine
  // command running. ECSDEPLOY_ENGINE_FAST=off, or a TF_REATTACH_PROVIDERS of the user's own (a
  // provider under a debugger): each command starts its own providers, as the engine does by default.
  const fast = fastPathEnabled(run.env ?? process.env) && !(run.env ?? process.env)['TF_REATTACH_PROVIDERS'];
  /**
   * invoke through a provider proxy of its own when there is one, stopped when it returns.
   * `walks`: the provider connections the command opens (PROVIDER_WALKS), so the proxy starts no
   * provider ahead that nobody takes.
   */
  const invokeOn = async (args: string[], walks: number, extra: Partial<EngineInvocation> = {}) => {
    const server =
      fast && !run.signal?.aborted
        ? await startProviderServer({
            stackDir: dir,
            stack: name,
            env: engineEnv(run.env),
            log: run.log,
            connections: walks,
          })
        : undefined;
    try {
      if (server === undefined || !server.alive() || run.signal?.aborted) return await invoke(args, extra);
      return await invoke(args, { ...extra, env: { ...(run.env ?? {}), TF_REATTACH_PROVIDERS: server.reattach } });
    } finally {
      server?.stop();
    }
  };
  const failure = (result: EngineResult, step: string) =>
    engineFailure(result, {
      engine: run.engine,
      stack: name,
      step,
      dir: shown,
      logFile: run.log.path,
      now: dateOf(clock),
    });
  const check = (result: EngineResult, step: string): EngineResult => {
    if (result.code === 0 && !result.interrupted) return result;
    throw failure(result, step);
  };

  const fingerprint = () => {
    const tf =
      (JSON.parse(readFileSync(join(dir, 'cdk.tf.json'), 'utf8')) as { terraform?: Record<string, unknown> })
        .terraform ?? {};
    const cliFile = (run.env ?? process.env)['TF_CLI_CONFIG_FILE'];
    const cli = cliFile && existsSync(cliFile) ? readFileSync(cliFile, 'utf8') : '';
    return {
      all: sha({
        engine: `${run.engine.kind} ${run.engine.version}`,
        providers: tf['required_providers'],
        backend: tf['backend'],
        cli,
      }),
      backend: sha(tf['backend']),
    };
  };

  const init = (force = false): Promise<InitResult> =>
    serialized(async () => {
      const fp = fingerprint();
      const markerFile = join(dir, '.terraform', MARKER);
      const previous = existsSync(markerFile)
        ? (JSON.parse(readFileSync(markerFile, 'utf8')) as { all?: string; backend?: string })
        : undefined;
      const cached =
        !force && previous?.all === fp.all && existsSync(join(dir, '.terraform.lock.hcl')) && providersInstalled(dir);
      if (cached) return 'cached';
      // The synthesized backend is the source of truth: never migrate state implicitly (it could
      // overwrite a state that exists in the new backend). A changed backend is reported.
      check(await invoke(['init', '-input=false', '-no-color', '-reconfigure']), 'init');
      writeFileSync(markerFile, JSON.stringify(fp));
      return previous?.backend !== undefined && previous.backend !== fp.backend ? 'backend-changed' : 'initialized';
    });

  const plan = async (options: { destroy?: boolean } = {}, retried = false): Promise<PlannedStack> => {
    const planFile = join(run.planDir, `${name}${options.destroy ? '.destroy' : ''}.tfplan`);
    const result = await invokeOn(
      [
        'plan',
        '-input=false',
        '-no-color',
        '-json',
        '-detailed-exitcode',
        lockTimeout,
        `-out=${planFile}`,
        ...(options.destroy ? ['-destroy'] : []),
      ],
      options.destroy ? PROVIDER_WALKS.destroyPlan : PROVIDER_WALKS.plan,
      { json: true, ...(onMessage ? { onMessage } : {}) },
    );
    if (result.code === 0 && !result.interrupted) {
      rmSync(planFile, { force: true });
      return { summary: NO_CHANGES };
    }
    // -detailed-exitcode: 2 means "changes", but a Go panic exits with 2 as well: a real plan
    // with changes has reported its change summary and no error.
    const changes =
      result.code === 2 &&
      result.messages.some((m) => m.type === 'change_summary') &&
      !result.messages.some((m) => m.diagnostic?.severity === 'error');
    if (!changes || result.interrupted) {
      const text = result.messages.map((m) => m.diagnostic?.summary ?? '').join('\n') + result.tail.join('\n');
      if (!retried && !result.interrupted && NEEDS_INIT.test(text)) {
        await init(true);
        return plan(options, true);
      }
      throw failure(result, 'plan');
    }
    if (options.destroy) return { summary: summarizeDestroyPlan(result.messages), planFile };
    const shownPlan = check(
      await invokeOn(['show', '-json', '-no-color', planFile], PROVIDER_WALKS.show, { captureStdout: true }),
      'show',
    );
    run.log.write(name, `(show -json: ${shownPlan.stdout.length} bytes of JSON plan)`);
    return { summary: summarizePlan(JSON.parse(shownPlan.stdout)), planFile };
  };

  const apply = async (planned: PlannedStack): Promise<Outputs> => {
    if (planned.planFile === undefined) return outputs();
    const result = check(
      await invokeOn(
        ['apply', '-input=false', '-no-color', '-json', lockTimeout, planned.planFile],
        PROVIDER_WALKS.apply,
        {
          json: true,
          ...(onMessage ? { onMessage } : {}),
        },
      ),
      'apply',
    );
    rmSync(planned.planFile, { force: true });
    const final = [...result.messages].reverse().find((m) => m.type === 'outputs');
    return final?.outputs ? mask(final.outputs) : outputs();
  };

  const applyNow = async (): Promise<{ summary: PlanSummary; outputs: Outputs }> => {
    const result = check(
      await invokeOn(
        ['apply', '-input=false', '-no-color', '-json', '-auto-approve', lockTimeout],
        PROVIDER_WALKS.applyNow,
        {
          json: true,
          ...(onMessage ? { onMessage } : {}),
        },
      ),
      'apply',
    );
    const final = [...result.messages].reverse().find((m) => m.type === 'outputs');
    return {
      summary: summarizeAppliedStream(result.messages),
      outputs: final?.outputs ? mask(final.outputs) : await outputs(),
    };
  };

  const outputs = async (): Promise<Outputs> => {
    const result = check(await invoke(['output', '-json', '-no-color'], { captureStdout: true }), 'output');
    return mask(JSON.parse(result.stdout || '{}') as Record<string, { sensitive?: boolean; value?: unknown }>);
  };

  return { init: () => init(), plan: (o) => plan(o), apply, applyNow, outputs };
}

function mask(outputs: Record<string, { sensitive?: boolean; value?: unknown }>): Outputs {
  return Object.fromEntries(Object.entries(outputs).map(([k, o]) => [k, o.sensitive ? SENSITIVE : o.value]));
}
