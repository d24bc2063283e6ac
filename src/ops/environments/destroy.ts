/**
 * `env destroy NAME`: everything an environment on demand made, gone — its stacks' resources (in
 * reverse dependency order, through the engine), its stack folders, its state, its release ledgers
 * and, last, its record.
 *
 * Only stacks that have state go through the engine: a stack never applied (a create that failed
 * early) has nothing to destroy, and needs neither the engine nor its base's cluster. The record is
 * removed last and marked `destroying` first, so a destroy that stops half-way is listed as such and
 * running it again finishes the job. Permanent environments are refused: they are files in
 * environments/, destroyed with `ecsdeploy destroy --env`.
 */
import { existsSync, rmSync } from 'node:fs';
import { join, relative } from 'node:path';
import type { EphemeralRecord } from '../../config/ephemeral';
import { EcsdeployError, UsageError } from '../../errors';
import { environmentStacks, stackSelector, type StackRef } from '../../synth/stack-order';
import type { Confirm, DestroyReport, InfraEvent } from '../infra/types';
import { environmentDeps, updateRecord, workspace, type EnvironmentDeps, type Workspace } from './context';
import { noSuchEnvironment, resolveWithRecords } from './resolve';
import { removeReleaseLedgers } from './storage';

export interface DestroyEnvironmentRequest {
  readonly dir: string;
  readonly name: string;
  /** No environment of that name is not an error (for scripts that may run after `env gc`). */
  readonly ifExists?: boolean;
  /** Asked with the destroy plan. @default destroy without asking */
  readonly confirm?: Confirm;
  readonly onEvent?: (event: InfraEvent) => void;
  readonly signal?: AbortSignal;
  /** Wait this long for a state lock held by another run (--lock-timeout). @default fail at once */
  readonly lockTimeout?: string;
}

export interface DestroyEnvironmentResult {
  readonly environment: string;
  /** False when there was no such environment (only with ifExists). */
  readonly found: boolean;
  /** Stacks whose resources the engine destroyed. */
  readonly destroyed: readonly string[];
  /** Stacks that had nothing to destroy (never applied, or already destroyed). */
  readonly empty: readonly string[];
  /** Files, folders and objects removed: stack folders, state, release ledgers, the record. */
  readonly removed: readonly string[];
  /** The engine's report, when any stack had resources. */
  readonly destroy?: DestroyReport;
}

/** The stacks that must go through the engine: those whose state holds resources (or cannot be read). */
async function stacksWithResources(ws: Workspace, stacks: readonly StackRef[]): Promise<StackRef[]> {
  const states = await Promise.all(stacks.map((s) => ws.state.read(s.name)));
  return stacks.filter((_, i) => {
    const state = states[i];
    return state !== undefined && (state.resources === undefined || state.resources > 0);
  });
}

/** `orders`, `cluster`: the short names InfraRunner's `stacks` takes. */
function shortName(ref: StackRef): string {
  return stackSelector(ref);
}

export function refusePermanent(ws: Workspace, name: string, verb: string): void {
  if (!ws.permanent.includes(name)) return;
  throw new UsageError(
    `'${name}' is a permanent environment (environments/${name}.yaml); env ${verb} works on environments on demand only`,
    [
      verb === 'destroy'
        ? `To destroy its stacks: ecsdeploy destroy --env ${name} (protected environments also need --force).`
        : `Permanent environments do not expire.`,
    ],
  );
}

export async function destroyEnvironment(
  req: DestroyEnvironmentRequest,
  deps: EnvironmentDeps = environmentDeps(),
): Promise<DestroyEnvironmentResult> {
  // First: a --lock-timeout that is no duration is a usage error before the record is touched.
  const infra = deps.infra(req.lockTimeout !== undefined ? { lockTimeout: req.lockTimeout } : {});
  const ws = workspace(req.dir, deps);
  const { name } = req;
  refusePermanent(ws, name, 'destroy');
  const stored = await ws.records.get(name);
  if (stored === undefined) {
    if (req.ifExists) return { environment: name, found: false, destroyed: [], empty: [], removed: [] };
    throw await noSuchEnvironment(ws.root, name, ws.records);
  }
  const before = stored.record.status;
  const record: EphemeralRecord =
    (await updateRecord(ws.records, name, (r) => ({ ...r, status: 'destroying' })))?.record ?? stored.record;
  const env = resolveWithRecords(ws.root, [name], [record]).envs[0]!;
  const stacks = environmentStacks(env);
  const live = await stacksWithResources(ws, stacks);

  let destroy: DestroyReport | undefined;
  if (live.length > 0) {
    try {
      destroy = await infra.destroy({
        dir: ws.root,
        env: name,
        stacks: live.map(shortName),
        ...(req.confirm ? { confirm: req.confirm } : {}),
        ...(req.onEvent ? { onEvent: req.onEvent } : {}),
        ...(req.signal ? { signal: req.signal } : {}),
      });
    } catch (err) {
      const e = err instanceof EcsdeployError ? err : undefined;
      if (e?.code === 'ECSDEPLOY_CANCELLED') {
        await updateRecord(ws.records, name, (r) => ({ ...r, status: before }));
        throw err;
      }
      throw new EcsdeployError(
        `Destroying environment '${name}' stopped before the end; its record is kept (status destroying).\n${e?.message ?? String((err as Error)?.message ?? err)}`,
        {
          code: e?.code ?? 'ECSDEPLOY_FAILED',
          exitCode: e?.exitCode,
          suggestions: [
            ...(e?.suggestions ?? []).filter((s) => !/same command again/.test(s)),
            `Run \`ecsdeploy env destroy ${name}\` again: it continues with what is left.`,
          ],
          cause: err,
        },
      );
    }
  }

  // The engine is done with them: its working folders and the state go, then the ledgers, then the record.
  const removed: string[] = [];
  for (const s of stacks) {
    const dir = join(ws.root, 'cdktf.out', 'stacks', s.name); // where InfraRunner synthesizes (src/synth stackWorkDir)
    if (existsSync(dir)) {
      rmSync(dir, { recursive: true, force: true });
      removed.push(relative(ws.root, dir));
    }
    removed.push(...(await ws.state.remove(s.name)));
  }
  removed.push(...(await removeReleaseLedgers(ws.root, ws.config, ws.s3, name)));
  await ws.records.remove(name);
  removed.push(ws.records.where(name));
  const liveNames = new Set(live.map((s) => s.name));
  return {
    environment: name,
    found: true,
    destroyed: destroy?.destroyed ?? [],
    empty: stacks.filter((s) => !liveNames.has(s.name)).map((s) => s.name),
    removed,
    ...(destroy ? { destroy } : {}),
  };
}
