import * as Args from '@oclif/core/args';
import * as Flags from '@oclif/core/flags';
import { BaseCommand, envFlag, EXIT_CODES_SECTION } from '../../base-command';
import { taskLogs } from '../../ops/task';

export default class TaskLogs extends BaseCommand {
  static override summary =
    'Print the log of a one-off task (the container whose command was replaced); --follow until it stops.';
  static override description = `Reads the task's awslogs stream (<prefix>/<container>/<task id>) from its start. With --follow it keeps printing new lines until the task stops (or Ctrl-C). With --json each line is a JSON object.

${EXIT_CODES_SECTION}`;
  static override examples = [
    {
      description: 'The log of a task started with --no-wait',
      command: '<%= config.bin %> <%= command.id %> orders 0a1b2c3d4e5f --env dev --follow',
    },
  ];
  static override args = {
    service: Args.string({ description: 'Service.', required: true }),
    task: Args.string({
      description: 'Task id or ARN (task run --no-wait --json prints it; task list lists them).',
      required: true,
    }),
  };
  static override flags = {
    env: envFlag('Environment.', 'read'),
    container: Flags.string({
      char: 'c',
      summary: 'Container (default: the one whose command was replaced, else the main container).',
    }),
    follow: Flags.boolean({ char: 'f', summary: 'Keep printing new lines until the task stops.' }),
    json: Flags.boolean({ summary: 'One JSON object per line.' }),
  };

  public async run(): Promise<void> {
    const { args, flags } = await this.parse(TaskLogs);
    const env = await this.environment(flags, 'read');
    let stop: (() => void) | undefined;
    const onSignal = () => (stop ? stop() : process.exit(130));
    process.on('SIGINT', onSignal);
    try {
      const lines = taskLogs(
        {
          dir: flags.dir,
          env,
          service: args.service,
          task: args.task,
          follow: flags.follow,
          ...(flags.container !== undefined ? { container: flags.container } : {}),
          onInterrupt: (h) => {
            stop = h;
            return () => (stop = undefined);
          },
        },
        this.deps('task'),
      );
      for await (const e of lines) this.log(flags.json ? JSON.stringify(e) : e.message);
    } finally {
      process.off('SIGINT', onSignal);
    }
  }
}
