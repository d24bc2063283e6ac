/**
 * `env gc`: destroys every environment on demand whose expiry has passed (by the injected clock),
 * one after the other, like `env destroy` each. A failure does not stop the others: it is reported,
 * and the whole run counts as failed. With dryRun nothing is destroyed.
 */
import type { InfraEvent } from '../infra/types';
import { describeRecord, environmentDeps, workspace, type EnvironmentDeps, type OnDemandEnvironment } from './context';
import { destroyEnvironment } from './destroy';
import type { RecordProblem } from './records';
import { dateOf } from '../../clock';

export interface GcRequest {
  readonly dir: string;
  /** List what has expired; destroy nothing. */
  readonly dryRun?: boolean;
  /** Progress of each environment. */
  readonly onEnvironment?: (name: string, phase: 'started' | 'destroyed' | 'failed', message?: string) => void;
  readonly onEvent?: (event: InfraEvent) => void;
  readonly signal?: AbortSignal;
  /** Wait this long for a state lock held by another run (--lock-timeout). @default fail at once */
  readonly lockTimeout?: string;
}

export interface GcResult {
  /** The time expiry was judged at (ISO). */
  readonly now: string;
  readonly dryRun: boolean;
  /** Every environment on demand past its expiry, oldest expiry first. */
  readonly expired: readonly OnDemandEnvironment[];
  readonly destroyed: readonly string[];
  readonly failed: ReadonlyArray<{ readonly name: string; readonly message: string }>;
  /** Left alone: extended or removed by someone else since they were listed. */
  readonly skipped: readonly string[];
  /** Not started because the run was interrupted. */
  readonly notStarted: readonly string[];
  /** Records that could not be read (never destroyed by gc: their expiry is unknown). */
  readonly problems: readonly RecordProblem[];
}

export async function gcEnvironments(req: GcRequest, deps: EnvironmentDeps = environmentDeps()): Promise<GcResult> {
  const infra = deps.infra(req.lockTimeout !== undefined ? { lockTimeout: req.lockTimeout } : {});
  const ws = workspace(req.dir, deps);
  const now = dateOf(ws.clock);
  const { records, problems } = await ws.records.list();
  const expired = records
    .map((r) => describeRecord(ws, r.record))
    .filter((e) => e.expired)
    .sort((a, b) => a.expiresAt.localeCompare(b.expiresAt) || a.name.localeCompare(b.name));
  const destroyed: string[] = [];
  const failed: Array<{ name: string; message: string }> = [];
  const skipped: string[] = [];
  const notStarted: string[] = [];
  for (const env of req.dryRun ? [] : expired) {
    if (req.signal?.aborted) {
      notStarted.push(env.name);
      continue;
    }
    req.onEnvironment?.(env.name, 'started');
    try {
      // Each destroy reads the record again: one extended since the listing is left alone.
      const stillExpired = await ws.records.get(env.name);
      if (stillExpired === undefined || Date.parse(stillExpired.record.expiresAt) > now.getTime()) {
        skipped.push(env.name);
        continue;
      }
      await destroyEnvironment(
        {
          dir: ws.root,
          name: env.name,
          ifExists: true,
          ...(req.onEvent ? { onEvent: req.onEvent } : {}),
          ...(req.signal ? { signal: req.signal } : {}),
        },
        // One time and one runner for the whole run: each destroy judges expiry as the listing did.
        { ...deps, infra: () => infra, clock: { ...ws.clock, now: () => now.getTime() } },
      );
      destroyed.push(env.name);
      req.onEnvironment?.(env.name, 'destroyed');
    } catch (err) {
      const message = String((err as Error)?.message ?? err);
      failed.push({ name: env.name, message });
      req.onEnvironment?.(env.name, 'failed', message);
    }
  }
  return {
    now: now.toISOString(),
    dryRun: req.dryRun === true,
    expired,
    destroyed,
    failed,
    skipped,
    notStarted,
    problems,
  };
}
