/* eslint-disable @typescript-eslint/no-require-imports -- the SDK module loads on first use (start-up time, see clients.ts). */
/**
 * What `cluster status` and `cluster roll` read and change in EC2 Auto Scaling, as a small
 * interface (`AutoScalingApi`) that src/ops uses and tests replace with a simulation, plus its SDK
 * implementation.
 *
 * One EC2 call is needed as well: which version `$Latest` / `$Default` of the group's launch
 * template is, and its instance type and AMI. @aws-sdk/client-ec2 is not a dependency, so that one
 * call (DescribeLaunchTemplateVersions, a Query API GET) is signed here with Signature V4 over
 * node:crypto, using the credentials of the Auto Scaling client. When client-ec2 is added, replace
 * `Ec2QueryLaunchTemplates` with it; nothing else changes.
 */
import { createHash, createHmac } from 'node:crypto';
import type { AutoScalingClient, AutoScalingGroup as SdkGroup } from '@aws-sdk/client-auto-scaling';
import { awsError, clientConfig, type AwsTarget } from './clients';

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
  const ref = (s: { LaunchTemplateId?: string; LaunchTemplateName?: string; Version?: string } | undefined): LaunchTemplateRef | undefined =>
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

/** AutoScalingApi through the AWS SDK (and the one EC2 call, see the file comment). */
export class SdkAutoScalingApi implements AutoScalingApi {
  constructor(
    private readonly asg: AutoScalingClient,
    private readonly templates: LaunchTemplateLookup,
  ) {}

  async group(name: string): Promise<AutoScalingGroupInfo | undefined> {
    try {
      let nextToken: string | undefined;
      do {
        const page = await this.asg.send(new (sdk().DescribeAutoScalingGroupsCommand)({ AutoScalingGroupNames: [name], NextToken: nextToken }));
        const found = (page.AutoScalingGroups ?? []).find((g) => g.AutoScalingGroupName === name);
        if (found) return toGroupInfo(found);
        nextToken = page.NextToken;
      } while (nextToken);
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
      await this.asg.send(new (sdk().SetDesiredCapacityCommand)({ AutoScalingGroupName: group, DesiredCapacity: desired, HonorCooldown: false }));
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
      await this.asg.send(new (sdk().TerminateInstanceInAutoScalingGroupCommand)({ InstanceId: instanceId, ShouldDecrementDesiredCapacity: decrementDesired }));
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
        new (sdk().CreateOrUpdateTagsCommand)({ Tags: [{ ResourceId: group, ResourceType: 'auto-scaling-group', Key: key, Value: value, PropagateAtLaunch: false }] }),
      );
    } catch (err) {
      throw awsError(err, `tagging ${group}`);
    }
  }

  async deleteTag(group: string, key: string): Promise<void> {
    try {
      await this.asg.send(new (sdk().DeleteTagsCommand)({ Tags: [{ ResourceId: group, ResourceType: 'auto-scaling-group', Key: key }] }));
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
            ...(preferences.maxHealthyPercentage !== undefined ? { MaxHealthyPercentage: preferences.maxHealthyPercentage } : {}),
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
      let nextToken: string | undefined;
      do {
        const page = await this.asg.send(
          new (sdk().DescribeInstanceRefreshesCommand)({ AutoScalingGroupName: group, ...(ids ? { InstanceRefreshIds: [...ids] } : {}), NextToken: nextToken }),
        );
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
        nextToken = page.NextToken;
      } while (nextToken);
      return out;
    } catch (err) {
      throw awsError(err, `reading the instance refreshes of ${group}`);
    }
  }
}

// ---------------------------------------------------------------------------------------------
// The one EC2 call, signed here (see the file comment).

export interface Credentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken?: string;
}

const sha256 = (data: string) => createHash('sha256').update(data, 'utf8').digest('hex');
const hmac = (key: Buffer | string, data: string) => createHmac('sha256', key).update(data, 'utf8').digest();

/** RFC 3986 encoding, as Signature V4 wants it. */
function encode(s: string): string {
  return encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

/**
 * Signature V4 headers for a GET with a query string and no body (what the EC2 Query API needs).
 * Returns the headers to send, `host` included.
 */
export function signGet(url: URL, region: string, service: string, creds: Credentials, at: Date): Record<string, string> {
  const amzDate = at.toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');
  const day = amzDate.slice(0, 8);
  const query = [...url.searchParams.entries()]
    .map(([k, v]) => [encode(k), encode(v)] as const)
    .sort(([a, av], [b, bv]) => (a < b ? -1 : a > b ? 1 : av < bv ? -1 : av > bv ? 1 : 0))
    .map(([k, v]) => `${k}=${v}`)
    .join('&');
  const headers: Record<string, string> = { host: url.host, 'x-amz-date': amzDate, ...(creds.sessionToken ? { 'x-amz-security-token': creds.sessionToken } : {}) };
  const names = Object.keys(headers).sort();
  const canonical = ['GET', url.pathname || '/', query, ...names.map((n) => `${n}:${headers[n]!.trim()}`), '', names.join(';'), sha256('')].join('\n');
  const scope = `${day}/${region}/${service}/aws4_request`;
  const toSign = ['AWS4-HMAC-SHA256', amzDate, scope, sha256(canonical)].join('\n');
  const key = hmac(hmac(hmac(hmac(`AWS4${creds.secretAccessKey}`, day), region), service), 'aws4_request');
  const signature = createHmac('sha256', key).update(toSign, 'utf8').digest('hex');
  return { ...headers, authorization: `AWS4-HMAC-SHA256 Credential=${creds.accessKeyId}/${scope}, SignedHeaders=${names.join(';')}, Signature=${signature}` };
}

function xmlValue(xml: string, tag: string): string | undefined {
  return new RegExp(`<${tag}>([^<]*)</${tag}>`).exec(xml)?.[1];
}

/** DescribeLaunchTemplateVersions through the EC2 Query API. */
export class Ec2QueryLaunchTemplates implements LaunchTemplateLookup {
  constructor(
    private readonly target: AwsTarget,
    private readonly credentials: () => Promise<Credentials>,
    private readonly fetchImpl: typeof fetch = fetch,
    private readonly now: () => Date = () => new Date(),
  ) {}

  async launchTemplateVersion(ref: LaunchTemplateRef): Promise<LaunchTemplateVersion> {
    const what = `launch template ${ref.name ?? ref.id ?? '?'} version ${ref.version ?? '$Default'}`;
    const endpoint = clientConfig(this.target).endpoint ?? `https://ec2.${this.target.region}.amazonaws.com`;
    const url = new URL(endpoint.endsWith('/') ? endpoint : `${endpoint}/`);
    url.searchParams.set('Action', 'DescribeLaunchTemplateVersions');
    url.searchParams.set('Version', '2016-11-15');
    if (ref.id) url.searchParams.set('LaunchTemplateId', ref.id);
    else if (ref.name) url.searchParams.set('LaunchTemplateName', ref.name);
    url.searchParams.set('LaunchTemplateVersion.1', ref.version ?? '$Default');
    let body: string;
    let status: number;
    try {
      const headers = signGet(url, this.target.region, 'ec2', await this.credentials(), this.now());
      const res = await this.fetchImpl(url, { headers });
      body = await res.text();
      status = res.status;
    } catch (err) {
      throw awsError(err, `reading ${what}`);
    }
    if (status >= 300) {
      const error = new Error(xmlValue(body, 'Message') ?? `HTTP ${status}`);
      error.name = xmlValue(body, 'Code') ?? `HTTP${status}`;
      throw awsError(error, `reading ${what} (ec2:DescribeLaunchTemplateVersions)`);
    }
    const item = /<launchTemplateVersionSet>\s*<item>([\s\S]*?)<\/item>\s*<\/launchTemplateVersionSet>/.exec(body)?.[1];
    const version = item === undefined ? undefined : xmlValue(item, 'versionNumber');
    if (item === undefined || version === undefined) {
      const error = new Error(`EC2 returned no such version`);
      error.name = 'NotFound';
      throw awsError(error, `reading ${what}`);
    }
    const data = /<launchTemplateData>([\s\S]*)<\/launchTemplateData>/.exec(item)?.[1] ?? '';
    const instanceType = xmlValue(data, 'instanceType');
    const imageId = xmlValue(data, 'imageId');
    return {
      id: xmlValue(item, 'launchTemplateId') ?? ref.id ?? '',
      version,
      ...(instanceType ? { instanceType } : {}),
      ...(imageId ? { imageId } : {}),
    };
  }
}
