/**
 * The base of every command: the shared flags, and the one place errors become messages and exit
 * codes. An EcsdeployError is the user's to act on: its message (never re-wrapped, so file:line
 * problems stay one per line), what to do next, and its exit code; no stack. Anything else is a
 * bug: one line, and the stack only with --debug. With --json, errors are JSON on stdout too.
 */
import { Command } from '@oclif/core/command';
import * as Flags from '@oclif/core/flags';
import { ConfigError, EcsdeployError, ExitCode } from './errors';

export const EXIT_CODES_SECTION = `EXIT CODES
    0  success (plan: no changes)
    1  the operation failed
    2  usage or configuration error: a bad flag, an invalid file, an unknown environment
    3  plan: changes present
  130  interrupted (Ctrl-C): stopped gracefully; run the same command again to continue`;

export abstract class BaseCommand extends Command {
  static override baseFlags = {
    dir: Flags.directory({
      char: 'C',
      summary: 'Project folder (the one holding ecsdeploy.yaml).',
      default: '.',
      env: 'ECSDEPLOY_DIR',
      helpGroup: 'GLOBAL',
    }),
    debug: Flags.boolean({ summary: 'Show stack traces of unexpected errors.', helpGroup: 'GLOBAL', env: 'ECSDEPLOY_DEBUG' }),
  };

  protected override async catch(err: Error & { exitCode?: number; oclif?: { exit?: number } }): Promise<unknown> {
    if (err.oclif !== undefined) throw err; // oclif's own parse, help and exit errors carry their exit codes
    if (err instanceof EcsdeployError) return this.fail(err);
    const debug = this.argv.includes('--debug') || ['1', 'true'].includes(process.env['ECSDEPLOY_DEBUG'] ?? '');
    if (debug) this.logToStderr(err.stack ?? String(err));
    return this.fail(
      new EcsdeployError(`Unexpected error: ${err.message}`, {
        code: 'ECSDEPLOY_BUG',
        suggestions: [debug ? 'This is a bug in ecsdeploy; please report it with the stack trace above.' : 'Run again with --debug for the stack trace, and report it as a bug.'],
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
