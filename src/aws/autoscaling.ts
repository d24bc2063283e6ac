/* eslint-disable @typescript-eslint/no-require-imports -- the SDK module loads on first use (start-up time, see clients.ts). */
/**
 * What `cluster status` and `cluster roll` read and change in EC2 Auto Scaling, as a small
 * interface (`AutoScalingApi`) that src/ops uses and tests replace with a simulation, plus its SDK
 * implementation.
 *
 * One EC2 call is needed as well (`SdkLaunchTemplates`): which version `$Latest` / `$Default` of
 * the group's launch template is, and its instance type and AMI.
 */
import type { AutoScalingClient, AutoScalingGroup as SdkGroup } from '@aws-sdk/client-auto-scaling';
import type { EC2Client, LaunchTemplateVersion as LaunchTemplateVersionItem } from '@aws-sdk/client-ec2';
import { awsError } from './clients';

const sdk = () => require('@aws-sdk/client-auto-scaling') as typeof import('@aws-sdk/client-auto-scaling');

export interface LaunchTemplateRef {
  readonly id?: string;
  readonly name?: string;
  /** A version number, `$Latest` or `$Default`. */
  readonly version?: string;
}

export interface GroupInstance {
  readonly instanceId: string;
  /** Pending, InService, Terminating, Terminating:Wait, Standby, ... */
  readonly lifecycleState: string;
  readonly healthStatus: string;
  readonly instanceType?: string;
  readonly availabilityZone?: string;
  /** The template and the version number it was launched from. */
  readonly launchTemplate?: LaunchTemplateRef;
  readonly launchConfigurationName?: string;
}

export interface GroupSizes {
  readonly minSize: number;
  readonly maxSize: number;
  readonly desiredCapacity: number;
}

export interface AutoScalingGroupInfo extends GroupSizes {
  readonly name: string;
  /** The group's launch template (of its mixed instances policy, if it has one). */
  readonly launchTemplate?: LaunchTemplateRef;
  /** Instance types of a mixed instances policy's overrides. */
  readonly instanceTypes?: readonly string[];
  readonly launchConfigurationName?: string;
  readonly instances: readonly GroupInstance[];
  readonly tags: Readonly<Record<string, string>>;
}

/** One resolved launch template version. */
export interface LaunchTemplateVersion {
  readonly id: string;
  /** The version number, as a string (how instances report theirs). */
  readonly version: string;
  readonly instanceType?: string;
  readonly imageId?: string;
}

export interface InstanceRefreshPreferences {
  /** % of the desired capacity kept in service (AWS default 90). */
  readonly minHealthyPercentage: number;
  /** % of the desired capacity the group may grow to while replacing (100-200). */
  readonly maxHealthyPercentage?: number;
  /** Seconds a new instance needs before it counts as healthy. */
  readonly instanceWarmup?: number;
}

export interface InstanceRefreshInfo {
  readonly id: string;
  /** Pending, InProgress, Successful, Failed, Cancelling, Cancelled, RollbackInProgress, RollbackFailed, RollbackSuccessful, Baking */
  readonly status: string;
  readonly statusReason?: string;
  readonly percentComplete: number;
  readonly instancesToUpdate: number;
  readonly startTime?: Date;
}

export interface AutoScalingApi {
  /** The group with its instances and tags, or undefined when there is none of that name. */
  group(name: string): Promise<AutoScalingGroupInfo | undefined>;
  /** Resolves a template reference (`$Latest`, `$Default` or a number) to its version. */
  launchTemplateVersion(ref: LaunchTemplateRef): Promise<LaunchTemplateVersion>;
  setDesiredCapacity(group: string, desired: number): Promise<void>;
  /** Changes min/max (and desired) in one call. */
  updateSizes(group: string, sizes: Partial<GroupSizes>): Promise<void>;
  /** Terminates one instance; without `decrementDesired` the group launches a replacement. */
  terminateInstance(instanceId: string, decrementDesired: boolean): Promise<void>;
  setTag(group: string, key: string, value: string): Promise<void>;
  deleteTag(group: string, key: string): Promise<void>;
  /** Starts an instance refresh that skips instances already matching; returns its id. */
  startInstanceRefresh(group: string, preferences: InstanceRefreshPreferences): Promise<string>;
  /** The group's instance refreshes, newest first. */
  instanceRefreshes(group: string, ids?: readonly string[]): Promise<InstanceRefreshInfo[]>;
}

export function toGroupInfo(g: SdkGroup): AutoScalingGroupInfo {
  const mixed = g.MixedInstancesPolicy?.LaunchTemplate;
  const spec = g.LaunchTemplate ?? mixed?.LaunchTemplateSpecification;
  const types = (mixed?.Overrides ?? []).map((o) => o.InstanceType).filter((t): t is string => typeof t === 'string');
  const ref = (
    s: { LaunchTemplateId?: string; LaunchTemplateName?: string; Version?: string } | undefined,
  ): LaunchTemplateRef | undefined =>
    s === undefined
      ? undefined
      : {
          ...(s.LaunchTemplateId ? { id: s.LaunchTemplateId } : {}),
          ...(s.LaunchTemplateName ? { name: s.LaunchTemplateName } : {}),
          ...(s.Version ? { version: s.Version } : {}),
        };
  const launchTemplate = ref(spec);
  return {
    name: g.AutoScalingGroupName ?? '',
    minSize: g.MinSize ?? 0,
    maxSize: g.MaxSize ?? 0,
    desiredCapacity: g.DesiredCapacity ?? 0,
    ...(launchTemplate ? { launchTemplate } : {}),
    ...(types.length > 0 ? { instanceTypes: types } : {}),
    ...(g.LaunchConfigurationName ? { launchConfigurationName: g.LaunchConfigurationName } : {}),
    instances: (g.Instances ?? []).map((i) => {
      const lt = ref(i.LaunchTemplate);
      return {
        instanceId: i.InstanceId ?? '',
        lifecycleState: i.LifecycleState ?? 'Unknown',
        healthStatus: i.HealthStatus ?? 'Unknown',
        ...(i.InstanceType ? { instanceType: i.InstanceType } : {}),
        ...(i.AvailabilityZone ? { availabilityZone: i.AvailabilityZone } : {}),
        ...(lt ? { launchTemplate: lt } : {}),
        ...(i.LaunchConfigurationName ? { launchConfigurationName: i.LaunchConfigurationName } : {}),
      };
    }),
    tags: Object.fromEntries((g.Tags ?? []).filter((t) => t.Key !== undefined).map((t) => [t.Key!, t.Value ?? ''])),
  };
}

export interface LaunchTemplateLookup {
  launchTemplateVersion(ref: LaunchTemplateRef): Promise<LaunchTemplateVersion>;
}

/** AutoScalingApi through the AWS SDK (the launch template lookup is SdkLaunchTemplates). */
export class SdkAutoScalingApi implements AutoScalingApi {
  constructor(
    private readonly asg: AutoScalingClient,
    private readonly templates: LaunchTemplateLookup,
  ) {}

  async group(name: string): Promise<AutoScalingGroupInfo | undefined> {
    try {
      for await (const page of sdk().paginateDescribeAutoScalingGroups(
        { client: this.asg },
        { AutoScalingGroupNames: [name] },
      )) {
        const found = (page.AutoScalingGroups ?? []).find((g) => g.AutoScalingGroupName === name);
        if (found) return toGroupInfo(found);
      }
      return undefined;
    } catch (err) {
      throw awsError(err, `reading Auto Scaling group ${name}`);
    }
  }

  launchTemplateVersion(ref: LaunchTemplateRef): Promise<LaunchTemplateVersion> {
    return this.templates.launchTemplateVersion(ref);
  }

  async setDesiredCapacity(group: string, desired: number): Promise<void> {
    try {
      await this.asg.send(
        new (sdk().SetDesiredCapacityCommand)({
          AutoScalingGroupName: group,
          DesiredCapacity: desired,
          HonorCooldown: false,
        }),
      );
    } catch (err) {
      throw awsError(err, `setting the desired capacity of ${group} to ${desired}`);
    }
  }

  async updateSizes(group: string, sizes: Partial<GroupSizes>): Promise<void> {
    try {
      await this.asg.send(
        new (sdk().UpdateAutoScalingGroupCommand)({
          AutoScalingGroupName: group,
          ...(sizes.minSize !== undefined ? { MinSize: sizes.minSize } : {}),
          ...(sizes.maxSize !== undefined ? { MaxSize: sizes.maxSize } : {}),
          ...(sizes.desiredCapacity !== undefined ? { DesiredCapacity: sizes.desiredCapacity } : {}),
        }),
      );
    } catch (err) {
      throw awsError(err, `changing the sizes of ${group}`);
    }
  }

  async terminateInstance(instanceId: string, decrementDesired: boolean): Promise<void> {
    try {
      await this.asg.send(
        new (sdk().TerminateInstanceInAutoScalingGroupCommand)({
          InstanceId: instanceId,
          ShouldDecrementDesiredCapacity: decrementDesired,
        }),
      );
    } catch (err) {
      // Already gone (a run interrupted right after asking): nothing left to do.
      const e = err as { name?: string; message?: string };
      if (e.name === 'ValidationError' && /not found|terminated/i.test(e.message ?? '')) return;
      throw awsError(err, `terminating ${instanceId}`);
    }
  }

  async setTag(group: string, key: string, value: string): Promise<void> {
    try {
      await this.asg.send(
        new (sdk().CreateOrUpdateTagsCommand)({
          Tags: [
            { ResourceId: group, ResourceType: 'auto-scaling-group', Key: key, Value: value, PropagateAtLaunch: false },
          ],
        }),
      );
    } catch (err) {
      throw awsError(err, `tagging ${group}`);
    }
  }

  async deleteTag(group: string, key: string): Promise<void> {
    try {
      await this.asg.send(
        new (sdk().DeleteTagsCommand)({ Tags: [{ ResourceId: group, ResourceType: 'auto-scaling-group', Key: key }] }),
      );
    } catch (err) {
      throw awsError(err, `removing tag ${key} from ${group}`);
    }
  }

  async startInstanceRefresh(group: string, preferences: InstanceRefreshPreferences): Promise<string> {
    try {
      const r = await this.asg.send(
        new (sdk().StartInstanceRefreshCommand)({
          AutoScalingGroupName: group,
          Strategy: 'Rolling',
          Preferences: {
            MinHealthyPercentage: preferences.minHealthyPercentage,
            ...(preferences.maxHealthyPercentage !== undefined
              ? { MaxHealthyPercentage: preferences.maxHealthyPercentage }
              : {}),
            ...(preferences.instanceWarmup !== undefined ? { InstanceWarmup: preferences.instanceWarmup } : {}),
            SkipMatching: true,
          },
        }),
      );
      return r.InstanceRefreshId ?? '';
    } catch (err) {
      throw awsError(err, `starting an instance refresh of ${group}`);
    }
  }

  async instanceRefreshes(group: string, ids?: readonly string[]): Promise<InstanceRefreshInfo[]> {
    try {
      const out: InstanceRefreshInfo[] = [];
      for await (const page of sdk().paginateDescribeInstanceRefreshes(
        { client: this.asg },
        { AutoScalingGroupName: group, ...(ids ? { InstanceRefreshIds: [...ids] } : {}) },
      )) {
        for (const r of page.InstanceRefreshes ?? []) {
          out.push({
            id: r.InstanceRefreshId ?? '',
            status: r.Status ?? 'Unknown',
            ...(r.StatusReason ? { statusReason: r.StatusReason } : {}),
            percentComplete: r.PercentageComplete ?? 0,
            instancesToUpdate: r.InstancesToUpdate ?? 0,
            ...(r.StartTime ? { startTime: r.StartTime } : {}),
          });
        }
      }
      return out;
    } catch (err) {
      throw awsError(err, `reading the instance refreshes of ${group}`);
    }
  }
}

/** DescribeLaunchTemplateVersions through @aws-sdk/client-ec2: which version `$Latest` / `$Default` is, its instance type and AMI. */
export class SdkLaunchTemplates implements LaunchTemplateLookup {
  constructor(private readonly ec2: EC2Client) {}

  async launchTemplateVersion(ref: LaunchTemplateRef): Promise<LaunchTemplateVersion> {
    const what = `launch template ${ref.name ?? ref.id ?? '?'} version ${ref.version ?? '$Default'}`;
    let item: LaunchTemplateVersionItem | undefined;
    try {
      const { DescribeLaunchTemplateVersionsCommand } =
        require('@aws-sdk/client-ec2') as typeof import('@aws-sdk/client-ec2');
      const out = await this.ec2.send(
        new DescribeLaunchTemplateVersionsCommand({
          ...(ref.id ? { LaunchTemplateId: ref.id } : ref.name ? { LaunchTemplateName: ref.name } : {}),
          Versions: [ref.version ?? '$Default'],
        }),
      );
      item = out.LaunchTemplateVersions?.[0];
    } catch (err) {
      throw awsError(err, `reading ${what} (ec2:DescribeLaunchTemplateVersions)`);
    }
    if (item?.VersionNumber === undefined) {
      const error = new Error('EC2 returned no such version');
      error.name = 'NotFound';
      throw awsError(error, `reading ${what}`);
    }
    const data = item.LaunchTemplateData;
    return {
      id: item.LaunchTemplateId ?? ref.id ?? '',
      version: String(item.VersionNumber),
      ...(data?.InstanceType ? { instanceType: data.InstanceType } : {}),
      ...(data?.ImageId ? { imageId: data.ImageId } : {}),
    };
  }
}
