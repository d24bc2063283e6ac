/**
 * The AWS calls of `cluster status` and `cluster roll` (src/aws/autoscaling.ts, ecs-cluster.ts)
 * against the moto server: each is made with the right parameters (moto answers from what they
 * did) and its answer is read correctly, List calls to their last page (page size 2 here; the
 * launcher paginates, patch `ecs-list-pagination`), batch calls split to the API's limits. Then
 * observe() on top of them: which instances are out of date, and why.
 */
import { SetInstanceProtectionCommand } from '@aws-sdk/client-auto-scaling';
import {
  CreateServiceCommand,
  DescribeContainerInstancesCommand,
  RegisterTaskDefinitionCommand,
  StartTaskCommand,
} from '@aws-sdk/client-ecs';
import { SdkAutoScalingApi, SdkLaunchTemplates } from '../../src/aws/autoscaling';
import { AwsClients } from '../../src/aws/clients';
import { SdkEcsClusterApi } from '../../src/aws/ecs-cluster';
import { EcsdeployError } from '../../src/errors';
import { combine } from '../../src/ops/cluster-roll';
import { observe } from '../../src/ops/cluster-roll/observe';
import { startMoto, toolchain, type MotoServer } from '../support/moto';
import { aws, createCapacity, groupInstances, newVersion, type Aws } from './cluster-fixture';
import { TEARDOWN_MS } from './support';
import { motoSkipReason } from './cluster-fixture';
import { isCI } from '../../src/ui/prompt';

const reason = motoSkipReason(toolchain().python);
if (reason && isCI()) throw new Error(`${reason}; CI must have moto`);
if (reason) console.warn(reason);

const NAMES = { cluster: 'api-prod', autoScalingGroup: 'api-prod-ecs', capacityProvider: 'api-prod-ec2' };
const REGION = 'us-east-1';

(reason ? describe.skip : describe)('cluster AWS calls against moto', () => {
  let moto: MotoServer;
  let a: Aws;
  let clients: AwsClients;
  let asgApi: SdkAutoScalingApi;
  let ecsApi: SdkEcsClusterApi;
  let templateId: string;
  const env = { AWS_ACCESS_KEY_ID: 'test', AWS_SECRET_ACCESS_KEY: 'test', AWS_EC2_METADATA_DISABLED: 'true' };
  const saved: Record<string, string | undefined> = {};

  beforeAll(async () => {
    moto = await startMoto();
    for (const [k, v] of Object.entries(env)) {
      saved[k] = process.env[k];
      process.env[k] = v;
    }
    a = aws(moto.endpoint, REGION);
    ({ templateId } = await createCapacity(a, NAMES, 12, { min: 1, max: 14 }));
    clients = new AwsClients({ region: REGION, endpoint: moto.endpoint });
    asgApi = new SdkAutoScalingApi(clients.autoScaling(), new SdkLaunchTemplates(clients.ec2()));
    ecsApi = new SdkEcsClusterApi(clients.ecs(), { pageSize: 2 });
  }, 60_000);
  afterAll(async () => {
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
    await moto?.stop();
  }, TEARDOWN_MS);

  describe('Auto Scaling', () => {
    it('reads the group: sizes, its launch template, its instances with the version each was launched from', async () => {
      const g = await asgApi.group(NAMES.autoScalingGroup);
      expect(g).toMatchObject({
        name: NAMES.autoScalingGroup,
        minSize: 1,
        maxSize: 14,
        desiredCapacity: 12,
        launchTemplate: { id: templateId, name: NAMES.autoScalingGroup, version: '$Latest' },
      });
      expect(g!.instances).toHaveLength(12);
      expect(g!.instances[0]).toMatchObject({
        lifecycleState: 'InService',
        healthStatus: 'Healthy',
        instanceType: 't3.medium',
        launchTemplate: { id: templateId, version: '1' },
      });
      expect(await asgApi.group('no-such-group')).toBeUndefined();
    });

    it('resolves $Latest and $Default through EC2 DescribeLaunchTemplateVersions', async () => {
      await newVersion(a, NAMES.autoScalingGroup, 't3.large');
      expect(await asgApi.launchTemplateVersion({ id: templateId, version: '$Latest' })).toEqual({
        id: templateId,
        version: '2',
        instanceType: 't3.large',
        imageId: 'ami-00000002',
      });
      expect(await asgApi.launchTemplateVersion({ name: NAMES.autoScalingGroup, version: '$Default' })).toEqual({
        id: templateId,
        version: '1',
        instanceType: 't3.medium',
        imageId: 'ami-00000001',
      });
      const err = await asgApi
        .launchTemplateVersion({ name: 'no-such-template', version: '$Latest' })
        .catch((e: unknown) => e);
      expect(err).toBeInstanceOf(EcsdeployError);
      expect((err as Error).message).toContain('launch template no-such-template');
    });

    it('tags the group and removes the tag', async () => {
      await asgApi.setTag(NAMES.autoScalingGroup, 'ecsdeploy:roll', 'min=1,max=14,desired=12,started=x');
      expect((await asgApi.group(NAMES.autoScalingGroup))!.tags['ecsdeploy:roll']).toBe(
        'min=1,max=14,desired=12,started=x',
      );
      await asgApi.deleteTag(NAMES.autoScalingGroup, 'ecsdeploy:roll');
      expect((await asgApi.group(NAMES.autoScalingGroup))!.tags['ecsdeploy:roll']).toBeUndefined();
    });

    it('sets max, then desired capacity: the group launches from $Latest', async () => {
      await asgApi.updateSizes(NAMES.autoScalingGroup, { maxSize: 15 });
      await asgApi.setDesiredCapacity(NAMES.autoScalingGroup, 13);
      const g = await asgApi.group(NAMES.autoScalingGroup);
      expect({ max: g!.maxSize, desired: g!.desiredCapacity }).toEqual({ max: 15, desired: 13 });
      expect(g!.instances.filter((i) => i.launchTemplate?.version === '2')).toHaveLength(1);
    });

    // (Terminating an instance already gone: AWS answers ValidationError, which terminateInstance
    // ignores; moto fails with HTTP 500 instead, so that is tested in test/cluster-roll/aws-adapters.test.ts.)
    it('terminates without decrementing (a replacement comes) and with (desired drops)', async () => {
      const before = await groupInstances(a, NAMES.autoScalingGroup);
      const [first, second] = before.filter((i) => i.version === '1');
      await asgApi.terminateInstance(first!.id, false);
      let after = await groupInstances(a, NAMES.autoScalingGroup);
      expect(after.map((i) => i.id)).not.toContain(first!.id);
      expect(after).toHaveLength(13);
      await asgApi.terminateInstance(second!.id, true);
      after = await groupInstances(a, NAMES.autoScalingGroup);
      expect(after).toHaveLength(12);
      expect((await asgApi.group(NAMES.autoScalingGroup))!.desiredCapacity).toBe(12);
    });

    it('moto does not keep protected instances out of TerminateInstanceInAutoScalingGroup (nor does AWS)', async () => {
      const [one] = (await groupInstances(a, NAMES.autoScalingGroup)).filter((i) => i.version === '1');
      await a.asg.send(
        new SetInstanceProtectionCommand({
          AutoScalingGroupName: NAMES.autoScalingGroup,
          InstanceIds: [one!.id],
          ProtectedFromScaleIn: true,
        }),
      );
      await asgApi.terminateInstance(one!.id, false);
      expect((await groupInstances(a, NAMES.autoScalingGroup)).map((i) => i.id)).not.toContain(one!.id);
    });
  });

  describe('ECS', () => {
    let arns: string[];

    beforeAll(async () => {
      // Task definitions: one with task-level sizes, one with container sizes only (bridge mode).
      await a.ecs.send(
        new RegisterTaskDefinitionCommand({
          family: 'web',
          cpu: '512',
          memory: '1024',
          containerDefinitions: [{ name: 'web', image: 'nginx', cpu: 100, memory: 200 }],
        }),
      );
      await a.ecs.send(
        new RegisterTaskDefinitionCommand({
          family: 'worker',
          containerDefinitions: [
            { name: 'main', image: 'w', cpu: 256, memory: 300 },
            { name: 'side', image: 's', cpu: 128, memoryReservation: 200 },
          ],
        }),
      );
      // 13 services: 10 on EC2 (one of them a daemon), one on Fargate, one on Fargate Spot only, one at 50%/150%.
      for (let n = 0; n < 10; n++)
        await a.ecs.send(
          new CreateServiceCommand({
            cluster: NAMES.cluster,
            serviceName: `svc${n}`,
            taskDefinition: 'web',
            desiredCount: n,
            launchType: 'EC2',
          }),
        );
      await a.ecs.send(
        new CreateServiceCommand({
          cluster: NAMES.cluster,
          serviceName: 'agent',
          taskDefinition: 'worker',
          schedulingStrategy: 'DAEMON',
          launchType: 'EC2',
        }),
      );
      await a.ecs.send(
        new CreateServiceCommand({
          cluster: NAMES.cluster,
          serviceName: 'api',
          taskDefinition: 'web',
          desiredCount: 2,
          launchType: 'FARGATE',
        }),
      );
      await a.ecs.send(
        new CreateServiceCommand({
          cluster: NAMES.cluster,
          serviceName: 'spot',
          taskDefinition: 'web',
          desiredCount: 1,
          capacityProviderStrategy: [{ capacityProvider: 'FARGATE_SPOT', weight: 1 }],
        }),
      );
      await a.ecs.send(
        new CreateServiceCommand({
          cluster: NAMES.cluster,
          serviceName: 'half',
          taskDefinition: 'worker',
          desiredCount: 4,
          launchType: 'EC2',
          deploymentConfiguration: { minimumHealthyPercent: 50, maximumPercent: 150 },
        }),
      );
      arns = (await ecsApi.containerInstances(NAMES.cluster)).map((c) => c.arn);
      // Three standalone tasks: two on the first instance, one on the second.
      await a.ecs.send(
        new StartTaskCommand({
          cluster: NAMES.cluster,
          taskDefinition: 'web',
          containerInstances: [arns[0]!, arns[0]!, arns[1]!],
        }),
      );
    });

    it('lists every container instance, page by page, and reads each one', async () => {
      const all = await ecsApi.containerInstances(NAMES.cluster);
      // 12 registered at the start; the ones the group terminated are still registered (moto has no agent).
      expect(all).toHaveLength(12);
      const first = all.find((c) => c.arn === arns[0])!;
      // moto reserves the containers' sizes (100 CPU, 200 MiB per task here); AWS the task's.
      expect(first).toMatchObject({
        status: 'ACTIVE',
        agentConnected: true,
        runningTasks: 2,
        pendingTasks: 0,
        registered: { cpu: 4096, memory: 7482 },
        remaining: { cpu: 4096 - 200, memory: 7482 - 400 },
        instanceType: 't3.medium',
      });
      expect(first.ec2InstanceId).toMatch(/^i-/);
      expect(first.amiId).toBe('ami-00000001');
      expect((await ecsApi.containerInstances(NAMES.cluster, [arns[1]!])).map((c) => c.runningTasks)).toEqual([1]);
    });

    it('sets more than 10 container instances DRAINING (chunks of 10), and back to ACTIVE', async () => {
      await ecsApi.setContainerInstanceState(NAMES.cluster, arns, 'DRAINING');
      const described = await a.ecs.send(
        new DescribeContainerInstancesCommand({ cluster: NAMES.cluster, containerInstances: arns }),
      );
      expect(new Set(described.containerInstances!.map((c) => c.status))).toEqual(new Set(['DRAINING']));
      await ecsApi.setContainerInstanceState(NAMES.cluster, arns, 'ACTIVE');
      expect(new Set((await ecsApi.containerInstances(NAMES.cluster)).map((c) => c.status))).toEqual(
        new Set(['ACTIVE']),
      );
    });

    it('a container instance ECS does not know is an error naming it', async () => {
      const missing = arns[0]!.replace(/[0-9a-f-]{36}$/, '00000000-0000-0000-0000-000000000000');
      await expect(ecsApi.setContainerInstanceState(NAMES.cluster, [missing], 'DRAINING')).rejects.toThrow(
        /refused to set 1 container instance\(s\) to DRAINING: .*00000000-0000-0000-0000-000000000000/,
      );
    });

    it('reads every service (pages of 2, DescribeServices by 10): desired counts, daemon, EC2 or Fargate, deployment percentages', async () => {
      const services = await ecsApi.services(NAMES.cluster);
      expect(services).toHaveLength(14);
      const by = Object.fromEntries(services.map((s) => [s.name, s]));
      expect(by['svc7']).toMatchObject({
        desiredCount: 7,
        daemon: false,
        onEc2: true,
        minimumHealthyPercent: 100,
        maximumPercent: 200,
      });
      expect(by['agent']).toMatchObject({ daemon: true, onEc2: true });
      expect(by['api']).toMatchObject({ onEc2: false });
      expect(by['spot']).toMatchObject({ onEc2: false });
      expect(by['half']).toMatchObject({
        minimumHealthyPercent: 50,
        maximumPercent: 150,
        taskDefinition: expect.stringContaining('task-definition/worker:1'),
      });
    });

    it("task sizes: task-level cpu/memory, else the containers' (memory or memoryReservation)", async () => {
      expect(await ecsApi.taskSize('web')).toEqual({ cpu: 512, memory: 1024 });
      expect(await ecsApi.taskSize('worker:1')).toEqual({ cpu: 384, memory: 500 });
    });

    it('lists the tasks, page by page, with the instance each runs on and its group', async () => {
      const tasks = await ecsApi.tasks(NAMES.cluster);
      expect(tasks).toHaveLength(3);
      expect(tasks.filter((t) => t.containerInstanceArn === arns[0])).toHaveLength(2);
      expect(new Set(tasks.map((t) => t.group))).toEqual(new Set(['family:web']));
      expect(await ecsApi.tasks(NAMES.cluster, arns[1]!)).toHaveLength(1);
    });

    it('a cluster that does not exist: an error saying so', async () => {
      const err = await ecsApi.services('no-such-cluster').catch((e: unknown) => e);
      expect(err).toBeInstanceOf(EcsdeployError);
      expect((err as EcsdeployError).code).toBe('ECSDEPLOY_NOT_FOUND');
      expect((err as Error).message).toBe("There is no ECS cluster 'no-such-cluster'.");
    });
  });

  it('observe(): which instances are out of date and why, where the tasks run, what the EC2 services need', async () => {
    const snapshot = await observe(combine(asgApi, ecsApi), NAMES);
    expect(snapshot.group).toMatchObject({
      name: NAMES.autoScalingGroup,
      launchTemplateVersion: '2',
      instanceType: 't3.large',
      imageId: 'ami-00000002',
    });
    const inGroup = snapshot.instances.filter((i) => i.inGroup);
    const outdated = inGroup.filter((i) => i.outdated);
    expect(outdated.length).toBeGreaterThan(0);
    expect(outdated[0]!.outdatedReasons).toEqual([
      'launch template version 1; the group launches version 2',
      'instance type t3.medium; the group launches t3.large',
      'AMI ami-00000001; the launch template has ami-00000002',
    ]);
    expect(inGroup.filter((i) => !i.outdated).every((i) => i.launchTemplateVersion === '2')).toBe(true);
    // Instances the group terminated are still registered (moto has no agent): shown, not in the group.
    expect(snapshot.instances.some((i) => !i.inGroup && i.ecsStatus === 'ACTIVE')).toBe(true);
    expect(
      snapshot.instances.find((i) => i.containerInstanceArn !== undefined && (i.tasks?.['family:web'] ?? 0) === 2),
    ).toBeDefined();
    // Fargate services need no instance; the daemon counts once per ACTIVE instance.
    expect(snapshot.services.map((s) => s.name)).not.toContain('api');
    expect(snapshot.services.map((s) => s.name)).toContain('agent');
    const active = snapshot.instances.filter((i) => i.ecsStatus === 'ACTIVE').length;
    expect(snapshot.capacity.needed.cpu).toBe(512 * (0 + 1 + 2 + 3 + 4 + 5 + 6 + 7 + 8 + 9) + 384 * 4 + 384 * active);
  });
});
