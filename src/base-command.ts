/**
 * The base of every command: the shared flags, and the one place errors become messages and exit
 * codes. An EcsdeployError is the user's to act on: its message (never re-wrapped, so file:line
 * problems stay one per line), what to do next, and its exit code; no stack. Anything else is a
 * bug: one line, and the stack only with --debug. With --json, errors are JSON on stdout too.
 */
import { Command } from '@oclif/core/command';
import * as Flags from '@oclif/core/flags';
import { ConfigError, EcsdeployError, ExitCode } from './errors';
import { chooseBase, chooseEnvironment, type EnvironmentUse } from './ops/environment-choice';
import type { ClusterDeps } from './ops/cluster-roll';
import type { EnvironmentDeps } from './ops/environments';
import type { JobDeps } from './ops/jobs';
import type { ReadDeps, ServiceDeps } from './ops/service';
import type { ExecDeps } from './ops/task';
import { parseFailure } from './parse-failure';

export const EXIT_CODES_SECTION = `EXIT CODES
    0  success (plan: no changes)
    1  the operation failed
    2  usage or configuration error: a bad flag, an invalid file, an unknown environment
    3  plan: changes present
  130  interrupted (Ctrl-C): stopped gracefully; run the same command again to continue`;

/**
 * --env of every command that takes one: not required by oclif, since BaseCommand.environment
 * takes the project's default when it is absent (src/ops/environment-choice.ts).
 */
export function envFlag(summary: string, use: EnvironmentUse) {
  return Flags.string({
    char: 'e',
    summary,
    description: `Default: $ECSDEPLOY_ENV, else defaultEnvironment in ecsdeploy.yaml, else the project's only environment.${use === 'change' ? ' A protected environment is never taken by default: type --env to change it.' : ''}`,
    helpValue: 'NAME',
  });
}

/**
 * The dependencies commands hand to the ops they call: the ops' own `deps` parameter (always the
 * last one, defaulting to the live dependencies built in one place per topic: liveDeps, readDeps,
 * jobDeps, taskDeps, clusterDeps, environmentDeps). Empty in the CLI; tests fill it with BaseCommand.inject to run a command as
 * the CLI runs it against fakes and simulations, instead of mocking modules.
 */
export interface CommandDeps {
  /** service deploy, promote, rollback, watch */
  readonly service?: ServiceDeps;
  /** service status, list, history, logs */
  readonly serviceRead?: ReadDeps;
  /** job deploy, promote, run, list, history */
  readonly job?: JobDeps;
  /** task run, list, logs, stop; service exec */
  readonly task?: ExecDeps;
  /** cluster status, cluster roll */
  readonly cluster?: ClusterDeps;
  /** env create, destroy, gc, list, show, extend */
  readonly environments?: EnvironmentDeps;
}

export abstract class BaseCommand extends Command {
  private static injected: CommandDeps = {};

  /** Runs commands with these dependencies until the returned function restores the live ones. */
  static inject(deps: CommandDeps): () => void {
    BaseCommand.injected = deps;
    return () => {
      BaseCommand.injected = {};
    };
  }

  /** What to pass as the deps of an op: injected ones, or undefined for the op's live defaults. */
  protected deps<K extends keyof CommandDeps>(kind: K): CommandDeps[K] {
    return BaseCommand.injected[kind];
  }

  static override baseFlags = {
    dir: Flags.directory({
      char: 'C',
      summary: 'Project folder (the one holding ecsdeploy.yaml).',
      default: '.',
      env: 'ECSDEPLOY_DIR',
      helpGroup: 'GLOBAL',
    }),
    debug: Flags.boolean({
      summary: 'Show stack traces of unexpected errors.',
      helpGroup: 'GLOBAL',
      env: 'ECSDEPLOY_DEBUG',
    }),
  };

  /**
   * The environment to work on: --env as typed, else the project's default (never a protected one
   * for a command that changes it). A default is said on stderr, as the first progress line.
   */
  protected async environment(
    flags: { readonly dir: string; readonly env?: string | undefined },
    use: EnvironmentUse,
  ): Promise<string> {
    const choice = await chooseEnvironment({ dir: flags.dir, flag: flags.env, use, command: this.commandLine() });
    if (choice.note !== undefined) this.logToStderr(choice.note);
    return choice.name;
  }

  /** The base of an environment on demand: --from as typed, else the project's default base, said like environment()'s. */
  protected baseEnvironment(flags: { readonly dir: string; readonly from?: string | undefined }): string {
    const choice = chooseBase({ dir: flags.dir, flag: flags.from });
    if (choice.note !== undefined) this.logToStderr(choice.note);
    return choice.name;
  }

  /**
   * The end of a command that ran a container (task run, job run): the result on stdout (JSON) or
   * stderr (text), and the container's own exit code as the command's.
   */
  protected finishRun<T extends { readonly exitCode?: number }>(result: T, render: (r: T) => string): T {
    if (result.exitCode !== undefined && result.exitCode !== 0) {
      if (this.jsonEnabled()) this.logJson(result);
      else this.logToStderr(render(result));
      return this.exit(result.exitCode);
    }
    if (!this.jsonEnabled()) this.logToStderr(render(result));
    return result;
  }

  /** `service deploy` for the oclif id `service:deploy`. */
  private commandLine(): string {
    return (this.id ?? '').split(':').join(' ');
  }

  protected override async catch(
    err: Error & { exitCode?: number; code?: unknown; oclif?: { exit?: number } },
  ): Promise<unknown> {
    if (err.oclif !== undefined) {
      if (err.code === 'EEXIT') throw err; // this.exit(): the outcome was already reported
      // oclif's parser (a missing, unknown or invalid flag or argument): ecsdeploy's usage error.
      return this.fail(
        parseFailure(err, {
          command: this.commandLine(),
          flags: { ...this.ctor.baseFlags, ...this.ctor.flags },
          args: this.ctor.args ?? {},
          argv: this.argv,
        }),
      );
    }
    if (err instanceof EcsdeployError) return this.fail(err);
    const debug = this.argv.includes('--debug') || ['1', 'true'].includes(process.env['ECSDEPLOY_DEBUG'] ?? '');
    if (debug) this.logToStderr(err.stack ?? String(err));
    return this.fail(
      new EcsdeployError(`Unexpected error: ${err.message}`, {
        code: 'ECSDEPLOY_BUG',
        suggestions: [
          debug
            ? 'This is a bug in ecsdeploy; please report it with the stack trace above.'
            : 'Run again with --debug for the stack trace, and report it as a bug.',
        ],
      }),
    );
  }

  private fail(err: EcsdeployError): never {
    if (this.jsonEnabled()) {
      this.logJson({
        error: {
          code: err.code,
          exitCode: err.exitCode,
          message: err.message,
          suggestions: err.suggestions,
          ...(err instanceof ConfigError ? { problems: err.problems } : {}),
        },
      });
    } else {
      const lines = [`Error: ${err.message}`, ...err.suggestions.map((s) => `Try this: ${s}`)];
      this.logToStderr(lines.join('\n'));
    }
    return this.exit(err.exitCode === ExitCode.Ok ? ExitCode.Failed : err.exitCode);
  }
}
