/**
 * Environments on demand wherever an environment name is accepted: a name without a file in
 * environments/ is looked up among the records, and resolves from its base environment
 * (src/config/ephemeral resolveEphemeral). src/ops/project.ts openEnvironments is the entry point.
 */
import { join, resolve } from 'node:path';
import { resolveEphemeral, type EphemeralRecord } from '../../config/ephemeral';
import { loadProject, PROJECT_FILE, type ResolvedEnvironment, type ResolvedProject } from '../../config/load';
import { ProjectSchema, type ProjectConfig } from '../../config/schema';
import { closest } from '../../config/suggest';
import { YamlFile } from '../../config/yaml-file';
import { ConfigError, UsageError } from '../../errors';
import { permanentNames } from './names';
import { openRecordStore, type RecordStore } from './records';
import { awsS3, type S3Access } from './storage';

/**
 * ecsdeploy.yaml alone (where state and releases are kept), without reading any other file. When
 * it is invalid, the full loader reports its problems with their lines.
 */
export function projectConfig(root: string): ProjectConfig {
  const yaml = YamlFile.read(join(root, PROJECT_FILE), PROJECT_FILE);
  const parsed = yaml.data === undefined ? undefined : ProjectSchema.safeParse(yaml.data);
  if (parsed?.success) return parsed.data;
  loadProject(root, { environments: [] }); // throws the ConfigError that points at the lines
  throw new ConfigError([{ file: PROJECT_FILE, key: '', message: 'invalid' }]);
}

export function projectRecordStore(root: string, s3: S3Access = awsS3): RecordStore {
  return openRecordStore(root, projectConfig(root), s3);
}

/** The records of `names` (environments on demand), or a usage error naming what exists. */
export async function readRecords(
  root: string,
  names: readonly string[],
  store: RecordStore,
  flag: string | undefined = '--env',
): Promise<EphemeralRecord[]> {
  const found = await Promise.all(names.map((n) => store.get(n)));
  const missing = names.find((_, i) => found[i] === undefined);
  if (missing !== undefined) throw await noSuchEnvironment(root, missing, store, flag);
  return found.map((f) => f!.record);
}

/** The error for a name that is neither permanent nor on demand; `flag` is the flag that gave it, if any. */
export async function noSuchEnvironment(
  root: string,
  name: string,
  store: RecordStore,
  flag?: string,
): Promise<UsageError> {
  const permanent = permanentNames(root);
  const onDemand = (await store.list()).records.map((r) => r.record.name);
  const guess = closest(name, [...permanent, ...onDemand]);
  return new UsageError(
    `${flag ? `${flag} ${name}: ` : ''}no environment '${name}'${guess ? `; did you mean '${guess}'?` : ''} (there is no environments/${name}.yaml, and no environment on demand of that name in ${store.location})`,
    [
      `Known environments: ${permanent.join(', ') || '(none)'}${onDemand.length ? `; on demand: ${onDemand.join(', ')}` : ''}.`,
      `Create one on demand with \`ecsdeploy env create ${name} --from <environment>\`.`,
    ],
  );
}

/**
 * The project with the permanent environments among `names` and the environments on demand of
 * `records`, each resolved from its base; `envs` in the order of `names`. The project's
 * environments hold them all (bases included).
 */
export function resolveWithRecords(
  root: string,
  names: readonly string[],
  records: readonly EphemeralRecord[],
): { project: ResolvedProject; envs: ResolvedEnvironment[] } {
  const permanent = permanentNames(root);
  for (const r of records) {
    if (!permanent.includes(r.base)) {
      throw new UsageError(
        `environment '${r.name}' was created from '${r.base}', which no longer exists (there is no environments/${r.base}.yaml)`,
        [`Restore environments/${r.base}.yaml to work with ${r.name} (destroying it needs its base's configuration).`],
      );
    }
  }
  const onDemand = new Set(records.map((r) => r.name));
  const scope = [...new Set([...names.filter((n) => !onDemand.has(n)), ...records.map((r) => r.base)])];
  const project = loadProject(root, { environments: scope });
  const ephemeral = records.map((r) =>
    resolveEphemeral(
      project.environments.find((e) => e.name === r.base)!,
      r,
    ),
  );
  const all = [...project.environments, ...ephemeral];
  return { project: { ...project, environments: all }, envs: names.map((n) => all.find((e) => e.name === n)!) };
}

/** openEnvironments (src/ops/project.ts) for names some of which are not permanent. */
export async function resolveNames(
  dir: string,
  names: readonly string[],
  s3: S3Access = awsS3,
): Promise<{ project: ResolvedProject; envs: ResolvedEnvironment[]; records: EphemeralRecord[] }> {
  const root = resolve(dir);
  const permanent = permanentNames(root);
  const records = await readRecords(
    root,
    names.filter((n) => !permanent.includes(n)),
    projectRecordStore(root, s3),
  );
  return { ...resolveWithRecords(root, names, records), records };
}
