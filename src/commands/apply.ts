import * as Flags from '@oclif/core/flags';
import { BaseCommand, envFlag, EXIT_CODES_SECTION } from '../base-command';
import { createInfraRunner, type ApplyReport } from '../ops/infra';
import { formatApply } from '../ui/infra-view';
import { planConfirmation, requireAnswerable, withInfraUi } from '../ui/infra-run';

export default class Apply extends BaseCommand {
  static override summary = 'Plan an environment, show the plan, and apply exactly that plan, stack by stack.';
  static override description = `Plans every selected stack (like \`ecsdeploy plan\`), shows the summary, asks for confirmation, then applies each stack's saved plan: what you confirmed is what is applied, resource for resource. Stacks are applied in dependency order (registry, cluster, then the services in parallel); progress is shown per stack, and each stack's outputs are printed at the end. Applying again without changes plans no changes and applies nothing.

A service stack that could not be planned before the cluster was applied (a new environment), or whose plan depends on cluster changes, is planned again right after the cluster is applied; if that plan differs from the one shown, it is shown and confirmed again before anything of it is applied.

Confirmation is asked on a terminal. Where nobody can answer (CI, no terminal) --yes is required, and without it apply stops before doing anything (exit 2).

While \`ecsdeploy cluster roll\` runs on the environment's Auto Scaling group (the group carries the tag ecsdeploy:roll), apply does not apply the cluster stack: applying it would remove that tag and set the group's max size back under the running roll. It reads the group before planning anything and again right before applying the cluster's plan, and stops (exit 1) saying since when the roll runs and how to finish it (let it finish, or resume it with \`ecsdeploy cluster roll --env ENV\`). The group is read only when the run includes the cluster stack and the environment has EC2 capacity; when it cannot be read, apply fails rather than apply without knowing. Service stacks (--stack SERVICE) are applied as usual during a roll.

Adopted services (an ECS service created outside ecsdeploy, taken over with \`ecsdeploy import service\`: adopt: in its file): their first plan imports the existing resources (Terraform import blocks) and changes them in place. apply refuses, before applying anything (exit 1), a plan that would replace or destroy an adopted ECS service, naming the attribute that forces it; --allow-replace applies it anyway. Once a stack's imports are applied, the release store records the adoption and the next synth has no import blocks.

The registry's ECR repositories are guarded the same way: a plan that replaces one (ECR cannot change a repository's encryption in place: registry.encryptionConfiguration in ecsdeploy.yaml) would delete it with its images, so apply refuses it (exit 1) unless --allow-replace.

Ctrl-C stops gracefully: the running engines finish the resource operations in flight, save the state and release the lock; no new stack starts. Run apply again to continue. Each stack has its own state (local files under .ecsdeploy/state/, or one key per stack in S3, see docs/engine.md); if another run holds a stack's lock, apply fails at once saying who holds it and since when, or waits with --lock-timeout.

${EXIT_CODES_SECTION}`;
  static override examples = [
    { description: 'Plan dev, confirm, apply', command: '<%= config.bin %> <%= command.id %> --env dev' },
    { description: 'In CI: no question asked', command: '<%= config.bin %> <%= command.id %> --env dev --yes' },
    {
      description: 'Only the orders service stack, waiting up to 5 minutes for another run to release its lock',
      command: '<%= config.bin %> <%= command.id %> --env prod --stack orders --yes --lock-timeout 5m',
    },
    {
      description: 'Apply although the plan replaces an adopted ECS service',
      command: '<%= config.bin %> <%= command.id %> --env prod --stack orders --allow-replace',
    },
  ];
  static override enableJsonFlag = true;
  static override flags = {
    'env': envFlag('Environment to apply.', 'change'),
    'stack': Flags.string({
      char: 's',
      summary: "Only these stacks: 'registry', 'cluster' or a service name (repeatable).",
      multiple: true,
    }),
    'yes': Flags.boolean({ char: 'y', summary: 'Apply without asking (required where nobody can answer, e.g. CI).' }),
    'lock-timeout': Flags.string({
      summary: 'Wait this long for a state lock held by another run (e.g. 30s, 5m) instead of failing at once.',
      default: '0s',
    }),
    'allow-replace': Flags.boolean({
      summary:
        'Apply even if the plan replaces or destroys an adopted ECS service (adopt: in a service file) or replaces an ECR repository.',
    }),
  };

  public async run(): Promise<ApplyReport> {
    const { flags } = await this.parse(Apply);
    const env = await this.environment(flags, 'change');
    requireAnswerable(flags.yes, 'apply');
    const json = this.jsonEnabled();
    const report = await withInfraUi({ json }, (ui) =>
      createInfraRunner({ lockTimeout: flags['lock-timeout'] }).apply({
        dir: flags.dir,
        env,
        stacks: flags.stack,
        onEvent: ui.onEvent,
        signal: ui.signal,
        confirm: planConfirmation({ yes: flags.yes, json, ui, question: `Apply these changes to ${env}?` }),
        allowReplace: flags['allow-replace'],
      }),
    );
    if (!json) this.log(`\n${formatApply(report)}`);
    return report;
  }
}
