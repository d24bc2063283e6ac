import * as Flags from '@oclif/core/flags';
import { BaseCommand, envFlag, EXIT_CODES_SECTION } from '../../base-command';
import { clusterRoll, DEFAULT_TIMEOUT, type RollReport } from '../../ops/cluster-roll';
import { requireRollAnswerable, withRollUi } from '../../ui/roll-run';
import { formatRollReport } from '../../ui/roll-view';

export default class ClusterRoll extends BaseCommand {
  static override summary =
    "Replace every out-of-date EC2 instance of an environment's cluster, in batches, without losing a task.";
  static override description = `After an AMI or instance type change is applied, the Auto Scaling group launches new instances from a newer launch template than the one its running instances came from. This replaces those instances safely: no service ever runs fewer tasks than its deployment's minimumHealthyPercent allows, and no instance is terminated while a task still runs on it.

First it plans from what AWS reports: which instances are out of date (another launch template version, instance type or AMI than the group launches now), where every task runs, and how much room the other instances have. A batch is only as large as the others can take the tasks that must keep running; where there is no such room, the group gets temporary extra instances (surge: its desired capacity, and its max size if needed, are raised), which the last batches give back instead of being replaced. --dry-run shows this plan and stops; otherwise it is shown and confirmed (--yes where nobody can answer).

Then, batch by batch: the batch's container instances are set to DRAINING; ECS moves their tasks to ACTIVE instances as each service's minimumHealthyPercent and maximumPercent allow; once an instance runs no task it is terminated in the group, which launches its replacement; the roll waits until the replacements are in service and ACTIVE in the cluster, plans again from what AWS reports, and goes on. A drain that makes no progress for 5 minutes (ECS placing tasks one by one can fragment the free space) gets one more surge instance, within --surge. At the end the group's original min and max sizes are restored. Progress is shown live per batch and instance.

One roll at a time: a run claims the group's roll lock before it changes anything, atomically (an object created only if absent beside the state: in the state bucket with S3's If-None-Match: *, or under .ecsdeploy/rolls/ with local state), and releases it when it ends, also on Ctrl-C. A second run on the same group stops at once (exit 1), naming the run that holds the lock, since when, and its lock ID; if that run died (killed, its machine gone), --force-unlock LOCK_ID releases the lock and rolls.

Nothing is left half done. While it runs, the group carries a tag (ecsdeploy:roll) with its original sizes, and \`ecsdeploy apply\` does not apply the environment's cluster stack (that would remove the tag and set the max size back under the roll; plan only warns); service stacks can be applied meanwhile. Ctrl-C stops between two steps; running the same command again resumes from what AWS reports: instances already replaced are not touched again, a batch left DRAINING is finished, the surge is kept and given back at the end. An instance that does not drain within --timeout (for example one running a task that belongs to no service, which ECS does not move) stops the roll: it is set back to ACTIVE, not terminated, and the tasks that held it are named. A replacement that does not join the cluster within --timeout stops the roll too, naming it.

Without --env it rolls the default environment (ECSDEPLOY_ENV, else defaultEnvironment in ecsdeploy.yaml, else the project's only environment) and says which; a protected environment is never rolled by default: type --env (--dry-run only reads, so it takes a protected default too).

An environment on demand that shares its base's cluster (the default of \`ecsdeploy env create\`) has no instances of its own: its tasks run on the base's, so --env with its name is a usage error naming the base to roll instead. An isolated one (--isolated) has its own cluster and is rolled like any other.

--strategy instance-refresh instead starts the group's own instance refresh (skipping instances that already match), with its minimum and maximum healthy percentages taken from the same plan, and relies on the capacity provider's managed draining (or the lifecycle-hook draining Lambda) to drain each instance before it is terminated; it watches the refresh to its end. Ctrl-C then stops watching only: the refresh goes on in AWS, and running the command again watches it again.

${EXIT_CODES_SECTION}
  (roll: 1 when another roll holds the group's lock, an instance would not drain, a replacement never joined the cluster, no batch can be made, or an instance refresh failed; 130 leaves every finished step in place and the rest for the next run)`;
  static override examples = [
    {
      description:
        "Roll the default environment's cluster (defaultEnvironment in ecsdeploy.yaml; a protected one must be typed), asking first",
      command: '<%= config.bin %> <%= command.id %>',
    },
    {
      description: 'See what would be replaced, in which batches, with how many extra instances',
      command: '<%= config.bin %> <%= command.id %> --env prod --dry-run',
    },
    { description: 'Roll prod, asking first', command: '<%= config.bin %> <%= command.id %> --env prod' },
    {
      description: 'In CI: a quarter of the group at a time, at most 2 extra instances, up to 45 minutes per step',
      command: '<%= config.bin %> <%= command.id %> --env prod --batch 25% --surge 2 --timeout 45m --yes',
    },
    {
      description: "Never below the group's size: only as many at once as extra instances",
      command: '<%= config.bin %> <%= command.id %> --env prod --surge 2 --max-unavailable 0 --yes',
    },
    {
      description: 'Resume after a roll that was killed and left its lock (the lock error names the ID)',
      command:
        '<%= config.bin %> <%= command.id %> --env prod --force-unlock 0b6f3c1e-7d2a-4a59-9b1e-2f0c8d4e5a61 --yes',
    },
    {
      description: "Let the group's own instance refresh do it, and watch it",
      command: '<%= config.bin %> <%= command.id %> --env prod --strategy instance-refresh --yes',
    },
  ];
  static override enableJsonFlag = true;
  static override flags = {
    'env': envFlag('Environment.', 'change'),
    'batch': Flags.string({
      summary:
        'Most instances drained at once: a number, or a percentage of the group (e.g. 25%). Default: 20%, at least 1.',
    }),
    'surge': Flags.integer({
      summary:
        'Most extra instances added while rolling. Default: the batch size, or as many as the largest old instance needs.',
      min: 0,
    }),
    'max-unavailable': Flags.integer({
      summary: "Most instances below the group's desired capacity at once. Default: as capacity allows.",
      min: 0,
    }),
    'timeout': Flags.string({
      summary: 'Longest wait for one step: a batch to drain, replacements to join (e.g. 45m, 1h).',
      default: DEFAULT_TIMEOUT,
    }),
    'strategy': Flags.string({
      summary: "'drain' (drain, terminate, replace, batch by batch) or 'instance-refresh' (the group's own refresh).",
      options: ['drain', 'instance-refresh'],
      default: 'drain',
    }),
    'dry-run': Flags.boolean({ summary: 'Show the plan and stop; nothing is changed.' }),
    'yes': Flags.boolean({ char: 'y', summary: 'Roll without asking (required where nobody can answer, e.g. CI).' }),
    'force-unlock': Flags.string({
      summary: 'Release the roll lock with this ID, left by a run that died (the lock error names it), then roll.',
      helpValue: 'LOCK_ID',
      exclusive: ['dry-run'],
    }),
  };

  public async run(): Promise<RollReport> {
    const { flags } = await this.parse(ClusterRoll);
    const env = await this.environment(flags, flags['dry-run'] ? 'read' : 'change');
    requireRollAnswerable({ yes: flags.yes, dryRun: flags['dry-run'], env });
    const json = this.jsonEnabled();
    const report = await withRollUi({ json, yes: flags.yes }, (ui) =>
      clusterRoll(
        {
          dir: flags.dir,
          env,
          flags: {
            strategy: flags.strategy,
            timeout: flags.timeout,
            dryRun: flags['dry-run'],
            ...(flags.batch !== undefined ? { batch: flags.batch } : {}),
            ...(flags.surge !== undefined ? { surge: flags.surge } : {}),
            ...(flags['max-unavailable'] !== undefined ? { maxUnavailable: flags['max-unavailable'] } : {}),
          },
          ...(flags['force-unlock'] !== undefined ? { forceUnlock: flags['force-unlock'] } : {}),
          ...ui,
        },
        this.deps('cluster'),
      ),
    );
    if (!json) this.log(formatRollReport(report));
    return report;
  }
}
