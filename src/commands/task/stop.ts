import * as Args from '@oclif/core/args';
import * as Flags from '@oclif/core/flags';
import { BaseCommand, envFlag, EXIT_CODES_SECTION } from '../../base-command';
import { stopTask, type TaskStopResult } from '../../ops/task';

export default class TaskStop extends BaseCommand {
  static override summary = 'Stop a one-off task (ECS sends SIGTERM, then SIGKILL after the stop timeout).';
  static override description = `Stops the task with a reason that says who stopped it. A task already stopped is left as it is (exit 0).

${EXIT_CODES_SECTION}`;
  static override examples = [
    {
      description: 'Stop a task started with task run --no-wait',
      command: '<%= config.bin %> <%= command.id %> orders 0a1b2c3d4e5f --env dev --reason "wrong flags"',
    },
  ];
  static override enableJsonFlag = true;
  static override args = {
    service: Args.string({ description: 'Service.', required: true }),
    task: Args.string({ description: 'Task id or ARN.', required: true }),
  };
  static override flags = {
    env: envFlag('Environment.', 'change'),
    reason: Flags.string({ summary: 'Why (recorded as part of the stopped reason).' }),
  };

  public async run(): Promise<TaskStopResult> {
    const { args, flags } = await this.parse(TaskStop);
    const env = await this.environment(flags, 'change');
    const result = await stopTask(
      {
        dir: flags.dir,
        env,
        service: args.service,
        task: args.task,
        ...(flags.reason ? { reason: flags.reason } : {}),
      },
      this.deps('task'),
    );
    if (!this.jsonEnabled())
      this.log(result.stopped ? `Stopping ${result.taskArn}.` : `${result.taskArn} had already stopped.`);
    return result;
  }
}
