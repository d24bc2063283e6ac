/**
 * What the service operations read from ECS, as plain data: services with their deployments and
 * events, stopped tasks with their reasons, task definitions. Small on purpose, so src/ops runs
 * against AWS, the moto server or a simulation alike. The calls are made by ./ecs-sdk.ts (every
 * list paginated, every batch split to the API's limits), shared with the other ECS adapters.
 */
import type { ECSClient } from '@aws-sdk/client-ecs';
import { awsError, type AwsClients } from './clients';
import {
  clusterNotFound,
  describeServices,
  describeTaskDefinition,
  describeTasks,
  lastPart,
  listServiceArns,
  listTaskArns,
} from './ecs-sdk';

export { clusterNotFound } from './ecs-sdk';

export interface EcsDeployment {
  readonly id: string;
  /** PRIMARY (the newest), ACTIVE (older, draining) or INACTIVE. */
  readonly status: string;
  readonly taskDefinition: string;
  readonly desiredCount: number;
  readonly runningCount: number;
  readonly pendingCount: number;
  readonly failedTasks: number;
  /** IN_PROGRESS, COMPLETED or FAILED; absent where ECS does not track it. */
  readonly rolloutState?: string;
  readonly rolloutStateReason?: string;
  /** Epoch ms. */
  readonly createdAt: number;
  readonly updatedAt: number;
}

export interface EcsServiceEvent {
  readonly id: string;
  /** Epoch ms. */
  readonly createdAt: number;
  readonly message: string;
}

/**
 * Where a service's tasks run, as ECS reports it: a launch type or a capacity provider strategy, and
 * for awsvpc tasks their network. One-off tasks (./ecs-tasks.ts) and scheduled jobs' targets
 * (./scheduler.ts) are placed the same way.
 */
export interface TaskPlacement {
  /** EC2, FARGATE or EXTERNAL, when a launch type is used. */
  readonly launchType?: string;
  readonly capacityProviderStrategy?: ReadonlyArray<{
    readonly capacityProvider: string;
    readonly weight: number;
    readonly base: number;
  }>;
  /** awsvpc tasks only: their subnets and security groups. */
  readonly network?: {
    readonly subnets: readonly string[];
    readonly securityGroups: readonly string[];
    readonly assignPublicIp: boolean;
  };
}

export interface EcsService extends TaskPlacement {
  readonly name: string;
  readonly arn: string;
  /** ACTIVE, DRAINING or INACTIVE. */
  readonly status: string;
  readonly desiredCount: number;
  readonly runningCount: number;
  readonly pendingCount: number;
  readonly taskDefinition: string;
  /** ECS (rolling), CODE_DEPLOY or EXTERNAL. */
  readonly deploymentController: string;
  readonly deployments: readonly EcsDeployment[];
  /** Newest first, as ECS returns them (at most 100). */
  readonly events: readonly EcsServiceEvent[];
  readonly targetGroupArns: readonly string[];
  /** ECS Exec is turned on for its tasks. */
  readonly enableExecuteCommand?: boolean;
}

export interface StoppedTask {
  readonly arn: string;
  readonly taskDefinition: string;
  /** `ecs-svc/<deployment id>` for tasks a service started. */
  readonly startedBy?: string;
  /** Epoch ms. */
  readonly stoppedAt?: number;
  readonly stopCode?: string;
  readonly stoppedReason?: string;
  readonly containers: ReadonlyArray<{ readonly name: string; readonly exitCode?: number; readonly reason?: string }>;
}

export interface TaskDefinitionInfo {
  readonly arn: string;
  readonly family: string;
  readonly revision: number;
  readonly containers: ReadonlyArray<{
    readonly name: string;
    readonly image: string;
    readonly essential?: boolean;
    /** awslogs containers: the group and stream prefix (a task's stream is `<prefix>/<container>/<task id>`). */
    readonly awslogs?: { readonly group: string; readonly streamPrefix?: string };
  }>;
}

export interface EcsApi {
  /** The named services; names ECS does not know are listed in `missing`. */
  describeServices(cluster: string, names: readonly string[]): Promise<{ services: EcsService[]; missing: string[] }>;
  /** Names of every service of the cluster. */
  listServices(cluster: string): Promise<string[]>;
  /** Stopped tasks of a service, newest first; only those stopped at or after `since` (epoch ms). */
  stoppedTasks(
    cluster: string,
    service: string,
    options?: { readonly since?: number; readonly limit?: number },
  ): Promise<StoppedTask[]>;
  describeTaskDefinition(arn: string): Promise<TaskDefinitionInfo>;
}

const ms = (d: Date | undefined): number => (d === undefined ? 0 : d.getTime());

export function ecsApi(clients: AwsClients): EcsApi {
  const client = (): ECSClient => clients.ecs();
  const clusterMissing = (err: unknown, cluster: string) => clusterNotFound(err, cluster, clients.target.region);

  return {
    async describeServices(cluster, names) {
      try {
        const out = await describeServices(client(), cluster, names);
        return { services: out.services.map(toService), missing: out.failures.map((f) => lastPart(f.arn ?? '')) };
      } catch (err) {
        throw (
          clusterMissing(err, cluster) ??
          awsError(err, `describing the services ${names.join(', ')} of cluster ${cluster}`)
        );
      }
    },

    async listServices(cluster) {
      try {
        return (await listServiceArns(client(), cluster)).map(lastPart).sort();
      } catch (err) {
        throw clusterMissing(err, cluster) ?? awsError(err, `listing the services of cluster ${cluster}`);
      }
    },

    async stoppedTasks(cluster, service, options = {}) {
      const limit = options.limit ?? 20;
      try {
        // ECS keeps stopped tasks about an hour; the newest 100 are enough.
        const arns = await listTaskArns(
          client(),
          { cluster, serviceName: service, desiredStatus: 'STOPPED' },
          { enough: 100 },
        );
        const tasks = (await describeTasks(client(), cluster, arns)).map((t): StoppedTask => ({
          arn: t.taskArn ?? '',
          taskDefinition: t.taskDefinitionArn ?? '',
          ...(t.startedBy ? { startedBy: t.startedBy } : {}),
          ...(t.stoppedAt ? { stoppedAt: ms(t.stoppedAt) } : {}),
          ...(t.stopCode ? { stopCode: t.stopCode } : {}),
          ...(t.stoppedReason ? { stoppedReason: t.stoppedReason } : {}),
          containers: (t.containers ?? []).map((c) => ({
            name: c.name ?? '',
            ...(c.exitCode !== undefined ? { exitCode: c.exitCode } : {}),
            ...(c.reason ? { reason: c.reason } : {}),
          })),
        }));
        return tasks
          .filter((t) => options.since === undefined || (t.stoppedAt ?? 0) >= options.since)
          .sort((a, b) => (b.stoppedAt ?? 0) - (a.stoppedAt ?? 0))
          .slice(0, limit);
      } catch (err) {
        throw clusterMissing(err, cluster) ?? awsError(err, `listing the stopped tasks of ${service}`);
      }
    },

    async describeTaskDefinition(arn) {
      try {
        const { taskDefinition: td } = await describeTaskDefinition(client(), arn);
        return {
          arn: td?.taskDefinitionArn ?? arn,
          family: td?.family ?? '',
          revision: td?.revision ?? 0,
          containers: (td?.containerDefinitions ?? []).map((c) => {
            const o = c.logConfiguration?.logDriver === 'awslogs' ? (c.logConfiguration.options ?? {}) : undefined;
            return {
              name: c.name ?? '',
              image: c.image ?? '',
              ...(c.essential !== undefined ? { essential: c.essential } : {}),
              ...(o?.['awslogs-group']
                ? {
                    awslogs: {
                      group: o['awslogs-group'],
                      ...(o['awslogs-stream-prefix'] ? { streamPrefix: o['awslogs-stream-prefix'] } : {}),
                    },
                  }
                : {}),
            };
          }),
        };
      } catch (err) {
        throw awsError(err, `describing the task definition ${arn}`);
      }
    },
  };
}

function toService(s: import('@aws-sdk/client-ecs').Service): EcsService {
  return {
    name: s.serviceName ?? '',
    arn: s.serviceArn ?? '',
    status: s.status ?? '',
    desiredCount: s.desiredCount ?? 0,
    runningCount: s.runningCount ?? 0,
    pendingCount: s.pendingCount ?? 0,
    taskDefinition: s.taskDefinition ?? '',
    deploymentController: s.deploymentController?.type ?? 'ECS',
    deployments: (s.deployments ?? []).map((d) => ({
      id: d.id ?? '',
      status: d.status ?? '',
      taskDefinition: d.taskDefinition ?? '',
      desiredCount: d.desiredCount ?? 0,
      runningCount: d.runningCount ?? 0,
      pendingCount: d.pendingCount ?? 0,
      failedTasks: d.failedTasks ?? 0,
      ...(d.rolloutState ? { rolloutState: d.rolloutState } : {}),
      ...(d.rolloutStateReason ? { rolloutStateReason: d.rolloutStateReason } : {}),
      createdAt: ms(d.createdAt),
      updatedAt: ms(d.updatedAt),
    })),
    events: (s.events ?? []).map((e) => ({ id: e.id ?? '', createdAt: ms(e.createdAt), message: e.message ?? '' })),
    targetGroupArns: (s.loadBalancers ?? []).flatMap((lb) => (lb.targetGroupArn ? [lb.targetGroupArn] : [])),
    ...(s.launchType ? { launchType: s.launchType } : {}),
    ...(s.capacityProviderStrategy?.length
      ? {
          capacityProviderStrategy: s.capacityProviderStrategy.map((p) => ({
            capacityProvider: p.capacityProvider ?? '',
            weight: p.weight ?? 0,
            base: p.base ?? 0,
          })),
        }
      : {}),
    ...(s.networkConfiguration?.awsvpcConfiguration
      ? {
          network: {
            subnets: s.networkConfiguration.awsvpcConfiguration.subnets ?? [],
            securityGroups: s.networkConfiguration.awsvpcConfiguration.securityGroups ?? [],
            assignPublicIp: s.networkConfiguration.awsvpcConfiguration.assignPublicIp === 'ENABLED',
          },
        }
      : {}),
    ...(s.enableExecuteCommand !== undefined ? { enableExecuteCommand: s.enableExecuteCommand } : {}),
  };
}
