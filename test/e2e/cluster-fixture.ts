/**
 * An environment's EC2 capacity made directly in moto with the SDK (what the cluster stack would
 * create, without Terraform): a launch template, the Auto Scaling group `<project>-<env>-ecs` on
 * `$Latest`, the ECS cluster `<project>-<env>` and its instances registered as container instances
 * (moto's RegisterContainerInstance takes the instance identity document). Plus a stand-in for
 * what runs on real instances: an ECS agent that registers instances the group launches and
 * deregisters the ones it terminated.
 *
 * EC2 calls (launch templates) go through @aws-sdk/client-ec2.
 */
import {
  AutoScalingClient,
  CreateAutoScalingGroupCommand,
  DescribeAutoScalingGroupsCommand,
} from '@aws-sdk/client-auto-scaling';
import {
  CreateClusterCommand,
  DeregisterContainerInstanceCommand,
  DescribeContainerInstancesCommand,
  ECSClient,
  ListContainerInstancesCommand,
  RegisterContainerInstanceCommand,
} from '@aws-sdk/client-ecs';
import {
  CreateLaunchTemplateCommand,
  CreateLaunchTemplateVersionCommand,
  EC2Client,
  type _InstanceType,
} from '@aws-sdk/client-ec2';

export const CREDENTIALS = { accessKeyId: 'test', secretAccessKey: 'test' };

export interface Aws {
  readonly endpoint: string;
  readonly region: string;
  readonly asg: AutoScalingClient;
  readonly ecs: ECSClient;
  readonly ec2: EC2Client;
}

export function aws(endpoint: string, region: string): Aws {
  const config = { endpoint, region, credentials: CREDENTIALS };
  return {
    endpoint,
    region,
    asg: new AutoScalingClient(config),
    ecs: new ECSClient(config),
    ec2: new EC2Client(config),
  };
}

export async function createTemplate(a: Aws, name: string, instanceType: string): Promise<string> {
  const r = await a.ec2.send(
    new CreateLaunchTemplateCommand({
      LaunchTemplateName: name,
      LaunchTemplateData: { ImageId: 'ami-00000001', InstanceType: instanceType as _InstanceType },
    }),
  );
  return r.LaunchTemplate!.LaunchTemplateId!;
}

/** A new template version (an AMI or instance type change applied): `$Latest` moves on. */
export async function newVersion(a: Aws, name: string, instanceType: string, imageId = 'ami-00000002'): Promise<void> {
  await a.ec2.send(
    new CreateLaunchTemplateVersionCommand({
      LaunchTemplateName: name,
      SourceVersion: '1',
      LaunchTemplateData: { InstanceType: instanceType as _InstanceType, ImageId: imageId },
    }),
  );
}

export async function groupInstances(
  a: Aws,
  group: string,
): Promise<Array<{ id: string; state: string; version: string }>> {
  const g = (await a.asg.send(new DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: [group] })))
    .AutoScalingGroups?.[0];
  return (g?.Instances ?? []).map((i) => ({
    id: i.InstanceId!,
    state: i.LifecycleState!,
    version: i.LaunchTemplate?.Version ?? '',
  }));
}

export async function registerInstance(a: Aws, cluster: string, instanceId: string): Promise<string> {
  const r = await a.ecs.send(
    new RegisterContainerInstanceCommand({
      cluster,
      instanceIdentityDocument: JSON.stringify({ instanceId, region: a.region }),
    }),
  );
  return r.containerInstance!.containerInstanceArn!;
}

/** The group `<cluster>-ecs` with `instances` instances on `$Latest`, all registered in the cluster. */
export async function createCapacity(
  a: Aws,
  names: { cluster: string; autoScalingGroup: string },
  instances: number,
  sizes = { min: 1, max: instances + 2 },
): Promise<{ templateId: string }> {
  const templateId = await createTemplate(a, names.autoScalingGroup, 't3.medium');
  await a.asg.send(
    new CreateAutoScalingGroupCommand({
      AutoScalingGroupName: names.autoScalingGroup,
      LaunchTemplate: { LaunchTemplateName: names.autoScalingGroup, Version: '$Latest' },
      MinSize: sizes.min,
      MaxSize: sizes.max,
      DesiredCapacity: instances,
      AvailabilityZones: [`${a.region}a`],
    }),
  );
  await a.ecs.send(new CreateClusterCommand({ clusterName: names.cluster }));
  for (const i of await groupInstances(a, names.autoScalingGroup)) await registerInstance(a, names.cluster, i.id);
  return { templateId };
}

/**
 * What the ECS agent on each instance does, done once: instances of the group in service but not
 * in the cluster register; container instances whose EC2 instance left the group deregister.
 */
export async function agentTick(a: Aws, names: { cluster: string; autoScalingGroup: string }): Promise<void> {
  const inGroup = (await groupInstances(a, names.autoScalingGroup)).filter((i) => i.state === 'InService');
  const arns =
    (await a.ecs.send(new ListContainerInstancesCommand({ cluster: names.cluster }))).containerInstanceArns ?? [];
  const cis = arns.length
    ? ((await a.ecs.send(new DescribeContainerInstancesCommand({ cluster: names.cluster, containerInstances: arns })))
        .containerInstances ?? [])
    : [];
  const registered = new Set(cis.map((c) => c.ec2InstanceId));
  for (const i of inGroup) if (!registered.has(i.id)) await registerInstance(a, names.cluster, i.id);
  const live = new Set(inGroup.map((i) => i.id));
  for (const c of cis) {
    if (!live.has(c.ec2InstanceId!))
      await a.ecs.send(
        new DeregisterContainerInstanceCommand({
          cluster: names.cluster,
          containerInstance: c.containerInstanceArn!,
          force: true,
        }),
      );
  }
}

/** Nothing but python + moto is needed here (no Terraform). */
export function motoSkipReason(python: string | undefined): string | undefined {
  return python
    ? undefined
    : 'cluster e2e skipped: python3 with moto 5.2.1 not found (pip install "moto[server]==5.2.1")';
}
