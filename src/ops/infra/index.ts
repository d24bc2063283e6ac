/**
 * plan / apply / destroy of an environment's stacks through the Terraform engine: what the rest of
 * the CLI may use of src/ops/infra. Only re-exports: the runner is ./runner.ts, the adoption guard
 * ./adoption.ts, the engine-order schedule ./schedule.ts, the roll guard ./roll-guard.ts.
 */
export * from './types';
export { ReplaceRefusedError } from './adoption';
export { CancelledError, createInfraRunner, InterruptedError, type InfraRunnerOptions } from './runner';
