/**
 * `service deploy` through the built CLI, the real engine (Terraform + AWS provider 5.100.0) and
 * moto: a new image of `orders` deployed to `dev` is resolved to its digest in ECR, recorded as a
 * release, and applied: the task definition ECS (moto) runs carries that digest, and a second
 * `plan` shows no changes (synth reads the release). moto does not move ECS deployments forward,
 * so the rollout itself is not watched here (--no-wait); the watcher is tested against a
 * simulation in test/deploy-watch.
 */
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { ECRClient, PutImageCommand } from '@aws-sdk/client-ecr';
import { PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { DescribeServicesCommand, DescribeTaskDefinitionCommand, ECSClient } from '@aws-sdk/client-ecs';
import type { ApplyReport, PlanReport } from '../../src/ops/infra';
import type { Ledger } from '../../src/ops/releases';
import type { DeployResult, ReleaseHistory, ServiceStatus } from '../../src/ops/service';
import type { VerifyReport } from '../../src/ops/verify';
import { type MotoServer, fakeManifest } from '../support/moto';
import { builtCli, cli, cliEnv, exitOf, e2eDescribe, json, TEARDOWN_MS } from './support';
import { devEnvironment, SHARED_SETUP_MS } from './shared-environment';

e2eDescribe()('service deploy on a real engine against moto', () => {
  let moto: MotoServer;
  let dir: string;
  let env: NodeJS.ProcessEnv;
  let digest: string;
  const aws = () => ({
    region: 'eu-west-1',
    endpoint: moto.endpoint,
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
  });

  beforeAll(async () => {
    builtCli();
    // dev's registry and cluster, applied (the shared template, restored into a moto of this file's own).
    ({ moto, dir } = await devEnvironment());
    env = cliEnv(moto.endpoint, dir);
  }, SHARED_SETUP_MS);
  afterAll(async () => {
    await moto?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  }, TEARDOWN_MS);

  it('the registry, the cluster and orders (with its configured tag) are applied first', async () => {
    const r = await cli(
      ['apply', '--env', 'dev', '--stack', 'registry', '--stack', 'cluster', '--stack', 'orders', '--yes', '--json'],
      dir,
      env,
    );
    expect(exitOf(r)).toEqual({ code: 0 });
    expect(json<ApplyReport>(r).stacks.map((s) => s.stack)).toEqual(['registry', 'dev-cluster', 'dev-orders']);
    // The image a pipeline pushed: tag 1.4.3 in the shared repository.
    const manifest = fakeManifest('1.4.3');
    const pushed = await new ECRClient(aws()).send(
      new PutImageCommand({ repositoryName: 'shop/orders', imageManifest: manifest, imageTag: '1.4.3' }),
    );
    digest = pushed.image!.imageId!.imageDigest!;
  }, 900_000);

  it('verify, then deploy: the missing SSM parameter stops the deploy before anything changes (--no-verify named)', async () => {
    const v = await cli(['verify', 'orders', '--env', 'dev', '--image', '1.4.3', '--json'], dir, env);
    const report = json<VerifyReport>(v);
    expect(v.code).toBe(1);
    // After the first apply the roles and the target group exist; moto cannot simulate IAM policies or hand out blob URLs.
    expect(report.checks.map((c) => [c.check, c.status])).toEqual([
      ['account', 'not-checked'],
      ['image', 'ok'],
      ['platform', 'not-checked'],
      ['role', 'ok'],
      ['role', 'ok'],
      ['secret', 'problem'],
      ['target-group', 'ok'],
      ['capacity', 'ok'],
    ]);
    const r = await cli(
      ['service', 'deploy', 'orders', '--env', 'dev', '--image', '1.4.3', '--no-wait', '--json'],
      dir,
      env,
    );
    expect(r.code).toBe(1);
    const err = json<{ error: { code: string; message: string; suggestions: string[] } }>(r).error;
    expect(err.code).toBe('ECSDEPLOY_VERIFY_FAILED');
    expect(err.message).toContain('/shop/orders/database-url: there is no SSM parameter');
    expect(err.suggestions).toContain('To deploy anyway, pass --no-verify.');
    expect(existsSync(join(dir, '.ecsdeploy', 'releases', 'dev', 'orders.json'))).toBe(false);
    // The pipeline's prerequisite, as a team would create it.
    await new SSMClient(aws()).send(
      new PutParameterCommand({
        Name: '/shop/orders/database-url',
        Type: 'SecureString',
        Value: 'postgres://orders@db/orders',
      }),
    );
  }, 300_000);

  it('deploy resolves 1.4.3 to its digest, records the release, and applies only dev-orders', async () => {
    const r = await cli(
      ['service', 'deploy', 'orders', '--env', 'dev', '--image', '1.4.3', '--message', 'e2e', '--no-wait', '--json'],
      dir,
      env,
    );
    expect(exitOf(r)).toEqual({ code: 0 });
    const result = json<DeployResult>(r);
    expect(result).toMatchObject({
      environment: 'dev',
      service: 'orders',
      watched: false,
      image: `123456789012.dkr.ecr.eu-west-1.amazonaws.com/shop/orders@${digest}`,
    });
    expect(result.release).toMatchObject({
      id: 1,
      image: { tag: '1.4.3', digest },
      message: 'e2e',
      rollout: { status: 'pending', taskDefinition: result.taskDefinition },
    });

    // The task definition ECS runs now carries the digest.
    const ecs = new ECSClient(aws());
    const service = (await ecs.send(new DescribeServicesCommand({ cluster: 'shop-dev', services: ['orders'] })))
      .services![0]!;
    expect(service.taskDefinition).toBe(result.taskDefinition);
    const td = await ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: service.taskDefinition! }));
    expect(td.taskDefinition!.containerDefinitions!.find((c) => c.name === 'orders')!.image).toBe(
      `123456789012.dkr.ecr.eu-west-1.amazonaws.com/shop/orders@${digest}`,
    );

    // The release is in the store (ecsdeploy.yaml: local, .ecsdeploy/releases/).
    const ledger = JSON.parse(
      readFileSync(join(dir, '.ecsdeploy', 'releases', 'dev', 'orders.json'), 'utf8'),
    ) as Ledger;
    expect(ledger.releases.map((x) => [x.id, x.image.digest, x.createdBy])).toEqual([[1, digest, expect.any(String)]]);
  }, 600_000);

  it('a second plan shows no changes: synth takes the image from the release', async () => {
    const r = await cli(['plan', '--env', 'dev', '--stack', 'orders', '--json'], dir, env);
    const report = json<PlanReport>(r);
    expect(r.code).toBe(0);
    expect(report.stacks.map((s) => [s.stack, s.status, s.summary?.changes])).toEqual([
      ['dev-orders', 'planned', false],
    ]);
  }, 300_000);

  it('status and history read it back', async () => {
    const status = json<ServiceStatus>(await cli(['service', 'status', 'orders', '--env', 'dev', '--json'], dir, env));
    expect(status.release?.id).toBe(1);
    expect(status.ecs?.image).toBe(`123456789012.dkr.ecr.eu-west-1.amazonaws.com/shop/orders@${digest}`);
    expect(status.warnings.filter((w) => w.startsWith('ECS runs'))).toEqual([]);
    const history = json<ReleaseHistory>(
      await cli(['service', 'history', 'orders', '--env', 'dev', '--json'], dir, env),
    );
    expect(history.releases.map((x) => x.id)).toEqual([1]);
  }, 120_000);
});
