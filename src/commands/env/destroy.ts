import * as Args from '@oclif/core/args';
import * as Flags from '@oclif/core/flags';
import { BaseCommand, EXIT_CODES_SECTION } from '../../base-command';
import { destroyEnvironment, type DestroyEnvironmentResult } from '../../ops/environments';
import { formatDestroyEnvironment } from '../../ui/env-view';
import { planConfirmation, requireAnswerable, withInfraUi } from '../../ui/infra-run';

export default class EnvDestroy extends BaseCommand {
  static override summary = 'Destroy an environment on demand and everything it left: stacks, state, releases, record.';
  static override description = `Destroys the environment's stacks in reverse dependency order (its services, then its own cluster if it is isolated; a shared base cluster is never touched), after showing the plan and asking (--yes where nobody can answer). Then it removes their folders under cdktf.out/stacks/, their Terraform state (local files or S3 objects), the environment's release ledgers and, last, its record.

An environment whose creation failed half-way is destroyed the same way: stacks that were never applied have nothing to destroy and are skipped without running the engine. If the destroy itself stops (an error, Ctrl-C), the record stays, marked destroying, and running the command again finishes the job.

Permanent environments (files in environments/) are refused: destroy their stacks with \`ecsdeploy destroy --env NAME\`.

${EXIT_CODES_SECTION}`;
  static override examples = [
    {
      description: 'Destroy an environment, after confirming its plan',
      command: '<%= config.bin %> <%= command.id %> feature-login',
    },
    {
      description: 'When its pull request is closed (no error if gc removed it already)',
      command: '<%= config.bin %> <%= command.id %> pr-1234 --yes --if-exists',
    },
  ];
  static override enableJsonFlag = true;
  static override args = {
    name: Args.string({ description: 'Environment on demand to destroy.', required: true }),
  };
  static override flags = {
    'yes': Flags.boolean({ char: 'y', summary: 'Destroy without asking (required where nobody can answer, e.g. CI).' }),
    'if-exists': Flags.boolean({
      summary: 'Succeed with nothing to do when there is no environment on demand of that name.',
    }),
    'lock-timeout': Flags.string({
      summary: 'Wait this long for a state lock held by another run (e.g. 30s, 5m) instead of failing at once.',
      default: '0s',
    }),
  };

  public async run(): Promise<DestroyEnvironmentResult> {
    const { args, flags } = await this.parse(EnvDestroy);
    requireAnswerable(flags.yes, 'env destroy');
    const json = this.jsonEnabled();
    const result = await withInfraUi({ json }, (ui) =>
      destroyEnvironment(
        {
          dir: flags.dir,
          name: args.name,
          ifExists: flags['if-exists'],
          onEvent: ui.onEvent,
          signal: ui.signal,
          lockTimeout: flags['lock-timeout'],
          confirm: planConfirmation({
            yes: flags.yes,
            json,
            ui,
            question: `Destroy environment ${args.name}? This cannot be undone.`,
          }),
        },
        this.deps('environments'),
      ),
    );
    if (!json) this.log(`\n${formatDestroyEnvironment(result)}`);
    return result;
  }
}
