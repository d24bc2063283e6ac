/**
 * An imported service file is checked before it is written, as the loader checks it: the file
 * schema, then the service of each environment it names (its `environments.<env>` block merged in)
 * with the whole-task rules; and, in a project, by loading the project with the file in place (a
 * temporary copy). A file the loader would reject is never written.
 */
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseDocument } from 'yaml';
import { toProblems } from '../../config/issues';
import { loadProject, PROJECT_FILE } from '../../config/load';
import { mergeOverride } from '../../config/merge';
import { ServiceFileSchema, ServiceSchema } from '../../config/schema';
import { YamlFile } from '../../config/yaml-file';
import { ConfigError, EcsdeployError, formatProblem, type ConfigProblem } from '../../errors';

/** Problems of a service file's text, by the schemas alone (no project needed). */
export function schemaProblems(text: string, name: string): ConfigProblem[] {
  const display = `services/${name}.yaml`;
  const yaml = YamlFile.parse(text, display);
  const problems: ConfigProblem[] = [...yaml.syntaxProblems];
  const data = yaml.data as Record<string, unknown>;
  const file = ServiceFileSchema.safeParse(data);
  if (!file.success) {
    for (const issue of file.error.issues)
      for (const raw of toProblems(issue, ServiceFileSchema, data)) problems.push(yaml.problem(raw));
    return problems;
  }
  const { environments, $schema: _schema, ...base } = data;
  const envs = (environments ?? {}) as Record<string, unknown>;
  for (const env of [undefined, ...Object.keys(envs)]) {
    const merged = mergeOverride(base, env === undefined ? undefined : envs[env]) as Record<string, unknown>;
    const withName = merged['containerName'] === undefined ? { ...merged, containerName: name } : merged;
    const result = ServiceSchema.safeParse(withName);
    if (result.success) continue;
    for (const issue of result.error.issues) {
      for (const raw of toProblems(issue, ServiceSchema, withName)) {
        const p = yaml.problem(raw);
        problems.push(env === undefined ? p : { ...p, message: `${p.message} (in environment '${env}')` });
      }
    }
  }
  return problems;
}

/** Environment keys to set (undefined: remove) in the copy before loading: what the next steps tell the user to do. */
export interface EnvironmentPatch {
  readonly env: string;
  readonly set: ReadonlyArray<readonly [readonly string[], unknown]>;
}

/**
 * Problems of the file as the project loader reports them, with the file in place in a copy of the
 * project at `root`, and the environment keys of `patch` set in that copy (the file is meant to
 * load once the next steps are done).
 */
export function projectProblems(root: string, text: string, name: string, patch?: EnvironmentPatch): ConfigProblem[] {
  if (!existsSync(join(root, PROJECT_FILE))) return [];
  const tmp = mkdtempSync(join(tmpdir(), 'ecsdeploy-import-'));
  try {
    for (const entry of [PROJECT_FILE, 'environments', 'services', 'jobs']) {
      if (existsSync(join(root, entry))) cpSync(join(root, entry), join(tmp, entry), { recursive: true });
    }
    mkdirSync(join(tmp, 'services'), { recursive: true });
    writeFileSync(join(tmp, 'services', `${name}.yaml`), text);
    if (patch !== undefined && patch.set.length > 0) {
      const envFile = join(tmp, 'environments', `${patch.env}.yaml`);
      const doc = parseDocument(readFileSync(envFile, 'utf8'));
      for (const [path, value] of patch.set) {
        if (value === undefined) doc.deleteIn(path);
        else doc.setIn(path, value);
      }
      writeFileSync(envFile, doc.toString());
    }
    try {
      loadProject(tmp);
      return [];
    } catch (err) {
      if (!(err instanceof ConfigError)) throw err;
      // Problems of other files are the project's own, not this import's.
      return err.problems.filter((p) => p.file === `services/${name}.yaml`);
    }
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

/** Throws when the file would be rejected: a bug of the mapping or a value no key accepts; the message lists every problem. */
export function assertValid(problems: readonly ConfigProblem[], source: string): void {
  if (problems.length === 0) return;
  throw new EcsdeployError(
    `The service file made from ${source} would not load, so it was not written:\n${problems.map((p) => `  ${formatProblem(p)}`).join('\n')}`,
    {
      code: 'ECSDEPLOY_IMPORT_INVALID',
      suggestions: [
        'Run again with --dry-run to see the file; a value no key accepts can be changed in the JSON, or set by hand afterwards.',
      ],
    },
  );
}
