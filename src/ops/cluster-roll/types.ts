/** The data of `cluster status` and `cluster roll`: what goes in, the events, what comes out. Plain JSON. */
import type { AutoScalingApi, GroupSizes } from '../../aws/autoscaling';
import type { EcsClusterApi, Resources } from '../../aws/ecs-cluster';
import type { CapacitySummary, PlanOptions, RollPlan } from './batches';

/** Everything the roll reads and changes in AWS; the SDK, or a simulation in tests. */
export type ClusterApi = AutoScalingApi & EcsClusterApi;

/** The AWS names of an environment's EC2 capacity. */
export interface ClusterNames {
  readonly cluster: string;
  readonly autoScalingGroup: string;
  readonly capacityProvider: string;
}

export interface InstanceView {
  readonly instanceId: string;
  /** Whether it belongs to the environment's Auto Scaling group. */
  readonly inGroup: boolean;
  /** The group's lifecycle state (Pending, InService, Terminating, ...); `-` when not in the group. */
  readonly lifecycleState: string;
  readonly instanceType?: string;
  /** The launch template version it was launched from. */
  readonly launchTemplateVersion?: string;
  readonly outdated: boolean;
  /** Why it is out of date, in words. */
  readonly outdatedReasons: readonly string[];
  /** ACTIVE, DRAINING, ... or UNREGISTERED when the instance is not in the cluster. */
  readonly ecsStatus: string;
  readonly containerInstanceArn?: string;
  readonly runningTasks: number;
  readonly pendingTasks: number;
  readonly registered: Resources;
  readonly remaining: Resources;
  /** Tasks on it by service (a task of no service: by its group, `family:...`); read where a plan is made. */
  readonly tasks?: Readonly<Record<string, number>>;
}

export interface ServiceView {
  readonly name: string;
  readonly desired: number;
  readonly running: number;
  readonly daemon: boolean;
  /** Reserved by one task. */
  readonly cpu: number;
  readonly memory: number;
  readonly minimumHealthyPercent: number;
  readonly maximumPercent: number;
}

/** A roll in progress, as recorded on the group (tag `ecsdeploy:roll`): the sizes to restore. */
export interface RollMark {
  readonly original: GroupSizes;
  readonly startedAt: string;
}

/** What AWS reports about an environment's EC2 capacity at one moment. */
export interface ClusterSnapshot {
  readonly names: ClusterNames;
  readonly group: GroupSizes & {
    readonly name: string;
    /** The version new instances get, e.g. `7` (`$Latest` resolved). */
    readonly launchTemplateVersion?: string;
    readonly instanceType?: string;
    readonly imageId?: string;
  };
  readonly instances: readonly InstanceView[];
  /** Services on the cluster's EC2 instances (Fargate services need no instance). */
  readonly services: readonly ServiceView[];
  readonly capacity: CapacitySummary;
  /** Set when a roll was interrupted or failed and has not finished yet. */
  readonly roll?: RollMark;
}

export type ClusterStatus = ClusterSnapshot & { readonly environment: string; readonly outdated: number };

export type RollStrategy = 'drain' | 'instance-refresh';

export interface RollOptions extends PlanOptions {
  readonly strategy: RollStrategy;
  /** Longest wait for one step (a batch to drain, replacements to join the cluster). */
  readonly timeoutMs: number;
  readonly dryRun: boolean;
}

export type RollEvent =
  | { readonly type: 'plan'; readonly plan: RollPlan; readonly snapshot: ClusterSnapshot; readonly resumed?: RollMark }
  /** Extra instances asked for: before a batch (planned), or because a drain made no progress (stalled). */
  | {
      readonly type: 'surge';
      readonly desired: number;
      readonly maxSize: number;
      readonly extra: number;
      readonly reason: 'planned' | 'stalled';
    }
  | {
      readonly type: 'batch';
      readonly index: number;
      readonly instances: readonly string[];
      readonly remaining: number;
    }
  | {
      readonly type: 'instance';
      readonly instanceId: string;
      readonly state: 'draining' | 'drained' | 'terminating' | 'reactivated';
      /** Tasks still on it (draining). */
      readonly tasks?: number;
      /** terminating: the group's desired capacity is lowered instead of launching a replacement. */
      readonly decrement?: boolean;
    }
  | {
      readonly type: 'waiting';
      readonly for: 'drain' | 'instances' | 'refresh';
      readonly elapsedMs: number;
      readonly detail: string;
    }
  | { readonly type: 'ready'; readonly instances: readonly string[] }
  | {
      readonly type: 'refresh';
      readonly id: string;
      readonly status: string;
      readonly percentComplete: number;
      readonly instancesToUpdate: number;
      readonly started: boolean;
    }
  | { readonly type: 'restored'; readonly sizes: GroupSizes };

export interface RollFailure {
  readonly code:
    | 'ECSDEPLOY_ROLL_BLOCKED'
    | 'ECSDEPLOY_ROLL_DRAIN_TIMEOUT'
    | 'ECSDEPLOY_ROLL_REPLACEMENT_TIMEOUT'
    | 'ECSDEPLOY_ROLL_REFRESH_FAILED';
  readonly message: string;
  readonly suggestions: readonly string[];
  /** Instances concerned (the one that would not drain, the replacement that never registered). */
  readonly instances: readonly string[];
}

export interface RollOutcome {
  /**
   * completed: every out-of-date instance replaced and the sizes restored. up-to-date: nothing to do.
   * planned: --dry-run. cancelled: the confirmation was declined. interrupted: stopped between steps
   * (run again to resume). failed: see `failure`.
   */
  readonly status: 'completed' | 'up-to-date' | 'planned' | 'cancelled' | 'interrupted' | 'failed';
  readonly strategy: RollStrategy;
  readonly plan?: RollPlan;
  /** Instances terminated by this run. */
  readonly replaced: readonly string[];
  readonly batches: number;
  readonly durationMs: number;
  readonly failure?: RollFailure;
  /** What is left in place and how to go on (interrupted, failed). */
  readonly resume?: string;
}

export type RollReport = RollOutcome & { readonly environment: string; readonly names: ClusterNames };
