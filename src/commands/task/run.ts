import * as Args from '@oclif/core/args';
import * as Flags from '@oclif/core/flags';
import { BaseCommand, envFlag, EXIT_CODES_SECTION } from '../../base-command';
import { parseTimeout } from '../../ops/service';
import { runTask, type TaskRunResult } from '../../ops/task';
import { formatTaskRun, withTaskUi } from '../../ui/task-view';

export default class TaskRun extends BaseCommand {
  static override summary =
    "Run a one-off task from a service's task definition with the command replaced, stream its log, and exit with its exit code.";
  static override description = `Runs one task of the service's task definition, with the command of the main container (or --container) replaced by the words after --, on the service's own capacity (launch type or capacity provider strategy) and network (awsvpc subnets and security groups, or bridge), as ECS reports them for the service. The task is started by "ecsdeploy" and tagged with who ran it (ecsdeploy:run-by).

Which task definition: the one the service runs now; --release N the revision release N ran; --image REF (resolved to its digest as deploy does) only when it is the running image or a recorded release's image: ECS cannot change a task's image, so deploy another image first.

While it runs, its container's CloudWatch log lines are printed on stdout as they arrive; progress goes to stderr. It waits for STOPPED and exits with the container's exit code. A task that never started (no capacity, image pull, ENI, secrets) exits 1 with ECS's stopped reason, never 0. --timeout (default 1h) stops the task and exits 1. Ctrl-C asks whether to stop the task (in CI it only stops watching), then exits 130.

--no-wait --json prints the task ARN and returns: \`ecsdeploy task logs\`, \`task stop\` and \`task list\` take it from there.

${EXIT_CODES_SECTION}
  (task run: the container's exit code once it ran; 1 when the task never started, stopped without an exit code, or ran past --timeout)`;
  static override examples = [
    {
      description: 'Run database migrations with the image that runs now in dev',
      command: '<%= config.bin %> <%= command.id %> orders --env dev -- ./manage.py migrate',
    },
    {
      description: 'A shell one-liner, on the revision of release 12, with more memory',
      command:
        "<%= config.bin %> <%= command.id %> orders --env prod --release 12 --memory 2048 -- sh -c 'echo $DATABASE_URL | cut -c1-10'",
    },
    {
      description: 'In a script: start it and get the task ARN',
      command: '<%= config.bin %> <%= command.id %> orders --env dev --no-wait --json -- ./bin/reindex',
    },
  ];
  static override enableJsonFlag = true;
  static override strict = false;
  static override args = {
    service: Args.string({
      description: 'Service whose task definition runs (a file services/<name>.yaml). The command follows --.',
      required: true,
    }),
  };
  static override flags = {
    env: envFlag('Environment to run it in.', 'change'),
    image: Flags.string({
      char: 'i',
      summary: "The image to run: the running one or a recorded release's (a tag, sha256:..., or repo@sha256:...).",
      exclusive: ['release'],
    }),
    release: Flags.string({
      char: 'r',
      summary: 'Run the task definition revision of this release (12, #12).',
      exclusive: ['image'],
    }),
    container: Flags.string({
      char: 'c',
      summary: 'Container whose command is replaced and whose exit code counts (default: the main container).',
    }),
    cpu: Flags.integer({ summary: 'Task CPU units for this run (e.g. 512).', min: 1 }),
    memory: Flags.integer({ summary: 'Task memory in MiB for this run (e.g. 2048).', min: 1 }),
    timeout: Flags.string({ summary: 'Stop the task after this long, e.g. 30m, 2h (default 1h).' }),
    wait: Flags.boolean({
      summary: 'Stream the log and wait for the exit code (--no-wait: return once ECS accepted the task).',
      default: true,
      allowNo: true,
    }),
  };

  public async run(): Promise<TaskRunResult> {
    const { args, argv, flags } = await this.parse(TaskRun);
    const command = (argv as string[]).slice(1);
    const env = await this.environment(flags, 'change');
    const result = await withTaskUi({ json: this.jsonEnabled() }, (ui) =>
      runTask(
        {
          dir: flags.dir,
          env,
          service: args.service,
          command,
          ...(flags.release !== undefined ? { release: flags.release } : {}),
          ...(flags.image !== undefined ? { image: flags.image } : {}),
          ...(flags.container !== undefined ? { container: flags.container } : {}),
          ...(flags.cpu !== undefined ? { cpu: flags.cpu } : {}),
          ...(flags.memory !== undefined ? { memory: flags.memory } : {}),
          ...(flags.timeout ? { timeoutMs: parseTimeout(flags.timeout) } : {}),
          wait: flags.wait,
          ...ui,
        },
        this.deps('task'),
      ),
    );
    // The container's exit code is the command's.
    return this.finishRun(result, formatTaskRun);
  }
}
