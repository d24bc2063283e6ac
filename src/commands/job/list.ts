import { BaseCommand, envFlag, EXIT_CODES_SECTION } from '../../base-command';
import { listJobs, type JobList } from '../../ops/jobs';
import { formatJobList } from '../../ui/job-view';

export default class JobListCommand extends BaseCommand {
  static override summary =
    'List the scheduled jobs of an environment: schedules, next run, last runs and dead letters.';
  static override description = `For each job of the environment: its schedule as the job file says it and its state in EventBridge Scheduler (ENABLED, DISABLED, or not deployed), the next run time, the current release, the outcome of its last runs (the ECS tasks of its task definition family, started by the schedule or by \`job run\`: succeeded, failed with the exit code, not started with ECS's reason; ECS keeps stopped tasks about an hour), and the number of messages in its dead-letter queue (runs the scheduler could not start).

${EXIT_CODES_SECTION}`;
  static override examples = [
    { description: 'The jobs of prod', command: '<%= config.bin %> <%= command.id %> --env prod' },
  ];
  static override enableJsonFlag = true;
  static override flags = {
    env: envFlag('Environment.', 'read'),
  };

  public async run(): Promise<JobList> {
    const { flags } = await this.parse(JobListCommand);
    const env = await this.environment(flags, 'read');
    const list = await listJobs({ dir: flags.dir, env }, this.deps('job'));
    if (!this.jsonEnabled()) this.log(formatJobList(list));
    return list;
  }
}
