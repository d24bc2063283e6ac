/** Rollout watchers: ECS rolling deployments and CodeDeploy deployments, as event sources. */
export { systemClock, Cadence, type Clock, type CadenceOptions } from './clock';
export {
  deploymentView,
  watchEcsDeployment,
  shortTaskDefinition,
  type EcsRolloutTarget,
  type EcsWatchApi,
  type WatchOptions,
} from './ecs';
export {
  watchCodeDeploy,
  type CodeDeployRolloutTarget,
  type CodeDeployWatchApi,
  type CodeDeployWatchOptions,
} from './codedeploy';
export * from './types';
