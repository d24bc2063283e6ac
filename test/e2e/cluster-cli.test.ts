/**
 * `cluster status` and `cluster roll` against moto: the built CLI on a copy of the example project
 * (environment dev → cluster shop-dev, group shop-dev-ecs, made here with the SDK as the cluster
 * stack would), and then a whole roll through the real SDK path, with a stand-in for the ECS agent
 * (moto has none): it registers the instances the group launches, deregisters the ones it
 * terminated, and ends the one standalone task once its instance drains.
 *
 * What it protects: exit codes and JSON of the commands, nothing changed by --dry-run or by a run
 * that cannot ask, Ctrl-C exiting 130 with what to do, and that a roll against the AWS APIs,
 * interrupted and run again, replaces exactly the out-of-date instances, each once, and leaves the
 * group as it found it (sizes, no tag).
 */
import { rmSync } from 'node:fs';
import { DescribeAutoScalingGroupsCommand } from '@aws-sdk/client-auto-scaling';
import {
  CreateServiceCommand,
  ListTasksCommand,
  RegisterTaskDefinitionCommand,
  StartTaskCommand,
  StopTaskCommand,
  DescribeContainerInstancesCommand,
  ListContainerInstancesCommand,
} from '@aws-sdk/client-ecs';
import {
  clusterDeps,
  clusterRoll,
  type ClusterStatus,
  type RollEvent,
  type RollReport,
} from '../../src/ops/cluster-roll';
import { startMoto, toolchain, type MotoServer } from '../support/moto';
import {
  agentTick,
  aws,
  createCapacity,
  groupInstances,
  motoSkipReason,
  newVersion,
  type Aws,
} from './cluster-fixture';
import { cli, cliEnv, exampleProject, json, startCli, TEARDOWN_MS } from './support';
import { isCI } from '../../src/ui/prompt';

const reason = motoSkipReason(toolchain().python);
if (reason && isCI()) throw new Error(`${reason}; CI must have moto`);
if (reason) console.warn(reason);

const NAMES = { cluster: 'shop-dev', autoScalingGroup: 'shop-dev-ecs' };

(reason ? describe.skip : describe)('cluster status and roll against moto', () => {
  let moto: MotoServer;
  let dir: string;
  let env: NodeJS.ProcessEnv;
  let a: Aws;
  let original: string[];

  const group = async () =>
    (await a.asg.send(new DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: [NAMES.autoScalingGroup] })))
      .AutoScalingGroups![0]!;

  beforeAll(async () => {
    moto = await startMoto();
    dir = exampleProject(moto.endpoint);
    env = cliEnv(moto.endpoint, dir);
    a = aws(moto.endpoint, 'eu-west-1');
    await createCapacity(a, NAMES, 3, { min: 1, max: 3 });
    await a.ecs.send(
      new RegisterTaskDefinitionCommand({
        family: 'shop-dev-orders',
        cpu: '256',
        memory: '512',
        containerDefinitions: [{ name: 'orders', image: 'orders', memory: 512 }],
      }),
    );
    await a.ecs.send(
      new CreateServiceCommand({
        cluster: NAMES.cluster,
        serviceName: 'orders',
        taskDefinition: 'shop-dev-orders',
        desiredCount: 2,
        launchType: 'EC2',
        deploymentConfiguration: { minimumHealthyPercent: 50, maximumPercent: 200 },
      }),
    );
    original = (await groupInstances(a, NAMES.autoScalingGroup)).map((i) => i.id).sort();
    // An AMI and instance type change applied: the group now launches version 2.
    await newVersion(a, NAMES.autoScalingGroup, 't3.large');
  }, 60_000);
  afterAll(async () => {
    await moto?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  }, TEARDOWN_MS);

  it('cluster status --json: every instance out of date, with why; the services on EC2', async () => {
    const r = await cli(['cluster', 'status', '--env', 'dev', '--json'], dir, env);
    expect(r.code).toBe(0);
    const status = json<ClusterStatus>(r);
    expect(status).toMatchObject({
      environment: 'dev',
      outdated: 3,
      names: { cluster: NAMES.cluster, autoScalingGroup: NAMES.autoScalingGroup },
      group: { launchTemplateVersion: '2', instanceType: 't3.large', desiredCapacity: 3 },
    });
    expect(status.instances.map((i) => i.instanceId).sort()).toEqual(original);
    expect(status.instances[0]).toMatchObject({
      inGroup: true,
      launchTemplateVersion: '1',
      outdated: true,
      ecsStatus: 'ACTIVE',
    });
    expect(status.services).toEqual([
      {
        name: 'orders',
        desired: 2,
        running: 0,
        daemon: false,
        cpu: 256,
        memory: 512,
        minimumHealthyPercent: 50,
        maximumPercent: 200,
      },
    ]);
  });

  it('cluster status: a table and the reasons, for people', async () => {
    const r = await cli(['cluster', 'status', '--env', 'dev'], dir, env);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^INSTANCE\s+TYPE\s+VERSION\s+UP TO DATE\s+STATE\s+ECS\s+TASKS/m);
    expect(r.stdout).toContain('3 instances out of date (replace with `ecsdeploy cluster roll --env dev`):');
    expect(r.stdout).toContain(
      '  launch template version 1; the group launches version 2; instance type t3.medium; the group launches t3.large; AMI ami-00000001; the launch template has ami-00000002:\n',
    );
    for (const id of original) expect(r.stdout).toContain(`\n    ${id}`);
  });

  it('cluster roll where nobody can answer and without --yes: exit 2, nothing changed', async () => {
    const r = await cli(['cluster', 'roll', '--env', 'dev'], dir, env);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(
      'cluster roll asks for confirmation, and nobody can answer here (CI is set): pass --yes.',
    );
    expect(r.stderr).not.toMatch(/\n\s+at .+:\d+:\d+/);
    expect((await group()).Tags?.some((t) => t.Key === 'ecsdeploy:roll')).toBe(false);
  });

  it.each([
    [['--env', 'dev', '--batch', '0'], '--batch must be a number of instances'],
    [['--env', 'dev', '--timeout', 'soon'], '--timeout must be a duration'],
    [['--env', 'prd'], "no environment 'prd'"],
  ])('cluster roll %j: a usage error (exit 2)', async (args, message) => {
    const r = await cli(['cluster', 'roll', '--dry-run', ...args], dir, env);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(message);
  });

  it('cluster roll --dry-run --json: the plan, and not one change', async () => {
    const r = await cli(['cluster', 'roll', '--env', 'dev', '--dry-run', '--batch', '2', '--json'], dir, env);
    expect(r.code).toBe(0);
    const report = json<RollReport>(r);
    expect(report).toMatchObject({ status: 'planned', strategy: 'drain', replaced: [], environment: 'dev' });
    expect(report.plan!.batches.flatMap((b) => b.instances).sort()).toEqual(original);
    const g = await group();
    expect({
      desired: g.DesiredCapacity,
      max: g.MaxSize,
      tagged: g.Tags?.some((t) => t.Key === 'ecsdeploy:roll'),
    }).toEqual({ desired: 3, max: 3, tagged: false });
  });

  let interruptedReplaced: string[] = [];

  it('Ctrl-C while the roll waits for a replacement: exit 130, saying what is left and how to go on', async () => {
    // No agent runs here, so the first replacement never joins the cluster and the roll waits.
    const running = startCli(['cluster', 'roll', '--env', 'dev', '--batch', '1', '--yes'], dir, env);
    await running.waitFor(/waiting [^\n]*not yet in cluster shop-dev|waiting [^\n]*Pending/, 60_000);
    running.child.kill('SIGINT');
    const r = await running.done;
    expect(r.code).toBe(130);
    expect(r.stderr).toContain('Interrupted: the roll stops after the step in progress');
    expect(r.stderr).toMatch(
      /Error: Interrupted after 1 instance\(s\) replaced in 1 batch\(es\); stopped between two steps\./,
    );
    expect(r.stderr).toContain("the group's tag ecsdeploy:roll keeps its original sizes");
    expect(r.stderr).toContain('Run `ecsdeploy cluster roll --env dev` again to go on.');
    const left = await groupInstances(a, NAMES.autoScalingGroup);
    interruptedReplaced = original.filter((id) => !left.some((i) => i.id === id));
    expect(interruptedReplaced).toHaveLength(1);
    expect((await group()).Tags?.some((t) => t.Key === 'ecsdeploy:roll')).toBe(true);
  });

  it('the next run resumes: the other old instances replaced (not the one already done), the group as it was', async () => {
    // One standalone task on an old instance, ended (as a batch job ends) once it is DRAINING.
    const withTask = original.find((id) => !interruptedReplaced.includes(id))!;
    const firstArn = async () => {
      const arns = (await a.ecs.send(new ListContainerInstancesCommand({ cluster: NAMES.cluster })))
        .containerInstanceArns!;
      const cis = (
        await a.ecs.send(new DescribeContainerInstancesCommand({ cluster: NAMES.cluster, containerInstances: arns }))
      ).containerInstances!;
      return cis.find((c) => c.ec2InstanceId === withTask)!;
    };
    await a.ecs.send(
      new StartTaskCommand({
        cluster: NAMES.cluster,
        taskDefinition: 'shop-dev-orders',
        containerInstances: [(await firstArn()).containerInstanceArn!],
      }),
    );
    let drainedWithTask = false;
    const agent = async () => {
      await agentTick(a, NAMES);
      const ci = await firstArn().catch(() => undefined);
      if (ci?.status === 'DRAINING' && (ci.runningTasksCount ?? 0) > 0) {
        drainedWithTask = true;
        for (const task of (
          await a.ecs.send(
            new ListTasksCommand({ cluster: NAMES.cluster, containerInstance: ci.containerInstanceArn! }),
          )
        ).taskArns ?? []) {
          await a.ecs.send(new StopTaskCommand({ cluster: NAMES.cluster, task, reason: 'job done' }));
        }
      }
    };
    const events: RollEvent[] = [];
    const saved = { ...process.env };
    Object.assign(process.env, {
      AWS_ACCESS_KEY_ID: 'test',
      AWS_SECRET_ACCESS_KEY: 'test',
      AWS_EC2_METADATA_DISABLED: 'true',
    });
    let report: RollReport;
    try {
      report = await clusterRoll(
        { dir, env: 'dev', flags: { batch: '2', timeout: '2m' }, onEvent: (e) => events.push(e) },
        {
          ...clusterDeps(),
          // Real time, but each wait is one round of the agent instead.
          clock: { now: () => Date.now(), random: () => 0.5, sleep: async () => agent() },
          pollMs: 1,
        },
      );
    } finally {
      process.env = saved;
    }
    expect(report).toMatchObject({ status: 'completed', environment: 'dev' });
    expect(report.replaced).not.toContain(interruptedReplaced[0]);
    expect([...report.replaced, ...interruptedReplaced].sort()).toEqual(original);
    expect(drainedWithTask).toBe(true);
    const after = await groupInstances(a, NAMES.autoScalingGroup);
    expect(after).toHaveLength(3);
    expect(after.every((i) => i.version === '2' && !original.includes(i.id))).toBe(true);
    const g = await group();
    expect({
      min: g.MinSize,
      max: g.MaxSize,
      desired: g.DesiredCapacity,
      tagged: g.Tags?.some((t) => t.Key === 'ecsdeploy:roll'),
    }).toEqual({ min: 1, max: 3, desired: 3, tagged: false });
    const kinds = new Set(events.map((e) => (e.type === 'instance' ? `instance:${e.state}` : e.type)));
    expect([...kinds]).toEqual(
      expect.arrayContaining([
        'plan',
        'batch',
        'instance:draining',
        'instance:drained',
        'instance:terminating',
        'ready',
        'restored',
      ]),
    );

    // And now nothing is out of date.
    const status = json<ClusterStatus>(await cli(['cluster', 'status', '--env', 'dev', '--json'], dir, env));
    expect(status.outdated).toBe(0);
    const again = await cli(['cluster', 'roll', '--env', 'dev', '--yes', '--json'], dir, env);
    expect(again.code).toBe(0);
    expect(json<RollReport>(again).status).toBe('up-to-date');
  }, 120_000);
});
