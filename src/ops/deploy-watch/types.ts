/**
 * What a rollout watcher reports while it watches (events) and how the rollout ended (outcome).
 * Plain data: the UI renders events live, --json returns the outcome, tests compare both.
 */

/** One ECS deployment as the watcher saw it. */
export interface DeploymentView {
  readonly id: string;
  /** PRIMARY or ACTIVE. */
  readonly status: string;
  readonly taskDefinition: string;
  readonly rolloutState?: string;
  readonly rolloutStateReason?: string;
  readonly desired: number;
  readonly running: number;
  readonly pending: number;
  readonly failed: number;
  /** The deployment this rollout watches. */
  readonly ours: boolean;
}

export interface TaskSetView {
  /** Blue (original) or Green (replacement). */
  readonly label: string;
  /** % of production traffic. */
  readonly trafficWeight: number;
  readonly desired: number;
  readonly running: number;
}

export interface StoppedTaskView {
  readonly taskArn: string;
  readonly taskDefinition: string;
  readonly reason: string;
  readonly containers: ReadonlyArray<{ readonly name: string; readonly exitCode?: number; readonly reason?: string }>;
}

export type RolloutEvent =
  /** Something changed: the deployments and counts now. `state`: our rollout's state, or WAITING until ECS has created it. */
  | {
      readonly type: 'progress';
      readonly at: number;
      readonly state: string;
      readonly deployments: readonly DeploymentView[];
      readonly desired: number;
      readonly running: number;
      readonly pending: number;
    }
  /** Our deployment was identified. */
  | { readonly type: 'found'; readonly at: number; readonly deploymentId: string; readonly taskDefinition: string }
  /** A new ECS service event, in ECS's words. */
  | { readonly type: 'service-event'; readonly at: number; readonly message: string }
  /** A task of our deployment stopped: why. */
  | ({ readonly type: 'task-stopped'; readonly at: number } & StoppedTaskView)
  /** AWS throttled us; the next poll waits longer. */
  | { readonly type: 'throttled'; readonly at: number; readonly retryInMs: number }
  /** A call failed in a way that may pass (network); retried. */
  | { readonly type: 'retrying'; readonly at: number; readonly message: string; readonly retryInMs: number }
  /** A newer deployment that is not ours (someone else deployed) took over the service. */
  | { readonly type: 'superseded'; readonly at: number; readonly by: DeploymentView }
  /** CodeDeploy: the deployment's status changed (Created, InProgress, Ready, Succeeded, ...). */
  | { readonly type: 'codedeploy-status'; readonly at: number; readonly deploymentId: string; readonly status: string }
  /** CodeDeploy: a lifecycle event changed status (BeforeInstall ... AfterAllowTraffic). */
  | {
      readonly type: 'lifecycle';
      readonly at: number;
      readonly name: string;
      readonly status: string;
      readonly diagnostics?: string;
    }
  /** CodeDeploy: the task sets and their share of production traffic. */
  | { readonly type: 'traffic'; readonly at: number; readonly taskSets: readonly TaskSetView[] }
  /** CodeDeploy: the user asked to stop; `rollback`: traffic goes back to the original task set. */
  | { readonly type: 'stopping'; readonly at: number; readonly rollback: boolean }
  /** CodeDeploy: the user declined to stop; watching goes on. */
  | { readonly type: 'continuing'; readonly at: number };

interface OutcomeBase {
  /** Epoch ms when it was decided. */
  readonly at: number;
  /** ECS (`ecs-svc/...`) or CodeDeploy (`d-...`) deployment id, once known. */
  readonly deploymentId?: string;
  /** Why, in ECS's or CodeDeploy's words: rollout reasons, stopped-task reasons, errors. Empty when completed. */
  readonly reasons: readonly string[];
}

export type RolloutOutcome =
  /** Our deployment is PRIMARY, COMPLETED, and runs the desired number of tasks (CodeDeploy: Succeeded). */
  | (OutcomeBase & { readonly kind: 'completed' })
  /** It failed and the previous version runs again (circuit breaker, alarm, CodeDeploy rollback, or a stop with rollback). */
  | (OutcomeBase & { readonly kind: 'rolledBack'; readonly runningTaskDefinition?: string })
  /** It failed and nothing rolled it back, or another deployment replaced it, or the service went away. */
  | (OutcomeBase & { readonly kind: 'failed' })
  /** Watching stopped (timeout, or Ctrl-C) while it still ran: what was running then. */
  | (OutcomeBase & {
      readonly kind: 'timedOut';
      readonly interrupted: boolean;
      /** ECS: the deployments then. */
      readonly deployments: readonly DeploymentView[];
      /** CodeDeploy: the task sets and their traffic then. */
      readonly taskSets?: readonly TaskSetView[];
      /** Our rollout's state then (ECS rolloutState, or CodeDeploy status). */
      readonly state: string;
    });

export type RolloutOutcomeKind = RolloutOutcome['kind'];

/** Runs a watcher to its end, handing each event to `onEvent`; returns the outcome. */
export async function drain<E, R>(watch: AsyncGenerator<E, R, void>, onEvent: (event: E) => void): Promise<R> {
  for (;;) {
    const step = await watch.next();
    if (step.done) return step.value;
    onEvent(step.value);
  }
}
