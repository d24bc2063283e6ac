/** The Terraform engine layer: discovery, one stack through the engine, plan summaries, engine errors. */
export {
  findEngine,
  compareVersions,
  EngineNotFoundError,
  MIN_ENGINE_VERSION,
  MIN_LOCKFILE_VERSION,
  type Engine,
  type EngineKind,
} from './engine';
export {
  ago,
  EngineFailedError,
  StackInterruptedError,
  StateLockedError,
  parseLockInfo,
  type LockInfo,
} from './errors';
export { RunLog } from './log';
export { fastPathEnabled } from './provider-server';
export type { UiMessage } from './process';
export {
  openStack,
  SENSITIVE,
  type InitResult,
  type Outputs,
  type PlannedStack,
  type RunContext,
  type StackEngine,
} from './stack';
export {
  summarizePlan,
  summarizeAppliedStream,
  NO_CHANGES,
  UNKNOWN,
  type AttributeChange,
  type Highlight,
  type PlanSummary,
  type ResourceAction,
  type ResourceChange,
} from './summary';
