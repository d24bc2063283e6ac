/**
 * The whole bundled `dev` environment through the built CLI, Terraform and the AWS provider
 * 5.100.0, against moto: `apply` creates every stack (registry, dev-cluster, dev-orders,
 * dev-payments, dev-web, dev-job-nightly-report), a second `plan` reports no changes without initializing again,
 * `destroy` removes the environment and keeps the shared registry until it is named. The example
 * uses Service Connect (web calls orders), task-role permissions and a FireLens sidecar: they are
 * read back from moto as AWS would answer.
 * The project is a copy of the example with `endpoint:` added to its environment files.
 *
 * The apply is the `whole` shared template's (test/e2e/shared-environment.ts): `apply --env dev
 * --yes --json` on an empty moto, made once per run by the e2e global setup while other files run.
 * This file checks that apply's report, reads back a moto of its own restored from the state the
 * apply left, and goes on from there in its own copy of the project (the stack folders as the
 * apply left them). With ECSDEPLOY_E2E_SHARED=off it makes that apply itself, in its beforeAll.
 */
import { DescribeRepositoriesCommand, ECRClient } from '@aws-sdk/client-ecr';
import {
  DescribeClustersCommand,
  DescribeServicesCommand,
  DescribeTaskDefinitionCommand,
  ECSClient,
} from '@aws-sdk/client-ecs';
import { GetRolePolicyCommand, IAMClient } from '@aws-sdk/client-iam';
import { GetScheduleCommand, SchedulerClient } from '@aws-sdk/client-scheduler';
import { existsSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { ApplyReport, DestroyReport, PlanReport } from '../../src/ops/infra';
import { type MotoServer } from '../support/moto';
import { builtCli, cli, cliEnv, e2eDescribe, exitOf, json, TEARDOWN_MS, type CliResult } from './support';
import { SHARED_SETUP_MS, wholeDevEnvironment } from './shared-environment';

const STACKS = ['registry', 'dev-cluster', 'dev-orders', 'dev-payments', 'dev-web', 'dev-job-nightly-report'];

e2eDescribe()('the dev example on a real engine against moto', () => {
  let moto: MotoServer;
  let dir: string;
  let env: NodeJS.ProcessEnv;
  /** The apply of every stack, made on an empty moto (the `whole` template's, or this file's with the switch off). */
  let report: ApplyReport;
  const timings: Record<string, number> = {};
  const aws = () => ({
    region: 'eu-west-1',
    endpoint: moto.endpoint,
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
  });
  const run = async (name: string, args: string[]): Promise<CliResult> => {
    const r = await cli(args, dir, env);
    timings[name] = r.seconds;
    return r;
  };

  beforeAll(async () => {
    builtCli();
    const whole = await wholeDevEnvironment();
    ({ moto, dir, report } = whole);
    timings['apply'] = whole.applySeconds;
    env = cliEnv(moto.endpoint, dir);
  }, SHARED_SETUP_MS);
  afterAll(async () => {
    console.log(
      `dev example timings (s): ${JSON.stringify(timings)}; total ${Object.values(timings).reduce((a, b) => a + b, 0)} s`,
    );
    await moto?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  }, TEARDOWN_MS);

  it("apply --yes creates every stack; each plan summary counts exactly the stack's resources as new", async () => {
    // (The apply exited 0 with this report, or wholeDevEnvironment() would have thrown with its output.)
    expect(report.stacks.map((s) => [s.stack, s.applied])).toEqual(STACKS.map((s) => [s, true]));

    // The summary parser, on the engine's real JSON plans: every synthesized resource is an add.
    const synth = json<{ stacks: Array<{ name: string; resources: number }> }>(
      await cli(['synth', '--env', 'dev', '--json'], dir, env),
    );
    for (const s of report.stacks) {
      const resources = synth.stacks.find((x) => x.name === s.stack)!.resources;
      expect({ stack: s.stack, add: s.summary.add, change: s.summary.change, destroy: s.summary.destroy }).toEqual({
        stack: s.stack,
        add: resources,
        change: 0,
        destroy: 0,
      });
    }
    const orders = report.stacks.find((s) => s.stack === 'dev-orders')!;
    expect(orders.summary.highlights.find((h) => h.resource === 'task definition')!.changes).toContainEqual({
      attribute: 'image',
      container: 'orders',
      to: expect.stringMatching(/\/shop\/orders:1\.4\.2$/),
    });
    expect(orders.outputs['service_name']).toBe('orders');
    expect(report.stacks.find((s) => s.stack === 'dev-cluster')!.outputs['cluster_name']).toBe('shop-dev');

    // The services reading the cluster could only be planned once it existed: deferred, then applied.
    expect(report.plan.stacks.filter((s) => s.status === 'deferred').map((s) => s.stack)).toEqual([
      'dev-orders',
      'dev-payments',
      'dev-web',
      'dev-job-nightly-report',
    ]);

    // And it is all there, as AWS (moto) sees it.
    const ecs = new ECSClient(aws());
    const cluster = await ecs.send(new DescribeClustersCommand({ clusters: ['shop-dev'] }));
    expect(cluster.clusters?.[0]?.status).toBe('ACTIVE');
    const services = await ecs.send(
      new DescribeServicesCommand({ cluster: 'shop-dev', services: ['orders', 'payments', 'web'] }),
    );
    expect(services.services?.map((s) => [s.serviceName, s.status])).toEqual([
      ['orders', 'ACTIVE'],
      ['payments', 'ACTIVE'],
      ['web', 'ACTIVE'],
    ]);
    // Service Connect: orders publishes http as orders:8080 in the environment's namespace, web is a client.
    const connect = Object.fromEntries(
      services.services!.map((s) => [
        s.serviceName,
        s.deployments?.find((d) => d.status === 'PRIMARY')?.serviceConnectConfiguration,
      ]),
    );
    expect(connect['orders']).toMatchObject({
      enabled: true,
      services: [{ portName: 'http', discoveryName: 'orders', clientAliases: [{ port: 8080, dnsName: 'orders' }] }],
    });
    expect(connect['web']).toMatchObject({ enabled: true });
    expect(connect['web']?.services ?? []).toEqual([]);
    expect(connect['orders']?.namespace).toBe(cluster.clusters?.[0]?.serviceConnectDefaults?.namespace);
    // The task role of orders holds exactly the statements of services/orders.yaml.
    const iam = new IAMClient(aws());
    const taskPolicy = await iam.send(
      new GetRolePolicyCommand({ RoleName: 'shop-dev-orders-task', PolicyName: 'task' }),
    );
    expect(
      JSON.parse(decodeURIComponent(taskPolicy.PolicyDocument!)).Statement.map((st: { Sid: string }) => st.Sid),
    ).toEqual(['PublishOrderEvents', 'ReadInvoiceTemplates']);
    const td = await ecs.send(
      new DescribeTaskDefinitionCommand({
        taskDefinition: services.services!.find((s) => s.serviceName === 'payments')!.taskDefinition!,
      }),
    );
    expect(
      td.taskDefinition?.containerDefinitions?.map((c) => [c.name, c.essential, c.firelensConfiguration?.type ?? null]),
    ).toEqual([
      ['payments', true, null],
      ['log-router', true, 'fluentbit'],
    ]);
    const repos = await new ECRClient(aws()).send(new DescribeRepositoriesCommand({}));
    expect(repos.repositories?.map((x) => x.repositoryName).sort()).toEqual([
      'shop/jobs/nightly-report',
      'shop/orders',
      'shop/payments',
      'shop/web',
    ]);

    // The scheduled job: its schedule (paused in dev) runs its task definition on Fargate, with its dead-letter queue.
    const schedule = await new SchedulerClient(aws()).send(
      new GetScheduleCommand({ Name: 'shop-dev-job-nightly-report', GroupName: 'default' }),
    );
    expect(schedule).toMatchObject({
      State: 'DISABLED',
      ScheduleExpression: 'cron(0 2 * * ? *)',
      ScheduleExpressionTimezone: 'Europe/Paris',
      FlexibleTimeWindow: { Mode: 'FLEXIBLE', MaximumWindowInMinutes: 15 },
    });
    expect(schedule.Target?.EcsParameters?.TaskDefinitionArn).toMatch(
      /task-definition\/shop-dev-job-nightly-report:1$/,
    );
    expect(schedule.Target?.RetryPolicy).toEqual({ MaximumRetryAttempts: 3, MaximumEventAgeInSeconds: 3600 });
    expect(schedule.Target?.DeadLetterConfig?.Arn).toMatch(/:sqs:eu-west-1:\d{12}:shop-dev-job-nightly-report-dlq$/);
    const job = json<{ jobs: Array<{ job: string; state: string; deadLetters?: number; nextRun?: string }> }>(
      await run('job-list', ['job', 'list', '--env', 'dev', '--json']),
    );
    expect(job.jobs).toEqual([expect.objectContaining({ job: 'nightly-report', state: 'DISABLED', deadLetters: 0 })]);
    expect(job.jobs[0]!.nextRun).toBeUndefined();
  }, 600_000);

  it('a second plan reports no changes (exit 0) and does not init again', async () => {
    const r = await run('plan', ['plan', '--env', 'dev', '--json']);
    const report = json<PlanReport>(r);
    const changed = report.stacks
      .filter((s) => s.status !== 'planned' || s.summary!.changes)
      .map((s) => ({ stack: s.stack, resources: s.summary?.resources }));
    expect(changed).toEqual([]);
    expect(exitOf(r)).toEqual({ code: 0 });
    expect(readFileSync(report.logFile, 'utf8')).not.toMatch(/\$ terraform init/);
  }, 300_000);

  it('destroy removes the environment, services first, and keeps the shared registry until it is named', async () => {
    const r = await run('destroy', ['destroy', '--env', 'dev', '--yes', '--json']);
    const report = json<DestroyReport>(r);
    expect(r.code).toBe(0);
    expect(report.destroyed.slice(-1)).toEqual(['dev-cluster']);
    expect([...report.destroyed].sort()).toEqual([
      'dev-cluster',
      'dev-job-nightly-report',
      'dev-orders',
      'dev-payments',
      'dev-web',
    ]);
    expect(report.kept.map((k) => k.stack)).toEqual(['registry']);

    const cluster = await new ECSClient(aws()).send(new DescribeClustersCommand({ clusters: ['shop-dev'] }));
    expect(cluster.clusters?.filter((c) => c.status === 'ACTIVE')).toEqual([]);
    const states = join(dir, '.ecsdeploy', 'state');
    for (const f of readdirSync(states).filter((x) => /^dev-.*\.tfstate$/.test(x))) {
      expect({
        f,
        resources: (JSON.parse(readFileSync(join(states, f), 'utf8')) as { resources: unknown[] }).resources,
      }).toEqual({ f, resources: [] });
    }
    const ecr = new ECRClient(aws());
    expect((await ecr.send(new DescribeRepositoriesCommand({}))).repositories).toHaveLength(4);

    const registry = await run('destroy-registry', [
      'destroy',
      '--env',
      'dev',
      '--stack',
      'registry',
      '--yes',
      '--json',
    ]);
    expect(registry.code).toBe(0);
    expect(json<DestroyReport>(registry).destroyed).toEqual(['registry']);
    expect((await ecr.send(new DescribeRepositoriesCommand({}))).repositories).toEqual([]);
    expect(existsSync(join(dir, '.ecsdeploy', 'runs')) && readdirSync(join(dir, '.ecsdeploy', 'runs'))).toEqual([]);
  }, 600_000);
});
