/**
 * plan / apply / destroy of an environment's stacks, through the Terraform engine.
 *
 * Each request loads the project, finds the engine, synthesizes the selected stacks (with the
 * images the release store says run in the environment) and works
 * through them in dependency order: the registry and the cluster (independent of each other), then the service stacks, which are
 * independent of each other and run in parallel (at most `parallelism` at once). Every engine
 * command writes into one log file per run (`.ecsdeploy/logs/`).
 *
 * apply plans everything first, asks once (`confirm`), then applies each stack's saved plan, so
 * what was shown is what is applied. A stack that reads from a stack with changes (a service
 * reading the cluster's outputs) cannot be planned for certain before that stack is applied: when
 * its plan fails it is reported as deferred, and either way it is planned again once its
 * dependencies are applied; if that plan differs from the one shown, it is shown and confirmed
 * again before it is applied.
 *
 * destroy goes in reverse order and keeps the registry (shared by every environment) unless it is
 * named with `stacks: ['registry']`; a protected environment needs `force` and its name typed.
 *
 * An environment's cluster stack is not applied while `cluster roll` runs on its Auto Scaling group
 * (./roll-guard): apply refuses before planning and again right before applying it; plan warns.
 */
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { processGone, thisProcess, type ProcessRef } from '../local-process';
import { availableParallelism, userInfo } from 'node:os';
import { join } from 'node:path';
import { DURATION_EXAMPLES, goDuration, parseDuration } from '../../duration';
import { ConfigError, EcsdeployError, ExitCode, UsageError } from '../../errors';
import type { ResolvedEnvironment, ResolvedProject } from '../../config/load';
import { environmentStacks, REGISTRY_STACK, stackSelector, synthesize, type SynthesizedStack } from '../../synth';
import {
  compareVersions,
  EngineFailedError,
  fastPathEnabled,
  findEngine,
  MIN_LOCKFILE_VERSION,
  openStack,
  RunLog,
  type Engine,
  type PlannedStack,
  type RunContext,
  type StackEngine,
  type UiMessage,
} from '../../terraform';
import { assertAccount, assertRegistryAccount, type IdentityLookup } from '../accounts';
import { openEnvironments } from '../project';
import {
  adoptedServices,
  heldTaskDefinitions,
  projectReleaseStore,
  releasedImages,
  recordAdoption,
  type ReleaseStore,
} from '../releases';
import { adoptionPlan, adoptionsOf, refuseReplacement, type Adoptions } from './adoption';
import { refuseRepositoryReplacement } from './repository-guard';
import { readsFrom } from './reads';
import { rollGuard, sdkGroupReader, type GroupReader, type RollGuard } from './roll-guard';
import { combineFailures, levels, runBounded, type Settled } from './schedule';
import type {
  ApplyReport,
  ApplyRequest,
  Confirm,
  DestroyReport,
  DestroyRequest,
  InfraEvent,
  InfraRequest,
  InfraRunner,
  InfraStep,
  PlanReport,
  StackPlan,
  StackResult,
} from './types';
import { dateOf, systemClock, type Clock } from '../../clock';

export interface InfraRunnerOptions {
  /** Environment for engine discovery (ECSDEPLOY_ENGINE, PATH) and the engine's processes. @default process.env */
  readonly env?: NodeJS.ProcessEnv;
  /** Stacks planned or applied at once, among independent ones. @default the number of CPUs */
  readonly parallelism?: number;
  /** How long to wait for a state lock someone else holds (`-lock-timeout`), e.g. '5m'. @default '0s': fail at once, saying who holds it */
  readonly lockTimeout?: string;
  /** Use this engine instead of discovering one. */
  readonly engine?: Engine;
  /** Drives one stack; tests substitute a scripted one. @default the engine through src/terraform */
  readonly openStack?: (stack: SynthesizedStack, run: RunContext, onMessage: (m: UiMessage) => void) => StackEngine;
  /** @default the system clock */
  readonly clock?: Clock;
  /** STS GetCallerIdentity, for the account check before anything is planned (src/ops/accounts). @default the SDK */
  readonly identity?: IdentityLookup;
  /** Reads the environment's Auto Scaling group, to see whether `cluster roll` is running on it (./roll-guard); tests substitute a fake. @default the AWS SDK, in the environment's region and endpoint */
  readonly autoScaling?: GroupReader;
  /** Who applies, for the adoption record (./adoption). @default the OS user */
  readonly actor?: () => string;
}

/** Nothing was applied because the confirmation was declined. */
export class CancelledError extends EcsdeployError {
  constructor(message: string) {
    super(message, {
      code: 'ECSDEPLOY_CANCELLED',
      suggestions: ['Run `ecsdeploy plan` to review the changes; pass --yes to apply without asking.'],
    });
    this.name = 'CancelledError';
  }
}

export class InterruptedError extends EcsdeployError {
  constructor(message: string) {
    super(message, {
      code: 'ECSDEPLOY_INTERRUPTED',
      exitCode: ExitCode.Interrupted,
      suggestions: ['Run the same command again: it plans from what was saved and continues.'],
    });
    this.name = 'InterruptedError';
  }
}

type Operation = 'plan' | 'apply' | 'destroy';

interface Entry {
  readonly ref: SynthesizedStack;
  status: 'planned' | 'deferred';
  planned?: PlannedStack;
  /** A stack it reads from had changes when it was planned: plan again once they are applied. */
  stale: boolean;
  /** Its plan was applied in this run: stacks reading from it now see what they will get. */
  applied?: boolean;
  waitsFor?: readonly string[];
  reason?: string;
}

class Session {
  readonly byName: ReadonlyMap<string, SynthesizedStack>;
  /** Levels of the dependency graph in the order this operation works through them (destroy: dependents first). */
  readonly levels: readonly string[][];
  /** Every stack in that order. */
  readonly sequence: readonly string[];
  private readonly engines = new Map<string, StackEngine>();
  private readonly readMap: ReadonlyMap<string, readonly string[]>;

  constructor(
    readonly operation: Operation,
    readonly project: ResolvedProject,
    readonly env: ResolvedEnvironment,
    readonly stacks: readonly SynthesizedStack[],
    readonly run: RunContext,
    readonly kept: PlanReport['kept'],
    private readonly options: InfraRunnerOptions,
    private readonly request: InfraRequest,
    /** plan and apply of a run with the environment's cluster stack (EC2 capacity): whether a roll is running on its group. */
    readonly rollGuard?: RollGuard,
    /** The stacks of adopted services (./adoption), and the release store their adoption is recorded in. */
    readonly adoptions: Adoptions = new Map(),
    readonly store?: ReleaseStore,
  ) {
    this.byName = new Map(stacks.map((s) => [s.name, s]));
    const forward = levels(stacks);
    this.levels = operation === 'destroy' ? forward.reverse() : forward;
    this.sequence = this.levels.flat();
    this.readMap = readsFrom(stacks);
  }

  /** Who applies (adoption records). */
  actor(): string {
    return this.options.actor?.() ?? userInfoName();
  }

  get destroying(): boolean {
    return this.operation === 'destroy';
  }

  get parallelism(): number {
    return Math.max(1, this.options.parallelism ?? availableParallelism());
  }

  emit(event: InfraEvent): void {
    this.request.onEvent?.(event);
  }

  get aborted(): boolean {
    return this.request.signal?.aborted === true;
  }

  stack(name: string): StackEngine {
    let engine = this.engines.get(name);
    if (engine === undefined) {
      const ref = this.byName.get(name)!;
      const onMessage = (m: UiMessage) => this.onEngineMessage(name, m);
      engine = this.options.openStack
        ? this.options.openStack(ref, this.run, onMessage)
        : openStack(name, ref.dir, this.run, onMessage);
      this.engines.set(name, engine);
    }
    return engine;
  }

  /** The stacks of this run whose state or resources `name` reads when it is planned. */
  reads(name: string): readonly string[] {
    return this.readMap.get(name) ?? [];
  }

  async step<T>(
    stack: string,
    step: InfraStep,
    fn: () => Promise<T>,
    detail?: (r: T) => string | undefined,
  ): Promise<T> {
    this.emit({ type: 'step', stack, step, status: 'started' });
    try {
      const result = await fn();
      const d = detail?.(result);
      this.emit({ type: 'step', stack, step, status: 'done', ...(d ? { detail: d } : {}) });
      return result;
    } catch (err) {
      this.emit({ type: 'step', stack, step, status: 'failed', detail: firstLine(err) });
      throw err;
    }
  }

  async init(name: string): Promise<void> {
    const result = await this.step(
      name,
      'init',
      () => this.stack(name).init(),
      (r) => (r === 'cached' ? 'cached' : undefined),
    );
    if (result === 'backend-changed') {
      this.emit({
        type: 'notice',
        message: `The state backend of ${name} changed: its state is now read from the new backend. State in the old backend was not moved (docs/engine.md, "Moving state").`,
      });
    }
  }

  private onEngineMessage(stack: string, m: UiMessage): void {
    const status = ENGINE_STATUS[m.type];
    // Data source reads (action 'read') are lookups, not changes: not worth a line.
    if (status !== undefined && m.hook?.action !== 'read' && m['@message'])
      this.emit({ type: 'resource', stack, status, message: m['@message'] });
  }

  close(): void {
    rmSync(this.run.planDir, { recursive: true, force: true });
  }
}

const ENGINE_STATUS: Partial<Record<string, 'started' | 'progress' | 'done' | 'failed'>> = {
  apply_start: 'started',
  apply_progress: 'progress',
  apply_complete: 'done',
  apply_errored: 'failed',
};

function userInfoName(): string {
  try {
    return userInfo().username;
  } catch {
    return 'unknown';
  }
}

function firstLine(err: unknown): string {
  return String((err as Error)?.message ?? err).split('\n')[0]!;
}

/** Which stacks a request means: the selection, or every stack (destroy: all but the shared registry). */
function selection(
  env: ResolvedEnvironment,
  req: InfraRequest,
  operation: Operation,
): { stacks: string[]; kept: PlanReport['kept'] } {
  const explicit = [...new Set(req.stacks ?? [])];
  if (explicit.length > 0 || operation !== 'destroy') return { stacks: explicit, kept: [] };
  // Every stack of the environment but the shared registry (a shared environment on demand has no cluster of its own).
  const own = environmentStacks(env).filter((s) => s.kind !== 'registry');
  return {
    stacks: own.map(stackSelector),
    kept:
      env.ephemeral === undefined
        ? [
            {
              stack: REGISTRY_STACK,
              reason: `shared by every environment of the project; destroy it with --stack ${REGISTRY_STACK}`,
            },
          ]
        : [],
  };
}

async function open(
  options: InfraRunnerOptions,
  req: InfraRequest,
  operation: Operation,
  before?: (env: ResolvedEnvironment) => Promise<void>,
): Promise<Session> {
  const { project, envs } = await openEnvironments(req.dir, [req.env]);
  const env = envs[0]!;
  await before?.(env);
  // Who the credentials are, before the engine starts: never plan one account's configuration in another.
  const identity = options.identity ? { identity: options.identity } : {};
  await assertAccount(env, identity);
  const processEnv = options.env ?? process.env;
  const engine =
    options.engine ?? (await findEngine({ setting: project.config.engine, env: processEnv, cwd: project.root }));
  const state = project.config.state;
  if (
    state.backend === 's3' &&
    state.lockTable === undefined &&
    compareVersions(engine.version, MIN_LOCKFILE_VERSION) < 0
  ) {
    throw new ConfigError(
      [
        {
          file: 'ecsdeploy.yaml',
          key: 'state',
          message: `S3 state locking by lock file (use_lockfile) needs ${engine.kind} ${MIN_LOCKFILE_VERSION.replace(/\.0$/, '')} or later; ${engine.path} is ${engine.version}`,
        },
      ],
      [
        `Upgrade ${engine.kind}, or set state.lockTable to a DynamoDB table (partition key LockID, string) to lock with DynamoDB.`,
      ],
    );
  }
  const { stacks: selected, kept } = selection(env, req, operation);
  // What the release store says runs in this environment, so that applying with nothing new
  // keeps the images `service deploy` released instead of going back to the config's tags.
  // Only the selected services' ledgers are read (one read per service on S3).
  const services =
    selected.length > 0 ? env.services.map((s) => s.name).filter((n) => selected.includes(n)) : undefined;
  const store = projectReleaseStore(project, env);
  const jobs = (env.jobs ?? [])
    .map((j) => j.name)
    .filter((n) => selected.length === 0 || selected.includes(`job-${n}`));
  const images = await releasedImages(store, env, services, jobs);
  // A service whose release is running its deployment.before commands stays on the task definition it runs.
  const holds = await heldTaskDefinitions(store, env, services);
  // Adopted services whose import an apply recorded: no import blocks any more.
  const adopted = await adoptedServices(store, env, services);
  const stacks = synthesize(project, [env], { stacks: selected, images, holds, adopted });
  if (stacks.some((s) => s.name === REGISTRY_STACK)) await assertRegistryAccount(project, identity);
  const clock = options.clock ?? systemClock;
  const now = () => dateOf(clock);
  const ecsdeployDir = join(project.root, '.ecsdeploy');
  const log = RunLog.create(join(ecsdeployDir, 'logs'), `${operation}-${env.name}`, now());
  const planDir = newRunFolder(join(ecsdeployDir, 'runs'), `${operation}-${env.name}-`);
  const run: RunContext = {
    engine,
    log,
    planDir,
    root: project.root,
    clock,
    // Terraform reads Go durations (no days): 1d becomes 86400s.
    ...(options.lockTimeout ? { lockTimeout: goDuration(parseDuration(options.lockTimeout) ?? 0) } : {}),
    ...(options.env ? { env: options.env } : {}),
    ...(req.signal ? { signal: req.signal } : {}),
  };
  const guard =
    operation === 'destroy' ? undefined : rollGuard(env, stacks, options.autoScaling ?? sdkGroupReader, now);
  const session = new Session(
    operation,
    project,
    env,
    stacks,
    run,
    kept,
    options,
    req,
    guard,
    adoptionsOf(env, stacks, adopted),
    store,
  );
  session.emit({
    type: 'run',
    operation,
    environment: env.name,
    stacks: session.sequence,
    engine: `${engine.kind} ${engine.version}`,
    logFile: log.path,
  });
  for (const k of kept) session.emit({ type: 'notice', message: `${k.stack} is not destroyed: ${k.reason}.` });
  return session;
}

/** Changes not applied yet. */
function hasChanges(e: Entry | undefined): boolean {
  return e !== undefined && e.applied !== true && (e.status === 'deferred' || e.planned?.summary.changes === true);
}

/** A stack that does not exist yet: everything in its plan is new. */
function isNew(e: Entry | undefined): boolean {
  if (e === undefined || e.applied === true) return false;
  const p = e.planned?.summary;
  return (
    e?.status === 'deferred' || (p !== undefined && p.add > 0 && p.unchanged + p.change + p.replace + p.destroy === 0)
  );
}

function deferred(
  s: Session,
  entries: Map<string, Entry>,
  name: string,
  waitsFor: readonly string[],
  reason: string,
): void {
  entries.set(name, { ref: s.byName.get(name)!, status: 'deferred', stale: true, waitsFor, reason });
  s.emit({
    type: 'step',
    stack: name,
    step: 'plan',
    status: 'done',
    detail: `deferred until ${waitsFor.join(', ')} ${waitsFor.length === 1 ? 'is' : 'are'} applied`,
  });
}

/**
 * Plans `names` (one level), recording each in `entries`. A stack reading from a stack that does
 * not exist yet cannot be planned (the outputs or resources it reads are missing): it is deferred
 * without asking the engine. One reading from a stack with changes is planned, but marked stale;
 * if its plan fails it is deferred too.
 */
async function planLevel(s: Session, names: readonly string[], entries: Map<string, Entry>): Promise<void> {
  const destroy = s.destroying;
  const settled = await runBounded(
    names,
    s.parallelism,
    async (name) => {
      const changed = destroy ? [] : s.reads(name).filter((d) => hasChanges(entries.get(d)));
      const missing = changed.filter((d) => isNew(entries.get(d)));
      if (missing.length > 0) {
        deferred(
          s,
          entries,
          name,
          changed,
          `it reads from ${missing.join(' and ')}, which ${missing.length === 1 ? 'does' : 'do'} not exist yet`,
        );
        return;
      }
      await s.init(name);
      s.emit({ type: 'step', stack: name, step: 'plan', status: 'started' });
      try {
        const planned = await s.stack(name).plan({ destroy });
        entries.set(name, { ref: s.byName.get(name)!, status: 'planned', planned, stale: changed.length > 0 });
        s.emit({
          type: 'step',
          stack: name,
          step: 'plan',
          status: 'done',
          detail: planned.summary.changes ? 'changes' : 'no changes',
        });
      } catch (err) {
        // Reading from a stack whose changes are not applied yet can fail (an output it needs is
        // new): expected, not an error.
        if (changed.length > 0 && err instanceof EngineFailedError && err.code === 'ECSDEPLOY_ENGINE_FAILED') {
          deferred(s, entries, name, changed, engineReason(err));
          return;
        }
        s.emit({ type: 'step', stack: name, step: 'plan', status: 'failed', detail: firstLine(err) });
        throw withDependencyHint(s, name, err);
      }
    },
    s.run.signal,
  );
  stopOnFailure(s, settled, [...entries.keys()]);
}

/** The engine's first error line (after the `... failed for stack X:` line). */
function engineReason(err: EngineFailedError): string {
  const line = err.message.split('\n').find((l) => /^\s+Error: /.test(l));
  return line?.trim().replace(/^Error: /, '') ?? firstLine(err);
}

/** A stack whose dependencies are not part of this run fails to plan when they were never applied: say so. */
function withDependencyHint(s: Session, name: string, err: unknown): unknown {
  const missing = (s.byName.get(name)?.dependsOn ?? []).filter((d) => !s.byName.has(d));
  if (
    !(err instanceof EngineFailedError) ||
    err.code !== 'ECSDEPLOY_ENGINE_FAILED' ||
    missing.length === 0 ||
    s.destroying
  )
    return err;
  return new EcsdeployError(err.message, {
    code: err.code,
    exitCode: err.exitCode,
    suggestions: [
      ...err.suggestions,
      `${name} reads from ${missing.join(' and ')}; if they were never applied, run \`ecsdeploy apply --env ${s.env.name}\` without --stack first.`,
    ],
    cause: err,
  });
}

/**
 * After one level: an interrupt or failures end the run, saying what was changed (`changed`, e.g.
 * the stacks applied so far) and what was not started (neither `done` nor finished in this level).
 */
function stopOnFailure(
  s: Session,
  settled: Settled<unknown>,
  done: readonly string[],
  changed?: { readonly verb: string; readonly names: readonly string[] },
): void {
  if (settled.failed.size === 0 && !s.aborted) return;
  const notStarted = s.sequence.filter((n) => !done.includes(n) && !settled.done.has(n) && !settled.failed.has(n));
  const note = [
    changed?.names.length ? `${changed.verb}: ${changed.names.join(', ')}.` : '',
    notStarted.length ? `Not started: ${notStarted.join(', ')}.` : '',
  ]
    .filter(Boolean)
    .join(' ');
  const stopped = [...settled.failed.entries()]
    .filter(([, e]) => e instanceof EcsdeployError && e.code === 'ECSDEPLOY_INTERRUPTED')
    .map(([n]) => n);
  if (s.aborted || stopped.length > 0) {
    throw new InterruptedError(
      `Interrupted${stopped.length ? `: the engine stopped gracefully in ${stopped.join(', ')} (state saved, lock released)` : ''}.${note ? ` ${note}` : ''} Full engine output: ${s.run.log.path}`,
    );
  }
  const err = combineFailures(settled.failed);
  if (!note || !(err instanceof EcsdeployError)) throw err;
  throw new EcsdeployError(`${err.message}\n${note}`, {
    code: err.code,
    exitCode: err.exitCode,
    suggestions: err.suggestions,
    cause: err,
  });
}

const NOTHING: Settled<unknown> = { done: new Map(), failed: new Map(), notStarted: [] };

/**
 * Plans every stack. A plan needs only the plans of the stacks it reads from (a service: the
 * registry and the cluster), so planning follows that graph, not the apply order: the registry and
 * the cluster are planned side by side, and a destroy plans all its stacks side by side.
 */
async function planAll(s: Session): Promise<Map<string, Entry>> {
  const entries = new Map<string, Entry>();
  const order = s.destroying ? [s.sequence] : levels(s.sequence.map((name) => ({ name, dependsOn: s.reads(name) })));
  for (const level of order) {
    stopOnFailure(s, NOTHING, [...entries.keys()]);
    await planLevel(s, level, entries);
  }
  return entries;
}

function report(
  s: Session,
  entries: ReadonlyMap<string, Entry>,
  names: readonly string[],
  extra: { followUp?: boolean; warnings?: readonly string[] } = {},
): PlanReport {
  const stacks: StackPlan[] = names.map((name) => {
    const e = entries.get(name)!;
    const adoption = s.adoptions.get(name);
    return e.status === 'planned'
      ? {
          stack: name,
          kind: e.ref.kind,
          status: 'planned',
          summary: e.planned!.summary,
          ...(adoption && !s.destroying ? { adoption: adoptionPlan(adoption, e.planned!.summary) } : {}),
        }
      : { stack: name, kind: e.ref.kind, status: 'deferred', waitsFor: e.waitsFor ?? [], reason: e.reason ?? '' };
  });
  return {
    environment: s.env.name,
    operation: s.operation === 'destroy' ? 'destroy' : 'apply',
    changes: names.some((n) => hasChanges(entries.get(n))),
    stacks,
    ...(extra.followUp ? { followUp: true } : {}),
    engine: { kind: s.run.engine.kind, version: s.run.engine.version },
    logFile: s.run.log.path,
    kept: s.kept,
    ...(extra.warnings?.length ? { warnings: extra.warnings } : {}),
    ...(s.operation === 'destroy' ? {} : policyAllowances(s.project, s.env)),
  };
}

/** The security policy rules allowed to fail in the environment (docs/security.md), for the plan to show. */
function policyAllowances(project: ResolvedProject, env: ResolvedEnvironment): Pick<PlanReport, 'policyAllowances'> {
  const all = [
    ...(project.config.policy?.allow ?? []).map((a) => ({ ...a, file: 'ecsdeploy.yaml' })),
    ...(env.config.policy?.allow ?? []).map((a) => ({ ...a, file: env.file })),
  ];
  return all.length ? { policyAllowances: all } : {};
}

/** Two plans of one stack propose the same thing: the same resources with the same actions, the same highlighted changes. */
function samePlan(a: PlannedStack | undefined, b: PlannedStack): boolean {
  const key = (p: PlannedStack) => JSON.stringify([p.summary.resources, p.summary.highlights, p.summary.outputs]);
  return a !== undefined && key(a) === key(b);
}

async function applyAll(
  s: Session,
  entries: Map<string, Entry>,
  confirm: Confirm | undefined,
  allowReplace = false,
): Promise<StackResult[]> {
  const results: StackResult[] = [];
  const applied: string[] = [];
  const destroy = s.destroying;
  const verb = destroy ? 'Destroyed' : 'Applied';
  for (const level of s.levels) {
    stopOnFailure(
      s,
      NOTHING,
      results.map((r) => r.stack),
      { verb, names: applied },
    );
    // Plan again what could not be planned before, or was planned against stacks just changed.
    const again = level.filter(
      (n) =>
        entries.get(n)!.status === 'deferred' || (entries.get(n)!.stale && s.reads(n).some((d) => applied.includes(d))),
    );
    if (again.length > 0) {
      const previous = new Map(again.map((n) => [n, entries.get(n)!]));
      await planLevel(s, again, entries);
      const changed = again.filter(
        (n) => previous.get(n)!.status === 'deferred' || !samePlan(previous.get(n)!.planned, entries.get(n)!.planned!),
      );
      if (
        changed.some((n) => hasChanges(entries.get(n))) &&
        confirm !== undefined &&
        !(await confirm(report(s, entries, changed, { followUp: true })))
      ) {
        const pending = s.sequence.filter((n) => hasChanges(entries.get(n)));
        throw new CancelledError(
          `Cancelled: nothing more was applied.${applied.length ? ` Applied before: ${applied.join(', ')}.` : ''} Not applied: ${pending.join(', ')}.`,
        );
      }
    }
    const settled = await runBounded(
      level,
      s.parallelism,
      async (name): Promise<StackResult> => {
        const entry = entries.get(name)!;
        if (entry.planned === undefined)
          throw new EcsdeployError(
            `${name} could not be planned: ${entry.reason ?? 'unknown reason'}. Full engine output: ${s.run.log.path}`,
          );
        const planned = entry.planned;
        const engine = s.stack(name);
        if (!planned.summary.changes) {
          const outputs = destroy ? {} : await s.step(name, 'outputs', () => engine.outputs());
          return { stack: name, applied: false, summary: planned.summary, outputs };
        }
        // A roll may have started while the plan was shown and confirmed: check its group again.
        if (entry.ref.kind === 'cluster') await s.rollGuard?.refuse();
        // A plan made again here (deferred, stale) is checked like the first ones.
        if (!destroy && !allowReplace) {
          refuseReplacement(s.env.name, s.adoptions, [{ stack: name, summary: planned.summary }]);
          refuseRepositoryReplacement([{ stack: name, summary: planned.summary }]);
        }
        const outputs = await s.step(name, destroy ? 'destroy' : 'apply', () => engine.apply(planned));
        await recordAdopted(s, name, planned.summary.import);
        return { stack: name, applied: true, summary: planned.summary, outputs };
      },
      s.run.signal,
    );
    for (const name of level) {
      const r = settled.done.get(name);
      if (r === undefined) continue;
      results.push(r);
      entries.get(name)!.applied = true;
      if (r.applied) applied.push(name);
    }
    stopOnFailure(
      s,
      settled,
      results.map((r) => r.stack),
      { verb, names: applied },
    );
  }
  return results;
}

/**
 * `direct` requests (ApplyRequest.direct): one service or job stack, nobody to confirm, no adoption,
 * fast path on: planned and applied by one engine command, its summary from the streamed plan. A
 * refresh still reads every resource (drift is applied and counted as a change), the lock is taken
 * as by any apply. Undefined: not eligible, the usual plan, show, apply.
 */
async function applyDirect(
  s: Session,
  req: ApplyRequest,
  options: InfraRunnerOptions,
): Promise<ApplyReport | undefined> {
  const name = s.sequence[0];
  if (req.direct !== true || req.confirm !== undefined || s.sequence.length !== 1 || name === undefined)
    return undefined;
  const ref = s.byName.get(name)!;
  if ((ref.kind !== 'service' && ref.kind !== 'job') || s.adoptions.has(name)) return undefined;
  if (!fastPathEnabled(options.env ?? process.env)) return undefined;
  const engine = s.stack(name);
  if (engine.applyNow === undefined) return undefined;
  await s.init(name);
  const done = await s.step(
    name,
    'apply',
    () => engine.applyNow!(),
    (r) => (r.summary.changes ? 'changes' : 'no changes'),
  );
  const entries = new Map<string, Entry>([
    [name, { ref, status: 'planned', planned: { summary: done.summary }, stale: false, applied: true }],
  ]);
  const plan = { ...report(s, entries, s.sequence), changes: done.summary.changes };
  return {
    environment: s.env.name,
    plan,
    stacks: [{ stack: name, applied: done.summary.changes, summary: done.summary, outputs: done.outputs }],
    logFile: s.run.log.path,
  };
}

/** After an apply that imported an adopted service's resources: record it, so synth leaves the import blocks out. */
async function recordAdopted(s: Session, name: string, imported: number): Promise<void> {
  const a = s.adoptions.get(name);
  if (a === undefined || !a.pending || s.store === undefined || s.destroying) return;
  await recordAdoption(s.store, s.env.name, a.service, {
    serviceName: a.serviceName,
    cluster: a.cluster,
    at: dateOf(s.run.clock ?? systemClock).toISOString(),
    by: s.actor(),
    imported,
  });
  a.pending = false;
  s.emit({
    type: 'notice',
    message: `Recorded the adoption of ECS service ${a.serviceName} (${a.cluster}) by ${name} in ${s.store.location}: the next synth has no import blocks.`,
  });
}

async function checkProtection(env: ResolvedEnvironment, req: DestroyRequest): Promise<void> {
  if (!env.config.protected) return;
  if (req.force !== true) {
    throw new UsageError(
      `Environment '${env.name}' is protected (protected: true in ${env.file}): destroy refuses it.`,
      [
        `If you really mean to destroy it: ecsdeploy destroy --env ${env.name} --force (you will be asked to type '${env.name}'), or add --confirm-env ${env.name} where nobody can type.`,
      ],
    );
  }
  const typed = (await req.confirmEnvironment?.(env.name))?.trim();
  if (typed !== env.name) {
    throw new UsageError(
      typed
        ? `You typed '${typed}', not '${env.name}': nothing was destroyed.`
        : `Destroying the protected environment '${env.name}' needs its name typed: nothing was destroyed.`,
      [`Type the environment's name exactly at the prompt, or pass --confirm-env ${env.name}.`],
    );
  }
}

async function withSession<T>(
  options: InfraRunnerOptions,
  req: InfraRequest,
  operation: Operation,
  fn: (s: Session) => Promise<T>,
  before?: (env: ResolvedEnvironment) => Promise<void>,
): Promise<T> {
  const s = await open(options, req, operation, before);
  try {
    return await fn(s);
  } finally {
    s.close();
  }
}

export function createInfraRunner(options: InfraRunnerOptions = {}): InfraRunner {
  const lockMs = options.lockTimeout === undefined ? undefined : parseDuration(options.lockTimeout);
  if (options.lockTimeout !== undefined && lockMs === undefined) {
    throw new UsageError(`--lock-timeout ${options.lockTimeout}: not a duration.`, [
      `Give a number with a unit: ${DURATION_EXAMPLES}.`,
    ]);
  }
  return {
    plan: (req) =>
      withSession(options, req, 'plan', async (s) => {
        // Read side by side with planning; warnings() never rejects.
        const warnings = s.rollGuard?.warnings() ?? Promise.resolve([]);
        const entries = await planAll(s);
        return report(s, entries, s.sequence, { warnings: await warnings });
      }),

    apply: (req: ApplyRequest) =>
      withSession(options, req, 'apply', async (s): Promise<ApplyReport> => {
        // Before any engine command: a roll in progress refuses the cluster stack, and so the run.
        await s.rollGuard?.refuse();
        const direct = await applyDirect(s, req, options);
        if (direct !== undefined) return direct;
        const entries = await planAll(s);
        const plan = report(s, entries, s.sequence);
        // Before asking: a plan that would replace an adopted ECS service or an ECR repository is
        // not applied without --allow-replace.
        if (req.allowReplace !== true) {
          const plans = plan.stacks.flatMap((p) => (p.summary ? [{ stack: p.stack, summary: p.summary }] : []));
          refuseReplacement(s.env.name, s.adoptions, plans);
          refuseRepositoryReplacement(plans);
        }
        if (plan.changes && req.confirm !== undefined && !(await req.confirm(plan)))
          throw new CancelledError('Cancelled: nothing was applied.');
        const stacks = await applyAll(s, entries, req.confirm, req.allowReplace === true);
        return { environment: s.env.name, plan, stacks, logFile: s.run.log.path };
      }),

    destroy: (req: DestroyRequest) =>
      withSession(
        options,
        req,
        'destroy',
        async (s): Promise<DestroyReport> => {
          const entries = await planAll(s);
          const plan = report(s, entries, s.sequence);
          if (plan.changes && req.confirm !== undefined && !(await req.confirm(plan)))
            throw new CancelledError('Cancelled: nothing was destroyed.');
          const stacks = await applyAll(s, entries, undefined);
          return {
            environment: s.env.name,
            plan,
            destroyed: stacks.filter((r) => r.applied).map((r) => r.stack),
            kept: s.kept,
            logFile: s.run.log.path,
          };
        },
        (env) => checkProtection(env, req),
      ),
  };
}

const RUN_OWNER = 'process.json';

/**
 * A folder for this run's saved plans, which the run removes at its end. A run killed with SIGKILL
 * cannot: its folder names the process that made it, and the next run on this host removes the
 * folders of processes that are gone (saved plans can hold values of the state).
 */
export function newRunFolder(runs: string, prefix: string): string {
  mkdirSync(runs, { recursive: true, mode: 0o700 });
  for (const name of readdirSync(runs)) {
    const owner = join(runs, name, RUN_OWNER);
    let ref: ProcessRef | undefined;
    try {
      ref = JSON.parse(readFileSync(owner, 'utf8')) as ProcessRef;
    } catch {
      continue; // not ours to judge (an older version's folder, or one being made right now)
    }
    if (typeof ref?.host === 'string' && typeof ref.pid === 'number' && processGone(ref))
      rmSync(join(runs, name), { recursive: true, force: true });
  }
  const dir = mkdtempSync(join(runs, prefix));
  writeFileSync(join(dir, RUN_OWNER), JSON.stringify(thisProcess()));
  return dir;
}
