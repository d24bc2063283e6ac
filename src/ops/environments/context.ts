/**
 * What every lifecycle operation works with: the project's stores, the infrastructure runner and
 * the clock, injected (the `deps` argument, defaulting to environmentDeps()) so that tests run
 * against a recording runner, an in-memory bucket and a fake clock.
 */
import { resolve } from 'node:path';
import type { EphemeralRecord } from '../../config/ephemeral';
import { processGone } from '../local-process';
import type { ProjectConfig } from '../../config/schema';
import { EcsdeployError } from '../../errors';
import type { IdentityLookup } from '../accounts';
import type { InfraRunnerOptions } from '../infra/runner';
import type { InfraRunner } from '../infra/types';
import type { ReleaseStore } from '../releases/store';
import { permanentNames } from './names';
import { openRecordStore, type RecordStore, type StoredRecord } from './records';
import { projectConfig } from './resolve';
import { awsS3, openStateStore, type S3Access, type StateStore } from './storage';
import { systemClock, type Clock } from '../../clock';

export interface EnvironmentDeps {
  /**
   * Makes the runner that plans, applies and destroys stacks, with the request's options (its
   * --lock-timeout): src/ops/infra createInfraRunner; a recording double in tests.
   */
  infra(options: InfraRunnerOptions): InfraRunner;
  readonly clock: Clock;
  /** S3 access for records, state and releases kept in S3. */
  readonly s3: S3Access;
  /** Where the owner's default is read ($ECSDEPLOY_OWNER, $GITHUB_ACTOR, $USER). */
  readonly env: NodeJS.ProcessEnv;
  // The three below default to what the project's files say, known once the project is read.
  /** The release store. @default the project's (ecsdeploy.yaml `releases:`) */
  readonly releases?: ReleaseStore;
  /** `--image service=ref` → the image reference recorded. @default resolved through ECR like `service deploy` */
  readonly resolveImage?: ImageResolver;
  /** STS GetCallerIdentity, for the account check of `env create` (src/ops/accounts). @default the SDK */
  readonly identity?: IdentityLookup;
}

/** What the operations that only read and write records need (list, show, extend). */
export type StoreDeps = Omit<EnvironmentDeps, 'infra'>;

// The runner (and the engine, synth and cdktf behind it) loads only when a stack is planned.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const infraRunner = () => require('../infra/runner') as typeof import('../infra/runner');

/** The live dependencies: the engine through createInfraRunner, the system clock, the AWS SDK's S3, process.env. */
export function environmentDeps(): EnvironmentDeps {
  return {
    infra: (options) => infraRunner().createInfraRunner(options),
    clock: systemClock,
    s3: awsS3,
    env: process.env,
  };
}

/** Resolves what `--image service=REF` gave to the immutable reference the record keeps. */
export type ImageResolver = (service: string, ref: string) => Promise<string>;

export interface Workspace {
  readonly root: string;
  readonly config: ProjectConfig;
  readonly permanent: readonly string[];
  readonly records: RecordStore;
  readonly state: StateStore;
  readonly s3: S3Access;
  readonly clock: Clock;
}

export function workspace(dir: string, deps: StoreDeps): Workspace {
  const root = resolve(dir);
  const config = projectConfig(root);
  const s3 = deps.s3;
  return {
    root,
    config,
    permanent: permanentNames(root),
    records: openRecordStore(root, config, s3),
    state: openStateStore(root, config, s3),
    s3,
    clock: deps.clock,
  };
}

/** An environment on demand as commands show it: its record, and whether it has expired. */
export interface OnDemandEnvironment {
  readonly name: string;
  readonly base: string;
  readonly owner: string;
  readonly createdAt: string;
  readonly expiresAt: string;
  readonly expired: boolean;
  readonly isolated: boolean;
  readonly services: readonly string[];
  readonly images: Readonly<Record<string, string>>;
  readonly status: EphemeralRecord['status'];
  /** Why the status differs from the record's: a `creating` record whose `env create` was killed is `failed`. */
  readonly statusReason?: string;
  /** Where its record is kept. */
  readonly record: string;
}

/**
 * A `creating` record whose `env create` ran on this host and is gone (killed: an interrupt or a
 * failure records `failed` itself). A process on another host cannot be checked from here.
 */
export function abandonedCreation(record: EphemeralRecord): string | undefined {
  const c = record.creator;
  if (record.status !== 'creating' || c === undefined || !processGone(c)) return undefined;
  return `its \`env create\` (process ${c.pid} on ${c.host}) ended without finishing (killed)`;
}

export function describeRecord(ws: Workspace, record: EphemeralRecord): OnDemandEnvironment {
  const abandoned = abandonedCreation(record);
  return {
    name: record.name,
    base: record.base,
    owner: record.owner,
    createdAt: record.createdAt,
    expiresAt: record.expiresAt,
    expired: Date.parse(record.expiresAt) <= ws.clock.now(),
    isolated: record.isolated,
    services: record.services,
    images: record.images,
    status: abandoned !== undefined ? 'failed' : record.status,
    ...(abandoned !== undefined ? { statusReason: abandoned } : {}),
    record: ws.records.where(record.name),
  };
}

/**
 * Read, change, write a record; when someone else wrote in between, read again and re-apply
 * `change` (it must only set what it means to). Undefined when the record is gone.
 */
export async function updateRecord(
  store: RecordStore,
  name: string,
  change: (r: EphemeralRecord) => EphemeralRecord,
  attempts = 5,
): Promise<StoredRecord | undefined> {
  for (let i = 0; i < attempts; i++) {
    const stored = await store.get(name);
    if (stored === undefined) return undefined;
    const record = change(stored.record);
    const version = await store.update(record, stored.version);
    if (version !== undefined) return { record, version };
  }
  throw new EcsdeployError(
    `Could not update the record of '${name}' (${store.where(name)}): it changed under every one of ${attempts} attempts.`,
    {
      code: 'ECSDEPLOY_RECORD_CONFLICT',
      suggestions: ['Another ecsdeploy is working on this environment right now; wait for it and try again.'],
    },
  );
}
