/**
 * Watches one CodeDeploy ECS deployment (blue/green, canary, linear) to its end, as an event
 * source: its status, each lifecycle event (BeforeInstall ... AfterAllowTraffic), the task sets and
 * their share of production traffic, and the ECS service's own events (green tasks failing health
 * checks show up there first).
 *
 *   completed   Succeeded (traffic on the new task set, the original one terminated)
 *   rolledBack  Failed or Stopped, and CodeDeploy rolled back (automatic rollback, alarms, or a stop with rollback)
 *   failed      Failed or Stopped without a rollback
 *   timedOut    the time ran out, or Ctrl-C without stopping it, while it still ran
 *
 * Ctrl-C asks `confirmStop`; only a yes stops the deployment, with a rollback, and the watch goes on
 * until CodeDeploy reports it stopped. Without `confirmStop` (nobody to ask), Ctrl-C only ends the
 * watch: the deployment goes on.
 */
import type { CodeDeployApi, CodeDeployDeployment, CodeDeployTarget } from '../../aws/codedeploy';
import { CODEDEPLOY_ACTIVE_STATUSES } from '../../aws/codedeploy';
import { Cadence, failedPoll, type Clock } from './clock';
import { NewServiceEvents, type EcsWatchApi, type WatchOptions } from './ecs';
import type { RolloutEvent, RolloutOutcome, StoppedTaskView, TaskSetView } from './types';

export interface CodeDeployRolloutTarget {
  readonly deploymentId: string;
  /** The ECS service the deployment replaces tasks of (for its events and stopped tasks). */
  readonly cluster: string;
  readonly service: string;
  readonly taskDefinition: string;
  /** Epoch ms when the deploy began. */
  readonly startedAt: number;
  readonly timeoutMs: number;
}

export interface CodeDeployWatchApi {
  readonly codeDeploy: Pick<CodeDeployApi, 'getDeployment' | 'target' | 'stopDeployment'>;
  readonly ecs: EcsWatchApi;
}

export interface CodeDeployWatchOptions extends WatchOptions {
  /** Asked on Ctrl-C: stop the deployment and roll it back? */
  readonly confirmStop?: () => Promise<boolean>;
}

const CLOCK_SKEW_MS = 10_000;

export async function* watchCodeDeploy(
  api: CodeDeployWatchApi,
  target: CodeDeployRolloutTarget,
  clock: Clock,
  options: CodeDeployWatchOptions = {},
): AsyncGenerator<RolloutEvent, RolloutOutcome, void> {
  const cadence = new Cadence(clock, options.cadence);
  const deadline = clock.now() + target.timeoutMs;
  const since = target.startedAt - CLOCK_SKEW_MS;
  const id = target.deploymentId;
  const now = () => clock.now();
  let interrupts = 0;
  let wake = new AbortController();
  const unsubscribe = options.onInterrupt?.(() => {
    interrupts++;
    wake.abort();
  });

  let status = '';
  let errors = 0;
  let stopRequested = false;
  let taskSets: TaskSetView[] = [];
  let lastTraffic = '';
  const lifecycle = new Map<string, string>();
  const events = new NewServiceEvents(since);
  const failures: string[] = [];

  const stoppedTasks = async function* (): AsyncGenerator<RolloutEvent, void, void> {
    try {
      for (const t of await api.ecs.stoppedTasks(target.cluster, target.service, { since, limit: 5 })) {
        if (t.taskDefinition !== target.taskDefinition) continue;
        const view: StoppedTaskView = {
          taskArn: t.arn,
          taskDefinition: t.taskDefinition,
          reason: t.stoppedReason ?? t.stopCode ?? 'stopped',
          containers: t.containers,
        };
        failures.push(`task stopped: ${view.reason}`);
        yield { type: 'task-stopped', at: now(), ...view };
      }
    } catch {
      // best effort: the outcome stands without them
    }
  };

  try {
    for (;;) {
      if (interrupts > 0) {
        interrupts = 0;
        if (options.confirmStop === undefined) return timedOut(true);
        if (!stopRequested && (await options.confirmStop())) {
          await api.codeDeploy.stopDeployment(id, true);
          stopRequested = true;
          yield { type: 'stopping', at: now(), rollback: true };
        } else if (!stopRequested) {
          yield { type: 'continuing', at: now() };
        }
      }
      if (now() >= deadline) return timedOut(false);

      let deployment: CodeDeployDeployment;
      let ecsTarget: CodeDeployTarget | undefined;
      try {
        deployment = await api.codeDeploy.getDeployment(id);
        ecsTarget = await api.codeDeploy.target(id);
        const { services } = await api.ecs.describeServices(target.cluster, [target.service]);
        yield* events.take(services[0]?.events ?? []);
        errors = 0;
      } catch (err) {
        const failed = failedPoll(err, ++errors, cadence, now());
        yield failed.event;
        await sleep(failed.delay);
        continue;
      }

      let changed = false;
      if (deployment.status !== status) {
        status = deployment.status;
        changed = true;
        yield { type: 'codedeploy-status', at: now(), deploymentId: id, status };
      }
      for (const e of ecsTarget?.lifecycleEvents ?? []) {
        if (lifecycle.get(e.name) === e.status) continue;
        lifecycle.set(e.name, e.status);
        changed = true;
        if (e.status === 'Failed') failures.push(`${e.name} failed${e.diagnostics ? `: ${e.diagnostics}` : ''}`);
        yield {
          type: 'lifecycle',
          at: now(),
          name: e.name,
          status: e.status,
          ...(e.diagnostics ? { diagnostics: e.diagnostics } : {}),
        };
      }
      taskSets = (ecsTarget?.taskSets ?? []).map((t) => ({
        label: t.label ?? t.status ?? '?',
        trafficWeight: t.trafficWeight,
        desired: t.desiredCount,
        running: t.runningCount,
      }));
      const traffic = JSON.stringify(taskSets);
      if (taskSets.length > 0 && traffic !== lastTraffic) {
        lastTraffic = traffic;
        changed = true;
        yield { type: 'traffic', at: now(), taskSets };
      }

      if (deployment.status === 'Succeeded') return { kind: 'completed', at: now(), deploymentId: id, reasons: [] };
      if (!(CODEDEPLOY_ACTIVE_STATUSES as readonly string[]).includes(deployment.status)) {
        yield* stoppedTasks();
        const reasons = [
          ...(deployment.error?.message
            ? [
                deployment.error.code
                  ? `${deployment.error.code}: ${deployment.error.message}`
                  : deployment.error.message,
              ]
            : []),
          ...failures,
          ...(deployment.rollback?.message ? [deployment.rollback.message] : []),
          ...(stopRequested ? ['stopped on request (Ctrl-C)'] : []),
        ];
        const unique = [...new Set(reasons)].slice(0, 8);
        const rolledBack =
          deployment.rollback?.deploymentId !== undefined || (stopRequested && deployment.status === 'Stopped');
        return rolledBack
          ? {
              kind: 'rolledBack',
              at: now(),
              deploymentId: id,
              reasons: unique.length ? unique : [`the deployment ${deployment.status.toLowerCase()}`],
            }
          : {
              kind: 'failed',
              at: now(),
              deploymentId: id,
              reasons: unique.length ? unique : [`the deployment ${deployment.status.toLowerCase()}`],
            };
      }

      await sleep(Math.max(0, Math.min(cadence.next(changed), deadline - now())));
    }
  } finally {
    unsubscribe?.();
  }

  function timedOut(interrupted: boolean): RolloutOutcome {
    return {
      kind: 'timedOut',
      at: now(),
      interrupted,
      deploymentId: id,
      reasons: [],
      deployments: [],
      taskSets,
      state: status || 'Created',
    };
  }

  /** Sleeps, unless Ctrl-C is pending; Ctrl-C wakes it. */
  async function sleep(ms: number): Promise<void> {
    if (interrupts > 0) return;
    if (wake.signal.aborted) wake = new AbortController();
    await clock.sleep(ms, wake.signal);
  }
}
