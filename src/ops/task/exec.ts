/**
 * `service exec`: ECS Exec into a running task of a service.
 *
 * Before any AWS call it checks what it can see locally and says exactly what to add or install:
 * `enableExecuteCommand: true` in the service file (which grants the task role the ssmmessages
 * actions and turns on initProcessEnabled), and the Session Manager plugin on PATH. Then it picks the
 * task (--task, else a RUNNING task of the task definition the service runs now) and builds the
 * session: `aws ecs execute-command ...` when the AWS CLI is on PATH; else ExecuteCommand through the
 * SDK, and `session-manager-plugin` started with the session the way the AWS CLI starts it. The
 * command layer spawns it; nothing here touches the terminal.
 */
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';
import { EcsdeployError, UsageError } from '../../errors';
import { openService, type ServiceContext } from '../service/context';
import { describeService, taskId, tasksApi } from './one-off';
import { taskDeps, type TaskDeps } from './run';

export const SESSION_MANAGER_PLUGIN = 'session-manager-plugin';
export const DEFAULT_EXEC_COMMAND = '/bin/sh';

export interface ExecInput {
  readonly dir: string;
  readonly env: string;
  readonly service: string;
  readonly task?: string;
  readonly container?: string;
  /** @default an interactive shell (/bin/sh) */
  readonly command?: readonly string[];
  /** Only print the `aws ecs execute-command` line. */
  readonly print?: boolean;
}

/** What to run for the session, and how people would type it. */
export interface ExecPlan {
  readonly environment: string;
  readonly service: string;
  readonly cluster: string;
  readonly taskArn: string;
  readonly container: string;
  readonly command: string;
  /** The equivalent AWS CLI line (what --print prints). */
  readonly awsCli: string;
  /** The process to start: the AWS CLI, or the Session Manager plugin with the session (absent with --print). */
  readonly spawn?: {
    readonly via: 'aws-cli' | 'session-manager-plugin';
    readonly file: string;
    readonly args: readonly string[];
  };
}

export interface ExecDeps extends TaskDeps {
  /** Finds a program on PATH. @default PATH of process.env */
  which?(program: string): string | undefined;
}

/** The first executable `program` on PATH. */
export function which(program: string, env: NodeJS.ProcessEnv = process.env): string | undefined {
  const exts = process.platform === 'win32' ? (env['PATHEXT'] ?? '.EXE;.CMD;.BAT').split(';') : [''];
  for (const dir of (env['PATH'] ?? '').split(delimiter)) {
    if (dir === '') continue;
    for (const ext of exts) {
      const file = join(dir, program + ext);
      try {
        accessSync(file, constants.X_OK);
        return file;
      } catch {
        // not here
      }
    }
  }
  return undefined;
}

/** The checks made before any AWS call: exec enabled in the file, and the plugin installed. */
export function checkExecPrerequisites(
  ctx: Pick<ServiceContext, 'service' | 'env'>,
  plugin: string | undefined,
  print: boolean,
): void {
  if (!ctx.service.enableExecuteCommand) {
    throw new UsageError(
      `ECS Exec is not turned on for ${ctx.service.name} in ${ctx.env.name}: ${ctx.service.file} does not set enableExecuteCommand.`,
      [
        `Add \`enableExecuteCommand: true\` to ${ctx.service.file} (it grants the task role ssmmessages:CreateControlChannel, CreateDataChannel, OpenControlChannel and OpenDataChannel, and sets initProcessEnabled), then deploy: ecsdeploy service deploy ${ctx.service.name} --env ${ctx.env.name}. Only tasks started after that deploy accept a session.`,
      ],
    );
  }
  if (plugin === undefined && !print) {
    throw new UsageError(
      `The Session Manager plugin (${SESSION_MANAGER_PLUGIN}) is not on your PATH: ECS Exec sessions run through it.`,
      [
        'Install it: https://docs.aws.amazon.com/systems-manager/latest/userguide/session-manager-working-with-install-plugin.html (macOS: brew install --cask session-manager-plugin; Debian/Ubuntu: the session-manager-plugin.deb from that page; then check with `session-manager-plugin --version`).',
        'Or print the command to run elsewhere: --print.',
      ],
    );
  }
}

/** Shell-quotes one argument for the printed line. */
export function quote(arg: string): string {
  return /^[\w@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, `'\\''`)}'`;
}

/** The `aws ecs execute-command` arguments (after `aws`). */
export function awsCliArgs(o: {
  readonly region: string;
  readonly endpoint?: string;
  readonly cluster: string;
  readonly task: string;
  readonly container: string;
  readonly command: string;
}): string[] {
  return [
    'ecs',
    'execute-command',
    '--region',
    o.region,
    ...(o.endpoint ? ['--endpoint-url', o.endpoint] : []),
    '--cluster',
    o.cluster,
    '--task',
    o.task,
    '--container',
    o.container,
    '--interactive',
    '--command',
    o.command,
  ];
}

/**
 * The Session Manager plugin's arguments as the AWS CLI passes them: the session (JSON), the region,
 * `StartSession`, the profile, the target (JSON) and the ECS endpoint.
 */
export function pluginArgs(o: {
  readonly session: Record<string, unknown>;
  readonly region: string;
  readonly profile?: string;
  readonly cluster: string;
  readonly taskArn: string;
  readonly runtimeId: string;
  readonly endpoint?: string;
}): string[] {
  const target = `ecs:${o.cluster}_${taskId(o.taskArn)}_${o.runtimeId}`;
  return [
    JSON.stringify(o.session),
    o.region,
    'StartSession',
    o.profile ?? '',
    JSON.stringify({ Target: target }),
    o.endpoint ?? `https://ecs.${o.region}.amazonaws.com`,
  ];
}

/** The command of the session: the words given, joined (ECS Exec takes one string), else a shell. */
export function execCommand(command: readonly string[] | undefined): string {
  return command !== undefined && command.length > 0
    ? command.map((a) => (command.length === 1 ? a : quote(a))).join(' ')
    : DEFAULT_EXEC_COMMAND;
}

export async function planExec(input: ExecInput, deps: ExecDeps = taskDeps()): Promise<ExecPlan> {
  const find = deps.which ?? ((p: string) => which(p));
  const ctx = await openService(input.dir, input.env, input.service, deps);
  const plugin = find(SESSION_MANAGER_PLUGIN);
  checkExecPrerequisites(ctx, plugin, input.print === true);

  // Now AWS: the service must have exec on (a deploy since the file changed), and a task to enter.
  const service = await describeService(ctx);
  if (service.enableExecuteCommand === false) {
    throw new EcsdeployError(
      `${ctx.service.file} sets enableExecuteCommand, but the ECS service ${ctx.names.service} does not have it yet: it has not been deployed since.`,
      {
        code: 'ECSDEPLOY_EXEC_DISABLED',
        suggestions: [
          `Deploy it: ecsdeploy service deploy ${ctx.service.name} --env ${ctx.env.name}; tasks started after that accept a session.`,
        ],
      },
    );
  }
  const api = tasksApi(ctx);
  const container = input.container ?? ctx.names.container;
  let arn: string;
  let runtimeId: string | undefined;
  if (input.task !== undefined) {
    const [t] = await api.describeTasks(ctx.names.cluster, [input.task]);
    if (t === undefined || t.lastStatus !== 'RUNNING')
      throw new UsageError(
        `--task ${input.task}: ${t ? `the task is ${t.lastStatus}, not RUNNING` : `ECS knows no such task in cluster ${ctx.names.cluster}`}.`,
        [`Leave --task out to take a running task of ${ctx.service.name}.`],
      );
    arn = t.arn;
    runtimeId = t.containers.find((c) => c.name === container)?.runtimeId;
    if (!t.containers.some((c) => c.name === container))
      throw new UsageError(
        `--container ${container}: the task has no such container; its containers: ${t.containers.map((c) => c.name).join(', ')}.`,
      );
  } else {
    const arns = await api.listTasks(ctx.names.cluster, { serviceName: ctx.names.service, desiredStatus: 'RUNNING' });
    const tasks = (await api.describeTasks(ctx.names.cluster, arns)).filter((t) => t.lastStatus === 'RUNNING');
    const pick = tasks.find((t) => t.taskDefinition === service.taskDefinition) ?? tasks[0];
    if (pick === undefined) {
      throw new EcsdeployError(`${ctx.service.name} in ${ctx.env.name} has no RUNNING task to enter.`, {
        code: 'ECSDEPLOY_NOT_FOUND',
        suggestions: [`See why: ecsdeploy service status ${ctx.service.name} --env ${ctx.env.name}.`],
      });
    }
    arn = pick.arn;
    runtimeId = pick.containers.find((c) => c.name === container)?.runtimeId;
    if (!pick.containers.some((c) => c.name === container))
      throw new UsageError(
        `--container ${container}: the task has no such container; its containers: ${pick.containers.map((c) => c.name).join(', ')}.`,
      );
  }

  const command = execCommand(input.command);
  const region = ctx.env.region;
  const endpoint = ctx.env.endpoint;
  const cliArgs = awsCliArgs({
    region,
    ...(endpoint ? { endpoint } : {}),
    cluster: ctx.names.cluster,
    task: arn,
    container,
    command,
  });
  const plan = {
    environment: ctx.env.name,
    service: ctx.service.name,
    cluster: ctx.names.cluster,
    taskArn: arn,
    container,
    command,
    awsCli: ['aws', ...cliArgs].map(quote).join(' '),
  };
  if (input.print) return plan;
  const aws = find('aws');
  if (aws !== undefined) return { ...plan, spawn: { via: 'aws-cli', file: aws, args: cliArgs } };
  // No AWS CLI: open the session with the SDK and hand it to the plugin, as the AWS CLI does.
  const { session } = await api.executeCommand({ cluster: ctx.names.cluster, task: arn, container, command });
  if (runtimeId === undefined)
    throw new EcsdeployError(
      `ECS reports no runtime id for container ${container} of ${taskId(arn)}: it is not running yet.`,
      { code: 'ECSDEPLOY_EXEC_FAILED' },
    );
  const profile = process.env['AWS_PROFILE'];
  return {
    ...plan,
    spawn: {
      via: 'session-manager-plugin',
      file: plugin!,
      args: pluginArgs({
        session,
        region,
        ...(profile ? { profile } : {}),
        cluster: ctx.names.cluster,
        taskArn: arn,
        runtimeId,
        ...(endpoint ? { endpoint } : {}),
      }),
    },
  };
}
