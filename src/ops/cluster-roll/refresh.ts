/**
 * The roll with strategy `instance-refresh`: the group's own instance refresh replaces the
 * out-of-date instances (skipping matching ones), and the capacity provider's managed draining (or
 * the lifecycle-hook Lambda) drains each before it is terminated. The sizes the refresh may use
 * come from the same plan as the `drain` strategy: MinHealthyPercentage keeps the capacity the
 * services need, MaxHealthyPercentage allows the surge the plan asked for. This watches the refresh
 * to its end; an interrupted watch leaves the refresh running, and running again watches it again.
 *
 * The group carries the tag ecsdeploy:roll while the refresh runs, as for the drain strategy: apply
 * does not apply the cluster stack under it (src/ops/infra/roll-guard). The tag goes when the
 * refresh has ended (and sizes a drain roll left raised are restored from it first).
 */
import type { GroupSizes, InstanceRefreshInfo, InstanceRefreshPreferences } from '../../aws/autoscaling';
import { checkAbort, Interrupted } from './clock';
import { RollFailed, minutes, runContext, type RollDeps } from './loop';
import { markRolling, observe, ROLL_TAG, toPlanInput } from './observe';
import { planBatches, type RollPlan } from './batches';
import type { ClusterApi, ClusterNames, RollEvent, RollOptions, RollOutcome } from './types';

const RUNNING = new Set(['Pending', 'InProgress', 'Cancelling', 'RollbackInProgress', 'Baking']);
const FAILED = new Set(['Failed', 'Cancelled', 'RollbackSuccessful', 'RollbackFailed']);

/** The refresh's preferences from the plan's first batch and surge. */
export function refreshPreferences(plan: RollPlan, group: GroupSizes): InstanceRefreshPreferences {
  const desired = Math.max(1, group.desiredCapacity);
  const batch = plan.batches[0]?.instances.length ?? 1;
  const maxHealthy = Math.min(200, Math.max(100, Math.ceil(((desired + plan.surge) / desired) * 100)));
  const minHealthy = Math.max(
    maxHealthy - 100,
    Math.min(100, Math.floor(((desired + plan.surge - batch) / desired) * 100)),
  );
  return {
    minHealthyPercentage: Math.max(0, minHealthy),
    ...(maxHealthy > 100 ? { maxHealthyPercentage: maxHealthy } : {}),
  };
}

export async function* refreshCluster(
  rawApi: ClusterApi,
  names: ClusterNames,
  options: RollOptions,
  deps: RollDeps,
): AsyncGenerator<RollEvent, RollOutcome, void> {
  const { clock, signal } = deps;
  const { api, pause } = runContext(rawApi, deps);
  const started = clock.now();
  let plan: RollPlan | undefined;
  let refreshId: string | undefined;
  let outdated: string[] = [];
  let tagged = false;
  let original: GroupSizes | undefined;
  /** The refresh ended (or there is nothing to do): the sizes in the tag restored, the tag removed. */
  const untag = async (now: GroupSizes) => {
    if (!tagged || original === undefined) return;
    const restore = { minSize: original.minSize, maxSize: Math.max(original.maxSize, now.desiredCapacity) };
    if (restore.minSize !== now.minSize || restore.maxSize !== now.maxSize)
      await api.updateSizes(names.autoScalingGroup, restore);
    await api.deleteTag(names.autoScalingGroup, ROLL_TAG);
    tagged = false;
  };
  const outcome = async (status: RollOutcome['status'], extra: Partial<RollOutcome> = {}): Promise<RollOutcome> => {
    // What the refresh replaced: the instances out of date at the start that left the group.
    let replaced: string[] = [];
    if (refreshId !== undefined && status !== 'interrupted') {
      const after = await observe(api, names, { placement: false });
      const still = new Set(after.instances.filter((i) => i.inGroup).map((i) => i.instanceId));
      replaced = outdated.filter((id) => !still.has(id));
    }
    return {
      status,
      strategy: 'instance-refresh',
      ...(plan ? { plan } : {}),
      replaced,
      batches: 0,
      durationMs: clock.now() - started,
      ...extra,
    };
  };
  let ended: string | undefined;
  const leftBehind = () =>
    refreshId === undefined
      ? 'Nothing was changed.'
      : ended !== undefined
        ? `The instance refresh ${refreshId} ended ${ended}; the instances it replaced stay replaced, and running the same command again starts a refresh of the rest.`
        : `The instance refresh ${refreshId} goes on in AWS; running the same command again watches it, and aws autoscaling cancel-instance-refresh --auto-scaling-group-name ${names.autoScalingGroup} stops it.`;

  try {
    const snapshot = await observe(api, names);
    tagged = snapshot.roll !== undefined;
    original = snapshot.roll?.original ?? {
      minSize: snapshot.group.minSize,
      maxSize: snapshot.group.maxSize,
      desiredCapacity: snapshot.group.desiredCapacity,
    };
    outdated = snapshot.instances.filter((i) => i.inGroup && i.outdated).map((i) => i.instanceId);
    const existing = (await api.instanceRefreshes(names.autoScalingGroup)).find((r) => RUNNING.has(r.status));
    plan = planBatches(toPlanInput(snapshot), options);
    yield { type: 'plan', plan, snapshot };
    if (existing === undefined) {
      // As for the drain strategy, only a first batch that cannot be made stops it before it starts.
      if (plan.blocked && plan.batches.length === 0) {
        throw new RollFailed({
          code: 'ECSDEPLOY_ROLL_BLOCKED',
          message: `The roll cannot start: ${plan.blocked.reason}`,
          suggestions: plan.blocked.suggestions,
          instances: [],
        });
      }
      if (plan.outdated === 0 && !options.dryRun) await untag(snapshot.group);
      if (plan.outdated === 0) return await outcome('up-to-date');
      if (options.dryRun) return await outcome('planned');
      if (deps.confirm && !(await deps.confirm(plan, snapshot))) return await outcome('cancelled');
      checkAbort(signal);
      if (!tagged) {
        await markRolling(api, names.autoScalingGroup, original, clock);
        tagged = true;
      }
      refreshId = await api.startInstanceRefresh(names.autoScalingGroup, refreshPreferences(plan, snapshot.group));
    } else {
      if (options.dryRun) return await outcome('planned');
      refreshId = existing.id;
    }

    let last: InstanceRefreshInfo | undefined;
    let progressAt = clock.now();
    let first = true;
    for (;;) {
      const refresh = (await api.instanceRefreshes(names.autoScalingGroup, [refreshId])).find(
        (r) => r.id === refreshId,
      );
      if (refresh === undefined)
        throw new Error(`instance refresh ${refreshId} of ${names.autoScalingGroup} is not listed`);
      if (
        last === undefined ||
        refresh.status !== last.status ||
        refresh.percentComplete !== last.percentComplete ||
        refresh.instancesToUpdate !== last.instancesToUpdate
      ) {
        if (last !== undefined) progressAt = clock.now();
        yield {
          type: 'refresh',
          id: refresh.id,
          status: refresh.status,
          percentComplete: refresh.percentComplete,
          instancesToUpdate: refresh.instancesToUpdate,
          started: first && existing === undefined,
        };
        first = false;
        last = refresh;
      }
      if (refresh.status === 'Successful' || FAILED.has(refresh.status)) {
        await untag((await observe(api, names, { placement: false })).group);
      }
      if (refresh.status === 'Successful') return await outcome('completed');
      if (FAILED.has(refresh.status)) {
        ended = refresh.status;
        throw new RollFailed({
          code: 'ECSDEPLOY_ROLL_REFRESH_FAILED',
          message: `The instance refresh ${refresh.id} of ${names.autoScalingGroup} ended ${refresh.status}${refresh.statusReason ? `: ${refresh.statusReason}` : ''}`,
          suggestions: [
            `See aws autoscaling describe-instance-refreshes --auto-scaling-group-name ${names.autoScalingGroup}; then roll again (instances already replaced are skipped).`,
          ],
          instances: [],
        });
      }
      const idle = clock.now() - progressAt;
      if (idle >= options.timeoutMs) {
        throw new RollFailed({
          code: 'ECSDEPLOY_ROLL_REFRESH_FAILED',
          message: `The instance refresh ${refresh.id} of ${names.autoScalingGroup} made no progress for ${minutes(options.timeoutMs)} (${refresh.percentComplete}% done, ${refresh.instancesToUpdate} instance(s) to go); an instance that does not drain holds it`,
          suggestions: [
            'Find the instance with `ecsdeploy cluster status` (DRAINING, with tasks) and stop what keeps it busy, or cancel the refresh: aws autoscaling cancel-instance-refresh.',
          ],
          instances: [],
        });
      }
      yield {
        type: 'waiting',
        for: 'refresh',
        elapsedMs: clock.now() - started,
        detail: `${refresh.percentComplete}% done, ${refresh.instancesToUpdate} instance(s) to replace`,
      };
      await pause();
    }
  } catch (err) {
    if (err instanceof Interrupted) return await outcome('interrupted', { resume: leftBehind() });
    if (err instanceof RollFailed) return await outcome('failed', { failure: err.failure, resume: leftBehind() });
    throw err;
  }
}
