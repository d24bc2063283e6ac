/**
 * The one ECS adapter: every ECS call ecsdeploy makes, through one client (AwsClients.ecs(), with
 * the retry policy of ./retry.ts), as plain data. It is kept in files by concern, each an interface
 * ops take as an injected dependency and tests replace with a simulation:
 *   EcsApi (./ecs.ts)               services, their deployments and events, stopped tasks, task definitions
 *   EcsTasksApi (./ecs-tasks.ts)    one-off tasks: run, describe, stop, list, ECS Exec
 *   EcsClusterApi (./ecs-cluster.ts) container instances, a cluster's services and tasks, task sizes
 * and the calls they share (ListServices, ListTasks, DescribeServices, DescribeTasks,
 * DescribeTaskDefinition, the missing-cluster error) are made once, in ./ecs-sdk.ts.
 */
import type { AwsClients } from './clients';
import { ecsApi, type EcsApi } from './ecs';
import { SdkEcsClusterApi, type EcsClusterApi, type SdkEcsOptions } from './ecs-cluster';
import { ecsTasksApi, type EcsTasksApi } from './ecs-tasks';

export type EcsAdapter = EcsApi & EcsTasksApi & EcsClusterApi;

/** The ECS adapter of one AWS target; the SDK loads on the first call. */
export function ecsAdapter(clients: AwsClients, options: SdkEcsOptions = {}): EcsAdapter {
  let cluster: SdkEcsClusterApi | undefined;
  const c = () => (cluster ??= new SdkEcsClusterApi(clients.ecs(), options));
  return {
    ...ecsApi(clients),
    ...ecsTasksApi(clients),
    containerInstances: (name, arns) => c().containerInstances(name, arns),
    setContainerInstanceState: (name, arns, status) => c().setContainerInstanceState(name, arns, status),
    services: (name) => c().services(name),
    taskSize: (taskDefinition) => c().taskSize(taskDefinition),
    tasks: (name, containerInstanceArn) => c().tasks(name, containerInstanceArn),
  };
}
