import { BaseCommand, envFlag, EXIT_CODES_SECTION } from '../../base-command';
import { clusterStatus, type ClusterStatus } from '../../ops/cluster-roll';
import { formatStatus } from '../../ui/roll-view';

export default class ClusterStatusCommand extends BaseCommand {
  static override summary =
    "Show an environment's EC2 instances: which are out of date, their tasks, and capacity against what the services need.";
  static override description = `Reads the environment's Auto Scaling group (<project>-<env>-ecs) and ECS cluster (<project>-<env>) and shows every instance: its type, the launch template version it was launched from, whether it is out of date (another template version, instance type or AMI than what the group launches now, and why), its lifecycle state in the group, its ECS status (ACTIVE, DRAINING, or not registered), its running tasks, and its free and registered CPU and memory.

Then the services that run on these instances (Fargate services need none), with their desired and running counts, the CPU and memory one task reserves, and their deployment's minimumHealthyPercent and maximumPercent; and the capacity the services need (every desired task, daemons once per instance), the least they keep running while tasks move, against what the ACTIVE instances registered.

Out-of-date instances are replaced with \`ecsdeploy cluster roll\`. A roll that was interrupted or stopped is shown here too, with how to finish it (until it is finished, \`ecsdeploy apply\` does not apply the environment's cluster stack). Nothing is changed.

An environment on demand that shares its base's cluster (the default of \`ecsdeploy env create\`) has no instances of its own: its tasks run on the base's, so --env with its name is a usage error naming the base to show instead. An isolated one (--isolated) has its own cluster and is shown like any other.

${EXIT_CODES_SECTION}`;
  static override examples = [
    {
      description: 'The instances of prod, and what is out of date',
      command: '<%= config.bin %> <%= command.id %> --env prod',
    },
    {
      description: 'The same as JSON, e.g. to count out-of-date instances',
      command: "<%= config.bin %> <%= command.id %> --env prod --json | jq '.outdated'",
    },
  ];
  static override enableJsonFlag = true;
  static override flags = {
    env: envFlag('Environment.', 'read'),
  };

  public async run(): Promise<ClusterStatus> {
    const { flags } = await this.parse(ClusterStatusCommand);
    const env = await this.environment(flags, 'read');
    const status = await clusterStatus({ dir: flags.dir, env }, this.deps('cluster'));
    if (!this.jsonEnabled()) this.log(formatStatus(status));
    return status;
  }
}
