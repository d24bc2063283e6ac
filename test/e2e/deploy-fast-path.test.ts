/**
 * The engine fast path of deploys (issue #17, docs/performance.md) on the real engine against moto:
 * a deploy plans and applies in one engine command (ApplyRequest.direct); every engine command of a
 * stack talks to a provider proxy of its own (TF_REATTACH_PROVIDERS, src/terraform/provider-server.ts
 * and provider-proxy.ts), which answers the schema and the provider configuration check from its
 * cache and gives each engine connection a provider process of its own. What it must not give up,
 * each checked here with the fast path on: a deploy applies what it should and leaves no provider
 * running; drift of the ECS service and of its task definition, made behind Terraform's back, is
 * detected (the stack is reported changed, never unchanged) and a deploy puts it right; the state
 * lock is still taken (a deploy on a locked state stops and changes nothing); stacks planned side
 * by side each get proxies of their own (one per engine command) and agree with
 * ECSDEPLOY_ENGINE_FAST=off.
 *
 * On the shared dev environment (test/e2e/shared-environment.ts): registry and cluster are already
 * applied in this file's own moto, so the first apply (fast path on) finds them up to date and
 * creates orders.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { ECRClient, PutImageCommand } from '@aws-sdk/client-ecr';
import { PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import {
  DeregisterTaskDefinitionCommand,
  DescribeServicesCommand,
  DescribeTaskDefinitionCommand,
  ECSClient,
  UpdateServiceCommand,
} from '@aws-sdk/client-ecs';
import type { PlanReport } from '../../src/ops/infra';
import type { DeployResult } from '../../src/ops/service';
import { toolchain, type MotoServer, fakeManifest } from '../support/moto';
import { devEnvironment, SHARED_SETUP_MS } from './shared-environment';
import { alive, builtCli, cli, cliEnv, exitOf, e2eDescribe, json, TEARDOWN_MS } from './support';

/** The provider proxies a run's engine log says it started: their pids. */
function providerPids(logFile: string): number[] {
  return [...readFileSync(logFile, 'utf8').matchAll(/\(provider server (\d+) ready\)/g)].map((m) => Number(m[1]));
}

/** The newest run log of the project. */
function lastLog(dir: string): string {
  const logs = join(dir, '.ecsdeploy', 'logs');
  const files = readdirSync(logs).sort();
  return join(logs, files[files.length - 1]!);
}

e2eDescribe()('deploy fast path on a real engine against moto', () => {
  let moto: MotoServer;
  let dir: string;
  let env: NodeJS.ProcessEnv;
  const digests: Record<string, string> = {};
  const aws = () => ({
    region: 'eu-west-1',
    endpoint: moto.endpoint,
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
  });
  const ecs = () => new ECSClient(aws());
  const service = async () =>
    (await ecs().send(new DescribeServicesCommand({ cluster: 'shop-dev', services: ['orders'] }))).services![0]!;
  const deploy = (tag: string, extra: NodeJS.ProcessEnv = {}) =>
    cli(['service', 'deploy', 'orders', '--env', 'dev', '--image', tag, '--no-wait', '--json'], dir, {
      ...env,
      ...extra,
    });
  const planOrders = async () => {
    const r = await cli(['plan', '--env', 'dev', '--stack', 'orders', '--json'], dir, env);
    return { r, report: json<PlanReport>(r) };
  };

  beforeAll(async () => {
    builtCli();
    // dev's registry and cluster, applied (the shared template, restored into a moto of this file's own).
    ({ moto, dir } = await devEnvironment());
    env = cliEnv(moto.endpoint, dir);
    delete env['ECSDEPLOY_ENGINE_FAST'];
    delete env['TF_REATTACH_PROVIDERS'];
  }, SHARED_SETUP_MS);
  afterAll(async () => {
    await moto?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  }, TEARDOWN_MS);

  it('applies the registry, the cluster and orders; images and the secret exist', async () => {
    const r = await cli(
      ['apply', '--env', 'dev', '--stack', 'registry', '--stack', 'cluster', '--stack', 'orders', '--yes', '--json'],
      dir,
      env,
    );
    expect(exitOf(r)).toEqual({ code: 0 });
    for (const tag of ['3.0.0', '3.0.1', '3.0.2']) {
      const pushed = await new ECRClient(aws()).send(
        new PutImageCommand({ repositoryName: 'shop/orders', imageManifest: fakeManifest(tag), imageTag: tag }),
      );
      digests[tag] = pushed.image!.imageId!.imageDigest!;
    }
    await new SSMClient(aws()).send(
      new PutParameterCommand({ Name: '/shop/orders/database-url', Type: 'SecureString', Value: 'postgres://db' }),
    );
  }, 900_000);

  it('a deploy plans and applies in one engine command, through a provider proxy, and applies the image', async () => {
    const r = await deploy('3.0.0');
    expect(exitOf(r)).toEqual({ code: 0 });
    const result = json<DeployResult>(r);
    expect(result.image).toBe(`123456789012.dkr.ecr.eu-west-1.amazonaws.com/shop/orders@${digests['3.0.0']}`);
    expect((await service()).taskDefinition).toBe(result.taskDefinition);
    const log = lastLog(dir);
    const proxies = providerPids(log);
    expect(proxies).toHaveLength(1);
    expect(proxies.filter(alive)).toEqual([]);
    // One engine command: apply -auto-approve (nobody is shown a deploy's plan).
    const text = readFileSync(log, 'utf8');
    expect(text.match(/\$ terraform (plan|show|apply) [^\n]*/g)).toEqual([expect.stringContaining('-auto-approve')]);
  }, 600_000);

  it('drift of the ECS service is detected (changes, never "no changes") and a deploy reports and puts it right', async () => {
    await ecs().send(new UpdateServiceCommand({ cluster: 'shop-dev', service: 'orders', desiredCount: 5 }));
    const { r, report } = await planOrders();
    expect(r.code).toBe(3);
    const orders = report.stacks.find((s) => s.stack === 'dev-orders')!;
    expect(orders.summary?.changes).toBe(true);
    expect(orders.summary?.resources.map((x) => [x.type, x.action])).toContainEqual(['aws_ecs_service', 'update']);
    expect(JSON.stringify(orders.summary?.highlights)).toContain('desired count');

    const d = await deploy('3.0.1');
    expect(exitOf(d)).toEqual({ code: 0 });
    expect((await service()).desiredCount).toBe(2);
    // The deploy's one engine command found the drift in its refresh: in its log, with the service's update.
    const text = readFileSync(lastLog(dir), 'utf8');
    expect(text).toMatch(/aws_ecs_service\.Service: Drift detected \(update\)/);
  }, 600_000);

  it("drift of the task definition (deregistered behind Terraform's back) is detected, and a deploy registers it again", async () => {
    const running = (await service()).taskDefinition!;
    await ecs().send(new DeregisterTaskDefinitionCommand({ taskDefinition: running }));
    const { r, report } = await planOrders();
    expect(r.code).toBe(3);
    const orders = report.stacks.find((s) => s.stack === 'dev-orders')!;
    expect(orders.summary?.changes).toBe(true);
    expect(orders.summary?.resources.some((x) => x.type === 'aws_ecs_task_definition')).toBe(true);

    const d = await deploy('3.0.2');
    expect(exitOf(d)).toEqual({ code: 0 });
    const td = await ecs().send(
      new DescribeTaskDefinitionCommand({ taskDefinition: (await service()).taskDefinition! }),
    );
    expect(td.taskDefinition!.status).toBe('ACTIVE');
    expect(td.taskDefinition!.containerDefinitions!.find((c) => c.name === 'orders')!.image).toContain(
      digests['3.0.2']!,
    );
    const after = await planOrders();
    expect(after.r.code).toBe(0);
    expect(after.report.stacks.map((s) => s.summary?.changes)).toEqual([false]);
  }, 900_000);

  it('the state lock is still taken: a deploy on a locked state stops, changes nothing and leaves no provider running', async () => {
    // Terraform's local backend locks the state file with fcntl (F_SETLK): hold that lock from outside.
    const python = toolchain().python ?? 'python3';
    const state = join(dir, '.ecsdeploy', 'state', 'dev-orders.tfstate');
    const holder: ChildProcess = spawn(
      python,
      [
        '-c',
        'import fcntl,sys,time\nf=open(sys.argv[1],"r+")\nfcntl.lockf(f,fcntl.LOCK_EX)\nprint("locked",flush=True)\ntime.sleep(600)',
        state,
      ],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    try {
      await new Promise<void>((resolve, reject) => {
        holder.stdout!.on('data', () => resolve());
        holder.on('exit', (code) => reject(new Error(`lock holder exited ${code}`)));
      });
      const before = (await service()).taskDefinition;
      const r = await deploy('3.0.0');
      expect(r.code).toBe(1);
      expect(r.stdout + r.stderr).toMatch(/lock/i);
      expect((await service()).taskDefinition).toBe(before);
      expect(providerPids(lastLog(dir)).filter(alive)).toEqual([]);
    } finally {
      holder.kill('SIGKILL');
    }
  }, 600_000);

  it('stacks planned side by side each get their own proxies, and agree with ECSDEPLOY_ENGINE_FAST=off', async () => {
    const args = ['plan', '--env', 'dev', '--stack', 'registry', '--stack', 'cluster', '--stack', 'orders', '--json'];
    const fast = await cli(args, dir, env);
    const fastLog = lastLog(dir);
    const slow = await cli(args, dir, { ...env, ECSDEPLOY_ENGINE_FAST: 'off' });
    const slowLog = lastLog(dir);
    expect(fast.code).toBe(slow.code);
    const view = (r: typeof fast) =>
      json<PlanReport>(r).stacks.map((s) => [s.stack, s.status, s.summary?.changes, s.summary?.resources]);
    expect(view(fast)).toEqual(view(slow));
    // Each engine command of each stack had a proxy of its own: never one shared between stacks.
    const served = [...readFileSync(fastLog, 'utf8').matchAll(/\[([\w-]+)\] \(provider server (\d+) ready\)/g)].map(
      (m) => [m[1]!, Number(m[2])] as const,
    );
    expect(new Set(served.map(([stack]) => stack))).toEqual(new Set(['registry', 'dev-cluster', 'dev-orders']));
    expect(new Set(served.map(([, pid]) => pid)).size).toBe(served.length);
    const pids = providerPids(fastLog);
    expect(pids.filter(alive)).toEqual([]);
    expect(providerPids(slowLog)).toEqual([]);
  }, 900_000);
});
