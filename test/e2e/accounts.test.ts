/**
 * Environments in AWS accounts of their own, through the built CLI, real Terraform and moto (which
 * answers AssumeRole with credentials of the role's account, and keeps every account apart):
 * dev in account A and the registry in A, prod in account B, each reached through its role; the
 * Terraform state and the release records in S3 buckets of A, through a role of their own.
 * Both are applied (the provider assumes the role, allowed_account_ids holds); an image pushed
 * once to A's registry is deployed to dev and promoted by digest to prod in B, nothing copied; a
 * run whose credentials are not prod's account is refused before the engine starts.
 */
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ECRClient, GetRepositoryPolicyCommand, PutImageCommand } from '@aws-sdk/client-ecr';
import {
  DescribeServicesCommand,
  DescribeTaskDefinitionCommand,
  ECSClient,
  ListClustersCommand,
} from '@aws-sdk/client-ecs';
import { CreateBucketCommand, GetObjectCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { fromTemporaryCredentials } from '@aws-sdk/credential-providers';
import type { ApplyReport } from '../../src/ops/infra';
import type { DeployResult } from '../../src/ops/service';
import { startMoto, type MotoServer, fakeManifest } from '../support/moto';
import { builtCli, cli, cliEnv, e2eDescribe, exitOf, json, TEARDOWN_MS } from './support';

/** moto's account for credentials it did not issue (the test's keys): the tooling account. */
const A = '123456789012';
const B = '210987654321';
const REGION = 'eu-west-1';

function writeProject(endpoint: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'ecsdeploy-e2e-accounts-'));
  const files: Record<string, string> = {
    'ecsdeploy.yaml': [
      'project: acct',
      `region: ${REGION}`,
      `endpoint: ${endpoint}`,
      // State and release records in buckets of account A, reached through a role of their own.
      'state:',
      '  backend: s3',
      '  bucket: acct-state',
      `  role: arn:aws:iam::${A}:role/ecsdeploy-state`,
      'releases:',
      '  store: s3',
      '  bucket: acct-releases',
      `  role: arn:aws:iam::${A}:role/ecsdeploy-state`,
      'registry:',
      `  account: "${A}"`,
      `  role: arn:aws:iam::${A}:role/ecsdeploy-registry`,
      '',
    ].join('\n'),
    'environments/dev.yaml': environment('10.20.0.0/16', A, endpoint),
    'environments/prod.yaml': environment('10.30.0.0/16', B, endpoint),
    'services/api.yaml': [
      'image:',
      '  tag: "1.0.0"',
      'launchType: fargate',
      'cpu: 256',
      'memory: 512',
      'count: 1',
      '',
    ].join('\n'),
  };
  for (const [file, text] of Object.entries(files)) {
    mkdirSync(join(dir, file, '..'), { recursive: true });
    writeFileSync(join(dir, file), text);
  }
  return dir;
}

function environment(cidr: string, account: string, endpoint: string): string {
  return [
    'network:',
    '  create:',
    `    cidr: ${cidr}`,
    '    natGateways: none',
    'cluster:',
    '  containerInsights: false',
    '  fargate: true',
    `account: "${account}"`,
    `role: arn:aws:iam::${account}:role/ecsdeploy-deployer`,
    `endpoint: ${endpoint}`,
    '',
  ].join('\n');
}

e2eDescribe()('environments in accounts of their own, on moto', () => {
  let moto: MotoServer;
  let dir: string;
  let env: NodeJS.ProcessEnv;
  const keys = { accessKeyId: 'test', secretAccessKey: 'test' };
  /** SDK clients as the test's own keys (account A), or as a role of `account`. */
  const aws = (account?: string) => ({
    region: REGION,
    endpoint: moto.endpoint,
    credentials:
      account === undefined
        ? keys
        : fromTemporaryCredentials({
            params: { RoleArn: `arn:aws:iam::${account}:role/test`, RoleSessionName: 'e2e' },
            masterCredentials: keys,
            clientConfig: { region: REGION, endpoint: moto.endpoint },
          }),
  });
  const clusters = async (account?: string) =>
    ((await new ECSClient(aws(account)).send(new ListClustersCommand({}))).clusterArns ?? [])
      .map((a) => a.split('/')[1])
      .sort();
  const push = async (tag: string) => {
    const manifest = fakeManifest(`${tag}`);
    return (
      await new ECRClient(aws()).send(
        new PutImageCommand({ repositoryName: 'acct/api', imageManifest: manifest, imageTag: tag }),
      )
    ).image!.imageId!.imageDigest!;
  };
  const objects = async (Bucket: string) =>
    ((await new S3Client({ ...aws(), forcePathStyle: true }).send(new ListObjectsV2Command({ Bucket }))).Contents ?? [])
      .map((o) => o.Key!)
      .filter((k) => !k.endsWith('.tflock'))
      .sort();
  const releasesOf = async (environment: string) =>
    (
      await new S3Client({ ...aws(), forcePathStyle: true }).send(
        new GetObjectCommand({ Bucket: 'acct-releases', Key: `ecsdeploy/releases/${environment}/api.json` }),
      )
    ).Body!.transformToString();
  const logs = () => (existsSync(join(dir, '.ecsdeploy', 'logs')) ? readdirSync(join(dir, '.ecsdeploy', 'logs')) : []);

  beforeAll(async () => {
    builtCli();
    moto = await startMoto({ env: { MOTO_ECS_SERVICE_RUNNING: '1' } });
    dir = writeProject(moto.endpoint);
    env = cliEnv(moto.endpoint, dir);
    const s3 = new S3Client({ ...aws(), forcePathStyle: true });
    for (const Bucket of ['acct-state', 'acct-releases'])
      await s3.send(new CreateBucketCommand({ Bucket, CreateBucketConfiguration: { LocationConstraint: REGION } }));
  }, 120_000);
  afterAll(async () => {
    await moto?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  }, TEARDOWN_MS);

  it("applies the registry and dev's cluster in account A, each through its role", async () => {
    const r = await cli(
      ['apply', '--env', 'dev', '--stack', 'registry', '--stack', 'cluster', '--yes', '--json'],
      dir,
      env,
    );
    expect(exitOf(r)).toEqual({ code: 0 });
    expect(
      json<ApplyReport>(r)
        .stacks.map((s) => s.stack)
        .sort(),
    ).toEqual(['dev-cluster', 'registry']);
    expect(await clusters()).toEqual(['acct-dev']);
    expect(await clusters(B)).toEqual([]);
    // The registry lets prod's account (and only it: dev is the registry's own account) pull.
    const policy = JSON.parse(
      (await new ECRClient(aws()).send(new GetRepositoryPolicyCommand({ repositoryName: 'acct/api' }))).policyText!,
    ) as { Statement: Array<{ Principal: { AWS: unknown }; Action: unknown }> };
    expect(policy.Statement.map((s) => [([] as unknown[]).concat(s.Principal.AWS), s.Action])).toEqual([
      [
        [`arn:aws:iam::${B}:root`],
        ['ecr:BatchCheckLayerAvailability', 'ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer'],
      ],
    ]);
  }, 900_000);

  it("applies prod's cluster in account B: it exists there, not in A", async () => {
    const r = await cli(['apply', '--env', 'prod', '--stack', 'cluster', '--yes', '--json'], dir, env);
    expect(exitOf(r)).toEqual({ code: 0 });
    expect(await clusters(B)).toEqual(['acct-prod']);
    expect(await clusters()).toEqual(['acct-dev']);
    // Its state is in A's bucket (the backend assumed state.role), next to dev's.
    expect(await objects('acct-state')).toEqual([
      'ecsdeploy/dev-cluster.tfstate',
      'ecsdeploy/prod-cluster.tfstate',
      'ecsdeploy/registry.tfstate',
    ]);
  }, 900_000);

  it("deploys to dev, then promotes dev's image to prod by digest across accounts, pulling from A's registry", async () => {
    const digest = await push('1.1.0');
    const deployed = await cli(['service', 'deploy', 'api', '--env', 'dev', '--image', '1.1.0', '--json'], dir, env);
    expect(exitOf(deployed)).toEqual({ code: 0 });
    expect(json<DeployResult>(deployed).release).toMatchObject({ image: { digest }, rollout: { status: 'completed' } });
    const r = await cli(['service', 'promote', 'api', '--from', 'dev', '--to', 'prod', '--json'], dir, env);
    expect(exitOf(r)).toEqual({ code: 0 });
    const result = json<DeployResult>(r);
    expect(result.release).toMatchObject({ image: { digest }, rollout: { status: 'completed' } });
    expect(result.taskDefinition).toMatch(
      new RegExp(`^arn:aws:ecs:${REGION}:${B}:task-definition/acct-prod-api:\\d+$`),
    );
    const ecsB = new ECSClient(aws(B));
    const td = (await ecsB.send(new DescribeTaskDefinitionCommand({ taskDefinition: result.taskDefinition })))
      .taskDefinition!;
    expect(td.containerDefinitions![0]!.image).toBe(`${A}.dkr.ecr.${REGION}.amazonaws.com/acct/api@${digest}`);
    const service = (await ecsB.send(new DescribeServicesCommand({ cluster: 'acct-prod', services: ['api'] })))
      .services![0]!;
    expect(service.taskDefinition).toBe(result.taskDefinition);
    // prod's service stack read its cluster's outputs from A's bucket, and the release records are there too.
    expect(await objects('acct-releases')).toEqual([
      'ecsdeploy/releases/dev/api.json',
      'ecsdeploy/releases/prod/api.json',
    ]);
    // Nothing in account A runs prod's service.
    expect(
      (await new ECSClient(aws()).send(new DescribeServicesCommand({ cluster: 'acct-dev', services: ['api'] })))
        .services![0]!.taskDefinition,
    ).toMatch(/acct-dev-api/);
  }, 900_000);

  it("refuses a run whose credentials are not prod's account before the engine starts", async () => {
    const file = join(dir, 'environments', 'prod.yaml');
    const original = readFileSync(file, 'utf8');
    const before = logs();
    const ledger = await releasesOf('prod');
    try {
      // No role: the test's own keys, which moto puts in account A.
      writeFileSync(file, original.replace(/^role: .*\n/m, ''));
      const r = await cli(['plan', '--env', 'prod'], dir, env);
      expect(r.code).toBe(1);
      expect(r.stderr).toContain(
        `Error: Refusing to touch environment 'prod': it is in account ${B} (environments/prod.yaml account:), but the credentials of the standard chain (AWS_PROFILE, AWS_ACCESS_KEY_ID, ...) belong to account ${A}`,
      );
      const j = await cli(['service', 'deploy', 'api', '--env', 'prod', '--image', '1.1.0', '--json'], dir, env);
      expect(j.code).toBe(1);
      expect(json<{ error: { code: string; message: string } }>(j).error).toMatchObject({
        code: 'ECSDEPLOY_WRONG_ACCOUNT',
        message: expect.stringContaining(`belong to account ${A}`),
      });
      // prod's role swapped for one of account A: a configuration error, before anything runs.
      writeFileSync(file, original.replace(/^role: .*$/m, `role: arn:aws:iam::${A}:role/ecsdeploy-deployer`));
      const c = await cli(['apply', '--env', 'prod', '--yes'], dir, env);
      expect(c.code).toBe(2);
      expect(c.stderr).toContain(`role: belongs to account ${A}, not to account ${B}`);
      expect(logs()).toEqual(before); // no engine run, not even a log file
      expect(await releasesOf('prod')).toEqual(ledger); // nothing recorded
    } finally {
      writeFileSync(file, original);
    }
  }, 300_000);
});
