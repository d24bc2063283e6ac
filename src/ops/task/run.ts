/**
 * `task run`, `task logs`, `task stop`, `task list`: one-off tasks of a service.
 *
 * Which task definition `task run` runs (nothing is registered by hand):
 *   - default: the one the ECS service runs now (DescribeServices);
 *   - `--release N`: the revision release N ran (recorded in the release's rollout);
 *   - `--image REF`: REF resolved to its digest like `service deploy` does; accepted only when it is
 *     the image the service runs now or the image of a recorded release (then that release's
 *     revision). ECS cannot change a task's image at RunTask, so any other image is a usage error:
 *     deploy it first.
 */
import { EcsdeployError, ExitCode, UsageError } from '../../errors';
import { environmentNames } from '../../config/load';
import type { TaskState } from '../../aws/ecs-tasks';
import { findRelease, parseReleaseId, resolveImage, shortDigest, type Release } from '../releases';
import { drain, shortTaskDefinition } from '../deploy-watch';
import { liveDeps, openService, type ServiceContext, type ServiceDeps } from '../service/context';
import {
  checkContainer,
  describeService,
  logStreamOf,
  startOneOff,
  STARTED_BY,
  TAGS,
  taskId,
  tasksApi,
} from './one-off';
import { taskExitCode, watchTask, type TaskEvent, type TaskOutcome, type TaskWatchOptions } from './watch';

export type TaskDeps = Pick<ServiceDeps, 'apis' | 'store' | 'clock' | 'actor'>;

export const DEFAULT_TASK_TIMEOUT_MS = 60 * 60_000;

export interface TaskRunInput extends Pick<TaskWatchOptions, 'onInterrupt' | 'confirmStop'> {
  readonly dir: string;
  readonly env: string;
  readonly service: string;
  readonly command: readonly string[];
  readonly release?: string;
  readonly image?: string;
  readonly container?: string;
  readonly cpu?: number;
  readonly memory?: number;
  /** @default 1 hour */
  readonly timeoutMs?: number;
  /** Watch to STOPPED, streaming logs. @default true */
  readonly wait?: boolean;
  readonly onEvent?: (event: TaskRunEvent) => void;
}

export type TaskRunEvent =
  | {
      readonly type: 'started';
      readonly taskArn: string;
      readonly taskDefinition: string;
      readonly container: string;
      readonly source: string;
    }
  | { readonly type: 'task'; readonly event: TaskEvent };

export interface TaskRunResult {
  readonly environment: string;
  readonly service: string;
  readonly taskArn: string;
  readonly taskId: string;
  readonly taskDefinition: string;
  /** Where the task definition came from: `running`, `release #N`. */
  readonly source: string;
  readonly container: string;
  readonly command: readonly string[];
  readonly watched: boolean;
  readonly outcome?: TaskOutcome;
  /** The exit code the command exits with (the container's, when it ran). */
  readonly exitCode?: number;
  readonly logs?: { readonly group: string; readonly stream: string };
}

/** A task that did not run to an exit code: never started, lost, timed out or interrupted. */
export class TaskError extends EcsdeployError {
  constructor(
    message: string,
    readonly result: TaskRunResult,
    code: string,
    exitCode: ExitCode,
    suggestions: readonly string[],
  ) {
    super(message, { code, exitCode, suggestions });
    this.name = 'TaskError';
  }
}

export function taskDeps(): TaskDeps {
  const { apis, clock, actor } = liveDeps();
  return { apis, clock, actor };
}

/** The task definition `task run` runs, and where it came from. */
export async function chooseTaskDefinition(
  ctx: ServiceContext,
  input: { readonly release?: string; readonly image?: string },
  running: string,
): Promise<{ taskDefinition: string; source: string; release?: Release }> {
  if (input.release !== undefined && input.image !== undefined)
    throw new UsageError('--release and --image name the same thing two ways: give one.');
  const { ledger } = await ctx.store.read(ctx.env.name, ctx.service.name);
  const history = `List the releases: ecsdeploy service history ${ctx.service.name} --env ${ctx.env.name}.`;
  if (input.release !== undefined) {
    const id = parseReleaseId(input.release);
    const release = id === undefined ? undefined : findRelease(ledger, id);
    if (release === undefined)
      throw new UsageError(
        `--release ${input.release}: ${ctx.service.name} in ${ctx.env.name} has no release ${id === undefined ? 'by that name' : `#${id}`}.`,
        [history],
      );
    const td = release.rollout.taskDefinition;
    if (td === undefined) {
      throw new UsageError(
        `--release ${input.release}: release #${release.id} recorded no task definition (its stack was never applied: ${release.rollout.status}${release.rollout.reason ? `, ${release.rollout.reason}` : ''}).`,
        [history],
      );
    }
    return { taskDefinition: td, source: `release #${release.id}`, release };
  }
  if (input.image !== undefined) {
    const image = await resolveImage(input.image, {
      ecr: ctx.registry.ecr,
      region: ctx.project.config.region,
      repositoryName: ctx.names.repository,
      ...(ctx.service.image?.repository !== undefined ? { configuredRepository: ctx.service.image.repository } : {}),
      environments: environmentNames(ctx.project.root),
      allowMutableTag: true,
    });
    const td = await ctx.aws.ecs.describeTaskDefinition(running);
    if (td.containers.some((c) => c.name === ctx.names.container && c.image.endsWith(`@${image.digest}`)))
      return { taskDefinition: running, source: 'running' };
    const release = [...(ledger?.releases ?? [])]
      .reverse()
      .find((r) => r.image.digest === image.digest && r.rollout.taskDefinition !== undefined);
    if (release !== undefined)
      return { taskDefinition: release.rollout.taskDefinition!, source: `release #${release.id}`, release };
    throw new UsageError(
      `--image ${input.image} (${shortDigest(image.digest)}) is neither the image ${ctx.service.name} runs in ${ctx.env.name} nor the image of a recorded release: ECS cannot change a task's image when it runs it, and ecsdeploy registers no task definition by hand.`,
      [
        `Deploy it first (ecsdeploy service deploy ${ctx.service.name} --env ${ctx.env.name} --image ${input.image}), or run a recorded release with --release N.`,
        history,
      ],
    );
  }
  return { taskDefinition: running, source: 'running' };
}

export async function runTask(input: TaskRunInput, deps: TaskDeps = taskDeps()): Promise<TaskRunResult> {
  if (input.command.length === 0)
    throw new UsageError('No command: give it after --, e.g. ecsdeploy task run orders -- ./manage.py migrate.');
  const ctx = await openService(input.dir, input.env, input.service, deps);
  const service = await describeService(ctx);
  const chosen = await chooseTaskDefinition(ctx, input, service.taskDefinition);
  const timeoutMs = input.timeoutMs ?? DEFAULT_TASK_TIMEOUT_MS;
  const started = await startOneOff(ctx, service, {
    taskDefinition: chosen.taskDefinition,
    ...(input.container !== undefined ? { container: input.container } : {}),
    command: input.command,
    ...(input.cpu !== undefined ? { cpu: input.cpu } : {}),
    ...(input.memory !== undefined ? { memory: input.memory } : {}),
    actor: deps.actor(),
    purpose: 'task run',
    timeoutMs,
  });
  input.onEvent?.({
    type: 'started',
    taskArn: started.task.arn,
    taskDefinition: chosen.taskDefinition,
    container: started.container,
    source: chosen.source,
  });
  const base: TaskRunResult = {
    environment: ctx.env.name,
    service: ctx.service.name,
    taskArn: started.task.arn,
    taskId: taskId(started.task.arn),
    taskDefinition: chosen.taskDefinition,
    source: chosen.source,
    container: started.container,
    command: [...input.command],
    watched: input.wait !== false,
    ...(started.target.log ? { logs: started.target.log } : {}),
  };
  if (input.wait === false) return base;
  const outcome = await drain(
    watchTask(
      { tasks: tasksApi(ctx), ...(ctx.aws.logStreams ? { logs: ctx.aws.logStreams } : {}) },
      started.target,
      deps.clock,
      {
        ...(input.onInterrupt ? { onInterrupt: input.onInterrupt } : {}),
        ...(input.confirmStop ? { confirmStop: input.confirmStop } : {}),
      },
    ),
    (event) => input.onEvent?.({ type: 'task', event }),
  );
  const result: TaskRunResult = { ...base, outcome, exitCode: taskExitCode(outcome) };
  return finishTask(ctx, result);
}

/** An exit code is a result (0 or not); anything else is thrown as a TaskError. */
function finishTask(ctx: ServiceContext, result: TaskRunResult): TaskRunResult {
  const outcome = result.outcome!;
  const id = result.taskId;
  const logs = `ecsdeploy task logs ${ctx.service.name} ${id} --env ${ctx.env.name}`;
  switch (outcome.kind) {
    case 'exited':
      return result;
    case 'notStarted':
      throw new TaskError(
        `The task ${id} never started: ${outcome.reason}.`,
        result,
        'ECSDEPLOY_TASK_NOT_STARTED',
        ExitCode.Failed,
        [
          'CannotPullContainerError: the image or the execution role; ResourceInitializationError: secrets, logs or the network (ENI); RESOURCE:*: capacity (ecsdeploy cluster status).',
        ],
      );
    case 'failed':
      throw new TaskError(
        `The task ${id} stopped without an exit code for ${outcome.container}: ${outcome.reason}.`,
        result,
        'ECSDEPLOY_TASK_FAILED',
        ExitCode.Failed,
        [`Its logs: ${logs}.`],
      );
    case 'timedOut':
      throw new TaskError(
        `The task ${id} ran longer than the timeout and was stopped.`,
        result,
        'ECSDEPLOY_TASK_TIMEOUT',
        ExitCode.Failed,
        ['Give it longer with --timeout (e.g. --timeout 2h).', `Its logs: ${logs}.`],
      );
    case 'interrupted':
      throw new TaskError(
        outcome.stopped
          ? `Interrupted: the task ${id} was stopped.`
          : `Interrupted: stopped watching; the task ${id} runs on.`,
        result,
        'ECSDEPLOY_INTERRUPTED',
        ExitCode.Interrupted,
        outcome.stopped
          ? []
          : [
              `Follow it: ${logs} --follow; stop it: ecsdeploy task stop ${ctx.service.name} ${id} --env ${ctx.env.name}.`,
            ],
      );
  }
}

export interface TaskRef {
  readonly dir: string;
  readonly env: string;
  readonly service: string;
  /** Task id or ARN. */
  readonly task: string;
}

async function findTask(ctx: ServiceContext, task: string): Promise<TaskState> {
  const [found] = await tasksApi(ctx).describeTasks(ctx.names.cluster, [task]);
  if (found === undefined) {
    throw new EcsdeployError(
      `ECS knows no task ${task} in cluster ${ctx.names.cluster} (stopped tasks are kept about an hour).`,
      {
        code: 'ECSDEPLOY_NOT_FOUND',
        suggestions: [`List them: ecsdeploy task list ${ctx.service.name} --env ${ctx.env.name}.`],
      },
    );
  }
  return found;
}

export interface TaskLogsInput extends TaskRef, Pick<TaskWatchOptions, 'onInterrupt'> {
  readonly container?: string;
  /** Follow the log until the task stops. */
  readonly follow?: boolean;
}

/** The log lines of a task's container (its awslogs stream); with follow, until it stops. */
export async function* taskLogs(
  input: TaskLogsInput,
  deps: TaskDeps = taskDeps(),
): AsyncGenerator<{ timestamp: number; message: string }, void, void> {
  const ctx = await openService(input.dir, input.env, input.service, deps);
  const task = await findTask(ctx, input.task);
  const container = input.container ?? commandContainer(task) ?? ctx.names.container;
  const td = await ctx.aws.ecs.describeTaskDefinition(task.taskDefinition);
  checkContainer(td, container, '--container');
  const log = logStreamOf(td, container, task.arn);
  if (log === undefined)
    throw new UsageError(
      `The container ${container} does not log to CloudWatch (awslogs), so ecsdeploy cannot read its log.`,
    );
  if (ctx.aws.logStreams === undefined) throw new Error('task logs needs ServiceApis.logStreams');
  if (!input.follow || task.lastStatus === 'STOPPED') {
    const page = await ctx.aws.logStreams.readStream(log.group, log.stream);
    for (const e of page.events) yield { timestamp: e.timestamp, message: e.message };
    return;
  }
  const watch = watchTask(
    { tasks: tasksApi(ctx), logs: ctx.aws.logStreams },
    { cluster: ctx.names.cluster, taskArn: task.arn, container, log, timeoutMs: Number.MAX_SAFE_INTEGER / 2 },
    deps.clock,
    {
      ...(input.onInterrupt ? { onInterrupt: input.onInterrupt } : {}),
    },
  );
  for (;;) {
    const step = await watch.next();
    if (step.done) return;
    if (step.value.type === 'log') yield { timestamp: step.value.timestamp, message: step.value.message };
  }
}

export interface TaskStopResult {
  readonly taskArn: string;
  readonly lastStatus: string;
  readonly stopped: boolean;
}

/** Stops a task (saying who did); a task already stopped is left as it is. */
export async function stopTask(
  input: TaskRef & { readonly reason?: string },
  deps: TaskDeps = taskDeps(),
): Promise<TaskStopResult> {
  const ctx = await openService(input.dir, input.env, input.service, deps);
  const task = await findTask(ctx, input.task);
  if (task.lastStatus === 'STOPPED') return { taskArn: task.arn, lastStatus: task.lastStatus, stopped: false };
  await tasksApi(ctx).stopTask(
    ctx.names.cluster,
    task.arn,
    `ecsdeploy: stopped by ${deps.actor()}${input.reason ? `: ${input.reason}` : ''}`,
  );
  return { taskArn: task.arn, lastStatus: 'STOPPING', stopped: true };
}

export interface TaskSummary {
  readonly taskArn: string;
  readonly taskId: string;
  readonly taskDefinition: string;
  readonly lastStatus: string;
  readonly runBy?: string;
  readonly purpose?: string;
  readonly command?: readonly string[];
  readonly startedAt?: string;
  readonly stoppedAt?: string;
  readonly exitCode?: number;
  readonly stoppedReason?: string;
}

export interface TaskList {
  readonly environment: string;
  readonly service: string;
  readonly tasks: readonly TaskSummary[];
}

/** The one-off tasks ecsdeploy started for a service: running ones, and those stopped in the last hour or so. */
export async function listTasks(
  input: { readonly dir: string; readonly env: string; readonly service: string },
  deps: TaskDeps = taskDeps(),
): Promise<TaskList> {
  const ctx = await openService(input.dir, input.env, input.service, deps);
  const api = tasksApi(ctx);
  const arns = [
    ...(await api.listTasks(ctx.names.cluster, { startedBy: STARTED_BY, desiredStatus: 'RUNNING' })),
    ...(await api.listTasks(ctx.names.cluster, { startedBy: STARTED_BY, desiredStatus: 'STOPPED' })),
  ];
  const tasks = (await api.describeTasks(ctx.names.cluster, [...new Set(arns)])).filter(
    (t) => t.tags[TAGS.service] === ctx.service.name && t.tags[TAGS.environment] === ctx.env.name,
  );
  tasks.sort((a, b) => (b.createdAt ?? 0) - (a.createdAt ?? 0));
  return {
    environment: ctx.env.name,
    service: ctx.service.name,
    tasks: tasks.map((t) => summary(t, ctx.names.container)),
  };
}

function commandContainer(t: TaskState): string | undefined {
  return Object.keys(t.commands)[0];
}

function summary(t: TaskState, main: string): TaskSummary {
  const container = commandContainer(t) ?? main;
  const c = t.containers.find((x) => x.name === container);
  const iso = (ms?: number) => (ms === undefined ? undefined : new Date(ms).toISOString());
  const started = iso(t.startedAt);
  const stopped = iso(t.stoppedAt);
  return {
    taskArn: t.arn,
    taskId: taskId(t.arn),
    taskDefinition: shortTaskDefinition(t.taskDefinition),
    lastStatus: t.lastStatus,
    ...(t.tags[TAGS.runBy] ? { runBy: t.tags[TAGS.runBy] } : {}),
    ...(t.tags[TAGS.purpose] ? { purpose: t.tags[TAGS.purpose] } : {}),
    ...(t.commands[container] ? { command: t.commands[container] } : {}),
    ...(started ? { startedAt: started } : {}),
    ...(stopped ? { stoppedAt: stopped } : {}),
    ...(t.lastStatus === 'STOPPED' && c?.exitCode !== undefined ? { exitCode: c.exitCode } : {}),
    ...(t.stoppedReason ? { stoppedReason: t.stoppedReason } : {}),
  };
}
