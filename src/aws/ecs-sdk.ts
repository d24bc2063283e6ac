/* eslint-disable @typescript-eslint/no-require-imports -- the SDK module loads on first use (start-up time, see clients.ts). */
/**
 * The ECS calls every ECS adapter shares, made once here: the SDK module loaded on first use, the
 * list calls read to the end through the SDK's paginators, the describe calls split to the API's
 * limits, and ECS's ClusterNotFoundException as a message that says what to do. The adapters
 * (ecs.ts: services and their deployments; ecs-tasks.ts: one-off tasks; ecs-cluster.ts: container
 * instances for `cluster status` / `cluster roll`) map the SDK's answers to their plain data;
 * ecs-adapter.ts builds all three from one client (`ecsAdapter`).
 */
import type {
  ECSClient,
  Failure,
  Tag,
  ListTasksCommandInput,
  Service as SdkService,
  Task as SdkTask,
  TaskDefinition as SdkTaskDefinition,
} from '@aws-sdk/client-ecs';
import { EcsdeployError } from '../errors';

export const ecsSdk = () => require('@aws-sdk/client-ecs') as typeof import('@aws-sdk/client-ecs');

export function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/** The name at the end of a service or task ARN (`.../service/cluster/orders` → `orders`). */
export function lastPart(arn: string): string {
  return arn.slice(arn.lastIndexOf('/') + 1);
}

/** ECS's ClusterNotFoundException as a message that says what to do; undefined for any other error. */
export function clusterNotFound(err: unknown, cluster: string, region?: string): EcsdeployError | undefined {
  if ((err as { name?: string }).name !== 'ClusterNotFoundException') return undefined;
  return new EcsdeployError(`There is no ECS cluster '${cluster}'${region ? ` in ${region}` : ''}.`, {
    code: 'ECSDEPLOY_NOT_FOUND',
    suggestions: [
      'Create the environment first: ecsdeploy apply --env <env>.',
      'Check AWS_REGION / AWS_PROFILE (or the endpoint) point at the right account.',
    ],
    cause: err,
  });
}

/** ListServices to the end: the services' ARNs. */
export async function listServiceArns(client: ECSClient, cluster: string, pageSize?: number): Promise<string[]> {
  const arns: string[] = [];
  for await (const page of ecsSdk().paginateListServices({ client, ...(pageSize ? { pageSize } : {}) }, { cluster }))
    arns.push(...(page.serviceArns ?? []));
  return arns;
}

/** ListTasks to the end (or until `enough` ARNs): the tasks' ARNs. */
export async function listTaskArns(
  client: ECSClient,
  input: ListTasksCommandInput,
  options: { readonly pageSize?: number; readonly enough?: number } = {},
): Promise<string[]> {
  const arns: string[] = [];
  for await (const page of ecsSdk().paginateListTasks({ client, pageSize: options.pageSize ?? 100 }, input)) {
    arns.push(...(page.taskArns ?? []));
    if (options.enough !== undefined && arns.length >= options.enough) break;
  }
  return arns;
}

/** DescribeServices in chunks of 10: the services, and what ECS reported as failures (unknown names). */
export async function describeServices(
  client: ECSClient,
  cluster: string,
  services: readonly string[],
  include?: ReadonlyArray<'TAGS'>,
): Promise<{ services: SdkService[]; failures: Failure[] }> {
  const out: SdkService[] = [];
  const failures: Failure[] = [];
  for (const chunk of chunks(services, 10)) {
    const r = await client.send(
      new (ecsSdk().DescribeServicesCommand)({
        cluster,
        services: chunk,
        ...(include ? { include: [...include] } : {}),
      }),
    );
    out.push(...(r.services ?? []));
    failures.push(...(r.failures ?? []));
  }
  return { services: out, failures };
}

/** DescribeTasks in chunks of 100. */
export async function describeTasks(
  client: ECSClient,
  cluster: string,
  tasks: readonly string[],
  include?: ReadonlyArray<'TAGS'>,
): Promise<SdkTask[]> {
  const out: SdkTask[] = [];
  for (const chunk of chunks(tasks, 100)) {
    const r = await client.send(
      new (ecsSdk().DescribeTasksCommand)({ cluster, tasks: chunk, ...(include ? { include: [...include] } : {}) }),
    );
    out.push(...(r.tasks ?? []));
  }
  return out;
}

/** DescribeTaskDefinition (with its tags when `include` asks). */
export async function describeTaskDefinition(
  client: ECSClient,
  taskDefinition: string,
  include?: ReadonlyArray<'TAGS'>,
): Promise<{ readonly taskDefinition: SdkTaskDefinition | undefined; readonly tags: Tag[] | undefined }> {
  const r = await client.send(
    new (ecsSdk().DescribeTaskDefinitionCommand)({ taskDefinition, ...(include ? { include: [...include] } : {}) }),
  );
  return { taskDefinition: r.taskDefinition, tags: r.tags };
}
