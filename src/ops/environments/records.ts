/**
 * The records of environments on demand, next to the state so that every member of a team and CI
 * see the same ones: `.ecsdeploy/environments/<name>.json` with the local backend, or
 * `<state.prefix>/environments/<name>.json` in the state bucket with `state.backend: s3`.
 *
 * Records are created only if absent (S3 If-None-Match: *, a hard link locally) and updated only if
 * unchanged since they were read (S3 If-Match, a lock file and a hash locally): of two `env create`
 * of one name exactly one wins, and an `extend` racing a `destroy` never resurrects a record.
 */
import { createHash } from 'node:crypto';
import {
  closeSync,
  existsSync,
  linkSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { join, relative } from 'node:path';
import { EphemeralRecordSchema, type EphemeralRecord } from '../../config/ephemeral';
import type { ProjectConfig } from '../../config/schema';
import { invalidDocument, stateTarget, trimSlashes, underPrefix, type S3Access } from './storage';

export interface StoredRecord {
  readonly record: EphemeralRecord;
  /** Opaque version (S3 ETag, or the file's hash), for conditional updates. */
  readonly version: string;
}

/** A record that could not be read; listed rather than hiding every other record. */
export interface RecordProblem {
  readonly name: string;
  readonly where: string;
  readonly message: string;
}

export interface RecordStore {
  /** For messages: `.ecsdeploy/environments` or `s3://bucket/prefix/environments`. */
  readonly location: string;
  /** Where the record of `name` is (file or S3 URL). */
  where(name: string): string;
  /** Every record, by name; records that do not parse are in `problems`. */
  list(): Promise<{ records: StoredRecord[]; problems: RecordProblem[] }>;
  /** The record of `name`; undefined when there is none; throws when it does not parse. */
  get(name: string): Promise<StoredRecord | undefined>;
  /** Writes a new record only if none of that name exists; its version, or undefined when one does. */
  create(record: EphemeralRecord): Promise<string | undefined>;
  /** Writes only if the stored record is still at `expected`; the new version, or undefined when it changed or is gone. */
  update(record: EphemeralRecord, expected: string): Promise<string | undefined>;
  /** Removes the record (nothing when there is none). */
  remove(name: string): Promise<void>;
}

export const LOCAL_RECORDS_DIR = join('.ecsdeploy', 'environments');

function serialize(record: EphemeralRecord): string {
  return `${JSON.stringify(record, null, 2)}\n`;
}

function hash(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/** Parses and validates one stored record; it must also carry the name it is stored under. */
export function parseRecord(text: string, name: string, where: string): EphemeralRecord {
  const fix = `Fix or remove ${where}; \`ecsdeploy env destroy ${name}\` needs a valid record to find its stacks.`;
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (err) {
    throw invalidDocument('environment record', where, `not JSON (${(err as Error).message})`, fix);
  }
  const result = EphemeralRecordSchema.safeParse(data);
  if (!result.success) {
    const problems = result.error.issues.slice(0, 5).map((i) => `${i.path.join('.') || '(top)'}: ${i.message}`);
    throw invalidDocument('environment record', where, problems.join('; '), fix);
  }
  if (result.data.name !== name)
    throw invalidDocument('environment record', where, `it is the record of '${result.data.name}', not '${name}'`, fix);
  return result.data;
}

async function listWith(
  names: readonly string[],
  get: (name: string) => Promise<StoredRecord | undefined>,
  where: (name: string) => string,
): Promise<{ records: StoredRecord[]; problems: RecordProblem[] }> {
  const records: StoredRecord[] = [];
  const problems: RecordProblem[] = [];
  const read = await Promise.allSettled(names.map((n) => get(n)));
  read.forEach((r, i) => {
    if (r.status === 'fulfilled') {
      if (r.value !== undefined) records.push(r.value);
    } else {
      problems.push({ name: names[i]!, where: where(names[i]!), message: (r.reason as Error).message });
    }
  });
  return { records: records.sort((a, b) => a.record.name.localeCompare(b.record.name)), problems };
}

/** A lock older than this was left by a process that died; it is taken over. */
const STALE_LOCK_MS = 30_000;

/** Records as files in `dir`. */
export function localRecordStore(dir: string, root: string): RecordStore {
  const file = (name: string) => join(dir, `${name}.json`);
  const shown = (f: string) => relative(root, f) || f;
  const get = async (name: string): Promise<StoredRecord | undefined> => {
    const f = file(name);
    if (!existsSync(f)) return undefined;
    const text = readFileSync(f, 'utf8');
    return { record: parseRecord(text, name, shown(f)), version: hash(text) };
  };
  /** Runs `fn` holding the record's lock; undefined when another process holds it right now. */
  const locked = <T>(name: string, fn: () => T): T | undefined => {
    mkdirSync(dir, { recursive: true });
    const lock = `${file(name)}.lock`;
    let fd: number;
    try {
      fd = openSync(lock, 'wx');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      if (Date.now() - statSync(lock).mtimeMs < STALE_LOCK_MS) return undefined;
      rmSync(lock, { force: true });
      fd = openSync(lock, 'wx');
    }
    try {
      writeSync(fd, String(process.pid));
      return fn();
    } finally {
      closeSync(fd);
      rmSync(lock, { force: true });
    }
  };
  return {
    location: shown(dir),
    where: (name) => shown(file(name)),
    async list() {
      const names = existsSync(dir)
        ? readdirSync(dir)
            .filter((f) => f.endsWith('.json'))
            .map((f) => f.slice(0, -'.json'.length))
        : [];
      return listWith(names, get, (n) => shown(file(n)));
    },
    get,
    async create(record) {
      mkdirSync(dir, { recursive: true });
      const text = serialize(record);
      const tmp = `${file(record.name)}.${process.pid}.${Date.now()}.tmp`;
      writeFileSync(tmp, text);
      try {
        linkSync(tmp, file(record.name)); // atomic, and fails if the record exists
        return hash(text);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'EEXIST') return undefined;
        throw err;
      } finally {
        rmSync(tmp, { force: true });
      }
    },
    async update(record, expected) {
      return locked(record.name, () => {
        const f = file(record.name);
        if (!existsSync(f) || hash(readFileSync(f, 'utf8')) !== expected) return undefined;
        const text = serialize(record);
        const tmp = `${f}.${process.pid}.tmp`;
        writeFileSync(tmp, text);
        renameSync(tmp, f);
        return hash(text);
      });
    },
    async remove(name) {
      rmSync(file(name), { force: true });
    },
  };
}

/** Records as S3 objects `<prefix>/<name>.json`, written with If-None-Match / If-Match. */
export function s3RecordStore(s3: ReturnType<S3Access>, bucket: string, prefix: string): RecordStore {
  const base = trimSlashes(prefix);
  const key = (name: string) => underPrefix(base, `${name}.json`);
  const url = (name: string) => `s3://${bucket}/${key(name)}`;
  const get = async (name: string): Promise<StoredRecord | undefined> => {
    const obj = await s3.objects.get(bucket, key(name));
    return obj === undefined ? undefined : { record: parseRecord(obj.body, name, url(name)), version: obj.etag };
  };
  return {
    location: `s3://${bucket}/${base}`,
    where: url,
    async list() {
      const listed = await s3.keys.list(bucket, base ? `${base}/` : '');
      const names = listed
        .map((k) => k.slice(base ? base.length + 1 : 0))
        .filter((rest) => !rest.includes('/') && rest.endsWith('.json'))
        .map((rest) => rest.slice(0, -'.json'.length));
      return listWith(names, get, url);
    },
    get,
    async create(record) {
      const r = await s3.objects.put(bucket, key(record.name), serialize(record), { ifNoneMatch: '*' });
      return r.written ? r.etag : undefined;
    },
    async update(record, expected) {
      const r = await s3.objects.put(bucket, key(record.name), serialize(record), { ifMatch: expected });
      return r.written ? r.etag : undefined;
    },
    async remove(name) {
      await s3.keys.remove(bucket, [key(name)]);
    },
  };
}

/** The record store of a project: beside its state (see the file comment). */
export function openRecordStore(root: string, config: ProjectConfig, s3: S3Access): RecordStore {
  const state = config.state;
  if (state.backend === 'local') return localRecordStore(join(root, LOCAL_RECORDS_DIR), root);
  return s3RecordStore(s3(stateTarget(config)), state.bucket, underPrefix(state.prefix, 'environments'));
}
