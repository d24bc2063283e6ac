/**
 * The defaults a team sets once in ecsdeploy.yaml: `defaultEnvironment` (the environment of a
 * command run without --env) and `ephemeral.defaultBase` (the base of `env create NAME` without
 * --from). Here: what the environment files say about them, read without validating the files
 * (the loader reports their problems), and the problems of the two keys themselves. Which
 * environment a command takes is decided in src/ops/environment-choice.ts.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { ConfigProblem } from '../errors';
import type { ProjectConfig } from './schema';
import { closest } from './suggest';
import { YamlFile } from './yaml-file';

export interface EnvironmentFileFacts {
  /** `protected: true` in the file. */
  readonly protected: boolean;
  /** The file has an `ephemeral:` key of its own (not only the schema's default). */
  readonly ephemeral: boolean;
}

/** What environments/<name>.yaml (or .yml) says about protection and environments on demand; both false without a readable file. */
export function environmentFileFacts(root: string, name: string): EnvironmentFileFacts {
  const rel = ['yaml', 'yml'].map((ext) => `environments/${name}.${ext}`).find((f) => existsSync(join(root, f)));
  const data = rel === undefined ? undefined : YamlFile.read(join(root, rel), rel).data;
  const map =
    typeof data === 'object' && data !== null && !Array.isArray(data) ? (data as Record<string, unknown>) : {};
  return {
    protected: map['protected'] === true,
    ephemeral: map['ephemeral'] !== undefined && map['ephemeral'] !== null,
  };
}

/**
 * `defaultEnvironment` and `ephemeral.defaultBase` name environment files that exist; a default
 * base is not protected (env create never takes a protected environment by default).
 */
export function checkDefaults(
  root: string,
  project: ProjectConfig,
  yaml: YamlFile,
  envNames: readonly string[],
): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  const exists = (key: string[], value: string | undefined): boolean => {
    if (value === undefined || envNames.includes(value)) return value !== undefined;
    const guess = closest(value, envNames);
    problems.push(
      yaml.problem({
        path: key,
        message: `no environment '${value}' (environments/${value}.yaml does not exist)${guess ? `; did you mean '${guess}'?` : `; environments: ${envNames.join(', ') || '(none)'}`}`,
      }),
    );
    return false;
  };
  exists(['defaultEnvironment'], project.defaultEnvironment);
  const base = project.ephemeral?.defaultBase;
  if (exists(['ephemeral', 'defaultBase'], base) && environmentFileFacts(root, base!).protected) {
    problems.push(
      yaml.problem({
        path: ['ephemeral', 'defaultBase'],
        message: `'${base}' is protected (protected: true in environments/${base}.yaml): env create never takes a protected environment by default; remove this key and name it with --from ${base}`,
      }),
    );
  }
  return problems;
}
