/**
 * One error type for everything the user can act on. Domain code throws these; the base command
 * maps them once to a message, an exit code and suggestions. Anything else is a bug and keeps its
 * stack for `--debug`.
 */

/** The published exit codes (README "Exit codes", and every command's --help). */
export const ExitCode = {
  Ok: 0,
  Failed: 1,
  Usage: 2,
  ChangesPresent: 3,
  /** Stopped by Ctrl-C (SIGINT), as shells report it: 128 + 2. */
  Interrupted: 130,
} as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

export interface EcsdeployErrorOptions {
  readonly code?: string;
  readonly exitCode?: ExitCode;
  readonly suggestions?: readonly string[];
  readonly cause?: unknown;
}

export class EcsdeployError extends Error {
  readonly code: string;
  readonly exitCode: ExitCode;
  readonly suggestions: readonly string[];

  constructor(message: string, options: EcsdeployErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'EcsdeployError';
    this.code = options.code ?? 'ECSDEPLOY_FAILED';
    this.exitCode = options.exitCode ?? ExitCode.Failed;
    this.suggestions = options.suggestions ?? [];
  }
}

/** One problem found in a configuration file, pointing at the line. */
export interface ConfigProblem {
  /** Path of the file relative to the project root, e.g. `services/orders.yaml`. */
  readonly file: string;
  readonly line?: number;
  readonly column?: number;
  /** Dotted key path, e.g. `deployment.maximumPercent` (empty for the whole file). */
  readonly key: string;
  readonly message: string;
}

export function formatProblem(p: ConfigProblem): string {
  const where = p.line === undefined ? p.file : `${p.file}:${p.line}:${p.column ?? 1}`;
  return p.key ? `${where} ${p.key}: ${p.message}` : `${where}: ${p.message}`;
}

/** Every problem of a configuration, reported at once. */
export class ConfigError extends EcsdeployError {
  readonly problems: readonly ConfigProblem[];

  constructor(problems: readonly ConfigProblem[], suggestions: readonly string[] = []) {
    const n = problems.length;
    super(
      `The configuration has ${n} problem${n === 1 ? '' : 's'}:\n` +
        problems.map((p) => `  ${formatProblem(p)}`).join('\n'),
      {
        code: 'ECSDEPLOY_CONFIG_INVALID',
        exitCode: ExitCode.Usage,
        suggestions: suggestions.length
          ? suggestions
          : ['Fix the keys named above; `ecsdeploy config schema` prints what each file may contain.'],
      },
    );
    this.name = 'ConfigError';
    this.problems = problems;
  }
}

/** A flag or argument the user gave that cannot be used (unknown environment, ...). */
export class UsageError extends EcsdeployError {
  constructor(message: string, suggestions: readonly string[] = []) {
    super(message, { code: 'ECSDEPLOY_USAGE', exitCode: ExitCode.Usage, suggestions });
    this.name = 'UsageError';
  }
}
