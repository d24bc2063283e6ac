/**
 * `job run NAME`: runs a scheduled job now, exactly as its schedule would: the task definition,
 * capacity and network its schedule's target names (read from EventBridge Scheduler, not
 * re-derived), the container's own command. The task is started and watched by the one-off task
 * runner of `task run` (src/ops/task), and the command exits with the same rule: the container's
 * exit code once it ran; 1 when it never started, stopped without an exit code or timed out.
 */
import { EcsdeployError, ExitCode } from '../../errors';
import { drain } from '../deploy-watch';
import { logStreamOf, STARTED_BY, TAGS, tagValue, taskId } from '../task/one-off';
import { DEFAULT_TASK_TIMEOUT_MS, TaskError, type TaskRunEvent, type TaskRunResult } from '../task/run';
import { taskExitCode, watchTask, type TaskOutcome, type TaskWatchOptions } from '../task/watch';
import { openJob, type JobDeps } from './context';
import { jobDeps } from './deploy';

export interface JobRunInput extends Pick<TaskWatchOptions, 'onInterrupt' | 'confirmStop'> {
  readonly dir: string;
  readonly env: string;
  readonly job: string;
  /** @default 1 hour */
  readonly timeoutMs?: number;
  /** Watch to STOPPED, streaming logs. @default true */
  readonly wait?: boolean;
  readonly onEvent?: (event: TaskRunEvent) => void;
}

/** TaskRunResult's shape (so `task run`'s view prints it), with the job's name as `service`. */
export type JobRunResult = TaskRunResult & { readonly job: string };

export async function runJob(input: JobRunInput, deps: JobDeps = jobDeps()): Promise<JobRunResult> {
  const ctx = await openJob(input.dir, input.env, input.job, deps);
  const { names } = ctx;
  const schedule = await ctx.jobs.scheduler.getSchedule(names.scheduleGroup, names.schedule);
  if (schedule?.target.taskDefinition === undefined) {
    throw new EcsdeployError(
      `Job ${input.job} has no schedule in ${ctx.env.name} (${names.scheduleGroup}/${names.schedule}): its stack is not applied.`,
      {
        code: 'ECSDEPLOY_NOT_FOUND',
        suggestions: [`Deploy it first: ecsdeploy job deploy ${input.job} --env ${ctx.env.name}.`],
      },
    );
  }
  const tasks = ctx.aws.tasks;
  if (tasks === undefined) throw new Error('job run needs ServiceApis.tasks');
  const taskDefinition = schedule.target.taskDefinition;
  const td = await ctx.aws.ecs.describeTaskDefinition(taskDefinition);
  const container = names.container;
  const task = await tasks.runTask({
    cluster: names.cluster,
    taskDefinition,
    container,
    command: [],
    ...(schedule.target.capacityProviderStrategy
      ? { capacityProviderStrategy: schedule.target.capacityProviderStrategy }
      : schedule.target.launchType
        ? { launchType: schedule.target.launchType }
        : {}),
    ...(schedule.target.network ? { network: schedule.target.network } : {}),
    startedBy: STARTED_BY,
    tags: {
      [TAGS.runBy]: tagValue(deps.actor()),
      'ecsdeploy:job': ctx.job.name,
      [TAGS.environment]: ctx.env.name,
      [TAGS.purpose]: 'job run',
    },
  });
  input.onEvent?.({
    type: 'started',
    taskArn: task.arn,
    taskDefinition,
    container,
    source: `schedule ${names.schedule}`,
  });
  const log = logStreamOf(td, container, task.arn);
  const base: JobRunResult = {
    environment: ctx.env.name,
    service: ctx.job.name,
    job: ctx.job.name,
    taskArn: task.arn,
    taskId: taskId(task.arn),
    taskDefinition,
    source: `schedule ${names.schedule}`,
    container,
    command: [...(ctx.job.command ?? [])],
    watched: input.wait !== false,
    ...(log ? { logs: log } : {}),
  };
  if (input.wait === false) return base;
  const outcome = await drain(
    watchTask(
      { tasks, ...(ctx.aws.logStreams ? { logs: ctx.aws.logStreams } : {}) },
      {
        cluster: names.cluster,
        taskArn: task.arn,
        container,
        timeoutMs: input.timeoutMs ?? DEFAULT_TASK_TIMEOUT_MS,
        ...(log ? { log } : {}),
      },
      deps.clock,
      {
        ...(input.onInterrupt ? { onInterrupt: input.onInterrupt } : {}),
        ...(input.confirmStop ? { confirmStop: input.confirmStop } : {}),
      },
    ),
    (event) => input.onEvent?.({ type: 'task', event }),
  );
  return finish(
    { ...base, outcome, exitCode: taskExitCode(outcome) },
    outcome,
    `ecsdeploy job list --env ${ctx.env.name}`,
  );
}

/** An exit code is a result (0 or not); anything else is a TaskError, as for `task run`. */
function finish(result: JobRunResult, outcome: TaskOutcome, list: string): JobRunResult {
  const id = result.taskId;
  switch (outcome.kind) {
    case 'exited':
      return result;
    case 'notStarted':
      throw new TaskError(
        `The task ${id} of job ${result.job} never started: ${outcome.reason}.`,
        result,
        'ECSDEPLOY_TASK_NOT_STARTED',
        ExitCode.Failed,
        [
          'CannotPullContainerError: the image or the execution role; ResourceInitializationError: secrets, logs or the network (ENI); RESOURCE:*: capacity (ecsdeploy cluster status).',
        ],
      );
    case 'failed':
      throw new TaskError(
        `The task ${id} of job ${result.job} stopped without an exit code: ${outcome.reason}.`,
        result,
        'ECSDEPLOY_TASK_FAILED',
        ExitCode.Failed,
        [`Its runs: ${list}.`],
      );
    case 'timedOut':
      throw new TaskError(
        `The task ${id} of job ${result.job} ran longer than the timeout and was stopped.`,
        result,
        'ECSDEPLOY_TASK_TIMEOUT',
        ExitCode.Failed,
        ['Give it longer with --timeout (e.g. --timeout 2h).'],
      );
    case 'interrupted':
      throw new TaskError(
        outcome.stopped
          ? `Interrupted: the task ${id} was stopped.`
          : `Interrupted: stopped watching; the task ${id} runs on.`,
        result,
        'ECSDEPLOY_INTERRUPTED',
        ExitCode.Interrupted,
        [`Its runs: ${list}.`],
      );
  }
}
