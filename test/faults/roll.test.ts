/**
 * Fault injection on `cluster roll` (strategy drain), in-process through the ops API `clusterRoll`
 * (the command's own code path: lock, roll, errors) with its AWS calls (autoscaling, ec2, ecs)
 * going through a seeded fault proxy. The capacity is made ONCE with the SDK straight in moto
 * (test/e2e/cluster-fixture.ts: launch template, group `shop-dev-ecs`, cluster `shop-dev`), no
 * Terraform; each seed makes a new launch template version (every instance out of date) and rolls.
 *
 * A stand-in for what runs on real instances and in ECS works against moto directly (never
 * faulted), every 300 ms: the ECS agent (InService instances of the group register, those that left
 * deregister) and the service scheduler (the service `web` keeps its tasks RUNNING on ACTIVE
 * instances; tasks on a DRAINING instance are started elsewhere, and stopped there DRAIN_MS after it
 * began draining: a roll that does not wait for its batch to drain kills them). It also records
 * any instance that left the group while it still ran a task: the one thing a roll must never do.
 *
 * Invariants, read from moto after every run: a roll that returned (exit 0) left every InService
 * instance on the newest template version, the group's sizes as before, no `ecsdeploy:roll` tag and
 * no lock file; a roll that failed names what failed (an EcsdeployError, the operation in its
 * message) and a re-run without faults converges (the same checks). In every run: no instance
 * terminated with tasks, and the service keeps its tasks. See test/README.md "Fault injection".
 */
import { existsSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { DescribeAutoScalingGroupsCommand } from '@aws-sdk/client-auto-scaling';
import {
  CreateServiceCommand,
  DeregisterContainerInstanceCommand,
  DescribeContainerInstancesCommand,
  DescribeTasksCommand,
  ListContainerInstancesCommand,
  ListTasksCommand,
  RegisterTaskDefinitionCommand,
  StartTaskCommand,
  StopTaskCommand,
} from '@aws-sdk/client-ecs';
import { DescribeLaunchTemplatesCommand } from '@aws-sdk/client-ec2';
import { SdkAutoScalingApi, SdkLaunchTemplates } from '../../src/aws/autoscaling';
import { AwsClients } from '../../src/aws/clients';
import { SdkEcsClusterApi } from '../../src/aws/ecs-cluster';
import { EcsdeployError } from '../../src/errors';
import { clusterDeps, clusterRoll, combine, type ClusterApi, type RollReport } from '../../src/ops/cluster-roll';
import { startMoto, type MotoServer } from '../support/moto';
import { e2eDescribe, exampleProject, TEARDOWN_MS } from '../e2e/support';
import { aws, createCapacity, groupInstances, newVersion, registerInstance, type Aws } from '../e2e/cluster-fixture';
import { runSeeds, seeds, summary } from './harness';

const REGION = 'eu-west-1';
/** The bundled example project's dev environment: project `shop`. */
const NAMES = { cluster: 'shop-dev', autoScalingGroup: 'shop-dev-ecs' };
const INSTANCES = 2;
const SIZES = { min: 1, max: INSTANCES + 2 };
const SERVICE = 'web';
const SERVICE_TASKS = 2;
/** How long the stand-in scheduler takes to move a task off a DRAINING instance. */
const DRAIN_MS = 1000;
/**
 * A roll of 2 instances takes 8–45 s here under faults (2 shared cores, 5 helpers: 8 seeds took 163 s):
 * 6 seeds by default; FAULT_SEEDS scales it (6 per 200), FAULT_SEED replays one.
 */
const ROLL_SEEDS = ((list: number[]) =>
  list.length === 1 ? list : list.slice(0, Math.max(1, Math.round((list.length * 6) / 200))))(seeds('cheap', 200));

e2eDescribe()('fault injection: cluster roll with the stand-in ECS agent', () => {
  let moto: MotoServer;
  let dir: string;
  let a: Aws;
  let taskDefinition: string;
  let agent: NodeJS.Timeout | undefined;
  let ticking: Promise<void> = Promise.resolve();
  /** Instances that left the group while a task still ran on them (the agent's record). */
  const terminatedWithTasks: string[] = [];
  const agentErrors: string[] = [];
  /** When the stand-in first saw each container instance DRAINING. */
  const drainingSince = new Map<string, number>();
  const orphans = new Set<string>();
  const saved = { ...process.env };

  const containerInstances = async () => {
    const arns = (await a.ecs.send(new ListContainerInstancesCommand({ cluster: NAMES.cluster })))
      .containerInstanceArns;
    return arns?.length
      ? ((await a.ecs.send(new DescribeContainerInstancesCommand({ cluster: NAMES.cluster, containerInstances: arns })))
          .containerInstances ?? [])
      : [];
  };
  const runningTasks = async () => {
    const arns = (await a.ecs.send(new ListTasksCommand({ cluster: NAMES.cluster, desiredStatus: 'RUNNING' })))
      .taskArns;
    return arns?.length
      ? // desiredStatus, not lastStatus: moto moves a task's lastStatus on at every read (its managed state).
        ((await a.ecs.send(new DescribeTasksCommand({ cluster: NAMES.cluster, tasks: arns }))).tasks ?? []).filter(
          (t) => t.desiredStatus === 'RUNNING',
        )
      : [];
  };

  /**
   * What AWS does on its own, once: the ECS agent on each instance (register InService instances,
   * deregister those that left the group: noting any that still ran a task) and the service
   * scheduler (move tasks off DRAINING instances, keep SERVICE_TASKS running).
   */
  async function tick(): Promise<void> {
    const inService = new Set(
      (await groupInstances(a, NAMES.autoScalingGroup)).filter((i) => i.state === 'InService').map((i) => i.id),
    );
    let cis = await containerInstances();
    const registered = new Set(cis.map((c) => c.ec2InstanceId));
    for (const id of inService) if (!registered.has(id)) await registerInstance(a, NAMES.cluster, id);
    const tasks = await runningTasks();
    for (const c of cis) {
      if (inService.has(c.ec2InstanceId!)) continue;
      const on = tasks.filter((t) => t.containerInstanceArn === c.containerInstanceArn);
      if (on.length > 0 && !terminatedWithTasks.includes(c.ec2InstanceId!))
        terminatedWithTasks.push(`${c.ec2InstanceId} (${on.length} task(s), ${c.status})`);
      // Gone from the group: deregistered (its tasks, if any, stay RUNNING on it: the check sees them).
      await a.ecs
        .send(
          new DeregisterContainerInstanceCommand({
            cluster: NAMES.cluster,
            containerInstance: c.containerInstanceArn!,
            force: true,
          }),
        )
        .catch(() => undefined);
    }
    cis = (await containerInstances()).filter((c) => inService.has(c.ec2InstanceId!));
    const active = cis.filter((c) => c.status === 'ACTIVE');
    const draining = new Set(cis.filter((c) => c.status === 'DRAINING').map((c) => c.containerInstanceArn));
    const service = tasks.filter((t) => t.group === `service:${SERVICE}`);
    const live = service.filter(
      (t) =>
        !draining.has(t.containerInstanceArn) && active.some((c) => c.containerInstanceArn === t.containerInstanceArn),
    );
    // The scheduler: replacements first (on the ACTIVE instance with the fewest tasks), then stop the old ones.
    let missing = SERVICE_TASKS - live.length;
    const load = new Map(
      active.map((c) => [
        c.containerInstanceArn!,
        live.filter((t) => t.containerInstanceArn === c.containerInstanceArn).length,
      ]),
    );
    while (missing > 0 && active.length > 0) {
      const target = [...load.entries()].sort((x, y) => x[1] - y[1])[0]![0];
      await a.ecs.send(
        new StartTaskCommand({
          cluster: NAMES.cluster,
          taskDefinition,
          containerInstances: [target],
          group: `service:${SERVICE}`,
          startedBy: 'ecs-svc/stand-in',
        }),
      );
      load.set(target, load.get(target)! + 1);
      missing--;
    }
    // The old tasks stop once their replacements are up and the draining instance has had its
    // deregistration delay (a roll that terminates before then kills them: the checks see it).
    const now = Date.now();
    for (const arn of draining) if (!drainingSince.has(arn!)) drainingSince.set(arn!, now);
    for (const arn of [...drainingSince.keys()]) if (!draining.has(arn)) drainingSince.delete(arn);
    if (missing === 0)
      for (const t of service)
        if (draining.has(t.containerInstanceArn) && now - drainingSince.get(t.containerInstanceArn!)! >= DRAIN_MS)
          await a.ecs.send(new StopTaskCommand({ cluster: NAMES.cluster, task: t.taskArn!, reason: 'draining' }));
  }

  const group = async () =>
    (await a.asg.send(new DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: [NAMES.autoScalingGroup] })))
      .AutoScalingGroups![0]!;
  const latestVersion = async () =>
    String(
      (await a.ec2.send(new DescribeLaunchTemplatesCommand({ LaunchTemplateNames: [NAMES.autoScalingGroup] })))
        .LaunchTemplates![0]!.LatestVersionNumber,
    );
  const locks = () => {
    const d = join(dir, '.ecsdeploy', 'rolls');
    return existsSync(d) ? readdirSync(d) : [];
  };

  /** Every way the cluster is not as a completed roll leaves it, in words (none: converged). */
  async function notConverged(version: string): Promise<string[]> {
    const out: string[] = [];
    const g = await group();
    const inService = (g.Instances ?? []).filter((i) => i.LifecycleState === 'InService');
    const stale = inService.filter((i) => i.LaunchTemplate?.Version !== version);
    if (inService.length !== INSTANCES) out.push(`${inService.length} InService instances, not ${INSTANCES}`);
    if (stale.length > 0)
      out.push(
        `not on version ${version}: ${stale.map((i) => `${i.InstanceId}@${i.LaunchTemplate?.Version}`).join(', ')}`,
      );
    const sizes = { min: g.MinSize, max: g.MaxSize, desired: g.DesiredCapacity };
    if (sizes.min !== SIZES.min || sizes.max !== SIZES.max || sizes.desired !== INSTANCES)
      out.push(`sizes ${JSON.stringify(sizes)}, not ${JSON.stringify({ ...SIZES, desired: INSTANCES })}`);
    if (g.Tags?.some((t) => t.Key === 'ecsdeploy:roll')) out.push('the ecsdeploy:roll tag is still on the group');
    if (locks().length > 0) out.push(`lock left behind: ${locks().join(', ')}`);
    return out;
  }

  /** Holds in every run, failed or not. */
  async function alwaysTrue(): Promise<string[]> {
    const out = terminatedWithTasks.splice(0).map((t) => `instance terminated while it ran tasks: ${t}`);
    const live = new Set(
      (await groupInstances(a, NAMES.autoScalingGroup)).filter((i) => i.state === 'InService').map((i) => i.id),
    );
    const cis = new Map((await containerInstances()).map((c) => [c.containerInstanceArn, c.ec2InstanceId]));
    for (const t of await runningTasks()) {
      const on = cis.get(t.containerInstanceArn);
      // Reported once (moto cannot stop a task whose instance was deregistered: it stays, orphaned).
      if ((on === undefined || !live.has(on)) && !orphans.has(t.taskArn!)) {
        orphans.add(t.taskArn!);
        out.push(`task ${t.taskArn} RUNNING on an instance no longer in service`);
      }
    }
    return out;
  }

  /** A task of no service on the first instance (the ECS scheduler of the stand-in leaves it alone). */
  const standaloneTask = async (): Promise<string> => {
    const ci = (await containerInstances()).find((c) => c.status === 'ACTIVE')!;
    const t = await a.ecs.send(
      new StartTaskCommand({ cluster: NAMES.cluster, taskDefinition, containerInstances: [ci.containerInstanceArn!] }),
    );
    return t.tasks![0]!.taskArn!;
  };

  /** The agent is between two ticks, and has caught up with what the roll left. */
  const settle = async () => {
    await ticking;
    await tick();
  };

  beforeAll(async () => {
    moto = await startMoto();
    Object.assign(process.env, {
      AWS_ACCESS_KEY_ID: 'test',
      AWS_SECRET_ACCESS_KEY: 'test',
      AWS_REGION: REGION,
      ECSDEPLOY_OWNER: 'faults',
      ECSDEPLOY_ENV: '',
    });
    dir = exampleProject(moto.endpoint);
    a = aws(moto.endpoint, REGION);
    await createCapacity(a, NAMES, INSTANCES, SIZES);
    taskDefinition = (
      await a.ecs.send(
        new RegisterTaskDefinitionCommand({
          family: SERVICE,
          containerDefinitions: [{ name: SERVICE, image: 'nginx', cpu: 256, memory: 256 }],
        }),
      )
    ).taskDefinition!.taskDefinitionArn!;
    await a.ecs.send(
      new CreateServiceCommand({
        cluster: NAMES.cluster,
        serviceName: SERVICE,
        taskDefinition,
        desiredCount: SERVICE_TASKS,
      }),
    );
    await tick();
    agent = setInterval(() => {
      ticking = ticking.then(() => tick().catch((err: Error) => void agentErrors.push(err.message)));
    }, 300);
  }, 120_000);
  afterAll(async () => {
    if (agent) clearInterval(agent);
    await ticking;
    for (const client of a ? [a.asg, a.ecs, a.ec2] : []) client.destroy();
    await moto?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
    process.env = saved;
  }, TEARDOWN_MS);

  it(
    'cluster roll under faults: exit 0 only when every instance is current and the group as it was; never an instance terminated with tasks',
    async () => {
      const roll = (api: ClusterApi, timeout = '60s') =>
        clusterRoll({ dir, env: 'dev', flags: { timeout } }, { ...clusterDeps(), api: () => api, pollMs: 300 });
      const logs = await runSeeds(
        'cluster-roll',
        ROLL_SEEDS,
        // autoscaling, ec2 and ecs calls of the roll; the proxy serves one run at a time.
        { target: moto.endpoint, rate: [0.1, 0.5], lifetimeMs: 600_000, concurrency: 1 },
        async (run) => {
          await settle();
          await newVersion(a, NAMES.autoScalingGroup, 't3.large', `ami-${String(run.seed).padStart(8, '0')}`);
          const version = await latestVersion();
          const clients = new AwsClients({ region: REGION, endpoint: run.proxy.endpoint });
          const api = combine(
            new SdkAutoScalingApi(clients.autoScaling(), new SdkLaunchTemplates(clients.ec2())),
            new SdkEcsClusterApi(clients.ecs()),
          );
          // Every third seed, a task of no service sits on one instance: ECS moves no such task, so
          // the roll must stop (drain timeout), set the batch back to ACTIVE and terminate nothing.
          const stuck = run.seed % 3 === 0 ? await standaloneTask() : undefined;
          let report: RollReport | undefined;
          let failure: EcsdeployError | undefined;
          try {
            report = await roll(api, stuck ? '4s' : '60s');
            run.note(`exit 0: ${report.status}, ${report.replaced.length} replaced in ${report.batches} batch(es)`);
          } catch (err) {
            const e = err as Error;
            run.note(`exit ${err instanceof EcsdeployError ? err.exitCode : '?'}: ${e.message.split('\n')[0]}`);
            if (!(err instanceof EcsdeployError))
              run.problem(`not an EcsdeployError (a bug, not a report): ${e.stack}`);
            else {
              failure = err;
              // What failed is named: the AWS call ("AWS error while terminating i-..."), or the roll's own stop.
              if (!/ while |The roll (stopped|cannot start)|lock/.test(e.message))
                run.problem(`the error names no operation: ${e.message}`);
              if (err.exitCode !== 1) run.problem(`exit ${err.exitCode} for a failed roll, not 1`);
            }
          }
          await settle();
          for (const p of await alwaysTrue()) run.problem(p);
          if (stuck) {
            if (report !== undefined) run.problem('exit 0 although a task of no service could not move');
            else if (failure && failure.code !== 'ECSDEPLOY_ROLL_DRAIN_TIMEOUT')
              run.note(`(stuck seed failed before the drain: ${failure.code})`);
            if (!(await runningTasks()).some((t) => t.taskArn === stuck))
              run.problem('the task of no service no longer runs (its instance was terminated under it?)');
            await a.ecs.send(new StopTaskCommand({ cluster: NAMES.cluster, task: stuck, reason: 'done' }));
          }
          if (report !== undefined) {
            if (report.status !== 'completed') run.problem(`exit 0 with status ${report.status}`);
            for (const p of await notConverged(version)) run.problem(`said completed, but ${p}`);
            return;
          }
          // Failed: the next run without faults finishes the job (resumes from the tag).
          if (locks().length > 0) run.problem(`a failed run (not killed) left its lock: ${locks().join(', ')}`);
          run.proxy.setRate(0);
          try {
            const again = await roll(api);
            run.note(`re-run: ${again.status}`);
          } catch (err) {
            run.problem(`re-run without faults failed: ${(err as Error).message}`);
          }
          await settle();
          for (const p of await alwaysTrue()) run.problem(p);
          for (const p of await notConverged(version)) run.problem(`after the re-run, ${p}`);
        },
      );
      console.log(
        `cluster-roll: ${summary(logs)}; ${logs.filter((l) => l.outcome.startsWith('exit 0')).length} exit 0 at once`,
      );
      expect(agentErrors.slice(0, 3)).toEqual([]);
    },
    120_000 + ROLL_SEEDS.length * 60_000,
  );
});
