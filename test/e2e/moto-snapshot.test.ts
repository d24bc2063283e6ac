/**
 * The launcher's snapshot (test/moto/server.py), which the shared dev environment stands on
 * (test/e2e/shared-environment.ts): what one moto saved, another started with MOTO_RESTORE serves
 * with the same ids, including what services share (an Auto Scaling group's EC2 instances), a
 * key pair's key (a `cryptography` object) and SSM parameters (a defaultdict subclass); and the
 * restored server keeps working on that state. Seconds, where the build that uses it takes minutes.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import * as http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  AutoScalingClient,
  CreateAutoScalingGroupCommand,
  DescribeAutoScalingGroupsCommand,
  SetDesiredCapacityCommand,
} from '@aws-sdk/client-auto-scaling';
import {
  CreateLaunchTemplateCommand,
  CreateKeyPairCommand,
  DescribeKeyPairsCommand,
  EC2Client,
} from '@aws-sdk/client-ec2';
import { CreateClusterCommand, DescribeClustersCommand, ECSClient } from '@aws-sdk/client-ecs';
import { GetParameterCommand, PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { startMoto, type MotoServer } from '../support/moto';
import { e2eDescribe, TEARDOWN_MS } from './support';

const post = (url: string): Promise<{ status?: number; body: string }> =>
  new Promise((resolve, reject) => {
    const req = http.request(url, { method: 'POST' }, (res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode, body }));
    });
    req.on('error', reject);
    req.end();
  });

e2eDescribe()("moto snapshots: the shared environment's template", () => {
  const region = 'eu-west-1';
  const clients = (endpoint: string) => {
    const config = { endpoint, region, credentials: { accessKeyId: 'test', secretAccessKey: 'test' } };
    return {
      asg: new AutoScalingClient(config),
      ec2: new EC2Client(config),
      ecs: new ECSClient(config),
      ssm: new SSMClient(config),
    };
  };
  let first: MotoServer | undefined;
  let second: MotoServer | undefined;
  const dir = mkdtempSync(join(tmpdir(), 'ecsdeploy-snapshot-'));
  afterAll(async () => {
    await first?.stop();
    await second?.stop();
    rmSync(dir, { recursive: true, force: true });
  }, TEARDOWN_MS);

  it('a restored moto serves what was saved, with the same ids, and keeps working on it', async () => {
    first = await startMoto();
    const a = clients(first.endpoint);
    await a.ecs.send(new CreateClusterCommand({ clusterName: 'shop-dev' }));
    const key = (await a.ec2.send(new CreateKeyPairCommand({ KeyName: 'ops' }))).KeyPairId;
    await a.ssm.send(new PutParameterCommand({ Name: '/shop/x', Value: 'v1', Type: 'SecureString' }));
    await a.ec2.send(
      new CreateLaunchTemplateCommand({
        LaunchTemplateName: 'shop-dev-ecs',
        LaunchTemplateData: { ImageId: 'ami-00000001', InstanceType: 't3.medium' },
      }),
    );
    await a.asg.send(
      new CreateAutoScalingGroupCommand({
        AutoScalingGroupName: 'shop-dev-ecs',
        LaunchTemplate: { LaunchTemplateName: 'shop-dev-ecs', Version: '$Latest' },
        MinSize: 1,
        MaxSize: 4,
        DesiredCapacity: 2,
        AvailabilityZones: [`${region}a`],
      }),
    );
    const group = async (c: ReturnType<typeof clients>) =>
      (await c.asg.send(new DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: ['shop-dev-ecs'] })))
        .AutoScalingGroups![0]!;
    const instances = (await group(a)).Instances!.map((i) => i.InstanceId).sort();
    expect(instances).toHaveLength(2);

    const file = join(dir, 'moto.pickle');
    const saved = await post(`${first.endpoint}/moto-api/ecsdeploy/snapshot?path=${encodeURIComponent(file)}`);
    expect({ status: saved.status, body: saved.body }).toEqual({ status: 200, body: expect.stringContaining(file) });
    await first.stop();

    second = await startMoto({ env: { MOTO_RESTORE: file } });
    const b = clients(second.endpoint);
    expect((await b.ecs.send(new DescribeClustersCommand({ clusters: ['shop-dev'] }))).clusters?.[0]?.status).toBe(
      'ACTIVE',
    );
    expect((await b.ec2.send(new DescribeKeyPairsCommand({ KeyNames: ['ops'] }))).KeyPairs?.[0]?.KeyPairId).toBe(key);
    expect(
      (await b.ssm.send(new GetParameterCommand({ Name: '/shop/x', WithDecryption: true }))).Parameter?.Value,
    ).toBe('v1');
    expect((await group(b)).Instances!.map((i) => i.InstanceId).sort()).toEqual(instances);
    // The group still launches into EC2 (the backends' shared objects came back shared).
    await b.asg.send(new SetDesiredCapacityCommand({ AutoScalingGroupName: 'shop-dev-ecs', DesiredCapacity: 3 }));
    const after = (await group(b)).Instances!.map((i) => i.InstanceId);
    expect(after).toHaveLength(3);
    expect(after).toEqual(expect.arrayContaining(instances));
    // The new parameter version lands on the restored history.
    await b.ssm.send(new PutParameterCommand({ Name: '/shop/x', Value: 'v2', Type: 'SecureString', Overwrite: true }));
    expect((await b.ssm.send(new GetParameterCommand({ Name: '/shop/x' }))).Parameter?.Version).toBe(2);
  }, 600_000);

  it('a path is required; a snapshot that cannot be written is an error saying why', async () => {
    const endpoint = (second ?? first)!.endpoint;
    expect((await post(`${endpoint}/moto-api/ecsdeploy/snapshot`)).status).toBe(400);
    const r = await post(`${endpoint}/moto-api/ecsdeploy/snapshot?path=${encodeURIComponent('/nonexistent/dir/x')}`);
    expect({ status: r.status, body: r.body }).toEqual({
      status: 500,
      body: expect.stringContaining('snapshot failed: FileNotFoundError'),
    });
  });
});
