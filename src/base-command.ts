/**
 * The base of every command: the shared flags, and the one place errors become messages and exit
 * codes. An EcsdeployError is the user's to act on: its message, suggestions and exit code, no
 * stack. Anything else is a bug: one line, and the stack only with --debug.
 */
import { Command, Flags } from '@oclif/core';
import { EcsdeployError, ExitCode } from './errors';

export const EXIT_CODES_SECTION = `EXIT CODES
  0  success (plan: no changes)
  1  the operation failed
  2  usage or configuration error: a bad flag, an invalid file, an unknown environment
  3  plan: changes present`;

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
    if (err instanceof EcsdeployError) {
      this.error(err.message, { exit: err.exitCode, code: err.code, suggestions: [...err.suggestions] });
    }
    if (err.oclif !== undefined) throw err; // oclif's own parse and exit errors carry their exit codes
    const debug = this.argv.includes('--debug') || process.env['ECSDEPLOY_DEBUG'] === 'true' || process.env['ECSDEPLOY_DEBUG'] === '1';
    if (debug) this.logToStderr(err.stack ?? String(err));
    this.error(`Unexpected error: ${err.message}`, {
      exit: ExitCode.Failed,
      code: 'ECSDEPLOY_BUG',
      suggestions: debug ? ['This is a bug in ecsdeploy; please report it with the stack trace above.'] : ['Run again with --debug for the stack trace, and report it as a bug.'],
    });
  }
}
