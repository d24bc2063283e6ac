/**
 * Where an environment on demand leaves things, and how each is read and removed: its record (this
 * folder's ./records), the Terraform state of its stacks, and its release ledgers. Local files by
 * default; S3 objects when ecsdeploy.yaml says `state.backend: s3` / `releases.store: s3`.
 *
 * The layouts are the ones Terraform and the release store use; each is named once here:
 *   state     local: <state.path>/<stack>.tfstate (+ .backup, and the engine's lock info)
 *             s3:    <state.prefix>/<stack>.tfstate (+ .tflock)          (stacks/names.ts stateKey)
 *   releases  local: <releases.path>/<env>/<service>.json               (src/ops/releases/store.ts)
 *             s3:    <releases.prefix>/<env>/<service>.json
 *   records   local: .ecsdeploy/environments/<name>.json
 *             s3:    <state.prefix>/environments/<name>.json in the state bucket
 */
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { basename, dirname, join, relative, resolve } from 'node:path';
import { AwsClients, type AwsTarget } from '../../aws/clients';
import { objectKeysApi, type ObjectKeysApi } from '../../aws/s3-keys';
import { objectStoreApi, type ObjectStoreApi } from '../../aws/s3-objects';
import type { ProjectConfig } from '../../config/schema';
import { EcsdeployError } from '../../errors';
import { stateKey } from '../../../stacks/names';

/** S3 access for one region and endpoint; tests substitute an in-memory bucket. */
export type S3Access = (target: AwsTarget) => { readonly objects: ObjectStoreApi; readonly keys: ObjectKeysApi };

export const awsS3: S3Access = (target) => {
  const clients = new AwsClients(target);
  return { objects: objectStoreApi(clients), keys: objectKeysApi(clients) };
};

/** The state bucket: its own region when set, the project's endpoint (else AWS_ENDPOINT_URL, else AWS), `state.role` (else the registry's). */
export function stateTarget(config: ProjectConfig): AwsTarget {
  const region = config.state.backend === 's3' ? (config.state.region ?? config.region) : config.region;
  const role = (config.state.backend === 's3' ? config.state.role : undefined) ?? config.registry?.role;
  return {
    region,
    ...(config.endpoint ? { endpoint: config.endpoint } : {}),
    ...(role ? { role: { roleArn: role } } : {}),
  };
}

/** The release bucket: where src/ops/releases looks for it (the project's region and endpoint), `releases.role` (else the registry's). */
export function releasesTarget(config: ProjectConfig): AwsTarget {
  const role = (config.releases.store === 's3' ? config.releases.role : undefined) ?? config.registry?.role;
  return {
    region: config.region,
    ...(config.endpoint ? { endpoint: config.endpoint } : {}),
    ...(role ? { role: { roleArn: role } } : {}),
  };
}

/** `a/b/` → `a/b`; '' stays ''. */
export function trimSlashes(prefix: string): string {
  return prefix.replace(/^\/+|\/+$/g, '');
}

/** `<prefix>/<rest>`, or `<rest>` when the prefix is empty. */
export function underPrefix(prefix: string, rest: string): string {
  const p = trimSlashes(prefix);
  return p ? `${p}/${rest}` : rest;
}

// ---------------------------------------------------------------------------------------------
// Terraform state of one stack

export interface StackState {
  /** Managed resources in the state; undefined when the state could not be read as JSON. */
  readonly resources?: number;
  /** The stack's outputs (name → value). */
  readonly outputs: Readonly<Record<string, unknown>>;
}

export interface StateStore {
  /** For messages: `.ecsdeploy/state` or `s3://bucket/prefix`. */
  readonly location: string;
  /** The state of a stack; undefined when it has none (never applied, or removed). */
  read(stack: string): Promise<StackState | undefined>;
  /** Removes the stack's state and what the engine keeps beside it; returns what it removed. */
  remove(stack: string): Promise<string[]>;
}

function parseState(text: string): StackState {
  try {
    const json = JSON.parse(text) as {
      resources?: Array<{ mode?: string }>;
      outputs?: Record<string, { value?: unknown }>;
    };
    const outputs = Object.fromEntries(Object.entries(json.outputs ?? {}).map(([k, v]) => [k, v?.value]));
    return { resources: (json.resources ?? []).filter((r) => r.mode === 'managed').length, outputs };
  } catch {
    return { outputs: {} };
  }
}

/** Terraform's S3 state key of a stack: the stacks' own formula (stacks/names.ts, no cdktf). */
export const s3StateKey = stateKey;

export function openStateStore(root: string, config: ProjectConfig, s3: S3Access): StateStore {
  const state = config.state;
  if (state.backend === 'local') {
    const dir = resolve(root, state.path);
    const files = (stack: string) => {
      const file = join(dir, `${stack}.tfstate`);
      // The local backend keeps a backup beside the state, and its lock as `.<state file>.lock.info`.
      return [file, `${file}.backup`, join(dirname(file), `.${basename(file)}.lock.info`)];
    };
    return {
      location: relative(root, dir) || '.',
      async read(stack) {
        const file = files(stack)[0]!;
        return existsSync(file) ? parseState(readFileSync(file, 'utf8')) : undefined;
      },
      async remove(stack) {
        const present = files(stack).filter((f) => existsSync(f));
        for (const f of present) rmSync(f, { force: true });
        return present.map((f) => relative(root, f));
      },
    };
  }
  const { objects, keys } = s3(stateTarget(config));
  return {
    location: `s3://${state.bucket}/${trimSlashes(state.prefix)}`,
    async read(stack) {
      const obj = await objects.get(state.bucket, s3StateKey(state.prefix, stack));
      return obj === undefined ? undefined : parseState(obj.body);
    },
    async remove(stack) {
      const key = s3StateKey(state.prefix, stack);
      const present = (await keys.list(state.bucket, key)).filter((k) => k === key || k === `${key}.tflock`);
      await keys.remove(state.bucket, present);
      return present.map((k) => `s3://${state.bucket}/${k}`);
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Release ledgers of one environment

/** Removes every release ledger of `environment` (all its services); returns what it removed. */
export async function removeReleaseLedgers(
  root: string,
  config: ProjectConfig,
  s3: S3Access,
  environment: string,
): Promise<string[]> {
  const releases = config.releases;
  if (releases.store === 'local') {
    const dir = join(resolve(root, releases.path), environment);
    if (!existsSync(dir)) return [];
    rmSync(dir, { recursive: true, force: true });
    return [relative(root, dir)];
  }
  const { keys } = s3(releasesTarget(config));
  const present = await keys.list(releases.bucket, `${underPrefix(releases.prefix, environment)}/`);
  await keys.remove(releases.bucket, present);
  return present.map((k) => `s3://${releases.bucket}/${k}`);
}

/** A stored document that does not parse: name it and what to do, never guess. */
export function invalidDocument(what: string, where: string, problem: string, suggestion: string): EcsdeployError {
  return new EcsdeployError(`The ${what} ${where} is not valid: ${problem}`, {
    code: 'ECSDEPLOY_RECORD_INVALID',
    suggestions: [suggestion],
  });
}
