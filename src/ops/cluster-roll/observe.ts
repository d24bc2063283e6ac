/**
 * One look at an environment's EC2 capacity: the Auto Scaling group and its instances, which of
 * them are out of date and why, their ECS state, the services that run on them and what those
 * need. Everything the roll decides is decided from this, read again before each step, so a
 * second run resumes from what AWS reports.
 */
import { z } from 'zod';
import type {
  AutoScalingApi,
  AutoScalingGroupInfo,
  GroupInstance,
  GroupSizes,
  LaunchTemplateVersion,
} from '../../aws/autoscaling';
import type { ContainerInstance, Resources } from '../../aws/ecs-cluster';
import type { Clock } from '../../clock';
import { EcsdeployError } from '../../errors';
import { capacitySummary, type PlanInput, type PlanInstance } from './batches';
import type { ClusterApi, ClusterNames, ClusterSnapshot, InstanceView, RollMark, ServiceView } from './types';

/** The tag a roll keeps on the group while it runs: the sizes to restore at the end. */
export const ROLL_TAG = 'ecsdeploy:roll';

const MarkSchema = z.object({
  min: z.coerce.number().int().min(0),
  max: z.coerce.number().int().min(0),
  desired: z.coerce.number().int().min(0),
  started: z.string().min(1),
});

export function formatRollMark(mark: RollMark): string {
  return `min=${mark.original.minSize},max=${mark.original.maxSize},desired=${mark.original.desiredCapacity},started=${mark.startedAt}`;
}

/** Tags the group as rolling (what `cluster status`, a resumed roll and other rolls read), with the sizes to restore. */
export async function markRolling(
  api: Pick<ClusterApi, 'setTag'>,
  group: string,
  original: RollMark['original'],
  clock: Pick<Clock, 'now'>,
): Promise<void> {
  await api.setTag(group, ROLL_TAG, formatRollMark({ original, startedAt: new Date(clock.now()).toISOString() }));
}

export function parseRollMark(group: string, value: string): RollMark {
  const fields = Object.fromEntries(
    value.split(',').map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)]),
  );
  const parsed = MarkSchema.safeParse(fields);
  if (!parsed.success) {
    throw new EcsdeployError(
      `The tag ${ROLL_TAG} on Auto Scaling group ${group} is not one ecsdeploy wrote: '${value}'`,
      {
        code: 'ECSDEPLOY_ROLL_TAG',
        suggestions: [
          `Remove the tag (aws autoscaling delete-tags --tags ResourceId=${group},ResourceType=auto-scaling-group,Key=${ROLL_TAG}), check the group's min/max/desired sizes, and roll again.`,
        ],
      },
    );
  }
  const m = parsed.data;
  return { original: { minSize: m.min, maxSize: m.max, desiredCapacity: m.desired }, startedAt: m.started };
}

/**
 * The roll in progress on `group`, from its tag; undefined when there is none (or no such group).
 * One read of the group: what `apply` checks before it touches a cluster stack (src/ops/infra/roll-guard).
 */
export async function rollInProgress(api: Pick<AutoScalingApi, 'group'>, group: string): Promise<RollMark | undefined> {
  const info = await api.group(group);
  return info === undefined ? undefined : rollMarkOf(info);
}

/** The roll recorded in a group's tag, if any. */
function rollMarkOf(group: Pick<AutoScalingGroupInfo, 'name' | 'tags'>): RollMark | undefined {
  const value = group.tags[ROLL_TAG];
  return value === undefined ? undefined : parseRollMark(group.name, value);
}

/** Why an instance differs from what the group launches now; empty when it does not. */
export function outdatedReasons(
  instance: GroupInstance,
  group: AutoScalingGroupInfo,
  target: LaunchTemplateVersion | undefined,
  ci: ContainerInstance | undefined,
): string[] {
  const reasons: string[] = [];
  const lt = group.launchTemplate;
  if (lt !== undefined) {
    const mine = instance.launchTemplate;
    if (mine === undefined) {
      reasons.push(
        instance.launchConfigurationName
          ? `launched from launch configuration ${instance.launchConfigurationName}; the group uses a launch template`
          : "launched without the group's launch template",
      );
    } else if (
      (lt.id !== undefined && mine.id !== undefined && lt.id !== mine.id) ||
      (lt.id === undefined && lt.name !== mine.name)
    ) {
      reasons.push(`launch template ${mine.name ?? mine.id}; the group uses ${lt.name ?? lt.id}`);
    } else if (target !== undefined && mine.version !== target.version) {
      reasons.push(`launch template version ${mine.version ?? '?'}; the group launches version ${target.version}`);
    }
  } else if (
    group.launchConfigurationName !== undefined &&
    instance.launchConfigurationName !== group.launchConfigurationName
  ) {
    reasons.push(
      `launch configuration ${instance.launchConfigurationName ?? 'none'}; the group uses ${group.launchConfigurationName}`,
    );
  }
  const types = group.instanceTypes ?? (target?.instanceType ? [target.instanceType] : undefined);
  const type = instance.instanceType ?? ci?.instanceType;
  if (types !== undefined && type !== undefined && !types.includes(type))
    reasons.push(`instance type ${type}; the group launches ${types.join(', ')}`);
  if (target?.imageId?.startsWith('ami-') && ci?.amiId !== undefined && ci.amiId !== target.imageId)
    reasons.push(`AMI ${ci.amiId}; the launch template has ${target.imageId}`);
  return reasons;
}

const NO_RESOURCES: Resources = { cpu: 0, memory: 0 };

export interface ObserveOptions {
  /** Also read where every task runs (ListTasks + DescribeTasks), which planning needs. @default true */
  readonly placement?: boolean;
}

/** Reads the group, its launch template, the cluster's container instances and services (and where tasks run). */
export async function observe(
  api: ClusterApi,
  names: ClusterNames,
  options: ObserveOptions = {},
): Promise<ClusterSnapshot> {
  const group = await api.group(names.autoScalingGroup);
  if (group === undefined) {
    throw new EcsdeployError(
      `There is no Auto Scaling group ${names.autoScalingGroup}: the environment's cluster stack has not been applied, or has no EC2 capacity`,
      {
        code: 'ECSDEPLOY_ROLL_NO_GROUP',
        suggestions: [
          "Apply the environment's cluster stack first, and check AWS_REGION / AWS_PROFILE point at the right account.",
        ],
      },
    );
  }
  const [target, cis, services, tasks] = await Promise.all([
    group.launchTemplate ? api.launchTemplateVersion(group.launchTemplate) : Promise.resolve(undefined),
    api.containerInstances(names.cluster),
    api.services(names.cluster),
    options.placement === false ? Promise.resolve(undefined) : api.tasks(names.cluster),
  ]);
  const placement = new Map<string, Record<string, number>>();
  for (const t of tasks ?? []) {
    if (t.containerInstanceArn === undefined) continue;
    const on = placement.get(t.containerInstanceArn) ?? {};
    const key = t.group.startsWith('service:') ? t.group.slice('service:'.length) : t.group || 'unknown';
    on[key] = (on[key] ?? 0) + 1;
    placement.set(t.containerInstanceArn, on);
  }
  const byInstance = new Map<string, ContainerInstance>();
  for (const ci of cis) {
    const seen = byInstance.get(ci.ec2InstanceId);
    // A re-registered instance has an INACTIVE entry too: keep the live one.
    if (seen === undefined || seen.status === 'INACTIVE') byInstance.set(ci.ec2InstanceId, ci);
  }
  const view = (
    instanceId: string,
    ci: ContainerInstance | undefined,
    rest: Partial<InstanceView> & Pick<InstanceView, 'inGroup' | 'lifecycleState' | 'outdated' | 'outdatedReasons'>,
  ): InstanceView => ({
    instanceId,
    ecsStatus: ci?.status ?? 'UNREGISTERED',
    ...(ci ? { containerInstanceArn: ci.arn } : {}),
    runningTasks: ci?.runningTasks ?? 0,
    pendingTasks: ci?.pendingTasks ?? 0,
    registered: ci?.registered ?? NO_RESOURCES,
    remaining: ci?.remaining ?? NO_RESOURCES,
    ...(tasks !== undefined ? { tasks: (ci && placement.get(ci.arn)) ?? {} } : {}),
    ...rest,
  });
  const inGroup = new Set(group.instances.map((i) => i.instanceId));
  const instances: InstanceView[] = [
    ...group.instances.map((i) => {
      const ci = byInstance.get(i.instanceId);
      const reasons = outdatedReasons(i, group, target, ci);
      const type = i.instanceType ?? ci?.instanceType;
      return view(i.instanceId, ci, {
        inGroup: true,
        lifecycleState: i.lifecycleState,
        ...(type ? { instanceType: type } : {}),
        ...(i.launchTemplate?.version ? { launchTemplateVersion: i.launchTemplate.version } : {}),
        outdated: reasons.length > 0,
        outdatedReasons: reasons,
      });
    }),
    ...cis
      .filter(
        (ci) => !inGroup.has(ci.ec2InstanceId) && byInstance.get(ci.ec2InstanceId) === ci && ci.status !== 'INACTIVE',
      )
      .map((ci) =>
        view(ci.ec2InstanceId, ci, {
          inGroup: false,
          lifecycleState: '-',
          ...(ci.instanceType ? { instanceType: ci.instanceType } : {}),
          outdated: false,
          outdatedReasons: [],
        }),
      ),
  ].sort((a, b) => Number(b.inGroup) - Number(a.inGroup) || a.instanceId.localeCompare(b.instanceId));

  const onEc2 = services.filter((s) => s.onEc2);
  const sizes = new Map<string, Resources>();
  await Promise.all(
    [...new Set(onEc2.map((s) => s.taskDefinition))].map(async (td) => sizes.set(td, await api.taskSize(td))),
  );
  const serviceViews: ServiceView[] = onEc2
    .map((s) => {
      const size = sizes.get(s.taskDefinition) ?? NO_RESOURCES;
      return {
        name: s.name,
        desired: s.desiredCount,
        running: s.runningCount,
        daemon: s.daemon,
        cpu: size.cpu,
        memory: size.memory,
        minimumHealthyPercent: s.minimumHealthyPercent,
        maximumPercent: s.maximumPercent,
      };
    })
    .sort((a, b) => a.name.localeCompare(b.name));

  const roll = rollMarkOf(group);
  const partial = {
    names,
    group: {
      name: group.name,
      minSize: group.minSize,
      maxSize: group.maxSize,
      desiredCapacity: group.desiredCapacity,
      ...(target ? { launchTemplateVersion: target.version } : {}),
      ...(target?.instanceType ? { instanceType: target.instanceType } : {}),
      ...(target?.imageId ? { imageId: target.imageId } : {}),
    },
    instances,
    services: serviceViews,
    ...(roll ? { roll } : {}),
  };
  return { ...partial, capacity: capacitySummary(toPlanInput(partial)) };
}

/** The instances that count for the planner: the group's in service, and other live instances of the cluster. */
export function planInstances(snapshot: Pick<ClusterSnapshot, 'instances'>): PlanInstance[] {
  return snapshot.instances
    .filter((i) =>
      i.inGroup ? i.lifecycleState === 'InService' : i.ecsStatus === 'ACTIVE' || i.ecsStatus === 'DRAINING',
    )
    .map((i) => ({
      id: i.instanceId,
      inGroup: i.inGroup,
      ...(i.instanceType ? { instanceType: i.instanceType } : {}),
      outdated: i.outdated,
      status: i.ecsStatus === 'ACTIVE' ? 'ACTIVE' : i.ecsStatus === 'DRAINING' ? 'DRAINING' : 'UNREGISTERED',
      capacity: i.registered,
      free: i.remaining,
      tasks: i.tasks ?? {},
    }));
}

/**
 * Up-to-date instances on their way: launching, in service but not registered yet, and those the
 * group has not even launched yet (desired above what it runs).
 */
function launching(snapshot: Omit<ClusterSnapshot, 'capacity'>): number {
  const alive = snapshot.instances.filter(
    (i) => i.inGroup && (i.lifecycleState.startsWith('Pending') || i.lifecycleState === 'InService'),
  );
  const coming = alive.filter(
    (i) =>
      !i.outdated &&
      (i.lifecycleState.startsWith('Pending') || (i.ecsStatus !== 'ACTIVE' && i.ecsStatus !== 'DRAINING')),
  );
  return coming.length + Math.max(0, snapshot.group.desiredCapacity - alive.length);
}

/**
 * The planner's input: the instances, the services, the sizes (original ones from the roll's tag
 * when a roll is in progress), and what a new instance will bring: the registered capacity of an
 * instance of the type the group launches, else of an up-to-date one, else the smallest registered.
 */
export function toPlanInput(snapshot: Omit<ClusterSnapshot, 'capacity'>, original?: GroupSizes): PlanInput {
  const instances = planInstances(snapshot);
  const active = snapshot.instances.filter(
    (i) => i.ecsStatus === 'ACTIVE' && i.registered.cpu + i.registered.memory > 0,
  );
  const launches = snapshot.group.instanceType ? [snapshot.group.instanceType] : undefined;
  // An instance registers what its type offers (whatever its AMI, within a few MiB): any instance
  // of the type the group launches tells; up-to-date ones first.
  const sameType = active.filter(
    (i) => launches !== undefined && i.instanceType !== undefined && launches.includes(i.instanceType),
  );
  const upToDate = active.filter((i) => !i.outdated && i.inGroup);
  const candidates = sameType.length > 0 ? sameType : upToDate.length > 0 ? upToDate : active;
  const smallest = candidates.reduce<Resources | undefined>(
    (min, i) =>
      min === undefined ||
      i.registered.cpu < min.cpu ||
      (i.registered.cpu === min.cpu && i.registered.memory < min.memory)
        ? i.registered
        : min,
    undefined,
  );
  return {
    instances,
    services: snapshot.services.map((s) => ({
      name: s.name,
      desired: s.desired,
      cpu: s.cpu,
      memory: s.memory,
      minimumHealthyPercent: s.minimumHealthyPercent,
      maximumPercent: s.maximumPercent,
      daemon: s.daemon,
    })),
    launching: launching(snapshot),
    desired: snapshot.group.desiredCapacity,
    originalDesired: (original ?? snapshot.roll?.original ?? snapshot.group).desiredCapacity,
    newInstanceCapacity: smallest ?? NO_RESOURCES,
  };
}
