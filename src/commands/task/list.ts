import * as Args from '@oclif/core/args';
import { BaseCommand, envFlag, EXIT_CODES_SECTION } from '../../base-command';
import { listTasks, type TaskList } from '../../ops/task';
import { formatTaskList } from '../../ui/task-view';

export default class TaskListCommand extends BaseCommand {
  static override summary =
    'List the one-off tasks ecsdeploy started for a service (task run, deployment.before): running, and stopped in the last hour or so.';
  static override description = `Newest first: task id, status, exit code, task definition revision, who ran it, why (task run, deployment.before N of M) and the command.

${EXIT_CODES_SECTION}`;
  static override examples = [
    {
      description: 'The one-off tasks of orders in dev',
      command: '<%= config.bin %> <%= command.id %> orders --env dev',
    },
  ];
  static override enableJsonFlag = true;
  static override args = {
    service: Args.string({ description: 'Service.', required: true }),
  };
  static override flags = {
    env: envFlag('Environment.', 'read'),
  };

  public async run(): Promise<TaskList> {
    const { args, flags } = await this.parse(TaskListCommand);
    const env = await this.environment(flags, 'read');
    const result = await listTasks({ dir: flags.dir, env, service: args.service }, this.deps('task'));
    if (!this.jsonEnabled()) this.log(formatTaskList(result));
    return result;
  }
}
