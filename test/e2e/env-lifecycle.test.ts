/**
 * Environments on demand through the built CLI, a real Terraform engine and the AWS provider
 * 5.100.0, against moto. The bundled dev's registry and cluster are applied first; then
 * `env create feature-x --from dev` applies only feature-x's service stacks on dev's cluster (ECS
 * services named feature-x-*, listener rules matching feature-x.dev.shop.example.com), and
 * `env destroy` leaves nothing behind: no ECS service, stack folder, state file, record or release.
 * A create interrupted half-way is recorded as failed, and `env destroy` cleans up what it made.
 */
import { ECSClient, DescribeServicesCommand } from '@aws-sdk/client-ecs';
import { DescribeRulesCommand, ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { CreateResult, DestroyEnvironmentResult, ListResult, ShowResult } from '../../src/ops/environments';
import { type MotoServer } from '../support/moto';
import { filesUnder } from '../environments/helpers';
import {
  alive,
  builtCli,
  cli,
  cliEnv,
  descendants,
  e2eDescribe,
  json,
  startCli,
  TEARDOWN_MS,
  type CliResult,
} from './support';
import { devEnvironment, SHARED_SETUP_MS } from './shared-environment';

e2eDescribe()('environments on demand on a real engine against moto', () => {
  let moto: MotoServer;
  let dir: string;
  let env: NodeJS.ProcessEnv;
  const timings: Record<string, number> = {};
  const aws = () => ({
    region: 'eu-west-1',
    endpoint: moto.endpoint,
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
  });
  const run = async (name: string, args: string[]): Promise<CliResult> => {
    const r = await cli(args, dir, { ...env, ECSDEPLOY_OWNER: 'e2e' });
    timings[name] = r.seconds;
    return r;
  };
  /** What an environment on demand may leave: nothing but the engine's logs (kept on purpose, for diagnosis). */
  const traces = (name: string) =>
    filesUnder(dir).filter((f) => f.includes(name) && !f.startsWith(join('.ecsdeploy', 'logs')));
  const listenerArn = () =>
    (
      JSON.parse(readFileSync(join(dir, '.ecsdeploy', 'state', 'dev-cluster.tfstate'), 'utf8')) as {
        outputs: Record<string, { value: string }>;
      }
    ).outputs['listener_arn']!.value;

  beforeAll(async () => {
    builtCli();
    // The base: dev's registry and cluster, applied (the shared template, restored into a moto of this
    // file's own; its build checks that `apply --env dev --stack registry --stack cluster` exits 0
    // with exactly those two stacks, as this file did before).
    ({ moto, dir } = await devEnvironment());
    env = cliEnv(moto.endpoint, dir);
  }, SHARED_SETUP_MS);
  afterAll(async () => {
    console.log(`env e2e timings (s): ${JSON.stringify(timings)}`);
    await moto?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  }, TEARDOWN_MS);

  it('env create applies only its service stacks, on the base cluster, reached by its host name', async () => {
    const r = await run('env create', [
      'env',
      'create',
      'feature-x',
      '--from',
      'dev',
      '--services',
      'orders,web',
      '--ttl',
      '8h',
      '--yes',
      '--json',
    ]);
    const result = json<CreateResult>(r);
    expect(r.code).toBe(0);
    expect(result.apply.stacks.map((s) => [s.stack, s.applied])).toEqual([
      ['feature-x-orders', true],
      ['feature-x-web', true],
    ]);
    expect(result.environment).toMatchObject({
      name: 'feature-x',
      base: 'dev',
      owner: 'e2e',
      status: 'ready',
      services: ['orders', 'web'],
    });
    // dev has a domain and no certificate: plain HTTP, under its own host name.
    expect(result.urls.map((u) => u.url)).toEqual([
      'http://feature-x.dev.shop.example.com/orders',
      'http://feature-x.dev.shop.example.com/',
    ]);

    const services = await new ECSClient(aws()).send(
      new DescribeServicesCommand({ cluster: 'shop-dev', services: ['feature-x-orders', 'feature-x-web'] }),
    );
    expect(services.services?.map((s) => [s.serviceName, s.status, s.desiredCount])).toEqual([
      ['feature-x-orders', 'ACTIVE', 1],
      ['feature-x-web', 'ACTIVE', 1],
    ]);
    // Service Connect in a namespace of its own (shop-feature-x, created with feature-x-orders), so
    // feature-x-web's calls to orders:8080 reach feature-x-orders, not dev's orders.
    const connect = services.services!.map(
      (s) => s.deployments?.find((d) => d.status === 'PRIMARY')?.serviceConnectConfiguration,
    );
    expect(connect[0]).toMatchObject({
      enabled: true,
      namespace: expect.stringMatching(/namespace\/ns-/),
      services: [{ portName: 'http', discoveryName: 'orders' }],
    });
    expect(connect[1]).toMatchObject({ enabled: true, namespace: 'shop-feature-x' });
    const rules = await new ElasticLoadBalancingV2Client(aws()).send(
      new DescribeRulesCommand({ ListenerArn: listenerArn() }),
    );
    const hosts = (rules.Rules ?? []).flatMap((rule) =>
      (rule.Conditions ?? [])
        .filter((c) => c.Field === 'host-header')
        .flatMap((c) => c.HostHeaderConfig?.Values ?? c.Values ?? []),
    );
    expect(hosts).toEqual(['feature-x.dev.shop.example.com', 'feature-x.dev.shop.example.com']);
  }, 600_000);

  it('env list and env show report it from its record and its state', async () => {
    const list = json<ListResult>(await run('env list', ['env', 'list', '--json']));
    expect(list.environments.map((e) => [e.name, e.kind, e.onDemand?.status])).toEqual([
      ['dev', 'permanent', undefined],
      ['prod', 'permanent', undefined],
      ['feature-x', 'on-demand', 'ready'],
    ]);
    const show = json<ShowResult>(await run('env show', ['env', 'show', 'feature-x', '--json']));
    expect(show.stacks.map((s) => [s.name, s.owned, s.applied])).toEqual([
      ['dev-cluster', false, true],
      ['feature-x-orders', true, true],
      ['feature-x-web', true, true],
    ]);
  }, 120_000);

  it('plan --env feature-x (any command taking an environment) resolves it: no changes', async () => {
    const r = await run('plan feature-x', ['plan', '--env', 'feature-x', '--json']);
    expect(r.code).toBe(0);
  }, 300_000);

  it('env destroy leaves nothing behind: no ECS service, stack folder, state file, record or release', async () => {
    expect(traces('feature-x')).toEqual(
      expect.arrayContaining([
        join('.ecsdeploy', 'environments', 'feature-x.json'),
        join('.ecsdeploy', 'state', 'feature-x-orders.tfstate'),
        join('cdktf.out', 'stacks', 'feature-x-web', 'cdk.tf.json'),
      ]),
    );
    const r = await run('env destroy', ['env', 'destroy', 'feature-x', '--yes', '--json']);
    const result = json<DestroyEnvironmentResult>(r);
    expect(r.code).toBe(0);
    expect([...result.destroyed].sort()).toEqual(['feature-x-orders', 'feature-x-web']);
    expect(traces('feature-x')).toEqual([]);

    const services = await new ECSClient(aws()).send(
      new DescribeServicesCommand({ cluster: 'shop-dev', services: ['feature-x-orders', 'feature-x-web'] }),
    );
    expect((services.services ?? []).filter((s) => s.status === 'ACTIVE')).toEqual([]);
    // The base is untouched.
    expect(existsSync(join(dir, '.ecsdeploy', 'state', 'dev-cluster.tfstate'))).toBe(true);
  }, 600_000);

  it('a create interrupted half-way is recorded as failed; env destroy cleans up what it made', async () => {
    const creating = startCli(['env', 'create', 'feature-y', '--from', 'dev', '--services', 'orders', '--yes'], dir, {
      ...env,
      ECSDEPLOY_OWNER: 'e2e',
    });
    await creating.waitFor(/feature-y-orders\s+\S+: Creating\.\.\./, 300_000);
    creating.child.kill('SIGINT');
    const interrupted = await creating.done;
    expect(interrupted.code).not.toBe(0);
    expect(interrupted.stderr).toContain("Creating environment 'feature-y' failed; it is recorded as failed.");
    const list = json<ListResult>(await run('env list (failed)', ['env', 'list', '--json']));
    expect(list.environments.find((e) => e.name === 'feature-y')?.onDemand?.status).toBe('failed');

    const r = await run('env destroy (failed)', ['env', 'destroy', 'feature-y', '--yes', '--json']);
    expect(r.code).toBe(0);
    expect(traces('feature-y')).toEqual([]);
    const services = await new ECSClient(aws()).send(
      new DescribeServicesCommand({ cluster: 'shop-dev', services: ['feature-y-orders'] }),
    );
    expect((services.services ?? []).filter((s) => s.status === 'ACTIVE')).toEqual([]);
  }, 900_000);

  it('a create killed with SIGKILL half-way is listed as failed, with the reason; env destroy cleans up', async () => {
    const creating = startCli(['env', 'create', 'feature-k', '--from', 'dev', '--services', 'orders', '--yes'], dir, {
      ...env,
      ECSDEPLOY_OWNER: 'e2e',
    });
    await creating.waitFor(/feature-k-orders\s+\S+: Creating\.\.\./, 300_000);
    const pid = creating.child.pid!;
    const engines = descendants(pid);
    creating.child.kill('SIGKILL');
    expect((await creating.done).code).toBeNull();
    // The engine outlives the CLI (as it would on a laptop or a CI runner): let it end first.
    const deadline = Date.now() + 300_000;
    while (engines.some(alive) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 500));
    expect(engines.filter(alive)).toEqual([]);

    const list = json<ListResult>(await run('env list (killed)', ['env', 'list', '--json']));
    const killed = list.environments.find((e) => e.name === 'feature-k')?.onDemand;
    expect(killed?.status).toBe('failed');
    expect(killed?.statusReason).toMatch(
      new RegExp(`^its \`env create\` \\(process ${pid} on \\S+\\) ended without finishing`),
    );
    const shown = await run('env show (killed)', ['env', 'show', 'feature-k']);
    expect(shown.stdout).toContain('remove what it made with `ecsdeploy env destroy feature-k --yes`');

    const r = await run('env destroy (killed)', ['env', 'destroy', 'feature-k', '--yes', '--json']);
    expect(r.code).toBe(0);
    expect(traces('feature-k')).toEqual([]);
  }, 900_000);
});
