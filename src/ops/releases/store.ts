/**
 * Where ledgers live: local files (`.ecsdeploy/releases/<env>/<service>.json`, the default) or one
 * S3 object per environment and service (`<prefix>/<env>/<service>.json`) for teams. Both write by
 * compare-and-swap on the version that was read, so of two deploys of one service that start
 * together exactly one records its release; the other gets a ReleaseConflictError and changes
 * nothing. Updating a rollout's outcome re-reads and retries instead: it only touches its own record.
 */
import { createHash } from 'node:crypto';
import {
  closeSync,
  existsSync,
  mkdirSync,
  openSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import type { ProjectConfig } from '../../config/schema';
import { EcsdeployError } from '../../errors';
import type { ObjectStoreApi } from '../../aws/s3-objects';
import { emptyLedger, LedgerSchema, type Ledger } from './model';

export interface VersionedLedger {
  readonly ledger: Ledger;
  /** Opaque version (S3 ETag, or the file's hash); undefined when nothing is stored yet. */
  readonly version?: string;
}

export interface ReleaseStore {
  /** For messages: `.ecsdeploy/releases` or `s3://bucket/prefix`. */
  readonly location: string;
  /** The ledger of a service in an environment (empty when none is stored). */
  read(environment: string, service: string): Promise<VersionedLedger>;
  /**
   * Writes `ledger` only if the stored version is still `expected` (undefined: nothing stored).
   * Returns the new version, or undefined when someone else wrote first.
   */
  write(ledger: Ledger, expected: string | undefined): Promise<string | undefined>;
}

/** Two writers raced on one ledger and this one lost; nothing it meant to write was written. */
export class ReleaseConflictError extends EcsdeployError {
  constructor(message: string, suggestions: readonly string[]) {
    super(message, { code: 'ECSDEPLOY_RELEASE_CONFLICT', suggestions });
    this.name = 'ReleaseConflictError';
  }
}

/** A ledger that does not parse: name the place and what is wrong, never guess. */
function parseLedger(text: string, where: string, environment: string, service: string): Ledger {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (err) {
    throw new EcsdeployError(`The release ledger ${where} is not valid JSON: ${(err as Error).message}`, {
      code: 'ECSDEPLOY_RELEASES_INVALID',
      suggestions: [
        `Restore ${where} from its previous version (S3 versioning or git), or move it away to start a new history for ${service} in ${environment}.`,
      ],
    });
  }
  const result = LedgerSchema.safeParse(data);
  if (!result.success) {
    const problems = result.error.issues.slice(0, 5).map((i) => `${i.path.join('.') || '(top)'}: ${i.message}`);
    throw new EcsdeployError(`The release ledger ${where} is not a valid ledger:\n  ${problems.join('\n  ')}`, {
      code: 'ECSDEPLOY_RELEASES_INVALID',
      suggestions: [
        `Restore ${where} from its previous version, or move it away to start a new history for ${service} in ${environment}.`,
      ],
    });
  }
  if (result.data.environment !== environment || result.data.service !== service) {
    throw new EcsdeployError(
      `The release ledger ${where} belongs to ${result.data.service} in ${result.data.environment}, not ${service} in ${environment}.`,
      {
        code: 'ECSDEPLOY_RELEASES_INVALID',
        suggestions: [`Move ${where} back where it belongs.`],
      },
    );
  }
  return result.data;
}

function serialize(ledger: Ledger): string {
  return `${JSON.stringify(ledger, null, 2)}\n`;
}

function hash(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/** A lock older than this was left by a process that died; it is taken over. */
const STALE_LOCK_MS = 30_000;

/** Ledgers as files under `dir`; a lock file makes compare-and-swap atomic between processes of this machine. */
export function localReleaseStore(dir: string, root = process.cwd()): ReleaseStore {
  const file = (environment: string, service: string) => join(dir, environment, `${service}.json`);
  const shown = (f: string) => relative(root, f) || f;
  return {
    location: shown(dir),
    async read(environment, service) {
      const f = file(environment, service);
      if (!existsSync(f)) return { ledger: emptyLedger(environment, service) };
      const text = readFileSync(f, 'utf8');
      return { ledger: parseLedger(text, shown(f), environment, service), version: hash(text) };
    },
    async write(ledger, expected) {
      const f = file(ledger.environment, ledger.service);
      mkdirSync(dirname(f), { recursive: true });
      const lock = `${f}.lock`;
      let fd: number;
      try {
        fd = openSync(lock, 'wx');
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
        if (Date.now() - statSync(lock).mtimeMs < STALE_LOCK_MS) return undefined; // someone is writing right now
        rmSync(lock, { force: true });
        fd = openSync(lock, 'wx');
      }
      try {
        writeSync(fd, String(process.pid));
        const now = existsSync(f) ? hash(readFileSync(f, 'utf8')) : undefined;
        if (now !== expected) return undefined;
        const text = serialize(ledger);
        const tmp = `${f}.${process.pid}.tmp`;
        writeFileSync(tmp, text);
        renameSync(tmp, f);
        return hash(text);
      } finally {
        closeSync(fd);
        rmSync(lock, { force: true });
      }
    },
  };
}

/** Ledgers as S3 objects `<prefix>/<env>/<service>.json`, written with If-Match / If-None-Match. */
export function s3ReleaseStore(objects: ObjectStoreApi, bucket: string, prefix: string): ReleaseStore {
  const base = prefix.replace(/^\/+|\/+$/g, '');
  const key = (environment: string, service: string) => `${base ? `${base}/` : ''}${environment}/${service}.json`;
  return {
    location: `s3://${bucket}/${base}`,
    async read(environment, service) {
      const k = key(environment, service);
      const obj = await objects.get(bucket, k);
      if (obj === undefined) return { ledger: emptyLedger(environment, service) };
      return { ledger: parseLedger(obj.body, `s3://${bucket}/${k}`, environment, service), version: obj.etag };
    },
    async write(ledger, expected) {
      const result = await objects.put(
        bucket,
        key(ledger.environment, ledger.service),
        serialize(ledger),
        expected === undefined ? { ifNoneMatch: '*' } : { ifMatch: expected },
      );
      return result.written ? result.etag : undefined;
    },
  };
}

/** The store ecsdeploy.yaml `releases:` names. `objects` is asked for only when the store is S3. */
export function openReleaseStore(root: string, config: ProjectConfig, objects: () => ObjectStoreApi): ReleaseStore {
  const releases = config.releases;
  if (releases.store === 'local') return localReleaseStore(resolve(root, releases.path), root);
  return s3ReleaseStore(objects(), releases.bucket, releases.prefix);
}

/**
 * Read, change, write; on a lost race read again and re-apply `change` (it must be safe to repeat:
 * it only touches one release's record). For updates of a rollout's outcome.
 */
export async function updateLedger(
  store: ReleaseStore,
  environment: string,
  service: string,
  change: (ledger: Ledger) => Ledger,
  attempts = 5,
): Promise<Ledger> {
  for (let i = 0; i < attempts; i++) {
    const { ledger, version } = await store.read(environment, service);
    const next = change(ledger);
    if ((await store.write(next, version)) !== undefined) return next;
  }
  throw new ReleaseConflictError(
    `Could not update the release ledger of ${service} in ${environment} (${store.location}): it changed under every one of ${attempts} attempts.`,
    ['Someone is writing it continuously; run `ecsdeploy service history` to see what was recorded, and try again.'],
  );
}
