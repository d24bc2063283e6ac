/**
 * Environments on demand: their lifecycle (create, list, show, extend, destroy, gc), the records
 * kept next to the state, and their resolution wherever an environment name is accepted
 * (src/ops/project.ts openEnvironments). See docs/environments.md.
 */
export { createEnvironment, type CreateRequest, type CreateResult } from './create';
export { destroyEnvironment, type DestroyEnvironmentRequest, type DestroyEnvironmentResult } from './destroy';
export { gcEnvironments, type GcRequest, type GcResult } from './gc';
export {
  extendEnvironment,
  listEnvironments,
  showEnvironment,
  type EnvironmentListing,
  type ExtendResult,
  type ListResult,
  type ServiceRelease,
  type ShowResult,
  type StackStatus,
} from './query';
export { environmentDeps } from './context';
export type { EnvironmentDeps, ImageResolver, OnDemandEnvironment, StoreDeps } from './context';
export {
  localRecordStore,
  openRecordStore,
  s3RecordStore,
  type RecordProblem,
  type RecordStore,
  type StoredRecord,
} from './records';
export { resolveOwner } from './owner';
export type { ServiceUrl } from './urls';
export type { S3Access } from './storage';
