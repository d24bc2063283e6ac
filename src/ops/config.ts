/** `config validate` and `config schema`: the configuration checked as a whole, and its JSON Schemas. */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadProject } from '../config/load';
import { jsonSchema, SCHEMA_KINDS, type SchemaKind } from '../config/json-schema';
import { ConfigError, type ConfigProblem } from '../errors';

export interface ValidationReport {
  readonly valid: boolean;
  readonly problems: readonly ConfigProblem[];
  /** What to do next, when invalid. */
  readonly suggestions: readonly string[];
  readonly environments: ReadonlyArray<{
    readonly name: string;
    readonly services: readonly string[];
    readonly jobs?: readonly string[];
  }>;
}

export function validateProject(dir: string): ValidationReport {
  try {
    const project = loadProject(dir);
    return {
      valid: true,
      problems: [],
      suggestions: [],
      environments: project.environments.map((e) => ({
        name: e.name,
        services: e.services.map((s) => s.name),
        ...(e.jobs?.length ? { jobs: e.jobs.map((j) => j.name) } : {}),
      })),
    };
  } catch (err) {
    if (err instanceof ConfigError)
      return { valid: false, problems: err.problems, suggestions: err.suggestions, environments: [] };
    throw err;
  }
}

export function schemas(kinds: readonly SchemaKind[] = SCHEMA_KINDS): Record<string, Record<string, unknown>> {
  return Object.fromEntries(kinds.map((k) => [k, jsonSchema(k)]));
}

/** Writes `<dir>/<kind>.schema.json` for each kind; returns the paths. */
export function writeSchemas(dir: string, kinds: readonly SchemaKind[] = SCHEMA_KINDS): string[] {
  mkdirSync(dir, { recursive: true });
  return kinds.map((k) => {
    const file = join(dir, `${k}.schema.json`);
    writeFileSync(file, `${JSON.stringify(jsonSchema(k), null, 2)}\n`);
    return file;
  });
}
