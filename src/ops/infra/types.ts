/** The data of plan / apply / destroy: what callers pass in and what they get back. Plain JSON. */
import type { StackKind } from '../../synth/stack-order';
import type { Outputs, PlanSummary } from '../../terraform';

export interface InfraRequest {
  /** Project folder (the one holding ecsdeploy.yaml). */
  readonly dir: string;
  /** Environment name. */
  readonly env: string;
  /**
   * Stacks by short name: 'registry', 'cluster', a service name or `job-<job>`.
   * @default every stack of the environment; for destroy every stack but the shared registry
   */
  readonly stacks?: readonly string[];
  /** Progress, for a live view or a log. Called synchronously; keep it cheap. */
  readonly onEvent?: (event: InfraEvent) => void;
  /** Abort to stop: running engines stop gracefully (state saved, lock released), nothing new starts. */
  readonly signal?: AbortSignal;
}

/** Asked after the plan is shown; false cancels (nothing further is applied). */
export type Confirm = (report: PlanReport) => Promise<boolean>;

export interface ApplyRequest extends InfraRequest {
  /** @default apply without asking */
  readonly confirm?: Confirm;
  /**
   * Apply a plan that replaces or destroys an adopted ECS service (one with `adopt:`).
   * @default refuse it (ReplaceRefusedError), before anything is applied
   */
  readonly allowReplace?: boolean;
  /**
   * One service or job stack, applied without being shown (`service deploy`): plan and apply in one
   * engine command when the engine fast path is on (docs/engine.md, ECSDEPLOY_ENGINE_FAST) and the
   * stack adopts no ECS service (whose replacement must be refused before anything is applied).
   */
  readonly direct?: boolean;
}

/** What the plan of an adopted service's stack does to the ECS service it takes over. */
export interface AdoptionPlan {
  /** The ECS service (adopt.serviceName) and its cluster. */
  readonly serviceName: string;
  readonly cluster: string;
  /** Resources this plan imports (0 once an apply imported them). */
  readonly imports: number;
  /** Present when the plan would replace or destroy the ECS service: how, and the attributes that force it. */
  readonly replaced?: {
    readonly address: string;
    readonly action: 'replace' | 'delete';
    readonly because: readonly string[];
  };
}

export interface DestroyRequest extends InfraRequest {
  /** @default destroy without asking */
  readonly confirm?: Confirm;
  /** Needed to destroy a protected environment (`protected: true`). */
  readonly force?: boolean;
  /** For a protected environment: returns what the user typed as the environment's name (must match). */
  readonly confirmEnvironment?: (environment: string) => Promise<string | undefined>;
}

export type InfraStep = 'init' | 'plan' | 'apply' | 'destroy' | 'outputs';

export type InfraEvent =
  /** The run starts: which stacks, in order, with which engine, logging where. */
  | {
      readonly type: 'run';
      readonly operation: 'plan' | 'apply' | 'destroy';
      readonly environment: string;
      readonly stacks: readonly string[];
      readonly engine: string;
      readonly logFile: string;
    }
  | {
      readonly type: 'step';
      readonly stack: string;
      readonly step: InfraStep;
      readonly status: 'started' | 'done' | 'failed';
      readonly detail?: string;
    }
  /** One resource operation of an apply or destroy, in the engine's words (`aws_lb.Main: Creating...`). */
  | {
      readonly type: 'resource';
      readonly stack: string;
      readonly status: 'started' | 'progress' | 'done' | 'failed';
      readonly message: string;
    }
  | { readonly type: 'notice'; readonly message: string };

export interface StackPlan {
  readonly stack: string;
  readonly kind: StackKind;
  /** deferred: it can be planned only once the stacks it reads from are applied. */
  readonly status: 'planned' | 'deferred';
  /** Present when planned. */
  readonly summary?: PlanSummary;
  /** Deferred: the stacks it waits for. */
  readonly waitsFor?: readonly string[];
  /** Deferred: the engine's reason, first line. */
  readonly reason?: string;
  /** Planned stacks of adopted services (`adopt:`): the imports, and whether the ECS service would be replaced. */
  readonly adoption?: AdoptionPlan;
}

export interface PlanReport {
  readonly environment: string;
  /** A plan of changes (plan, apply) or of a destroy. */
  readonly operation: 'apply' | 'destroy';
  /** Anything to apply (deferred stacks count as changes). */
  readonly changes: boolean;
  /** In the order they are applied. */
  readonly stacks: readonly StackPlan[];
  /** Plans of stacks that could be made (or had to be made again) only after the stacks they read from were applied. */
  readonly followUp?: boolean;
  readonly engine: { readonly kind: string; readonly version: string };
  /** The engine's full output for this run. */
  readonly logFile: string;
  /** Stacks left out on purpose, and why (destroy keeps the shared registry). */
  readonly kept: ReadonlyArray<{ readonly stack: string; readonly reason: string }>;
  /** plan only, what to read the plan with: a `cluster roll` running on the cluster stack's group, or that this could not be checked (src/ops/infra/roll-guard). */
  readonly warnings?: readonly string[];
  /**
   * plan only: the security policy rules (docs/security.md) this environment allows to fail, with
   * their reasons and the file that allows each (ecsdeploy.yaml's `policy.allow`, then the environment's).
   */
  readonly policyAllowances?: ReadonlyArray<{ readonly rule: string; readonly reason: string; readonly file: string }>;
}

export interface StackResult {
  readonly stack: string;
  /** Whether anything was applied to it (false: it had no changes). */
  readonly applied: boolean;
  /** What was applied. */
  readonly summary: PlanSummary;
  /** The stack's outputs after the run (sensitive ones masked). */
  readonly outputs: Outputs;
}

export interface ApplyReport {
  readonly environment: string;
  /** The plan shown before applying. */
  readonly plan: PlanReport;
  readonly stacks: readonly StackResult[];
  readonly logFile: string;
}

export interface DestroyReport {
  readonly environment: string;
  readonly plan: PlanReport;
  /** Stacks whose resources were destroyed. */
  readonly destroyed: readonly string[];
  readonly kept: PlanReport['kept'];
  readonly logFile: string;
}

export interface InfraRunner {
  plan(req: InfraRequest): Promise<PlanReport>;
  apply(req: ApplyRequest): Promise<ApplyReport>;
  destroy(req: DestroyRequest): Promise<DestroyReport>;
}
