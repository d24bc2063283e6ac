/**
 * A deterministic simulation of an ECS service (and of CodeDeploy) for the rollout watchers: a fake
 * clock, and timelines scripted as "at T ms, this happens". moto does not move deployments forward,
 * so this is where the watcher's judgement is tested. Each API call first applies every step due by
 * the clock's time, then answers from the simulated state, as AWS would.
 */
import type {
  CodeDeployDeployment,
  CodeDeployLifecycleEvent,
  CodeDeployTarget,
  CodeDeployTaskSet,
} from '../../src/aws/codedeploy';
import type { EcsDeployment, EcsService, EcsServiceEvent, StoppedTask } from '../../src/aws/ecs';
import type { Clock } from '../../src/ops/deploy-watch/clock';

export const T0 = Date.UTC(2026, 0, 15, 10, 0, 0);
export const TD_OLD = 'arn:aws:ecs:us-east-1:123456789012:task-definition/shop-dev-orders:6';
export const TD_NEW = 'arn:aws:ecs:us-east-1:123456789012:task-definition/shop-dev-orders:7';
export const TD_OTHER = 'arn:aws:ecs:us-east-1:123456789012:task-definition/shop-dev-orders:8';

/** Time moves only when the code under test sleeps; scheduled callbacks (Ctrl-C) fire on the way. */
export class FakeClock implements Clock {
  private t = T0;
  private scheduled: Array<{ at: number; fn: () => void }> = [];
  readonly sleeps: number[] = [];

  now(): number {
    return this.t;
  }
  random(): number {
    return 0.5; // no jitter: timelines stay exact
  }
  at(offsetMs: number, fn: () => void): void {
    this.scheduled.push({ at: T0 + offsetMs, fn });
    this.scheduled.sort((a, b) => a.at - b.at);
  }
  async sleep(ms: number, signal?: AbortSignal): Promise<void> {
    this.sleeps.push(ms);
    const until = this.t + ms;
    while (this.scheduled.length > 0 && this.scheduled[0]!.at <= until) {
      const next = this.scheduled.shift()!;
      this.t = Math.max(this.t, next.at);
      next.fn();
      if (signal?.aborted) return;
    }
    this.t = until;
    await Promise.resolve();
  }
}

type Step<S> = { at: number; apply: (s: S) => void };

class Timeline<S> {
  private steps: Array<Step<S>> = [];
  constructor(
    protected readonly clock: FakeClock,
    private readonly state: () => S,
  ) {}
  /** At `offsetMs` after T0, apply `fn`. */
  at(offsetMs: number, fn: (s: S) => void): this {
    this.steps.push({ at: T0 + offsetMs, apply: fn });
    this.steps.sort((a, b) => a.at - b.at);
    return this;
  }
  protected advance(): void {
    while (this.steps.length > 0 && this.steps[0]!.at <= this.clock.now()) this.steps.shift()!.apply(this.state());
  }
}

interface SimDeployment {
  id: string;
  status: 'PRIMARY' | 'ACTIVE';
  taskDefinition: string;
  desired: number;
  running: number;
  pending: number;
  failed: number;
  rolloutState?: string;
  rolloutStateReason?: string;
  createdAt: number;
}

/** The mutable state of one simulated service, with the verbs timelines use. */
export class ServiceState {
  deployments: SimDeployment[] = [];
  events: EcsServiceEvent[] = [];
  stopped: StoppedTask[] = [];
  exists = true;
  private seq = 0;
  constructor(
    private readonly clock: FakeClock,
    readonly name: string,
    public desired: number,
  ) {}

  private get(id: string): SimDeployment {
    const d = this.deployments.find((x) => x.id === id);
    if (!d) throw new Error(`sim: no deployment ${id}`);
    return d;
  }

  /** A deployment that already runs, COMPLETED (created before the watch). */
  steady(id: string, taskDefinition: string, createdAt = T0 - 3_600_000): this {
    this.deployments = [
      {
        id,
        status: 'PRIMARY',
        taskDefinition,
        desired: this.desired,
        running: this.desired,
        pending: 0,
        failed: 0,
        rolloutState: 'COMPLETED',
        createdAt,
      },
    ];
    return this;
  }

  /** ECS starts a new deployment: it becomes PRIMARY (IN_PROGRESS), the others ACTIVE. */
  start(id: string, taskDefinition: string): this {
    for (const d of this.deployments) d.status = 'ACTIVE';
    this.deployments.unshift({
      id,
      status: 'PRIMARY',
      taskDefinition,
      desired: this.desired,
      running: 0,
      pending: this.desired,
      failed: 0,
      rolloutState: 'IN_PROGRESS',
      rolloutStateReason: `ECS deployment ${id} in progress.`,
      createdAt: this.clock.now(),
    });
    this.event(`(service ${this.name}) has started 1 tasks: (task ${++this.seq}).`);
    return this;
  }

  run(id: string, running: number): this {
    const d = this.get(id);
    d.running = running;
    d.pending = Math.max(0, d.desired - running);
    return this;
  }

  /** Old tasks drained: the deployment has none left. */
  drain(id: string): this {
    const d = this.get(id);
    d.running = 0;
    d.pending = 0;
    d.desired = 0;
    return this;
  }

  /** A deployment leaves the list (ECS marks it INACTIVE). */
  remove(id: string): this {
    this.deployments = this.deployments.filter((d) => d.id !== id);
    return this;
  }

  complete(id: string): this {
    const d = this.get(id);
    d.rolloutState = 'COMPLETED';
    d.rolloutStateReason = `ECS deployment ${id} completed.`;
    this.event(`(service ${this.name}) has reached a steady state.`);
    return this;
  }

  fail(id: string, reason: string): this {
    const d = this.get(id);
    d.rolloutState = 'FAILED';
    d.rolloutStateReason = reason;
    this.event(
      `(service ${this.name}) (deployment ${id}) deployment failed: ${reason.replace(/^ECS deployment circuit breaker: /, '')}`,
    );
    return this;
  }

  /** A task of deployment `id` stopped (its failedTasks count goes up). */
  taskFailed(id: string, stoppedReason: string, container?: { exitCode?: number; reason?: string }): this {
    const d = this.get(id);
    d.failed += 1;
    this.stopped.push({
      arn: `arn:aws:ecs:us-east-1:123456789012:task/shop-dev/${(++this.seq).toString(16).padStart(32, '0')}`,
      taskDefinition: d.taskDefinition,
      startedBy: d.id,
      stoppedAt: this.clock.now(),
      stopCode: 'EssentialContainerExited',
      stoppedReason,
      containers: [{ name: this.name, ...(container ?? {}) }],
    });
    return this;
  }

  event(message: string): this {
    this.events.unshift({ id: `ev-${++this.seq}`, createdAt: this.clock.now(), message });
    return this;
  }

  snapshot(): EcsService {
    const primary = this.deployments.find((d) => d.status === 'PRIMARY');
    const deployments: EcsDeployment[] = this.deployments.map((d) => ({
      id: d.id,
      status: d.status,
      taskDefinition: d.taskDefinition,
      desiredCount: d.desired,
      runningCount: d.running,
      pendingCount: d.pending,
      failedTasks: d.failed,
      ...(d.rolloutState ? { rolloutState: d.rolloutState } : {}),
      ...(d.rolloutStateReason ? { rolloutStateReason: d.rolloutStateReason } : {}),
      createdAt: d.createdAt,
      updatedAt: this.clock.now(),
    }));
    return {
      name: this.name,
      arn: `arn:aws:ecs:us-east-1:123456789012:service/shop-dev/${this.name}`,
      status: 'ACTIVE',
      desiredCount: this.desired,
      runningCount: this.deployments.reduce((n, d) => n + d.running, 0),
      pendingCount: this.deployments.reduce((n, d) => n + d.pending, 0),
      taskDefinition: primary?.taskDefinition ?? '',
      deploymentController: 'ECS',
      deployments,
      events: this.events.slice(0, 100),
      targetGroupArns: [],
    };
  }
}

/** A simulated ECS API for one service. `throttle(from, to)` makes calls in that window fail. */
export class EcsSim extends Timeline<ServiceState> {
  readonly service: ServiceState;
  readonly calls = { describeServices: 0, stoppedTasks: 0 };
  private throttled: Array<[number, number]> = [];
  private broken: Array<[number, number, string]> = [];

  constructor(clock: FakeClock, name = 'orders', desired = 2) {
    const service = new ServiceState(clock, name, desired);
    super(clock, () => service);
    this.service = service;
  }

  /** Calls between these offsets fail with ThrottlingException. */
  throttle(fromMs: number, toMs: number): this {
    this.throttled.push([T0 + fromMs, T0 + toMs]);
    return this;
  }

  /** Calls between these offsets fail with a network error. */
  networkDown(fromMs: number, toMs: number, message = 'socket hang up'): this {
    this.broken.push([T0 + fromMs, T0 + toMs, message]);
    return this;
  }

  private check(): void {
    const now = this.clock.now();
    if (this.throttled.some(([a, b]) => now >= a && now < b))
      throw Object.assign(new Error('Rate exceeded'), {
        name: 'ThrottlingException',
        $metadata: { httpStatusCode: 400 },
      });
    const down = this.broken.find(([a, b]) => now >= a && now < b);
    if (down) throw Object.assign(new Error(down[2]), { name: 'Error', code: 'ECONNRESET' });
  }

  describeServices = async (_cluster: string, names: readonly string[]) => {
    this.calls.describeServices++;
    this.advance();
    this.check();
    const svc = this.service;
    return svc.exists && names.includes(svc.name)
      ? { services: [svc.snapshot()], missing: [] }
      : { services: [], missing: [...names] };
  };

  stoppedTasks = async (_cluster: string, _service: string, options: { since?: number; limit?: number } = {}) => {
    this.calls.stoppedTasks++;
    this.advance();
    this.check();
    return this.service.stopped
      .filter((t) => options.since === undefined || (t.stoppedAt ?? 0) >= options.since)
      .sort((a, b) => (b.stoppedAt ?? 0) - (a.stoppedAt ?? 0))
      .slice(0, options.limit ?? 20);
  };
}

/** The mutable state of one simulated CodeDeploy deployment. */
export class DeploymentState {
  status = 'Created';
  error?: { code?: string; message?: string };
  rollback?: { deploymentId?: string; message?: string };
  lifecycle: CodeDeployLifecycleEvent[] = [];
  taskSets: CodeDeployTaskSet[] = [];
  stopRequests: boolean[] = [];

  constructor(readonly id: string) {
    this.lifecycle = [
      'BeforeInstall',
      'Install',
      'AfterInstall',
      'AllowTestTraffic',
      'AfterAllowTestTraffic',
      'BeforeAllowTraffic',
      'AllowTraffic',
      'AfterAllowTraffic',
    ].map((name) => ({ name, status: 'Pending' }));
  }

  /** Lifecycle event `name` → status (with diagnostics for failures). */
  event(name: string, status: string, diagnostics?: string): this {
    this.lifecycle = this.lifecycle.map((e) =>
      e.name === name ? { name, status, ...(diagnostics ? { diagnostics } : {}) } : e,
    );
    return this;
  }

  /** Blue and green task sets with green's share of traffic. */
  traffic(greenWeight: number, greenRunning = 2): this {
    this.taskSets = [
      {
        label: 'Blue',
        status: 'PRIMARY',
        trafficWeight: 100 - greenWeight,
        desiredCount: 2,
        runningCount: 2,
        pendingCount: 0,
      },
      {
        label: 'Green',
        status: 'ACTIVE',
        trafficWeight: greenWeight,
        desiredCount: 2,
        runningCount: greenRunning,
        pendingCount: 2 - greenRunning,
      },
    ];
    return this;
  }
}

export class CodeDeploySim extends Timeline<DeploymentState> {
  readonly deployment: DeploymentState;
  /** What happens when the user asks to stop (by default: Stopped with a rollback, at the next poll). */
  onStop: (s: DeploymentState, rollback: boolean) => void = (s, rollback) => {
    s.status = 'Stopped';
    if (rollback)
      s.rollback = {
        deploymentId: 'd-ROLLBACK1',
        message: 'Deployment stopped by user; rolled back to the original task set.',
      };
  };

  constructor(clock: FakeClock, id = 'd-ABCDEF123') {
    const deployment = new DeploymentState(id);
    super(clock, () => deployment);
    this.deployment = deployment;
  }

  getDeployment = async (id: string): Promise<CodeDeployDeployment> => {
    this.advance();
    const d = this.deployment;
    if (id !== d.id) throw new Error(`sim: no deployment ${id}`);
    return {
      id,
      status: d.status,
      ...(d.error ? { error: d.error } : {}),
      ...(d.rollback ? { rollback: d.rollback } : {}),
    };
  };

  target = async (_id: string): Promise<CodeDeployTarget | undefined> => {
    this.advance();
    return {
      status: this.deployment.status,
      lifecycleEvents: this.deployment.lifecycle,
      taskSets: this.deployment.taskSets,
    };
  };

  stopDeployment = async (_id: string, rollback: boolean): Promise<void> => {
    this.deployment.stopRequests.push(rollback);
    this.onStop(this.deployment, rollback);
  };
}
