/**
 * What `cluster status` and `cluster roll` read and change in ECS, as a small interface
 * (`EcsClusterApi`) that src/ops uses and tests replace with a simulation, plus its SDK
 * implementation. Every list is read to the end (ListContainerInstances, ListServices and ListTasks
 * pages; DescribeContainerInstances in chunks of 100, DescribeServices and
 * UpdateContainerInstancesState in chunks of 10, the API's limits); the calls shared with the other
 * ECS adapters are made by ./ecs-sdk.ts.
 */
import type { ContainerInstance as SdkContainerInstance, ECSClient, Service as SdkService } from '@aws-sdk/client-ecs';
import type { EcsdeployError } from '../errors';
import { awsError } from './clients';
import {
  chunks,
  clusterNotFound,
  describeServices,
  describeTaskDefinition,
  describeTasks,
  ecsSdk as sdk,
  listServiceArns,
  listTaskArns,
} from './ecs-sdk';

export { chunks } from './ecs-sdk';

/** A missing cluster is the user's to fix (not applied yet, wrong account or region). */
function ecsError(err: unknown, cluster: string, doing: string): EcsdeployError {
  return clusterNotFound(err, cluster) ?? awsError(err, doing);
}

/** CPU units (1024 = 1 vCPU) and MiB. */
export interface Resources {
  readonly cpu: number;
  readonly memory: number;
}

export interface ContainerInstance {
  readonly arn: string;
  readonly ec2InstanceId: string;
  /** ACTIVE, DRAINING, REGISTERING, DEREGISTERING, INACTIVE, ... */
  readonly status: string;
  readonly agentConnected: boolean;
  /** Tasks RUNNING on it (a task being stopped counts until it has stopped). */
  readonly runningTasks: number;
  readonly pendingTasks: number;
  readonly registered: Resources;
  readonly remaining: Resources;
  /** The `ecs.instance-type` attribute. */
  readonly instanceType?: string;
  /** The `ecs.ami-id` attribute. */
  readonly amiId?: string;
}

export interface ServiceInfo {
  readonly name: string;
  readonly desiredCount: number;
  readonly runningCount: number;
  readonly pendingCount: number;
  readonly taskDefinition: string;
  /** DAEMON services run one task on every instance. */
  readonly daemon: boolean;
  readonly minimumHealthyPercent: number;
  readonly maximumPercent: number;
  /** Whether its tasks run on the cluster's EC2 instances (not Fargate). */
  readonly onEc2: boolean;
}

export interface TaskInfo {
  readonly arn: string;
  /** `service:<name>` for a service's task, `family:<name>` for a standalone one. */
  readonly group: string;
  readonly lastStatus: string;
  readonly containerInstanceArn?: string;
}

export type ContainerInstanceStatus = 'ACTIVE' | 'DRAINING';

export interface EcsClusterApi {
  /** Every container instance of the cluster, or those named (ARNs). */
  containerInstances(cluster: string, arns?: readonly string[]): Promise<ContainerInstance[]>;
  /** Sets the status of container instances (ARNs); throws naming the ones ECS refused. */
  setContainerInstanceState(cluster: string, arns: readonly string[], status: ContainerInstanceStatus): Promise<void>;
  /** Every service of the cluster. */
  services(cluster: string): Promise<ServiceInfo[]>;
  /** What one task of this task definition reserves on an instance. */
  taskSize(taskDefinition: string): Promise<Resources>;
  /** The tasks meant to run (desired status RUNNING): on one container instance, or in the whole cluster. */
  tasks(cluster: string, containerInstanceArn?: string): Promise<TaskInfo[]>;
}

function resource(list: SdkContainerInstance['registeredResources'], name: string): number {
  return list?.find((r) => r.name === name)?.integerValue ?? 0;
}

function attribute(ci: SdkContainerInstance, name: string): string | undefined {
  return ci.attributes?.find((a) => a.name === name)?.value ?? undefined;
}

export function toContainerInstance(ci: SdkContainerInstance): ContainerInstance {
  const instanceType = attribute(ci, 'ecs.instance-type');
  const amiId = attribute(ci, 'ecs.ami-id');
  return {
    arn: ci.containerInstanceArn ?? '',
    ec2InstanceId: ci.ec2InstanceId ?? '',
    status: ci.status ?? 'UNKNOWN',
    agentConnected: ci.agentConnected ?? false,
    runningTasks: ci.runningTasksCount ?? 0,
    pendingTasks: ci.pendingTasksCount ?? 0,
    registered: { cpu: resource(ci.registeredResources, 'CPU'), memory: resource(ci.registeredResources, 'MEMORY') },
    remaining: { cpu: resource(ci.remainingResources, 'CPU'), memory: resource(ci.remainingResources, 'MEMORY') },
    ...(instanceType !== undefined ? { instanceType } : {}),
    ...(amiId !== undefined ? { amiId } : {}),
  };
}

const FARGATE_PROVIDERS = new Set(['FARGATE', 'FARGATE_SPOT']);

export function toServiceInfo(s: SdkService): ServiceInfo {
  const daemon = s.schedulingStrategy === 'DAEMON';
  const strategy = s.capacityProviderStrategy ?? [];
  // No launch type and no strategy: the cluster's default strategy, which is EC2 where the
  // environment has EC2 capacity (stacks/cluster-stack.ts).
  const onEc2 =
    s.launchType !== undefined
      ? s.launchType === 'EC2'
      : strategy.length === 0 || strategy.some((p) => !FARGATE_PROVIDERS.has(p.capacityProvider ?? ''));
  return {
    name: s.serviceName ?? '',
    desiredCount: s.desiredCount ?? 0,
    runningCount: s.runningCount ?? 0,
    pendingCount: s.pendingCount ?? 0,
    taskDefinition: s.taskDefinition ?? '',
    daemon,
    minimumHealthyPercent: s.deploymentConfiguration?.minimumHealthyPercent ?? (daemon ? 0 : 100),
    maximumPercent: s.deploymentConfiguration?.maximumPercent ?? (daemon ? 100 : 200),
    onEc2,
  };
}

export interface SdkEcsOptions {
  /** Page size of the List calls (tests make it small to see the pages). @default 100 */
  readonly pageSize?: number;
}

/** EcsClusterApi through the AWS SDK. */
export class SdkEcsClusterApi implements EcsClusterApi {
  private readonly pageSize: number;
  private readonly sizes = new Map<string, Promise<Resources>>();

  constructor(
    private readonly ecs: ECSClient,
    options: SdkEcsOptions = {},
  ) {
    this.pageSize = options.pageSize ?? 100;
  }

  async containerInstances(cluster: string, arns?: readonly string[]): Promise<ContainerInstance[]> {
    try {
      const all = arns ?? (await this.listContainerInstanceArns(cluster));
      const out: ContainerInstance[] = [];
      for (const chunk of chunks(all, 100)) {
        const r = await this.ecs.send(
          new (sdk().DescribeContainerInstancesCommand)({ cluster, containerInstances: chunk, include: [] }),
        );
        out.push(...(r.containerInstances ?? []).map(toContainerInstance));
      }
      return out;
    } catch (err) {
      throw ecsError(err, cluster, `reading the container instances of cluster ${cluster}`);
    }
  }

  private async listContainerInstanceArns(cluster: string): Promise<string[]> {
    const arns: string[] = [];
    for await (const page of sdk().paginateListContainerInstances(
      { client: this.ecs, pageSize: this.pageSize },
      { cluster },
    ))
      arns.push(...(page.containerInstanceArns ?? []));
    return arns;
  }

  async setContainerInstanceState(
    cluster: string,
    arns: readonly string[],
    status: ContainerInstanceStatus,
  ): Promise<void> {
    const failures: string[] = [];
    try {
      for (const chunk of chunks(arns, 10)) {
        const r = await this.ecs.send(
          new (sdk().UpdateContainerInstancesStateCommand)({ cluster, containerInstances: chunk, status }),
        );
        failures.push(
          ...(r.failures ?? []).map(
            (f) => `${f.arn ?? '?'}: ${f.reason ?? 'refused'}${f.detail ? ` (${f.detail})` : ''}`,
          ),
        );
      }
    } catch (err) {
      throw ecsError(err, cluster, `setting container instances of cluster ${cluster} to ${status}`);
    }
    if (failures.length > 0) {
      const error = new Error(
        `ECS refused to set ${failures.length} container instance(s) to ${status}: ${failures.join('; ')}`,
      );
      error.name = 'ContainerInstanceStateFailure';
      throw awsError(error, `setting container instances of cluster ${cluster} to ${status}`);
    }
  }

  async services(cluster: string): Promise<ServiceInfo[]> {
    try {
      const arns = await listServiceArns(this.ecs, cluster, this.pageSize);
      const { services } = await describeServices(this.ecs, cluster, arns);
      return services.filter((s) => s.status !== 'INACTIVE').map(toServiceInfo);
    } catch (err) {
      throw ecsError(err, cluster, `reading the services of cluster ${cluster}`);
    }
  }

  taskSize(taskDefinition: string): Promise<Resources> {
    // Task definition revisions are immutable: read each once per run.
    let size = this.sizes.get(taskDefinition);
    if (size === undefined) {
      size = this.readTaskSize(taskDefinition);
      size.catch(() => this.sizes.delete(taskDefinition));
      this.sizes.set(taskDefinition, size);
    }
    return size;
  }

  private async readTaskSize(taskDefinition: string): Promise<Resources> {
    try {
      return taskDefinitionSize((await describeTaskDefinition(this.ecs, taskDefinition)).taskDefinition ?? {});
    } catch (err) {
      throw awsError(err, `reading task definition ${taskDefinition}`);
    }
  }

  async tasks(cluster: string, containerInstanceArn?: string): Promise<TaskInfo[]> {
    try {
      const arns = await listTaskArns(
        this.ecs,
        {
          cluster,
          desiredStatus: 'RUNNING',
          ...(containerInstanceArn ? { containerInstance: containerInstanceArn } : {}),
        },
        { pageSize: this.pageSize },
      );
      return (await describeTasks(this.ecs, cluster, arns)).map((t) => ({
        arn: t.taskArn ?? '',
        group: t.group ?? '',
        lastStatus: t.lastStatus ?? '',
        ...(t.containerInstanceArn ? { containerInstanceArn: t.containerInstanceArn } : {}),
      }));
    } catch (err) {
      throw ecsError(err, cluster, `listing the tasks of cluster ${cluster}`);
    }
  }
}

/**
 * What a task reserves on an EC2 instance: the task-level cpu/memory when set, else the sum of its
 * containers' cpu and memory (hard limit, else reservation).
 */
export function taskDefinitionSize(td: {
  readonly cpu?: string | undefined;
  readonly memory?: string | undefined;
  readonly containerDefinitions?:
    | ReadonlyArray<{
        readonly cpu?: number | undefined;
        readonly memory?: number | undefined;
        readonly memoryReservation?: number | undefined;
      }>
    | undefined;
}): Resources {
  const containers = td.containerDefinitions ?? [];
  const taskCpu = Number.parseInt(td.cpu ?? '', 10);
  const taskMemory = Number.parseInt(td.memory ?? '', 10);
  return {
    cpu: Number.isFinite(taskCpu) ? taskCpu : containers.reduce((n, c) => n + (c.cpu ?? 0), 0),
    memory: Number.isFinite(taskMemory)
      ? taskMemory
      : containers.reduce((n, c) => n + (c.memory ?? c.memoryReservation ?? 0), 0),
  };
}
