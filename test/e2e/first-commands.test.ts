/**
 * The three commands this project is known by, run exactly as a new user types them in the bundled
 * project (the built CLI, in the project folder, on a terminal where they ask), with the real
 * engine against moto:
 *
 *   ecsdeploy env create feature-x               → base dev (ephemeral.defaultBase), its service stacks on dev's cluster
 *   ecsdeploy service deploy orders --env prod   → image.tag 1.4.2 of services/orders.yaml, by digest, applied and watched
 *   ecsdeploy cluster roll                       → the default environment (dev): its group's instances, all up to date
 *
 * dev's registry and cluster are applied first. prod's own cluster needs a VPC, subnets and a
 * certificate that exist only in a real account, so prod's cluster state is made here: an ECS
 * cluster shop-prod on dev's network, load balancer and capacity provider (a service stack reads
 * nothing of its cluster but those state outputs). moto starts ECS services with
 * MOTO_ECS_SERVICE_RUNNING tasks and a COMPLETED deployment, so prod's orders (4 tasks) completes.
 */
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ECRClient, PutImageCommand } from '@aws-sdk/client-ecr';
import { PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import {
  CreateClusterCommand,
  DescribeServicesCommand,
  DescribeTaskDefinitionCommand,
  ECSClient,
} from '@aws-sdk/client-ecs';
import type { Ledger } from '../../src/ops/releases';
import { type MotoServer, fakeManifest } from '../support/moto';
import { agentTick, aws as clusterAws } from './cluster-fixture';
import { builtCli, cliEnv, e2eDescribe, REPO, TEARDOWN_MS, type CliResult } from './support';
import { devEnvironment, SHARED_SETUP_MS } from './shared-environment';

const BIN = join(REPO, 'bin', 'run.js');
const ANSI = /\x1b\[[0-9;?]*[A-Za-z]/g;

/**
 * `ecsdeploy ARGS` typed in `cwd` on a terminal (a pseudo-terminal from util-linux `script`, not
 * CI): answers `yes` to each [y/N] question. Output is the terminal's (stdout and stderr together).
 */
function typed(
  args: readonly string[],
  cwd: string,
  env: NodeJS.ProcessEnv,
  answer = 'y',
): Promise<CliResult & { asked: number }> {
  const quote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;
  const { CI: _ci, ...noCi } = env;
  const started = Date.now();
  const child = spawn('script', ['-qefc', [process.execPath, BIN, ...args].map(quote).join(' '), '/dev/null'], {
    cwd,
    env: { ...noCi, COLUMNS: '160' },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let out = '';
  let asked = 0;
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
    out += chunk;
    const questions = out.split('[y/N]').length - 1;
    while (asked < questions) {
      asked++;
      child.stdin!.write(`${answer}\r`);
    }
  });
  let err = '';
  child.stderr!.setEncoding('utf8').on('data', (c: string) => (err += c));
  return new Promise((resolve) =>
    child.on('close', (code) => {
      child.stdin!.end();
      resolve({
        code,
        stdout: out.replace(ANSI, '').replace(/\r/g, ''),
        stderr: err,
        seconds: Math.round((Date.now() - started) / 1000),
        asked,
      });
    }),
  );
}

const canType = () => spawnSync('script', ['--version'], { encoding: 'utf8' }).status === 0;

e2eDescribe()('the first commands, as typed, in the bundled project', () => {
  let moto: MotoServer;
  let dir: string;
  let env: NodeJS.ProcessEnv;
  const aws = () => ({
    region: 'eu-west-1',
    endpoint: moto.endpoint,
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
  });

  beforeAll(async () => {
    builtCli();
    if (!canType()) throw new Error('util-linux `script` is missing: it gives these commands the terminal they ask on');
    // The base: dev's registry and cluster, applied (the shared template, restored into a moto of this
    // file's own; its build checks that `apply --env dev --stack registry --stack cluster` exits 0
    // with exactly those two stacks, as this file did before).
    ({ moto, dir } = await devEnvironment({ motoEnv: { MOTO_ECS_SERVICE_RUNNING: '4' } }));
    env = { ...cliEnv(moto.endpoint, dir), ECSDEPLOY_OWNER: 'e2e', ECSDEPLOY_ENV: '' };
  }, SHARED_SETUP_MS);
  afterAll(async () => {
    await moto?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  }, TEARDOWN_MS);

  it('ecsdeploy env create feature-x: from dev, as the first line says; its service stacks applied on dev’s cluster', async () => {
    const r = await typed(['env', 'create', 'feature-x'], dir, env);
    expect({ code: r.code, tail: r.code === 0 ? '' : r.stdout.slice(-4000) }).toEqual({ code: 0, tail: '' });
    expect(r.stdout.split('\n')[0]).toBe(
      'Base environment: dev (ephemeral.defaultBase in ecsdeploy.yaml; --from NAME for another)',
    );
    expect(r.asked).toBeGreaterThanOrEqual(1);
    expect(r.stdout).toContain('Create environment feature-x with these resources? [y/N]');
    const record = JSON.parse(readFileSync(join(dir, '.ecsdeploy', 'environments', 'feature-x.json'), 'utf8')) as {
      base: string;
      status: string;
      services: string[];
    };
    expect(record).toMatchObject({ base: 'dev', status: 'ready', services: ['orders', 'payments', 'web'] });
    const services = await new ECSClient(aws()).send(
      new DescribeServicesCommand({
        cluster: 'shop-dev',
        services: ['feature-x-orders', 'feature-x-payments', 'feature-x-web'],
      }),
    );
    expect(services.services?.map((s) => [s.serviceName, s.status])).toEqual([
      ['feature-x-orders', 'ACTIVE'],
      ['feature-x-payments', 'ACTIVE'],
      ['feature-x-web', 'ACTIVE'],
    ]);
  }, 900_000);

  it('ecsdeploy service deploy orders --env prod: image.tag 1.4.2 of services/orders.yaml, by its digest, rolled out', async () => {
    const manifest = fakeManifest('1.4.2');
    const pushed = await new ECRClient(aws()).send(
      new PutImageCommand({ repositoryName: 'shop/orders', imageManifest: manifest, imageTag: '1.4.2' }),
    );
    const digest = pushed.image!.imageId!.imageDigest!;
    // The secret orders reads (services/orders.yaml secrets:): deploy verifies it exists before anything changes.
    await new SSMClient(aws()).send(
      new PutParameterCommand({
        Name: '/shop/orders/database-url',
        Type: 'SecureString',
        Value: 'postgres://orders@db/orders',
        Overwrite: true,
      }),
    );
    // prod's cluster: an ECS cluster shop-prod, and dev's network, load balancer and capacity provider.
    const state = join(dir, '.ecsdeploy', 'state');
    const dev = JSON.parse(readFileSync(join(state, 'dev-cluster.tfstate'), 'utf8')) as {
      outputs: Record<string, { value: unknown }>;
    };
    const provider = dev.outputs['capacity_provider_name']!.value as string;
    const cluster = await new ECSClient(aws()).send(
      new CreateClusterCommand({ clusterName: 'shop-prod', ...(provider ? { capacityProviders: [provider] } : {}) }),
    );
    dev.outputs['cluster_name']!.value = 'shop-prod';
    dev.outputs['cluster_arn']!.value = cluster.cluster!.clusterArn!;
    writeFileSync(join(state, 'prod-cluster.tfstate'), JSON.stringify(dev));

    const r = await typed(['service', 'deploy', 'orders', '--env', 'prod'], dir, env);
    expect({ code: r.code, tail: r.code === 0 ? '' : r.stdout.slice(-4000) }).toEqual({ code: 0, tail: '' });
    const uri = `123456789012.dkr.ecr.eu-west-1.amazonaws.com/shop/orders@${digest}`;
    expect(r.stdout).toContain(
      `Image: 123456789012.dkr.ecr.eu-west-1.amazonaws.com/shop/orders@${digest} (tag 1.4.2), from image.tag 1.4.2 of services/orders.yaml for prod`,
    );
    expect(r.stdout).toMatch(/Release #1 of orders in prod: 1\.4\.2 \(sha256:[0-9a-f]{12}\) rolled out/);
    const ledger = JSON.parse(
      readFileSync(join(dir, '.ecsdeploy', 'releases', 'prod', 'orders.json'), 'utf8'),
    ) as Ledger;
    expect(ledger.releases.map((x) => [x.id, x.image.tag, x.image.digest, x.rollout.status])).toEqual([
      [1, '1.4.2', digest, 'completed'],
    ]);
    const ecs = new ECSClient(aws());
    const service = (await ecs.send(new DescribeServicesCommand({ cluster: 'shop-prod', services: ['orders'] })))
      .services![0]!;
    const td = await ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: service.taskDefinition! }));
    expect(td.taskDefinition!.family).toBe('shop-prod-orders');
    expect(td.taskDefinition!.containerDefinitions!.find((c) => c.name === 'orders')!.image).toBe(uri);
  }, 900_000);

  it('ecsdeploy cluster roll: the default environment (dev), as the first line says; nothing out of date, nothing asked', async () => {
    // What the ECS agent does on real instances: register the group's instances in the cluster.
    await agentTick(clusterAws(moto.endpoint, 'eu-west-1'), { cluster: 'shop-dev', autoScalingGroup: 'shop-dev-ecs' });
    const r = await typed(['cluster', 'roll'], dir, env);
    expect({ code: r.code, tail: r.code === 0 ? '' : r.stdout.slice(-4000) }).toEqual({ code: 0, tail: '' });
    expect(r.stdout.split('\n')[0]).toBe(
      'Environment: dev (defaultEnvironment in ecsdeploy.yaml; --env NAME for another)',
    );
    expect(r.stdout).toMatch(/up to date/i);
    expect(r.asked).toBe(0);
  }, 600_000);
});
