import * as Args from '@oclif/core/args';
import * as Flags from '@oclif/core/flags';
import { BaseCommand, envFlag, EXIT_CODES_SECTION } from '../../base-command';
import { runJob, type JobRunResult } from '../../ops/jobs';
import { parseTimeout } from '../../ops/service';
import { formatTaskRun, withTaskUi } from '../../ui/task-view';

export default class JobRun extends BaseCommand {
  static override summary =
    'Run a scheduled job now, as its schedule would, stream its log, and exit with its exit code.';
  static override description = `Starts one task of the job now with what its schedule runs (the task definition, capacity and network of the schedule's target in EventBridge Scheduler, the container's own command), even when the schedule is paused (enabled: false). Same rule as \`task run\`: the log lines are printed as they arrive, and the command exits with the main container's exit code; a task that never started, stopped without an exit code, or ran past --timeout (default 1h) exits 1; Ctrl-C asks whether to stop the task, then exits 130.

${EXIT_CODES_SECTION}
  (job run: the container's exit code once it ran; 1 when the task never started, stopped without an exit code, or ran past --timeout)`;
  static override examples = [
    {
      description: 'Run the nightly report now in dev',
      command: '<%= config.bin %> <%= command.id %> nightly-report --env dev',
    },
    {
      description: 'Start it and return the task ARN',
      command: '<%= config.bin %> <%= command.id %> nightly-report --env dev --no-wait --json',
    },
  ];
  static override enableJsonFlag = true;
  static override args = {
    job: Args.string({ description: 'Job to run (a file jobs/<name>.yaml).', required: true }),
  };
  static override flags = {
    env: envFlag('Environment to run it in.', 'change'),
    timeout: Flags.string({ summary: 'Stop the task after this long, e.g. 30m, 2h (default 1h).' }),
    wait: Flags.boolean({
      summary: 'Stream the log and wait for the exit code (--no-wait: return once ECS accepted the task).',
      default: true,
      allowNo: true,
    }),
  };

  public async run(): Promise<JobRunResult> {
    const { args, flags } = await this.parse(JobRun);
    const env = await this.environment(flags, 'change');
    const result = await withTaskUi({ json: this.jsonEnabled() }, (ui) =>
      runJob(
        {
          dir: flags.dir,
          env,
          job: args.job,
          ...(flags.timeout ? { timeoutMs: parseTimeout(flags.timeout) } : {}),
          wait: flags.wait,
          ...ui,
        },
        this.deps('job'),
      ),
    );
    // The container's exit code is the command's.
    return this.finishRun(result, formatTaskRun);
  }
}
