/**
 * One-off ECS tasks as plain data: run one (RunTask), read it (DescribeTasks), stop it (StopTask),
 * list those ecsdeploy started (ListTasks by startedBy, paginated), and open an ECS Exec session
 * (ExecuteCommand). Small on purpose, so src/ops runs against AWS, moto or a simulation alike. The
 * calls shared with the other ECS adapters are made by ./ecs-sdk.ts.
 */
import type { ECSClient } from '@aws-sdk/client-ecs';
import { EcsdeployError } from '../errors';
import { awsError, type AwsClients } from './clients';
import type { TaskPlacement } from './ecs';
import { clusterNotFound, describeTasks, ecsSdk, listTaskArns } from './ecs-sdk';

/** What a one-off task runs on and where: the ECS service's own capacity and network (./ecs.ts). */
export type { TaskPlacement };

export interface RunTaskRequest extends TaskPlacement {
  readonly cluster: string;
  readonly taskDefinition: string;
  /** The container whose command is replaced. */
  readonly container: string;
  /** The command that replaces the container's; empty: the container's own. */
  readonly command: readonly string[];
  /** Task-level size overrides (CPU units, MiB). */
  readonly cpu?: number;
  readonly memory?: number;
  readonly startedBy: string;
  readonly tags: Readonly<Record<string, string>>;
}

export interface TaskContainerState {
  readonly name: string;
  readonly lastStatus?: string;
  readonly exitCode?: number;
  readonly reason?: string;
  /** The container's runtime id (ECS Exec targets `ecs:<cluster>_<task id>_<runtime id>`). */
  readonly runtimeId?: string;
}

export interface TaskState {
  readonly arn: string;
  readonly taskDefinition: string;
  /** PROVISIONING, PENDING, ACTIVATING, RUNNING, DEACTIVATING, STOPPING, DEPROVISIONING, STOPPED. */
  readonly lastStatus: string;
  readonly desiredStatus: string;
  readonly startedBy?: string;
  /** Epoch ms. */
  readonly createdAt?: number;
  readonly startedAt?: number;
  readonly stoppedAt?: number;
  /** TaskFailedToStart, EssentialContainerExited, UserInitiated, ... */
  readonly stopCode?: string;
  readonly stoppedReason?: string;
  readonly containers: readonly TaskContainerState[];
  readonly tags: Readonly<Record<string, string>>;
  /** The command override of each container, as run. */
  readonly commands: Readonly<Record<string, readonly string[]>>;
}

export interface EcsTasksApi {
  /** Starts one task; ECS's failure (no capacity, ...) is an EcsdeployError with ECS's reason. */
  runTask(request: RunTaskRequest): Promise<TaskState>;
  /** The tasks ECS still knows (stopped ones for about an hour); unknown ARNs are left out. */
  describeTasks(cluster: string, arns: readonly string[]): Promise<TaskState[]>;
  stopTask(cluster: string, arn: string, reason: string): Promise<void>;
  /** ARNs of the tasks started with this startedBy, running or (recently) stopped. */
  listTasks(
    cluster: string,
    options: {
      readonly startedBy?: string;
      readonly family?: string;
      readonly desiredStatus: 'RUNNING' | 'STOPPED';
      readonly serviceName?: string;
    },
  ): Promise<string[]>;
  /** ECS Exec: the session for the Session Manager plugin. */
  executeCommand(request: {
    readonly cluster: string;
    readonly task: string;
    readonly container: string;
    readonly command: string;
  }): Promise<{ readonly session: Record<string, unknown> }>;
}

const ms = (d: Date | undefined): number | undefined => (d === undefined ? undefined : d.getTime());

export function ecsTasksApi(clients: AwsClients): EcsTasksApi {
  const sdk = ecsSdk();
  const client = (): ECSClient => clients.ecs();
  const clusterMissing = (err: unknown, cluster: string) => clusterNotFound(err, cluster, clients.target.region);

  return {
    async runTask(r) {
      let out: import('@aws-sdk/client-ecs').RunTaskCommandOutput;
      try {
        out = await client().send(
          new sdk.RunTaskCommand({
            cluster: r.cluster,
            taskDefinition: r.taskDefinition,
            count: 1,
            startedBy: r.startedBy,
            ...(r.capacityProviderStrategy?.length
              ? { capacityProviderStrategy: r.capacityProviderStrategy.map((s) => ({ ...s })) }
              : r.launchType
                ? { launchType: r.launchType as 'EC2' }
                : {}),
            ...(r.network
              ? {
                  networkConfiguration: {
                    awsvpcConfiguration: {
                      subnets: [...r.network.subnets],
                      securityGroups: [...r.network.securityGroups],
                      assignPublicIp: r.network.assignPublicIp ? 'ENABLED' : 'DISABLED',
                    },
                  },
                }
              : {}),
            overrides: {
              // An empty command keeps the container's own (a scheduled job run as it is scheduled).
              containerOverrides: r.command.length > 0 ? [{ name: r.container, command: [...r.command] }] : [],
              ...(r.cpu !== undefined ? { cpu: String(r.cpu) } : {}),
              ...(r.memory !== undefined ? { memory: String(r.memory) } : {}),
            },
            tags: Object.entries(r.tags).map(([key, value]) => ({ key, value })),
            propagateTags: 'TASK_DEFINITION',
            enableECSManagedTags: true,
          }),
        );
      } catch (err) {
        throw clusterMissing(err, r.cluster) ?? awsError(err, `running a task of ${r.taskDefinition}`);
      }
      const task = out.tasks?.[0];
      if (task === undefined) {
        const reasons = (out.failures ?? []).map(
          (f) => `${f.reason ?? 'failed'}${f.detail ? ` (${f.detail})` : ''}${f.arn ? ` [${f.arn}]` : ''}`,
        );
        throw new EcsdeployError(`ECS did not start the task: ${reasons.join('; ') || 'no reason given'}.`, {
          code: 'ECSDEPLOY_TASK_NOT_STARTED',
          suggestions: [
            'RESOURCE:CPU / RESOURCE:MEMORY: the cluster has no room; `ecsdeploy cluster status` shows its capacity.',
          ],
        });
      }
      return toTask(task);
    },

    async describeTasks(cluster, arns) {
      try {
        return (await describeTasks(client(), cluster, arns, ['TAGS'])).map(toTask);
      } catch (err) {
        throw clusterMissing(err, cluster) ?? awsError(err, `describing tasks of cluster ${cluster}`);
      }
    },

    async stopTask(cluster, arn, reason) {
      try {
        await client().send(new sdk.StopTaskCommand({ cluster, task: arn, reason: reason.slice(0, 255) }));
      } catch (err) {
        throw clusterMissing(err, cluster) ?? awsError(err, `stopping the task ${arn}`);
      }
    },

    async listTasks(cluster, o) {
      try {
        return await listTaskArns(client(), {
          cluster,
          desiredStatus: o.desiredStatus,
          ...(o.startedBy ? { startedBy: o.startedBy } : {}),
          ...(o.family ? { family: o.family } : {}),
          ...(o.serviceName ? { serviceName: o.serviceName } : {}),
        });
      } catch (err) {
        throw clusterMissing(err, cluster) ?? awsError(err, `listing the tasks of cluster ${cluster}`);
      }
    },

    async executeCommand(r) {
      try {
        const out = await client().send(
          new sdk.ExecuteCommandCommand({
            cluster: r.cluster,
            task: r.task,
            container: r.container,
            command: r.command,
            interactive: true,
          }),
        );
        return { session: { ...(out.session ?? {}) } as Record<string, unknown> };
      } catch (err) {
        throw clusterMissing(err, r.cluster) ?? awsError(err, `opening an ECS Exec session in ${r.task}`);
      }
    },
  };
}

function toTask(t: import('@aws-sdk/client-ecs').Task): TaskState {
  return {
    arn: t.taskArn ?? '',
    taskDefinition: t.taskDefinitionArn ?? '',
    lastStatus: t.lastStatus ?? 'PROVISIONING',
    desiredStatus: t.desiredStatus ?? 'RUNNING',
    ...(t.startedBy ? { startedBy: t.startedBy } : {}),
    ...(t.createdAt ? { createdAt: ms(t.createdAt)! } : {}),
    ...(t.startedAt ? { startedAt: ms(t.startedAt)! } : {}),
    ...(t.stoppedAt ? { stoppedAt: ms(t.stoppedAt)! } : {}),
    ...(t.stopCode ? { stopCode: t.stopCode } : {}),
    ...(t.stoppedReason ? { stoppedReason: t.stoppedReason } : {}),
    containers: (t.containers ?? []).map((c) => ({
      name: c.name ?? '',
      ...(c.lastStatus ? { lastStatus: c.lastStatus } : {}),
      ...(c.exitCode !== undefined && c.exitCode !== null ? { exitCode: c.exitCode } : {}),
      ...(c.reason ? { reason: c.reason } : {}),
      ...(c.runtimeId ? { runtimeId: c.runtimeId } : {}),
    })),
    tags: Object.fromEntries((t.tags ?? []).map((x) => [x.key ?? '', x.value ?? ''])),
    commands: Object.fromEntries(
      (t.overrides?.containerOverrides ?? []).filter((o) => o.command).map((o) => [o.name ?? '', [...o.command!]]),
    ),
  };
}
