/**
 * One one-off task of a service: started from a task definition of the service, with one
 * container's command replaced, on the ECS service's own capacity (launch type or capacity
 * provider strategy) and network (awsvpc subnets and security groups; bridge and host need none),
 * as ECS reports them for the service: nothing is re-derived from the configuration by hand.
 * `task run` and `deployment.before` both start tasks here, and watch them with ./watch.
 */
import type { EcsService, TaskDefinitionInfo } from '../../aws/ecs';
import type { EcsTasksApi, TaskState } from '../../aws/ecs-tasks';
import { EcsdeployError, UsageError } from '../../errors';
import type { ServiceContext } from '../service/context';
import type { TaskTarget } from './watch';

/** `startedBy` of every task ecsdeploy starts (`task list` finds them by it). */
export const STARTED_BY = 'ecsdeploy';

/** Tags of a one-off task: who ran it, for which service and environment, and why. */
export const TAGS = {
  runBy: 'ecsdeploy:run-by',
  service: 'ecsdeploy:service',
  environment: 'ecsdeploy:environment',
  purpose: 'ecsdeploy:purpose',
} as const;

export interface OneOffRequest {
  readonly taskDefinition: string;
  /** The container whose command is replaced; its exit code decides. @default the main container */
  readonly container?: string;
  readonly command: readonly string[];
  readonly cpu?: number;
  readonly memory?: number;
  /** Who runs it (a tag). */
  readonly actor: string;
  /** Why (a tag): `task run`, `deployment.before 1 of 2`. */
  readonly purpose: string;
  readonly timeoutMs: number;
}

export interface StartedTask {
  readonly task: TaskState;
  readonly container: string;
  readonly target: TaskTarget;
}

/** The ECS service as ECS describes it; a service that does not exist yet is an error that says to deploy it. */
export async function describeService(ctx: ServiceContext): Promise<EcsService> {
  const { services } = await ctx.aws.ecs.describeServices(ctx.names.cluster, [ctx.names.service]);
  const service = services.find((s) => s.status !== 'INACTIVE');
  if (service === undefined) {
    throw new EcsdeployError(
      `There is no ECS service ${ctx.names.service} in cluster ${ctx.names.cluster}: its stack is not applied.`,
      {
        code: 'ECSDEPLOY_NOT_FOUND',
        suggestions: [`Deploy it first: ecsdeploy service deploy ${ctx.service.name} --env ${ctx.env.name}.`],
      },
    );
  }
  return service;
}

export function tasksApi(ctx: ServiceContext): EcsTasksApi {
  if (ctx.aws.tasks === undefined) throw new Error('one-off tasks need ServiceApis.tasks');
  return ctx.aws.tasks;
}

/** Tag values allow letters, digits, spaces and `_ . : / = + - @` (256 at most). */
export function tagValue(text: string): string {
  return text.replace(/[^\p{L}\p{N}\s_.:/=+\-@]/gu, '_').slice(0, 256);
}

/** The task's awslogs stream for a container: `<prefix>/<container>/<task id>`. */
export function logStreamOf(td: TaskDefinitionInfo, container: string, taskArn: string): TaskTarget['log'] {
  const c = td.containers.find((x) => x.name === container);
  if (c?.awslogs?.streamPrefix === undefined) return undefined;
  return { group: c.awslogs.group, stream: `${c.awslogs.streamPrefix}/${container}/${taskId(taskArn)}` };
}

/** `arn:aws:ecs:...:task/cluster/0123abcd` → `0123abcd`. */
export function taskId(arn: string): string {
  return arn.slice(arn.lastIndexOf('/') + 1);
}

/** Checks the container is in the task definition; says which are. */
export function checkContainer(td: TaskDefinitionInfo, container: string, flag: string): void {
  if (td.containers.length === 0 || td.containers.some((c) => c.name === container)) return;
  throw new UsageError(
    `${flag} ${container}: the task definition ${td.family}:${td.revision} has no container '${container}'.`,
    [`Its containers: ${td.containers.map((c) => c.name).join(', ')}.`],
  );
}

/** Starts the task on the service's capacity and network; returns it with what a watcher needs. */
export async function startOneOff(ctx: ServiceContext, service: EcsService, req: OneOffRequest): Promise<StartedTask> {
  const container = req.container ?? ctx.names.container;
  const td = await ctx.aws.ecs.describeTaskDefinition(req.taskDefinition);
  checkContainer(td, container, req.container !== undefined ? '--container' : 'the main container');
  const task = await tasksApi(ctx).runTask({
    cluster: ctx.names.cluster,
    taskDefinition: req.taskDefinition,
    container,
    command: req.command,
    ...(req.cpu !== undefined ? { cpu: req.cpu } : {}),
    ...(req.memory !== undefined ? { memory: req.memory } : {}),
    ...(service.capacityProviderStrategy
      ? { capacityProviderStrategy: service.capacityProviderStrategy }
      : service.launchType
        ? { launchType: service.launchType }
        : {}),
    ...(service.network ? { network: service.network } : {}),
    startedBy: STARTED_BY,
    tags: {
      [TAGS.runBy]: tagValue(req.actor),
      [TAGS.service]: ctx.service.name,
      [TAGS.environment]: ctx.env.name,
      [TAGS.purpose]: tagValue(req.purpose),
    },
  });
  const log = logStreamOf(td, container, task.arn);
  return {
    task,
    container,
    target: {
      cluster: ctx.names.cluster,
      taskArn: task.arn,
      container,
      timeoutMs: req.timeoutMs,
      ...(log ? { log } : {}),
    },
  };
}

/** A `deployment.before` command as ECS runs it: a string through `sh -c`, a list as it is. */
export function commandOf(command: string | readonly string[]): string[] {
  return typeof command === 'string' ? ['sh', '-c', command] : [...command];
}

/** How people read a command: the shell string, or the list joined with quoting where needed. */
export function showCommand(command: string | readonly string[]): string {
  if (typeof command === 'string') return command;
  return command.map((a) => (/^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`)).join(' ');
}
