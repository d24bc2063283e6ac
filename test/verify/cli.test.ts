/**
 * `ecsdeploy verify --json` through the built CLI against moto (the image, the SSM parameter and
 * the roles put there with the SDK, as a pipeline and a first apply would): exit 0 with no
 * problem (what moto cannot answer is "not checked", saying why), exit 1 once the parameter is
 * gone, exit 2 for an unknown service or --image with several services. Needs `npm run build` and
 * python3 with moto: skipped with a notice locally, a failure in CI.
 */
import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { CreateRepositoryCommand, ECRClient, PutImageCommand } from '@aws-sdk/client-ecr';
import { CreateRoleCommand, IAMClient } from '@aws-sdk/client-iam';
import { DeleteParameterCommand, PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import type { VerifyReport } from '../../src/ops/verify';
import { cli, cliEnv, exampleProject, json, REPO } from '../e2e/support';
import { startMoto, toolchain, type MotoServer, fakeManifest } from '../support/moto';
import { isCI } from '../../src/ui/prompt';

const python = toolchain().python;
const reason = python
  ? undefined
  : (toolchain().missing.find((m) => /python|moto/.test(m)) ?? 'python3 with moto not found');
if (reason && isCI()) throw new Error(`verify CLI tests need python3 with moto 5.2.1, and CI must have it: ${reason}`);
if (reason) console.warn(`verify CLI tests skipped: ${reason}`);
const maybe = reason ? describe.skip : describe;

maybe('ecsdeploy verify --json on moto', () => {
  let moto: MotoServer;
  let dir: string;
  let env: NodeJS.ProcessEnv;
  const aws = () => ({
    region: 'eu-west-1',
    endpoint: moto.endpoint,
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
  });
  const trust = JSON.stringify({
    Version: '2012-10-17',
    Statement: [{ Effect: 'Allow', Principal: { Service: 'ecs-tasks.amazonaws.com' }, Action: 'sts:AssumeRole' }],
  });

  beforeAll(async () => {
    if (!existsSync(join(REPO, 'dist', 'bundle', 'cli.js'))) throw new Error('dist/ is missing: run `npm run build`');
    moto = await startMoto();
    dir = exampleProject(moto.endpoint);
    env = cliEnv(moto.endpoint, dir);
    const ecr = new ECRClient(aws());
    await ecr.send(new CreateRepositoryCommand({ repositoryName: 'shop/orders' }));
    const manifest = fakeManifest('1.4.3');
    await ecr.send(new PutImageCommand({ repositoryName: 'shop/orders', imageManifest: manifest, imageTag: '1.4.3' }));
    await new SSMClient(aws()).send(
      new PutParameterCommand({
        Name: '/shop/orders/database-url',
        Type: 'SecureString',
        Value: 'postgres://orders@db/orders',
      }),
    );
    const iam = new IAMClient(aws());
    for (const name of ['shop-dev-orders-exec', 'shop-dev-orders-task'])
      await iam.send(new CreateRoleCommand({ RoleName: name, AssumeRolePolicyDocument: trust }));
  }, 90_000);
  afterAll(async () => {
    await moto?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  }, 30_000);

  it('exit 0: no problem; what moto cannot answer is not checked, with the reason', async () => {
    const r = await cli(['verify', 'orders', '--env', 'dev', '--image', '1.4.3', '--json'], dir, env);
    const report = json<VerifyReport>(r);
    expect({ code: r.code, problems: report.checks.filter((c) => c.status === 'problem') }).toEqual({
      code: 0,
      problems: [],
    });
    expect(report.checks.map((c) => [c.check, c.status])).toEqual([
      ['account', 'not-checked'],
      ['image', 'ok'],
      ['platform', 'not-checked'],
      ['role', 'ok'],
      ['role', 'ok'],
      ['secret', 'ok'],
      ['read-permission', 'not-checked'],
      ['target-group', 'not-checked'],
      ['capacity', 'ok'],
    ]);
    expect(report.checks.find((c) => c.check === 'platform')!.detail).toContain('GetDownloadUrlForLayer');
    expect(report.checks.find((c) => c.check === 'read-permission')!.detail).toContain('SimulatePrincipalPolicy');
  }, 120_000);

  it('exit 1 once the SSM parameter is gone, the report on stdout; text lines without --json', async () => {
    await new SSMClient(aws()).send(new DeleteParameterCommand({ Name: '/shop/orders/database-url' }));
    const r = await cli(['verify', 'orders', '--env', 'dev', '--image', '1.4.3', '--json'], dir, env);
    const report = json<VerifyReport>(r);
    expect(r.code).toBe(1);
    expect(report.problems).toBe(1);
    expect(report.checks.find((c) => c.status === 'problem')).toMatchObject({
      check: 'secret',
      service: 'orders',
      subject: '/shop/orders/database-url',
    });
    const text = await cli(['verify', 'orders', '--env', 'dev', '--image', '1.4.3'], dir, env);
    expect(text.code).toBe(1);
    expect(text.stdout).toMatch(
      /^PROBLEM {6}secret {11}orders: \/shop\/orders\/database-url: there is no SSM parameter/m,
    );
    expect(text.stdout).toContain('1 problem in dev (');
  }, 120_000);

  it('exit 2: an unknown service, or --image with several services', async () => {
    const unknown = await cli(['verify', 'ordrs', '--env', 'dev'], dir, env);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain("Environment 'dev' has no service 'ordrs'; did you mean 'orders'?");
    const several = await cli(['verify', 'orders', 'web', '--env', 'dev', '--image', '1.4.3', '--json'], dir, env);
    expect(several.code).toBe(2);
    expect(json<{ error: { message: string } }>(several).error.message).toContain(
      '--image names the image of one service',
    );
  }, 60_000);
});
