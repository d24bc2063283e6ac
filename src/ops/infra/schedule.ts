/**
 * Dependency order and bounded parallelism for stacks: levels of the dependency graph (each level
 * depends only on earlier ones), and a runner that works through one level with at most N at once.
 */
import { EcsdeployError } from '../../errors';

export interface Node {
  readonly name: string;
  readonly dependsOn: readonly string[];
}

/** Groups nodes into levels: every dependency (within `nodes`) of a node is in an earlier level. */
export function levels(nodes: readonly Node[]): string[][] {
  const names = new Set(nodes.map((n) => n.name));
  const placed = new Set<string>();
  const out: string[][] = [];
  let rest = [...nodes];
  while (rest.length > 0) {
    const ready = rest.filter((n) => n.dependsOn.every((d) => !names.has(d) || placed.has(d)));
    if (ready.length === 0) throw new Error(`dependency cycle among stacks: ${rest.map((n) => n.name).join(', ')}`);
    out.push(ready.map((n) => n.name));
    for (const n of ready) placed.add(n.name);
    rest = rest.filter((n) => !placed.has(n.name));
  }
  return out;
}

export interface Settled<T> {
  readonly done: ReadonlyMap<string, T>;
  readonly failed: ReadonlyMap<string, unknown>;
  /** Items not started because something failed or the run was interrupted. */
  readonly notStarted: readonly string[];
}

/**
 * Runs `fn` for every item, at most `limit` at once. After a failure or an abort no new item starts;
 * the ones running finish. Never rejects: the caller decides what failures mean.
 */
export async function runBounded<T>(
  items: readonly string[],
  limit: number,
  fn: (item: string) => Promise<T>,
  signal?: AbortSignal,
): Promise<Settled<T>> {
  const done = new Map<string, T>();
  const failed = new Map<string, unknown>();
  const queue = [...items];
  const worker = async (): Promise<void> => {
    for (;;) {
      if (failed.size > 0 || signal?.aborted) return;
      const item = queue.shift();
      if (item === undefined) return;
      try {
        done.set(item, await fn(item));
      } catch (err) {
        failed.set(item, err);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
  return { done, failed, notStarted: queue };
}

/** One error for every stack that failed in a step, keeping the first one's code and exit code. */
export function combineFailures(failed: ReadonlyMap<string, unknown>): Error {
  const errors = [...failed.values()];
  if (errors.length === 1) return errors[0] as Error;
  const first = errors.find((e) => e instanceof EcsdeployError) as EcsdeployError | undefined;
  if (first === undefined) return errors[0] as Error;
  const message = `${errors.length} stacks failed:\n${[...failed.entries()].map(([stack, e]) => `- ${stack}: ${(e as Error).message}`).join('\n')}`;
  const suggestions = [...new Set(errors.flatMap((e) => (e instanceof EcsdeployError ? e.suggestions : [])))];
  return new EcsdeployError(message, { code: first.code, exitCode: first.exitCode, suggestions, cause: first });
}
