/**
 * The roll (strategy `drain`), as an event source: it yields what it does and ends with an outcome.
 *
 *   observe → plan → (confirm) → tag the group with its sizes → repeat:
 *     wait until the group is settled (no instance launching, as many in service as desired, all of
 *     them registered in the cluster) → plan again from what AWS reports → either add surge
 *     instances, or take the next batch: set it DRAINING, wait until its tasks are gone, terminate
 *     it in the group (replacements launch; the last ones give the surge back instead)
 *   → restore the group's min/max sizes and remove the tag.
 *
 * Every decision is taken from a fresh look at AWS, so a run that was interrupted (Ctrl-C, a lost
 * connection) or failed is resumed by running again: DRAINING out-of-date instances are the batch
 * in progress, the tag holds the sizes to restore. An instance is terminated only once it runs no
 * task; one that does not drain within the timeout is set back to ACTIVE and the roll stops.
 */
import { EcsdeployError } from '../../errors';
import type { GroupSizes } from '../../aws/autoscaling';
import { checkAbort, Interrupted, jittered, type Clock } from './clock';
import { markRolling, observe, ROLL_TAG, toPlanInput } from './observe';
import { planBatches, type RollPlan } from './batches';
import type {
  ClusterApi,
  ClusterNames,
  ClusterSnapshot,
  InstanceView,
  RollEvent,
  RollFailure,
  RollOptions,
  RollOutcome,
} from './types';

export interface RollDeps {
  readonly clock: Clock;
  /** Abort to stop between steps. */
  readonly signal?: AbortSignal;
  /** Between two looks at AWS while waiting. @default 10 s */
  readonly pollMs?: number;
  /** Asked once, after the plan; false cancels before anything changes. @default go on */
  readonly confirm?: (plan: RollPlan, snapshot: ClusterSnapshot) => Promise<boolean>;
  /** A drain that makes no progress this long gets one more surge instance, if allowed. @default 5 min */
  readonly stallMs?: number;
}

/** A failure the roll reports as its outcome (not a bug). */
export class RollFailed extends Error {
  constructor(readonly failure: RollFailure) {
    super(failure.message);
    this.name = 'RollFailed';
  }
}

const sizesOf = (g: GroupSizes): GroupSizes => ({
  minSize: g.minSize,
  maxSize: g.maxSize,
  desiredCapacity: g.desiredCapacity,
});
const list = (ids: readonly string[]) =>
  ids.length <= 5 ? ids.join(', ') : `${ids.slice(0, 5).join(', ')} and ${ids.length - 5} more`;
export const minutes = (ms: number) => (ms % 60_000 === 0 ? `${ms / 60_000}m` : `${Math.round(ms / 1000)}s`);

/**
 * Shared by both strategies: the pause between looks at AWS. Throttling is not handled here: the
 * SDK retries every call with the one policy of src/aws/retry.ts.
 */
export function runContext(api: ClusterApi, deps: RollDeps) {
  const pause = async () => {
    await deps.clock.sleep(jittered(deps.pollMs ?? 10_000, deps.clock), deps.signal);
    checkAbort(deps.signal);
  };
  return { api, pause };
}

/** What one drain roll keeps between its steps, and reports when it stops. */
interface RollRun {
  readonly api: ClusterApi;
  readonly names: ClusterNames;
  readonly options: RollOptions;
  readonly deps: RollDeps;
  readonly step: Step;
  readonly replaced: string[];
  readonly draining: Set<string>;
  /** Instances ECS had registered when the roll began: new ones are those not in it. */
  readonly known: Set<string>;
  batches: number;
  plan?: RollPlan;
  /** The group's sizes before the roll (from its tag when resuming). */
  original?: GroupSizes;
  desiredNow: number;
  maxSizeNow: number;
  tagged: boolean;
}

export async function* rollCluster(
  rawApi: ClusterApi,
  names: ClusterNames,
  options: RollOptions,
  deps: RollDeps,
): AsyncGenerator<RollEvent, RollOutcome, void> {
  const { clock } = deps;
  const { api, pause } = runContext(rawApi, deps);
  const started = clock.now();
  const run: RollRun = {
    api,
    names,
    options,
    deps,
    step: { clock, pause },
    replaced: [],
    draining: new Set(),
    known: new Set(),
    batches: 0,
    desiredNow: 0,
    maxSizeNow: 0,
    tagged: false,
  };
  const outcome = (status: RollOutcome['status'], extra: Partial<RollOutcome> = {}): RollOutcome => ({
    status,
    strategy: 'drain',
    ...(run.plan ? { plan: run.plan } : {}),
    replaced: [...run.replaced],
    batches: run.batches,
    durationMs: clock.now() - started,
    ...extra,
  });

  try {
    const begun = yield* begin(run);
    if (typeof begun === 'string') return outcome(begun);
    const last = yield* batchesUntilDone(run, begun);
    yield* restore(run, last);
    return outcome('completed');
  } catch (err) {
    if (err instanceof Interrupted) return outcome('interrupted', { resume: leftBehind(run) });
    if (err instanceof RollFailed) return outcome('failed', { failure: err.failure, resume: leftBehind(run) });
    throw err;
  }
}

/**
 * Looks, plans and asks: the snapshot to roll from (the group tagged as rolling), or why the roll
 * ends here (nothing to do, a dry run, the answer no).
 */
async function* begin(
  run: RollRun,
): AsyncGenerator<RollEvent, ClusterSnapshot | 'up-to-date' | 'planned' | 'cancelled'> {
  const { api, names, options, deps } = run;
  const snapshot = await observe(api, names);
  const original = snapshot.roll?.original ?? sizesOf(snapshot.group);
  run.original = original;
  run.tagged = snapshot.roll !== undefined;
  run.desiredNow = snapshot.group.desiredCapacity;
  const plan = planBatches(toPlanInput(snapshot, original), options);
  run.plan = plan;
  yield { type: 'plan', plan, snapshot, ...(snapshot.roll ? { resumed: snapshot.roll } : {}) };
  // Only the next batch can stop a roll: later ones are estimates, planned again from what AWS reports.
  if (plan.blocked && plan.batches.length === 0)
    throw new RollFailed({
      code: 'ECSDEPLOY_ROLL_BLOCKED',
      message: `The roll cannot start: ${plan.blocked.reason}`,
      suggestions: plan.blocked.suggestions,
      instances: [],
    });
  if (plan.batches.length === 0 && !run.tagged) return 'up-to-date';
  if (options.dryRun) return 'planned';
  if (deps.confirm && !(await deps.confirm(plan, snapshot))) return 'cancelled';
  checkAbort(deps.signal);
  if (!run.tagged) {
    await markRolling(api, names.autoScalingGroup, original, deps.clock);
    run.tagged = true;
  }
  for (const i of snapshot.instances) if (i.ecsStatus === 'ACTIVE') run.known.add(i.instanceId);
  run.maxSizeNow = snapshot.group.maxSize;
  return snapshot;
}

/** Plans the next batch from what AWS reports, surges where the plan needs it, rolls it; until none is left. */
async function* batchesUntilDone(run: RollRun, start: ClusterSnapshot): AsyncGenerator<RollEvent, ClusterSnapshot> {
  const { api, names, options, deps } = run;
  const original = run.original!;
  let snapshot = start;
  let surgeAttempts = 0;
  for (;;) {
    checkAbort(deps.signal);
    snapshot = yield* settle(api, names, options, run.known, run.step);
    // Ctrl-C while the last look at AWS was under way: stop before the next batch begins.
    checkAbort(deps.signal);
    run.desiredNow = snapshot.group.desiredCapacity;
    run.maxSizeNow = snapshot.group.maxSize;
    for (const i of snapshot.instances) if (i.ecsStatus !== 'DRAINING') run.draining.delete(i.instanceId);
    const next = planBatches(toPlanInput(snapshot, original), options, 1);
    if (next.blocked) {
      throw new RollFailed({
        code: 'ECSDEPLOY_ROLL_BLOCKED',
        message: `The roll stopped after ${run.batches} batch(es): ${next.blocked.reason}`,
        suggestions: next.blocked.suggestions,
        instances: [],
      });
    }
    const batch = next.batches[0];
    if (batch === undefined) return snapshot;

    const surgeNow = Math.max(0, snapshot.group.desiredCapacity - original.desiredCapacity);
    if (next.surge > surgeNow) {
      // Something else (the capacity provider's managed scaling?) may keep lowering the group.
      if (++surgeAttempts > 3) {
        throw new RollFailed({
          code: 'ECSDEPLOY_ROLL_BLOCKED',
          message: `The roll stopped: the group's desired capacity does not stay at ${original.desiredCapacity + next.surge} (it is ${snapshot.group.desiredCapacity}); something else changes it`,
          suggestions: [
            "Check the group's scaling policies and scheduled actions (aws autoscaling describe-scaling-activities), or roll with --strategy instance-refresh.",
          ],
          instances: [],
        });
      }
      yield* grow(run, original.desiredCapacity + next.surge, snapshot.group.maxSize, 'planned');
      continue;
    }
    surgeAttempts = 0;
    yield* rollBatch(run, snapshot, next, batch);
  }
}

/** Raises the group's desired capacity (and max, where needed) to `desired`. */
async function* grow(
  run: RollRun,
  desired: number,
  maxSize: number,
  reason: 'planned' | 'stalled',
): AsyncGenerator<RollEvent, void> {
  const { api, names, deps } = run;
  const max = Math.max(maxSize, desired);
  if (max > maxSize) await api.updateSizes(names.autoScalingGroup, { maxSize: max });
  run.maxSizeNow = max;
  checkAbort(deps.signal);
  await api.setDesiredCapacity(names.autoScalingGroup, desired);
  run.desiredNow = desired;
  yield { type: 'surge', desired, maxSize: max, extra: desired - run.original!.desiredCapacity, reason };
}

/** One batch: drain its instances, wait until their tasks have moved, terminate them. */
async function* rollBatch(
  run: RollRun,
  snapshot: ClusterSnapshot,
  next: RollPlan,
  batch: RollPlan['batches'][number],
): AsyncGenerator<RollEvent, void> {
  const { api, names, options, deps, draining } = run;
  const signal = deps.signal;
  run.batches++;
  const ids = new Set(batch.instances);
  const members = snapshot.instances.filter((i) => ids.has(i.instanceId));
  yield {
    type: 'batch',
    index: run.batches,
    instances: batch.instances,
    remaining: Math.max(0, next.outdated - members.filter((i) => i.outdated).length),
  };
  const toDrain = members.filter((i) => i.ecsStatus === 'ACTIVE' && i.containerInstanceArn !== undefined);
  if (toDrain.length > 0) {
    checkAbort(signal);
    await api.setContainerInstanceState(
      names.cluster,
      toDrain.map((i) => i.containerInstanceArn!),
      'DRAINING',
    );
  }
  for (const i of members) {
    if (i.containerInstanceArn === undefined) continue;
    draining.add(i.instanceId);
    const tasks = i.runningTasks + i.pendingTasks;
    yield { type: 'instance', instanceId: i.instanceId, state: tasks === 0 ? 'drained' : 'draining', tasks };
  }
  // ECS places tasks one at a time and may fragment the free space the plan counted on: a drain
  // that stalls gets one more surge instance at a time, within the limit.
  // (Not where only tasks of no service are left: ECS moves none of those anyway.)
  // Without --surge, one instance more than the plan's limit is allowed for that.
  const stalled = async function* (arns: readonly string[]): AsyncGenerator<RollEvent, boolean> {
    if (run.desiredNow - run.original!.desiredCapacity >= next.surgeLimit + (options.surge === undefined ? 1 : 0))
      return false;
    const tasks = (await Promise.all(arns.map((arn) => api.tasks(names.cluster, arn)))).flat();
    if (!tasks.some((t) => t.group.startsWith('service:'))) return false;
    yield* grow(run, run.desiredNow + 1, run.maxSizeNow, 'stalled');
    return true;
  };
  yield* waitDrained(api, names, options, members, run.step, draining, {
    stallMs: deps.stallMs ?? 5 * 60_000,
    stalled,
  });

  // The last `decrement` of the batch give the surge back instead of being replaced.
  for (const [k, id] of batch.instances.entries()) {
    checkAbort(signal);
    const decrement = k >= batch.instances.length - batch.decrement;
    await api.terminateInstance(id, decrement);
    if (decrement) run.desiredNow--;
    draining.delete(id);
    run.replaced.push(id);
    yield { type: 'instance', instanceId: id, state: 'terminating', decrement };
  }
}

/** Done: the surge was given back by the last batches; restore min/max and drop the tag. */
async function* restore(run: RollRun, last: ClusterSnapshot): AsyncGenerator<RollEvent, void> {
  const { api, names } = run;
  const original = run.original!;
  const now = last.group;
  const sizes = { minSize: original.minSize, maxSize: Math.max(original.maxSize, now.desiredCapacity) };
  if (sizes.minSize !== now.minSize || sizes.maxSize !== now.maxSize)
    await api.updateSizes(names.autoScalingGroup, sizes);
  await api.deleteTag(names.autoScalingGroup, ROLL_TAG);
  run.tagged = false;
  yield { type: 'restored', sizes: { ...sizes, desiredCapacity: now.desiredCapacity } };
}

/** What a stopped run leaves behind, for the next one to resume. */
function leftBehind(run: RollRun): string {
  const { draining, original, desiredNow } = run;
  const parts: string[] = [];
  if (draining.size > 0) parts.push(`${list([...draining])} ${draining.size === 1 ? 'is' : 'are'} DRAINING`);
  if (original && desiredNow > original.desiredCapacity)
    parts.push(
      `the group keeps ${desiredNow - original.desiredCapacity} extra instance(s) (desired ${desiredNow}, originally ${original.desiredCapacity})`,
    );
  if (run.tagged) parts.push(`the group's tag ${ROLL_TAG} keeps its original sizes`);
  return parts.length > 0 ? `${parts.join('; ')}.` : 'Nothing was changed.';
}

interface Step {
  readonly clock: Clock;
  readonly pause: () => Promise<void>;
}

/**
 * Waits until the group is settled: nothing launching, as many instances in service as desired,
 * and every one of them registered in the cluster. Reports instances that joined.
 */
async function* settle(
  api: ClusterApi,
  names: ClusterNames,
  options: RollOptions,
  known: Set<string>,
  step: Step,
): AsyncGenerator<RollEvent, ClusterSnapshot> {
  const since = step.clock.now();
  for (;;) {
    const snapshot = await observe(api, names, { placement: false });
    const group = snapshot.instances.filter((i) => i.inGroup);
    const launching = group.filter((i) => i.lifecycleState.startsWith('Pending'));
    const inService = group.filter((i) => i.lifecycleState === 'InService');
    const unregistered = inService.filter((i) => i.ecsStatus !== 'ACTIVE' && i.ecsStatus !== 'DRAINING');
    const joined = inService
      .filter((i) => i.ecsStatus === 'ACTIVE' && !known.has(i.instanceId))
      .map((i) => i.instanceId);
    if (joined.length > 0) {
      for (const id of joined) known.add(id);
      yield { type: 'ready', instances: joined };
    }
    const missing = snapshot.group.desiredCapacity - inService.length;
    // Settled: read it again with where every task runs, for the plan.
    if (launching.length === 0 && unregistered.length === 0 && missing <= 0) return await observe(api, names);

    const elapsed = step.clock.now() - since;
    const waitingFor = [
      ...launching.map((i) => `${i.instanceId} (${i.lifecycleState})`),
      ...unregistered.map((i) => `${i.instanceId} (in service, not yet in cluster ${names.cluster})`),
      ...(missing > launching.length
        ? [`${missing - launching.length} instance(s) the group has not launched yet`]
        : []),
    ];
    if (elapsed >= options.timeoutMs) {
      const stuck = [...unregistered, ...launching].map((i) => i.instanceId);
      const message =
        unregistered.length > 0
          ? `${list(unregistered.map((i) => i.instanceId))} ${unregistered.length === 1 ? 'has' : 'have'} been in service for ${minutes(options.timeoutMs)} but never registered in cluster ${names.cluster}`
          : launching.length > 0
            ? `${list(launching.map((i) => i.instanceId))} did not come into service within ${minutes(options.timeoutMs)}`
            : `the group runs ${inService.length} of its desired ${snapshot.group.desiredCapacity} instances after ${minutes(options.timeoutMs)}: Auto Scaling did not launch replacements`;
      throw new RollFailed({
        code: 'ECSDEPLOY_ROLL_REPLACEMENT_TIMEOUT',
        message: `The roll stopped: ${message}. No instance with tasks was terminated.`,
        suggestions: [
          unregistered.length > 0
            ? `Check the ECS agent on ${unregistered[0]!.instanceId} (user data ECS_CLUSTER=${names.cluster}, the instance role, network access to ECS); terminate it in the group to get another one (aws autoscaling terminate-instance-in-auto-scaling-group --no-should-decrement-desired-capacity --instance-id ${unregistered[0]!.instanceId}).`
            : `See why in the group's scaling activities: aws autoscaling describe-scaling-activities --auto-scaling-group-name ${names.autoScalingGroup}.`,
          'Then run the roll again: it goes on from where it stopped.',
        ],
        instances: stuck,
      });
    }
    yield { type: 'waiting', for: 'instances', elapsedMs: elapsed, detail: `waiting for ${waitingFor.join(', ')}` };
    await step.pause();
  }
}

/**
 * Waits until the batch's instances run no task. On timeout the batch is set back to ACTIVE (no
 * capacity is left idle) and the roll stops naming what still runs; nothing is terminated.
 */
async function* waitDrained(
  api: ClusterApi,
  names: ClusterNames,
  options: RollOptions,
  members: readonly InstanceView[],
  step: Step,
  draining: Set<string>,
  stall: {
    readonly stallMs: number;
    readonly stalled: (arns: readonly string[]) => AsyncGenerator<RollEvent, boolean>;
  },
): AsyncGenerator<RollEvent, void> {
  const since = step.clock.now();
  const arns = new Map(
    members.filter((i) => i.containerInstanceArn !== undefined).map((i) => [i.containerInstanceArn!, i.instanceId]),
  );
  const last = new Map(members.map((i) => [i.instanceId, i.runningTasks + i.pendingTasks]));
  let progressAt = since;
  let fewest = Number.POSITIVE_INFINITY;
  for (;;) {
    if (arns.size === 0) return;
    const cis = await api.containerInstances(names.cluster, [...arns.keys()]);
    const left: Array<{ arn: string; id: string; tasks: number }> = [];
    for (const ci of cis) {
      const id = arns.get(ci.arn) ?? ci.ec2InstanceId;
      const tasks = ci.runningTasks + ci.pendingTasks;
      if (last.get(id) !== tasks) {
        last.set(id, tasks);
        yield { type: 'instance', instanceId: id, state: tasks === 0 ? 'drained' : 'draining', tasks };
      }
      if (tasks > 0 && ci.status !== 'INACTIVE') left.push({ arn: ci.arn, id, tasks });
    }
    if (left.length === 0) return;
    const total = left.reduce((n, l) => n + l.tasks, 0);
    if (total < fewest) {
      fewest = total;
      progressAt = step.clock.now();
    } else if (step.clock.now() - progressAt >= stall.stallMs && (yield* stall.stalled(left.map((l) => l.arn)))) {
      progressAt = step.clock.now();
    }

    const elapsed = step.clock.now() - since;
    if (elapsed >= options.timeoutMs) {
      const details: string[] = [];
      for (const l of left) {
        const tasks = await api.tasks(names.cluster, l.arn);
        const groups = [...new Set(tasks.map((t) => t.group || '?'))];
        const standalone = groups.filter((g) => !g.startsWith('service:'));
        details.push(
          `${l.id} still runs ${l.tasks} task${l.tasks === 1 ? '' : 's'}${groups.length ? ` (${groups.join(', ')})` : ''}` +
            (standalone.length
              ? `; ${standalone.join(', ')} ${standalone.length === 1 ? 'is' : 'are'} not part of a service, and ECS does not move such tasks`
              : ''),
        );
      }
      await api.setContainerInstanceState(names.cluster, [...arns.keys()], 'ACTIVE');
      for (const id of arns.values()) {
        draining.delete(id);
        yield { type: 'instance', instanceId: id, state: 'reactivated' };
      }
      throw new RollFailed({
        code: 'ECSDEPLOY_ROLL_DRAIN_TIMEOUT',
        message: `The roll stopped: ${left.length === 1 ? 'an instance' : `${left.length} instances`} did not drain within ${minutes(options.timeoutMs)}: ${details.join('; ')}. ${arns.size === 1 ? 'It was' : 'The batch was'} set back to ACTIVE and nothing was terminated.`,
        suggestions: [
          'Stop or let finish the tasks named above (standalone tasks: aws ecs stop-task), or give services room to move (ecsdeploy cluster status), or allow more time with --timeout.',
          'Then run the roll again: instances already replaced are not touched again.',
        ],
        instances: left.map((l) => l.id),
      });
    }
    yield {
      type: 'waiting',
      for: 'drain',
      elapsedMs: elapsed,
      detail: `${left.map((l) => `${l.id}: ${l.tasks} task${l.tasks === 1 ? '' : 's'}`).join(', ')}`,
    };
    await step.pause();
  }
}

/** For the command layer: a failed outcome as the error it exits with (1). */
export function failureError(failure: RollFailure, resume: string | undefined): EcsdeployError {
  return new EcsdeployError(failure.message, {
    code: failure.code,
    suggestions: [...failure.suggestions, ...(resume ? [`Left in place: ${resume}`] : [])],
  });
}
