import * as Flags from '@oclif/core/flags';
import { BaseCommand, envFlag, EXIT_CODES_SECTION } from '../base-command';
import { ExitCode } from '../errors';
import { createInfraRunner, type PlanReport } from '../ops/infra';
import { formatPlan } from '../ui/infra-view';
import { formatPlanMarkdown } from '../ui/plan-markdown';
import { withInfraUi } from '../ui/infra-run';

export default class Plan extends BaseCommand {
  static override summary = 'Show what apply would change in an environment, stack by stack (changes nothing).';
  static override description = `Synthesizes the environment's stacks, initializes each one with the Terraform engine when needed (once: a second plan does not init again), and plans them in dependency order: the shared registry, then the cluster, then the service stacks, which are planned in parallel. For every stack it prints what would be added, changed in place, replaced and destroyed, and for ECS services and task definitions the change that matters: image from → to, cpu and memory, desired count, deployment strategy.

A service stack reads the cluster's outputs, so when the cluster has changes (or does not exist yet) the service's plan may be possible only after the cluster is applied: it is then shown as deferred, and \`apply\` plans it at the right moment.

When the cluster stack is planned while \`ecsdeploy cluster roll\` runs on the environment's Auto Scaling group, the plan is made as usual and a warning under it says so: the group's changes may be the roll's own (its tag, a raised max size), and apply refuses the cluster stack until the roll has finished. A group that cannot be read is a warning too. Neither changes the exit code.

The engine is \`terraform\` or \`tofu\` (1.6 or later), chosen by \`engine:\` in ecsdeploy.yaml or ECSDEPLOY_ENGINE. Its full output goes to a log file under .ecsdeploy/logs/, named in every error. Plan takes the state lock of each stack while it reads it; if another run holds it, plan fails at once saying who holds it and since when (or waits, with --lock-timeout).

${EXIT_CODES_SECTION}

With --json the same summary is printed as data; with --format markdown it is printed as Markdown for a pull-request comment or $GITHUB_STEP_SUMMARY (progress stays on stderr). The exit code still tells changes (3) from none (0).`;
  static override examples = [
    { description: 'Plan every stack of dev', command: '<%= config.bin %> <%= command.id %> --env dev' },
    {
      description: 'Only the orders service stack',
      command: '<%= config.bin %> <%= command.id %> --env dev --stack orders',
    },
    {
      description: 'In CI: fail the job step on drift, keep the summary as data',
      command: '<%= config.bin %> <%= command.id %> --env prod --json > plan.json; test $? -ne 1',
    },
    {
      description: "On GitHub Actions: the plan on the run's summary page (3, changes, is not a failure)",
      command:
        '<%= config.bin %> <%= command.id %> --env prod --format markdown >> "$GITHUB_STEP_SUMMARY" || test $? -eq 3',
    },
  ];
  static override enableJsonFlag = true;
  static override flags = {
    'env': envFlag('Environment to plan.', 'read'),
    'stack': Flags.string({
      char: 's',
      summary: "Only these stacks: 'registry', 'cluster' or a service name (repeatable).",
      multiple: true,
    }),
    'format': Flags.option({
      options: ['text', 'markdown'] as const,
      summary: 'How to print the plan: text, or Markdown for a pull-request comment or $GITHUB_STEP_SUMMARY.',
      default: 'text',
      exclusive: ['json'],
    })(),
    'lock-timeout': Flags.string({
      summary: 'Wait this long for a state lock held by another run (e.g. 30s, 5m) instead of failing at once.',
      default: '0s',
    }),
  };

  public async run(): Promise<PlanReport> {
    const { flags } = await this.parse(Plan);
    const env = await this.environment(flags, 'read');
    const report = await withInfraUi({ json: this.jsonEnabled() }, (ui) =>
      createInfraRunner({ lockTimeout: flags['lock-timeout'] }).plan({
        dir: flags.dir,
        env,
        stacks: flags.stack,
        onEvent: ui.onEvent,
        signal: ui.signal,
      }),
    );
    if (!this.jsonEnabled())
      this.log(flags.format === 'markdown' ? formatPlanMarkdown(report) : `\n${formatPlan(report)}`);
    if (report.changes) {
      if (this.jsonEnabled()) this.logJson(report);
      this.exit(ExitCode.ChangesPresent);
    }
    return report;
  }
}
