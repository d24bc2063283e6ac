/**
 * Adoption, end to end on moto with the real engine: a service made outside ecsdeploy with plain
 * Terraform (test/moto/fixtures/adopt-legacy.tf: its own VPC, cluster, load balancer with a
 * listener rule and target group, Fargate service, log group, CPU target tracking) is taken over by
 * an environment with `cluster.existing` and `loadBalancer.existing` and a service file with
 * `environments.legacy.adopt` written by `ecsdeploy import service`. The first plan imports the existing resources and changes them in
 * place, never replacing the ECS service; apply records the adoption; the next plan has no import
 * blocks and no changes; a change that would replace the service is refused; `service deploy` then
 * works as for any service.
 */
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ECRClient, PutImageCommand } from '@aws-sdk/client-ecr';
import { load } from 'js-yaml';
import { DescribeServicesCommand, ECSClient } from '@aws-sdk/client-ecs';
import type { ApplyReport, PlanReport } from '../../src/ops/infra';
import type { Ledger } from '../../src/ops/releases';
import type { DeployResult, ServiceStatus } from '../../src/ops/service';
import { startMoto, toolchain, type MotoServer, fakeManifest } from '../support/moto';
import { builtCli, cli, cliEnv, exitOf, e2eDescribe, json, REPO, TEARDOWN_MS } from './support';

interface Legacy {
  vpc_id: string;
  public_subnets: string[];
  private_subnets: string[];
  alb_security_group_id: string;
  task_security_group_id: string;
  listener_arn: string;
  target_group_arn: string;
  listener_rule_arn: string;
  service_arn: string;
}

e2eDescribe()('adopting a service made outside ecsdeploy (moto, real engine)', () => {
  let moto: MotoServer;
  let dir: string;
  let legacyDir: string;
  let env: NodeJS.ProcessEnv;
  let legacy: Legacy;
  const aws = () => ({
    region: 'eu-west-1',
    endpoint: moto.endpoint,
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
  });
  const ecsService = async () =>
    (await new ECSClient(aws()).send(new DescribeServicesCommand({ cluster: 'legacy', services: ['web'] }))).services!;

  beforeAll(async () => {
    builtCli();
    moto = await startMoto();
    // The legacy service, with plain Terraform.
    legacyDir = mkdtempSync(join(tmpdir(), 'ecsdeploy-legacy-'));
    copyFileSync(join(REPO, 'test', 'moto', 'fixtures', 'adopt-legacy.tf'), join(legacyDir, 'main.tf'));
    const tfEnv = { ...cliEnv(moto.endpoint, legacyDir), TF_IN_AUTOMATION: '1', CHECKPOINT_DISABLE: '1' };
    const tf = (args: string[]) =>
      execFileSync(toolchain().terraform!, args, {
        cwd: legacyDir,
        env: tfEnv,
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'pipe'],
        timeout: 600_000,
      });
    tf(['init', '-input=false', '-no-color']);
    tf(['apply', '-auto-approve', '-input=false', '-no-color', `-var=endpoint=${moto.endpoint}`]);
    legacy = Object.fromEntries(
      Object.entries(JSON.parse(tf(['output', '-json'])) as Record<string, { value: unknown }>).map(([k, v]) => [
        k,
        v.value,
      ]),
    ) as unknown as Legacy;

    dir = mkdtempSync(join(tmpdir(), 'ecsdeploy-adopt-'));
    mkdirSync(join(dir, 'environments'));
    mkdirSync(join(dir, 'services'));
    writeFileSync(join(dir, 'ecsdeploy.yaml'), 'project: shop\nregion: eu-west-1\n');
    writeFileSync(
      join(dir, 'environments', 'legacy.yaml'),
      [
        'network:',
        `  vpcId: ${legacy.vpc_id}`,
        `  publicSubnets: [${legacy.public_subnets.join(', ')}]`,
        `  privateSubnets: [${legacy.private_subnets.join(', ')}]`,
        'cluster:',
        '  existing: legacy',
        'loadBalancer:',
        '  existing:',
        `    listenerArn: ${legacy.listener_arn}`,
        `    securityGroupId: ${legacy.alb_security_group_id}`,
        `endpoint: ${moto.endpoint}`,
        '',
      ].join('\n'),
    );
    env = cliEnv(moto.endpoint, dir);
  }, 900_000);
  afterAll(async () => {
    await moto?.stop();
    for (const d of [dir, legacyDir]) if (d) rmSync(d, { recursive: true, force: true });
  }, TEARDOWN_MS);

  it('`ecsdeploy import service` writes the service file from the live service, with environments.legacy.adopt', async () => {
    const r = await cli(
      ['import', 'service', '--cluster', 'legacy', '--service', 'web', '--env', 'legacy', '--name', 'web', '--json'],
      dir,
      env,
    );
    expect(exitOf(r)).toEqual({ code: 0 });
    const file = load(readFileSync(join(dir, 'services', 'web.yaml'), 'utf8')) as {
      environments: { legacy: { adopt: unknown } };
    };
    expect(file.environments.legacy.adopt).toEqual({
      serviceName: 'web',
      cluster: 'legacy',
      launchType: 'FARGATE',
      taskDefinitionFamily: 'legacy-web',
      logGroup: '/legacy/web',
      targetGroup: { arn: legacy.target_group_arn, name: 'legacy-web', port: 8080 },
      listenerRule: { arn: legacy.listener_rule_arn, priority: 100 },
      scaling: { policies: { cpu: 'web-cpu' } },
    });
    const valid = await cli(['config', 'validate'], dir, env);
    expect(exitOf(valid)).toEqual({ code: 0 });
  }, 120_000);

  it('the registry and the cluster stack (which creates no cluster or load balancer) apply', async () => {
    const r = await cli(
      ['apply', '--env', 'legacy', '--stack', 'registry', '--stack', 'cluster', '--yes', '--json'],
      dir,
      env,
    );
    expect(exitOf(r)).toEqual({ code: 0 });
    const report = json<ApplyReport>(r);
    const cluster = report.stacks.find((s) => s.stack === 'legacy-cluster')!;
    expect(cluster.summary.add).toBe(0);
    expect(cluster.outputs).toMatchObject({
      cluster_name: 'legacy',
      listener_arn: legacy.listener_arn,
      alb_security_group_id: legacy.alb_security_group_id,
      vpc_id: legacy.vpc_id,
    });
  }, 900_000);

  it('the first plan imports the existing resources and neither destroys nor replaces anything', async () => {
    const r = await cli(['plan', '--env', 'legacy', '--stack', 'web', '--json'], dir, env);
    expect(r.code).toBe(3);
    const report = json<PlanReport>(r);
    const web = report.stacks.find((s) => s.stack === 'legacy-web')!;
    const s = web.summary!;
    const imported = s.resources
      .filter((x) => x.importing)
      .map((x) => x.address)
      .sort();
    expect(imported).toEqual(
      [
        'aws_appautoscaling_policy.CpuScaling',
        'aws_appautoscaling_target.ScalingTarget',
        'aws_cloudwatch_log_group.Logs',
        'aws_ecs_service.Service',
        'aws_lb_listener_rule.ListenerRule',
        'aws_lb_target_group.TargetGroup',
      ].sort(),
    );
    expect(s.import).toBe(6);
    expect({ replace: s.replace, destroy: s.destroy }).toEqual({ replace: 0, destroy: 0 });
    expect(s.resources.find((x) => x.type === 'aws_ecs_service')).toMatchObject({ importing: true });
    expect(web.adoption).toEqual({ serviceName: 'web', cluster: 'legacy', imports: 6 });
    // The human plan says it too.
    const text = await cli(['plan', '--env', 'legacy', '--stack', 'web'], dir, env);
    expect(text.stdout).toContain('imports 6, no replacement of an imported ECS service');
  }, 600_000);

  it('apply imports them, updates in place, and records the adoption', async () => {
    const before = (await ecsService())[0]!;
    const r = await cli(['apply', '--env', 'legacy', '--stack', 'web', '--yes', '--json'], dir, env);
    expect(exitOf(r)).toEqual({ code: 0 });
    const after = await ecsService();
    // The same service: not replaced (same ARN, same creation time), now on ecsdeploy's task definition.
    expect(after.map((x) => [x.serviceArn, x.createdAt?.toISOString()])).toEqual([
      [before.serviceArn, before.createdAt?.toISOString()],
    ]);
    expect(after[0]!.taskDefinition).toMatch(/task-definition\/legacy-web:2$/);
    const ledger = JSON.parse(
      readFileSync(join(dir, '.ecsdeploy', 'releases', 'legacy', 'web.json'), 'utf8'),
    ) as Ledger;
    expect(ledger.adopted).toMatchObject({ serviceName: 'web', cluster: 'legacy', imported: 6 });
  }, 900_000);

  it('the next synth has no import blocks, and the plan is empty', async () => {
    const r = await cli(['plan', '--env', 'legacy', '--stack', 'web', '--json'], dir, env);
    expect(exitOf(r)).toEqual({ code: 0 });
    const web = json<PlanReport>(r).stacks.find((s) => s.stack === 'legacy-web')!;
    expect(web.summary!.changes).toBe(false);
    const synthesized = join(dir, 'cdktf.out', 'stacks', 'legacy-web', 'cdk.tf.json');
    expect(existsSync(synthesized)).toBe(true);
    expect(JSON.parse(readFileSync(synthesized, 'utf8'))).not.toHaveProperty('import');
  }, 600_000);

  it('apply refuses a plan that would replace the adopted service, saying what forces it', async () => {
    // Without adopt.launchType the stack asks for a capacity provider strategy, which AWS cannot
    // set on a service created with a launch type: the engine would replace the service.
    const file = join(dir, 'services', 'web.yaml');
    const original = readFileSync(file, 'utf8');
    expect(original).toMatch(/\n +launchType: FARGATE\n/);
    writeFileSync(file, original.replace(/\n +launchType: FARGATE\n/, '\n'));
    try {
      const before = (await ecsService())[0]!;
      const r = await cli(['apply', '--env', 'legacy', '--stack', 'web', '--yes'], dir, env);
      expect(r.code).toBe(1);
      expect(r.stderr).toContain(
        'Refusing to apply: legacy-web would replace the adopted ECS service web (cluster legacy, aws_ecs_service.Service): ',
      );
      expect(r.stderr).toMatch(/(capacity_provider_strategy|launch_type)[^\n]* cannot change in place/);
      expect(r.stderr).toContain('--allow-replace');
      const after = (await ecsService())[0]!;
      expect([after.serviceArn, after.taskDefinition, after.launchType]).toEqual([
        before.serviceArn,
        before.taskDefinition,
        'FARGATE',
      ]);
    } finally {
      writeFileSync(file, original);
    }
  }, 600_000);

  it('service deploy then works as for any service', async () => {
    const manifest = fakeManifest('2.0.0');
    // The service keeps the team's repository (image.repository, as `import service` wrote it): CI pushes there.
    const pushed = await new ECRClient(aws()).send(
      new PutImageCommand({ repositoryName: 'legacy/web', imageManifest: manifest, imageTag: '2.0.0' }),
    );
    const digest = pushed.image!.imageId!.imageDigest!;
    const r = await cli(
      ['service', 'deploy', 'web', '--env', 'legacy', '--image', '2.0.0', '--no-wait', '--json'],
      dir,
      env,
    );
    expect(exitOf(r)).toEqual({ code: 0 });
    const result = json<DeployResult>(r);
    expect(result.image).toBe(`123456789012.dkr.ecr.eu-west-1.amazonaws.com/legacy/web@${digest}`);
    const service = (await ecsService())[0]!;
    expect(service.taskDefinition).toBe(result.taskDefinition);
    expect(service.taskDefinition).toMatch(/task-definition\/legacy-web:3$/);
    // Live operations find the adopted service under its own name, on the existing cluster.
    const status = json<ServiceStatus>(await cli(['service', 'status', 'web', '--env', 'legacy', '--json'], dir, env));
    expect(status.ecs).toMatchObject({
      cluster: 'legacy',
      service: 'web',
      taskDefinition: result.taskDefinition,
      image: result.image,
    });
  }, 900_000);
});
