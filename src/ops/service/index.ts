/** Service delivery: deploy, promote, rollback, watch, status, list, history, logs. */
export {
  awsApis,
  currentActor,
  liveDeps,
  openService,
  readDeps,
  type ReadDeps,
  type ServiceApis,
  type ServiceDeps,
  type StackApplier,
} from './context';
export {
  DEFAULT_TIMEOUT_MS,
  defaultTimeout,
  parseTimeout,
  RolloutError,
  type DeliveryOptions,
  type DeployEvent,
  type DeployResult,
} from './deliver';
export {
  deployService,
  imageFromFile,
  promoteService,
  rollbackService,
  type DeployInput,
  type PromoteInput,
  type RollbackInput,
} from './deploy';
export { serviceLogs, type LogEvent, type LogsInput } from './logs';
export { serviceNames, type ServiceNames } from './names';
export {
  listServices,
  releaseHistory,
  serviceStatus,
  type ReleaseHistory,
  type ServiceList,
  type ServiceStatus,
  type ServiceSummary,
} from './status';
export { watchService, type WatchInput } from './watch';
