/**
 * `ecsdeploy init`: a new project in a folder (empty, or an existing repository). What is found
 * (./detect.ts) and the answers (./questions.ts) make a plan of files (planInit: answers in, files
 * out, nothing written); writeInit writes it, refusing to replace a file that exists with other
 * content unless forced. When the folder has a compose file and its import is chosen, the service
 * files come from the compose import (./compose.ts) instead of the sample service.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { jsonSchema, SCHEMA_KINDS } from '../../config/json-schema';
import { PROJECT_FILE } from '../../config/load';
import { UsageError } from '../../errors';
import type { ComposeServices } from './compose';
import { detect, type Detected } from './detect';
import { resolveAnswers, type GivenAnswers, type InitAnswers, type LaunchType, type Prompter } from './questions';
import { environmentFile, mergeGitignore, projectFile, serviceFile } from './templates';

export { COMPOSE_FILES, detect, exposedPort, toName, type Detected } from './detect';
export {
  parseImage,
  resolveAnswers,
  showImage,
  type GivenAnswers,
  type ImageAnswer,
  type InitAnswers,
  type Prompter,
  type Question,
} from './questions';
export { GITIGNORE_LINES, mergeGitignore } from './templates';

/** What happens to a file: created, replaced (--force), extended (.gitignore), or left as it is (same content). */
export type FileAction = 'create' | 'overwrite' | 'update' | 'unchanged';

export interface PlannedFile {
  /** Relative to the project folder, with '/'. */
  readonly path: string;
  readonly content: string;
  readonly action: FileAction;
}

export interface InitPlan {
  readonly dir: string;
  readonly files: readonly PlannedFile[];
  /** Where the files' `$schema` lines point: `schemas` (written by init) or the installed package's folder. */
  readonly schemas: string;
}

export interface PlanOptions {
  /** Write schemas/ even when the installed package's schemas could be referenced. */
  readonly writeSchemas?: boolean;
  /** The service files of an imported compose file, instead of the sample service. */
  readonly compose?: ComposeServices;
}

/** The files of the project, and what writing each would do; nothing is written. */
export function planInit(detected: Detected, answers: InitAnswers, options: PlanOptions = {}): InitPlan {
  const schemas = options.writeSchemas || detected.packageSchemas === undefined ? 'schemas' : detected.packageSchemas;
  const launchTypes: ReadonlySet<LaunchType> = options.compose
    ? new Set(options.compose.launchTypes)
    : new Set(answers.service ? [answers.service.launchType] : []);
  const texts: Array<[string, string]> = [
    [PROJECT_FILE, projectFile(answers, schemas)],
    ['environments/dev.yaml', environmentFile('dev', schemas, launchTypes)],
    ...(answers.prod
      ? [['environments/prod.yaml', environmentFile('prod', schemas, launchTypes)] as [string, string]]
      : []),
    ...(options.compose
      ? options.compose.files.map(
          (f) =>
            [f.path, f.content.replace(/^(# yaml-language-server: \$schema=)\.\.\/schemas\//, `$1../${schemas}/`)] as [
              string,
              string,
            ],
        )
      : answers.service
        ? [[`services/${answers.service.name}.yaml`, serviceFile(answers, schemas)] as [string, string]]
        : []),
    ...(schemas === 'schemas'
      ? SCHEMA_KINDS.map(
          (k) => [`schemas/${k}.schema.json`, `${JSON.stringify(jsonSchema(k), null, 2)}\n`] as [string, string],
        )
      : []),
  ];
  const files: PlannedFile[] = texts.map(([path, content]) => {
    const existing = read(detected.dir, path);
    return {
      path,
      content,
      action: existing === undefined ? 'create' : existing === content ? 'unchanged' : 'overwrite',
    };
  });
  const gitignore = read(detected.dir, '.gitignore');
  const merged = mergeGitignore(gitignore);
  files.push(
    merged === undefined
      ? { path: '.gitignore', content: gitignore ?? '', action: 'unchanged' }
      : { path: '.gitignore', content: merged, action: gitignore === undefined ? 'create' : 'update' },
  );
  return { dir: detected.dir, files, schemas };
}

function read(dir: string, path: string): string | undefined {
  const file = join(dir, path);
  return existsSync(file) ? readFileSync(file, 'utf8') : undefined;
}

/** The files that exist with other content: init stops on them unless forced. */
export function conflicts(plan: InitPlan): readonly string[] {
  return plan.files.filter((f) => f.action === 'overwrite').map((f) => f.path);
}

/** Writes the plan (every file not unchanged); without force, a file with other content stops it before anything is written. */
export function writeInit(plan: InitPlan, force: boolean): void {
  const clash = conflicts(plan);
  if (clash.length > 0 && !force) {
    throw new UsageError(
      `init would replace ${clash.length === 1 ? 'a file that exists' : `${clash.length} files that exist`} in ${plan.dir}: ${clash.join(', ')}. Nothing was written.`,
      [
        'Pass --force to replace them, or move them away first; `ecsdeploy config validate` checks a project that is already there.',
      ],
    );
  }
  for (const f of plan.files) {
    if (f.action === 'unchanged') continue;
    const file = join(plan.dir, f.path);
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, f.content);
  }
}

// Loaded only when a compose file is imported: the import brings its own parsers.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const composeImport = () => require('./compose') as typeof import('./compose');

export interface InitOptions {
  /** The project folder (created when missing). */
  readonly dir: string;
  readonly given: GivenAnswers;
  readonly yes: boolean;
  readonly force: boolean;
  readonly writeSchemas: boolean;
  /** Who answers what the flags leave open; undefined where nobody can. */
  readonly prompter?: Prompter;
  readonly env?: NodeJS.ProcessEnv;
}

export interface InitResult {
  readonly dir: string;
  readonly answers: InitAnswers;
  /** Every file of the plan, with what was done to it. */
  readonly files: ReadonlyArray<{ readonly path: string; readonly action: FileAction }>;
  /** Where the `$schema` lines point. */
  readonly schemas: string;
  /** The compose import, when chosen: its file, what it mapped and what the user must still do. */
  readonly compose?: {
    readonly file: string;
    readonly services: readonly string[];
    readonly warnings: readonly string[];
    readonly notMapped: ComposeServices['notMapped'];
  };
}

/** Detect, ask, plan, write. */
export async function initProject(opts: InitOptions): Promise<InitResult> {
  mkdirSync(opts.dir, { recursive: true });
  const detected = detect(opts.dir);
  const answers = await resolveAnswers({
    detected,
    given: opts.given,
    yes: opts.yes,
    ...(opts.prompter ? { prompter: opts.prompter } : {}),
    ...(opts.env ? { env: opts.env } : {}),
  });
  const compose = answers.importCompose
    ? await composeImport().composeServiceFiles({
        dir: detected.dir,
        region: answers.region,
        ...(opts.prompter && !opts.yes ? { prompter: opts.prompter } : {}),
      })
    : undefined;
  const plan = planInit(detected, answers, { writeSchemas: opts.writeSchemas, ...(compose ? { compose } : {}) });
  writeInit(plan, opts.force);
  return {
    dir: plan.dir,
    answers,
    files: plan.files.map((f) => ({ path: f.path, action: f.action })),
    schemas: plan.schemas,
    ...(compose
      ? {
          compose: {
            file: compose.composeFiles.join(', '),
            services: compose.files.map((f) => f.path),
            warnings: compose.warnings,
            notMapped: compose.notMapped,
          },
        }
      : {}),
  };
}
