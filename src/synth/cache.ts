/**
 * The synth cache: a stack whose inputs (its props, and the code and versions that turn props into
 * Terraform JSON) have not changed since the last synth into the same folder is not built again.
 * Each stack folder keeps `.ecsdeploy-synth.json` with the content hash of its inputs; the output
 * is byte-identical to a fresh build (the tests compare both).
 */
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from '../paths';
import type { StackJob } from './build';

/** Bump when the cache format or anything outside stacks/ that shapes the output changes. */
const CACHE_FORMAT = 1;
export const CACHE_FILE = '.ecsdeploy-synth.json';

export interface CacheEntry {
  readonly key: string;
  readonly resources: number;
}

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
    hash.update(pkg).update((JSON.parse(readFileSync(require.resolve(`${pkg}/package.json`), 'utf8')) as { version: string }).version);
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

/** The cached entry of a stack folder, if its JSON is still there and the key matches. */
export function cached(dir: string, key: string): CacheEntry | undefined {
  const file = join(dir, CACHE_FILE);
  if (!existsSync(file) || !existsSync(join(dir, 'cdk.tf.json'))) return undefined;
  try {
    const entry = JSON.parse(readFileSync(file, 'utf8')) as CacheEntry;
    return entry.key === key ? entry : undefined;
  } catch {
    return undefined;
  }
}

export function remember(dir: string, entry: CacheEntry): void {
  writeFileSync(join(dir, CACHE_FILE), `${JSON.stringify(entry)}\n`);
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
