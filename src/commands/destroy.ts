import * as Flags from '@oclif/core/flags';
import { BaseCommand, envFlag, EXIT_CODES_SECTION } from '../base-command';
import { UsageError } from '../errors';
import { createInfraRunner, type DestroyReport } from '../ops/infra';
import { formatDestroy } from '../ui/infra-view';
import { planConfirmation, requireAnswerable, withInfraUi } from '../ui/infra-run';
import { ask, interactive } from '../ui/prompt';

export default class Destroy extends BaseCommand {
  static override summary = "Destroy an environment's stacks, services first, after showing what goes.";
  static override description = `Plans the destruction of every selected stack, shows it, asks for confirmation, and destroys in reverse dependency order: the service stacks first (in parallel), then the cluster.

The registry stack (the ECR repositories and their images) is shared by every environment, so it is kept unless you name it: --stack registry. The output says so.

An environment with \`protected: true\` (prod in the examples) is refused. To destroy it anyway, pass --force and type the environment's name when asked; where nobody can type (CI), pass --force --confirm-env NAME. Either way the plan is shown and, without --yes, confirmed as usual.

Where nobody can answer (CI, no terminal) --yes is required (exit 2 otherwise). Ctrl-C stops gracefully: the engine finishes what it is doing, saves the state and releases the lock.

${EXIT_CODES_SECTION}`;
  static override examples = [
    { description: 'Destroy dev (the registry is kept)', command: '<%= config.bin %> <%= command.id %> --env dev' },
    {
      description: 'Only the web service stack, in CI',
      command: '<%= config.bin %> <%= command.id %> --env dev --stack web --yes',
    },
    {
      description: 'A protected environment, from a script',
      command: '<%= config.bin %> <%= command.id %> --env prod --force --confirm-env prod --yes',
    },
  ];
  static override enableJsonFlag = true;
  static override flags = {
    'env': envFlag('Environment to destroy.', 'change'),
    'stack': Flags.string({
      char: 's',
      summary:
        "Only these stacks: 'cluster', a service name, or 'registry' (repeatable). Default: all but the registry.",
      multiple: true,
    }),
    'yes': Flags.boolean({ char: 'y', summary: 'Destroy without asking (required where nobody can answer, e.g. CI).' }),
    'force': Flags.boolean({
      summary: 'Allow destroying a protected environment (protected: true); you are asked to type its name.',
    }),
    'confirm-env': Flags.string({
      summary: 'With --force: the environment name, typed in advance (for scripts).',
      dependsOn: ['force'],
    }),
    'lock-timeout': Flags.string({
      summary: 'Wait this long for a state lock held by another run (e.g. 30s, 5m) instead of failing at once.',
      default: '0s',
    }),
  };

  public async run(): Promise<DestroyReport> {
    const { flags } = await this.parse(Destroy);
    const env = await this.environment(flags, 'change');
    requireAnswerable(flags.yes, 'destroy');
    const json = this.jsonEnabled();
    const typed = flags['confirm-env'];
    const report = await withInfraUi({ json }, (ui) =>
      createInfraRunner({ lockTimeout: flags['lock-timeout'] }).destroy({
        dir: flags.dir,
        env,
        stacks: flags.stack,
        onEvent: ui.onEvent,
        signal: ui.signal,
        force: flags.force,
        confirmEnvironment: async (env) => {
          if (typed !== undefined) return typed;
          if (!interactive())
            throw new UsageError(
              `Environment '${env}' is protected and nobody can type its name here: pass --confirm-env ${env}.`,
            );
          return ask(`'${env}' is a protected environment. Type its name to destroy it: `);
        },
        confirm: planConfirmation({
          yes: flags.yes,
          json,
          ui,
          question: `Destroy these resources of ${env}? This cannot be undone.`,
        }),
      }),
    );
    if (!json) this.log(`\n${formatDestroy(report)}`);
    return report;
  }
}
