/**
 * The synth cache: a stack whose inputs (its props, and the code and versions that turn props into
 * Terraform JSON) have not changed since the last synth into the same folder is not built again;
 * the output is byte-identical to a fresh build (the tests compare both).
 *
 * One index per output folder (`<out>/.ecsdeploy-stacks.json`) holds, for each stack, the hash of
 * the inputs its cdk.tf.json was built from, and the hash of that file as written. A stack is
 * reused only when both still match: a JSON file deleted, edited or rewritten since (say by
 * another synth into the same folder) is built again. Content hashes, not modification times, so
 * the index is as byte-identical from run to run as the stacks are. The index is
 * rewritten once per synth, merged with what is on disk then, atomically (an entry lost to two
 * synths writing at once only costs a rebuild). It replaced one small file per stack folder, which
 * at 2,000 stacks cost a second of file creation on this project's machines.
 */
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from '../paths';
import type { StackJob } from './build';

/** Bump when the cache format or anything outside stacks/ that shapes the output changes. */
const CACHE_FORMAT = 2;
export const STACK_INDEX_FILE = '.ecsdeploy-stacks.json';

export interface CacheEntry {
  readonly key: string;
  readonly resources: number;
  /** sha256 of cdk.tf.json as written, so a file changed since is not reused. */
  readonly json: string;
}

export type StackIndex = ReadonlyMap<string, CacheEntry>;

let fingerprint: string | undefined;

/** Hash of everything besides props that shapes a stack's JSON: the stack code, the Lambda source, library versions. */
export function toolFingerprint(): string {
  if (fingerprint !== undefined) return fingerprint;
  const hash = createHash('sha256').update(String(CACHE_FORMAT));
  // The stack code that runs: its TypeScript under ts-jest, else the compiled stacks/ that the
  // bundle and the worker were built from in the same build.
  const stacksDir = __filename.endsWith('.ts') ? join(packageRoot(), 'stacks') : join(packageRoot(), 'dist', 'stacks');
  const files = (dir: string): string[] =>
    readdirSync(dir)
      .sort()
      .flatMap((f) => {
        const full = join(dir, f);
        return statSync(full).isDirectory() ? files(full) : /\.(js|ts)$/.test(f) && !f.endsWith('.d.ts') ? [full] : [];
      });
  for (const file of files(stacksDir)) hash.update(file.slice(stacksDir.length)).update(readFileSync(file));
  for (const pkg of ['cdktf', '@cdktf/provider-aws', 'constructs']) {
    hash
      .update(pkg)
      .update(
        (JSON.parse(readFileSync(require.resolve(`${pkg}/package.json`), 'utf8')) as { version: string }).version,
      );
  }
  fingerprint = hash.digest('hex');
  return fingerprint;
}

export function cacheKey(job: StackJob, extra: readonly string[] = []): string {
  return createHash('sha256')
    .update(toolFingerprint())
    .update(job.kind)
    .update(job.name)
    .update(JSON.stringify(job.props))
    .update(extra.join('\n'))
    .digest('hex');
}

/** The stack index of an output folder (empty when there is none, or it cannot be read). */
export function readStackIndex(outDir: string): StackIndex {
  try {
    const raw = JSON.parse(readFileSync(join(outDir, STACK_INDEX_FILE), 'utf8')) as {
      format?: number;
      stacks?: Record<string, CacheEntry>;
    };
    return raw.format === CACHE_FORMAT && raw.stacks !== undefined ? new Map(Object.entries(raw.stacks)) : new Map();
  } catch {
    return new Map();
  }
}

/** A stack's entry, when it was built from these inputs and its cdk.tf.json is the file then written. */
export function cached(index: StackIndex, stackDir: string, name: string, key: string): CacheEntry | undefined {
  const entry = index.get(name);
  if (entry === undefined || entry.key !== key) return undefined;
  try {
    return jsonHash(stackDir) === entry.json ? entry : undefined;
  } catch {
    return undefined;
  }
}

function jsonHash(stackDir: string): string {
  return createHash('sha256')
    .update(readFileSync(join(stackDir, 'cdk.tf.json')))
    .digest('hex');
}

/** The entry of a stack just written to `stackDir` from inputs `key`. */
export function entryFor(stackDir: string, key: string, resources: number): CacheEntry {
  return { key, resources, json: jsonHash(stackDir) };
}

/** Records built stacks in the output folder's index, merged with the index on disk now. */
export function recordStacks(outDir: string, built: ReadonlyMap<string, CacheEntry>): void {
  if (built.size === 0) return;
  const stacks = Object.fromEntries(
    [...readStackIndex(outDir), ...built].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)),
  );
  const file = join(outDir, STACK_INDEX_FILE);
  const tmp = `${file}.${process.pid}.tmp`;
  try {
    writeFileSync(tmp, `${JSON.stringify({ format: CACHE_FORMAT, stacks })}\n`);
    renameSync(tmp, file);
  } catch (err) {
    rmSync(tmp, { force: true });
    throw err;
  }
}

/** The record of a whole synth: the hash of every input, and the stacks it wrote. */
export const PROJECT_CACHE_FILE = '.ecsdeploy-synth.json';

export interface ProjectRecord<T> {
  readonly key: string;
  readonly stacks: readonly T[];
}

export function projectKey(inputs: ReadonlyArray<readonly [string, string | Buffer]>): string {
  const hash = createHash('sha256').update(toolFingerprint());
  for (const [name, content] of inputs) hash.update(`\0${name}\0`).update(content);
  return hash.digest('hex');
}

export function readProjectRecord<T>(outDir: string, key: string): ProjectRecord<T> | undefined {
  const file = join(outDir, PROJECT_CACHE_FILE);
  if (!existsSync(file)) return undefined;
  try {
    const record = JSON.parse(readFileSync(file, 'utf8')) as ProjectRecord<T>;
    return record.key === key ? record : undefined;
  } catch {
    return undefined;
  }
}

export function writeProjectRecord<T>(outDir: string, record: ProjectRecord<T>): void {
  writeFileSync(join(outDir, PROJECT_CACHE_FILE), `${JSON.stringify(record)}\n`);
}
