import * as Flags from '@oclif/core/flags';
import { BaseCommand, EXIT_CODES_SECTION } from '../../base-command';
import { ExitCode } from '../../errors';
import { gcEnvironments, type GcResult } from '../../ops/environments';
import { formatGc } from '../../ui/env-view';
import { withInfraUi } from '../../ui/infra-run';

export default class EnvGc extends BaseCommand {
  static override summary =
    'Destroy every environment on demand whose time to live has run out (for a scheduled CI job).';
  static override description = `Finds the environments on demand past their expiry and destroys each like \`env destroy NAME --yes\`: its stacks, state, release ledgers and record. It does not ask: it is meant to run unattended, e.g. every hour from a scheduled workflow (examples/github-actions/env-gc.yml). --dry-run only lists what would be destroyed.

One environment that cannot be destroyed does not stop the others: each failure is reported, and the command then exits 1. An environment extended while gc runs is left alone (its record is read again just before it is destroyed). Records that cannot be read are reported and never destroyed.

${EXIT_CODES_SECTION}`;
  static override examples = [
    { description: 'What has expired, destroying nothing', command: '<%= config.bin %> <%= command.id %> --dry-run' },
    { description: 'In a scheduled CI job', command: '<%= config.bin %> <%= command.id %> --json' },
  ];
  static override enableJsonFlag = true;
  static override flags = {
    'dry-run': Flags.boolean({ summary: 'List the expired environments; destroy nothing.' }),
    'lock-timeout': Flags.string({
      summary: 'Wait this long for a state lock held by another run (e.g. 30s, 5m) instead of failing at once.',
      default: '0s',
    }),
  };

  public async run(): Promise<GcResult> {
    const { flags } = await this.parse(EnvGc);
    const json = this.jsonEnabled();
    const result = await withInfraUi({ json }, (ui) =>
      gcEnvironments(
        {
          dir: flags.dir,
          dryRun: flags['dry-run'],
          onEvent: ui.onEvent,
          signal: ui.signal,
          lockTimeout: flags['lock-timeout'],
          onEnvironment: (name, phase, message) =>
            ui.onEvent({
              type: 'notice',
              message:
                phase === 'started'
                  ? `env gc: destroying ${name} (expired)`
                  : phase === 'destroyed'
                    ? `env gc: ${name} destroyed`
                    : `env gc: ${name} FAILED: ${message?.split('\n')[0]}`,
            }),
        },
        this.deps('environments'),
      ),
    );
    if (!json) this.log(`\n${formatGc(result)}`);
    // The report is the output either way; failures (or an interruption) make the exit code 1.
    if (result.failed.length > 0 || result.notStarted.length > 0) process.exitCode = ExitCode.Failed;
    return result;
  }
}
