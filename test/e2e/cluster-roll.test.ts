/**
 * `cluster roll` as a new user runs it: the bundled project's dev cluster applied by Terraform to
 * moto, a stand-in for the ECS agent (moto has none: a loop in this process registers the group's
 * InService instances in the cluster and deregisters the ones that left), the instance type
 * changed in environments/dev.yaml and the cluster applied again (launch template version 2, made
 * by Terraform through CreateLaunchTemplateVersion: moto patch 16), then `ecsdeploy cluster roll
 * --env dev --yes`.
 *
 * One moto and one first apply serve both scenarios: a roll run to its end, then (after another
 * instance type change) two rolls at once (the second stops, naming the first), Ctrl-C after the
 * first batch (exit 130, resumable), a resumed run killed outright (its lock left behind, named
 * with its age and ID by the next run) and a run with --force-unlock that converges.
 *
 * The first apply is the shared dev environment's (test/e2e/shared-environment.ts): the bundled
 * dev cluster as is (t3.medium, desired 2 of 1–4, launch template version 1), restored into this
 * file's own moto with the registry beside it, which the roll does not read. The instance type
 * changes below are applied on this file's copy only.
 */
import { readFileSync, rmSync, writeFileSync, existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { DescribeAutoScalingGroupsCommand } from '@aws-sdk/client-auto-scaling';
import type { ClusterStatus, RollReport } from '../../src/ops/cluster-roll';
import type { MotoServer } from '../support/moto';
import { agentTick, aws, type Aws } from './cluster-fixture';
import { devEnvironment, SHARED_SETUP_MS } from './shared-environment';
import { builtCli, cli, cliEnv, e2eDescribe, exitOf, json, startCli, TEARDOWN_MS } from './support';

e2eDescribe()('cluster roll end to end: apply, change the instance type, apply, roll', () => {
  let moto: MotoServer;
  let dir: string;
  let env: NodeJS.ProcessEnv;
  let a: Aws;
  let names: { cluster: string; autoScalingGroup: string };
  let original: { min: number; max: number; desired: number };
  let agent: NodeJS.Timeout | undefined;
  let agentPaused = false;

  const group = async () =>
    (await a.asg.send(new DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: [names.autoScalingGroup] })))
      .AutoScalingGroups![0]!;
  const tagged = async () => (await group()).Tags?.some((t) => t.Key === 'ecsdeploy:roll') ?? false;
  const locks = () => {
    const d = join(dir, '.ecsdeploy', 'rolls');
    return existsSync(d) ? readdirSync(d) : [];
  };

  /** environments/dev.yaml with another instance type, applied: the group launches a new template version. */
  async function changeInstanceType(from: string, to: string): Promise<void> {
    const file = join(dir, 'environments', 'dev.yaml');
    const text = readFileSync(file, 'utf8');
    expect(text).toContain(`instanceTypes: [${from}]`);
    writeFileSync(file, text.replace(`instanceTypes: [${from}]`, `instanceTypes: [${to}]`));
    const r = await cli(['apply', '--env', 'dev', '--stack', 'cluster', '--yes', '--json'], dir, env);
    expect(exitOf(r)).toEqual({ code: 0 });
  }

  /** Every InService instance on `version` and `type`, the group's sizes as before, no roll tag, no lock. */
  async function converged(version: string, type: string): Promise<void> {
    const g = await group();
    const inService = (g.Instances ?? []).filter((i) => i.LifecycleState === 'InService');
    expect(inService.map((i) => ({ version: i.LaunchTemplate?.Version, type: i.InstanceType }))).toEqual(
      Array.from({ length: original.desired }, () => ({ version, type })),
    );
    expect({ min: g.MinSize, max: g.MaxSize, desired: g.DesiredCapacity }).toEqual(original);
    expect(await tagged()).toBe(false);
    expect(locks()).toEqual([]);
  }

  beforeAll(async () => {
    builtCli();
    // dev's registry and cluster, applied (the shared template, restored into a moto of this file's own).
    ({ moto, dir } = await devEnvironment());
    env = { ...cliEnv(moto.endpoint, dir), ECSDEPLOY_OWNER: 'e2e', ECSDEPLOY_ENV: '' };
    const status = json<ClusterStatus>(await cli(['cluster', 'status', '--env', 'dev', '--json'], dir, env));
    names = status.names;
    original = {
      min: status.group.minSize,
      max: status.group.maxSize,
      desired: status.group.desiredCapacity,
    };
    a = aws(moto.endpoint, 'eu-west-1');
    // The stand-in for the ECS agent on every instance, once a second.
    let busy = false;
    agent = setInterval(() => {
      if (busy || agentPaused) return;
      busy = true;
      agentTick(a, names)
        .catch(() => undefined)
        .finally(() => (busy = false));
    }, 1000);
    await agentTick(a, names);
  }, SHARED_SETUP_MS);
  afterAll(async () => {
    if (agent) clearInterval(agent);
    for (const client of a ? [a.asg, a.ecs, a.ec2] : []) client.destroy();
    await moto?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  }, TEARDOWN_MS);

  it('a new instance type applied, then `cluster roll --env dev --yes`: exit 0, every instance current, the group as it was', async () => {
    await changeInstanceType('t3.medium', 't3.large');
    const before = json<ClusterStatus>(await cli(['cluster', 'status', '--env', 'dev', '--json'], dir, env));
    expect(before.group).toMatchObject({ launchTemplateVersion: '2', instanceType: 't3.large' });
    expect(before.outdated).toBe(original.desired);

    const r = await cli(['cluster', 'roll', '--env', 'dev', '--yes'], dir, env);
    expect(exitOf(r)).toEqual({ code: 0 });
    expect(r.stderr).toMatch(/batch 1: i-/);
    expect(r.stdout).toContain(`Rolled ${names.cluster}: ${original.desired} instances replaced`);
    await converged('2', 't3.large');
  }, 600_000);

  let holder = '';

  it('two rolls at once: one goes on, the other stops naming it; Ctrl-C after the first batch exits 130, resumable', async () => {
    await changeInstanceType('t3.large', 't3.xlarge');
    // The agent pauses: the first run's replacement does not join the cluster until it is back, so
    // the first run is still rolling (waiting for it) whatever the second one takes to start.
    agentPaused = true;
    const first = startCli(['cluster', 'roll', '--env', 'dev', '--yes'], dir, env);
    await first.waitFor(/batch 1: i-/, 120_000);
    const second = await cli(['cluster', 'roll', '--env', 'dev', '--yes'], dir, env);

    // Ctrl-C after the first batch: its instance terminated, the roll waiting for the replacement.
    await first.waitFor(/terminated, replacement launching[\s\S]*not yet in cluster/, 120_000);
    first.child.kill('SIGINT');
    const r = await first.done;
    agentPaused = false;

    expect(second.code).toBe(1);
    expect(second.stderr).toContain(`Another \`ecsdeploy cluster roll\` is running on ${names.autoScalingGroup}`);
    expect(second.stderr).toContain(`(pid ${first.child.pid}) has been rolling it since `);
    expect(second.stderr).toMatch(/\(\d+ seconds? ago\) \(lock ID [0-9a-f-]{36}\)\. This run changed nothing\./);
    expect(second.stderr).not.toMatch(/\n\s+at .+:\d+:\d+/);

    expect(r.code).toBe(130);
    expect(r.stderr).toMatch(/Interrupted after 1 instance\(s\) replaced in 1 batch\(es\)/);
    expect(r.stderr).toContain('Run `ecsdeploy cluster roll --env dev` again to go on.');
    expect(await tagged()).toBe(true);
    expect(locks()).toEqual([]);
  }, 600_000);

  it('a resumed run killed outright leaves its lock: the next run names it, its age and --force-unlock; that converges', async () => {
    const killed = startCli(['cluster', 'roll', '--env', 'dev', '--yes'], dir, env);
    await killed.waitFor(/batch \d+: i-/, 120_000);
    killed.child.kill('SIGKILL');
    await killed.done;
    expect(locks()).toHaveLength(1);

    const refused = await cli(['cluster', 'roll', '--env', 'dev', '--yes'], dir, env);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain(`process ${killed.child.pid} is no longer running on this machine`);
    const id = /--force-unlock ([0-9a-f-]{36})/.exec(refused.stderr)?.[1];
    expect(refused.stderr).toContain(`ecsdeploy cluster roll --env dev --force-unlock ${id}`);
    holder = id!;

    const r = await cli(['cluster', 'roll', '--env', 'dev', '--yes', '--force-unlock', holder, '--json'], dir, env);
    expect(exitOf(r)).toEqual({ code: 0 });
    expect(json<RollReport>(r).status).toBe('completed');
    await converged('3', 't3.xlarge');
  }, 600_000);
});
