/**
 * One-off tasks and deployment.before through the built CLI, the real engine and moto (its
 * RunTask/StopTask, with the launcher's `ecs-one-off-tasks` patch: the command text says how a task
 * ends, see test/README.md): `task run` streams the container's log and exits with its exit code; a
 * task that never starts is exit 1 with ECS's reason; `--no-wait --json`, `task list` and `task stop`
 * work together; a deploy whose before-step fails leaves the ECS service on its task definition,
 * and one whose steps pass moves it.
 */
import { spawn } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ECRClient, PutImageCommand } from '@aws-sdk/client-ecr';
import { PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { DescribeServicesCommand, DescribeTaskDefinitionCommand, ECSClient } from '@aws-sdk/client-ecs';
import type { Ledger } from '../../src/ops/releases';
import type { DeployResult } from '../../src/ops/service';
import type { TaskList, TaskRunResult } from '../../src/ops/task';
import { type MotoServer, fakeManifest } from '../support/moto';
import { devEnvironment, SHARED_SETUP_MS } from './shared-environment';
import { builtCli, cliEnv, e2eDescribe, json, REPO, TEARDOWN_MS, type CliResult } from './support';

/** The CLI with `-C dir` before `--` (the shared runner appends it, which would make it part of the task's command). */
function run(args: readonly string[], dir: string, env: NodeJS.ProcessEnv): Promise<CliResult> {
  const started = Date.now();
  const at = args.indexOf('--');
  const argv = at < 0 ? [...args, '-C', dir] : [...args.slice(0, at), '-C', dir, ...args.slice(at)];
  const child = spawn(process.execPath, [join(REPO, 'bin', 'run.js'), ...argv], {
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (c: string) => (stdout += c));
  child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c));
  return new Promise((resolve) =>
    child.on('close', (code) => resolve({ code, stdout, stderr, seconds: Math.round((Date.now() - started) / 1000) })),
  );
}

e2eDescribe()('task run and deployment.before against moto', () => {
  let moto: MotoServer;
  let dir: string;
  let env: NodeJS.ProcessEnv;
  const aws = () => ({
    region: 'eu-west-1',
    endpoint: moto.endpoint,
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
  });
  const serviceTd = async () =>
    (await new ECSClient(aws()).send(new DescribeServicesCommand({ cluster: 'shop-dev', services: ['orders'] })))
      .services![0]!.taskDefinition!;
  const push = async (tag: string) => {
    const manifest = fakeManifest(`${tag}`);
    return (
      await new ECRClient(aws()).send(
        new PutImageCommand({ repositoryName: 'shop/orders', imageManifest: manifest, imageTag: tag }),
      )
    ).image!.imageId!.imageDigest!;
  };
  const before = (command: string) => {
    const file = join(dir, 'services', 'orders.yaml');
    const text = readFileSync(file, 'utf8').replace(/\n {2}before:\n(?: {4}.*\n)+/, '\n');
    writeFileSync(
      file,
      text.replace(
        'deployment:\n  strategy: rolling\n',
        `deployment:\n  strategy: rolling\n  before:\n    - command: ${JSON.stringify(command)}\n      timeout: 5m\n`,
      ),
    );
  };

  beforeAll(async () => {
    builtCli();
    // dev's registry and cluster, applied (the shared template, restored into a moto of this file's own).
    ({ moto, dir } = await devEnvironment());
    env = cliEnv(moto.endpoint, dir);
    const r = await run(['apply', '--env', 'dev', '--stack', 'orders', '--yes', '--json'], dir, env);
    if (r.code !== 0) throw new Error(`apply failed (${r.code}):\n${r.stdout.slice(-3000)}\n${r.stderr.slice(-3000)}`);
    // The secret orders reads (services/orders.yaml secrets:): deploy verifies it exists before anything changes.
    await new SSMClient(aws()).send(
      new PutParameterCommand({
        Name: '/shop/orders/database-url',
        Type: 'SecureString',
        Value: 'postgres://orders@db/orders',
      }),
    );
  }, SHARED_SETUP_MS);
  afterAll(async () => {
    await moto?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  }, TEARDOWN_MS);

  it('task run streams the log on stdout and exits 0 with the container', async () => {
    const r = await run(
      ['task', 'run', 'orders', '--env', 'dev', '--', 'sh', '-c', 'echo migrating orders; echo done; exit 0'],
      dir,
      env,
    );
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('migrating orders\ndone\n');
    expect(r.stderr).toMatch(/Started task [0-9a-f-]+ of shop-dev-orders:\d+ \(running\); container orders/);
  }, 120_000);

  it("task run exits with the container's exit code, and --json says so", async () => {
    const r = await run(['task', 'run', 'orders', '--env', 'dev', '--json', '--', 'sh', '-c', 'exit 3'], dir, env);
    expect(r.code).toBe(3);
    const result = json<TaskRunResult>(r);
    expect(result).toMatchObject({
      exitCode: 3,
      container: 'orders',
      source: 'running',
      outcome: { kind: 'exited', exitCode: 3 },
    });
    expect(result.taskDefinition).toBe(await serviceTd());
  }, 120_000);

  it('a task that never starts is exit 1 with the stopped reason', async () => {
    const r = await run(
      ['task', 'run', 'orders', '--env', 'dev', '--', 'sh', '-c', 'MOTO_TASK=never-starts'],
      dir,
      env,
    );
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/never started: CannotPullContainerError/);
  }, 120_000);

  it('--no-wait --json returns the task ARN; task list and task stop take it from there', async () => {
    const started = json<TaskRunResult>(
      await run(
        ['task', 'run', 'orders', '--env', 'dev', '--no-wait', '--json', '--', 'sh', '-c', 'MOTO_TASK=runs'],
        dir,
        env,
      ),
    );
    expect(started.taskArn).toMatch(/^arn:aws:ecs:eu-west-1:123456789012:task\/shop-dev\//);
    expect(started.watched).toBe(false);
    const listed = json<TaskList>(await run(['task', 'list', 'orders', '--env', 'dev', '--json'], dir, env));
    expect(listed.tasks.find((t) => t.taskArn === started.taskArn)).toMatchObject({
      lastStatus: 'RUNNING',
      purpose: 'task run',
      command: ['sh', '-c', 'MOTO_TASK=runs'],
    });
    const stop = await run(['task', 'stop', 'orders', started.taskId, '--env', 'dev', '--json'], dir, env);
    expect(stop.code).toBe(0);
    const after = json<TaskList>(await run(['task', 'list', 'orders', '--env', 'dev', '--json'], dir, env));
    expect(after.tasks.find((t) => t.taskArn === started.taskArn)).toMatchObject({
      lastStatus: 'STOPPED',
      exitCode: 143,
    });
    expect(after.tasks.length).toBeGreaterThanOrEqual(4);
  }, 180_000);

  it('--image of an image never deployed is a usage error that says to deploy it first', async () => {
    await push('9.9.9');
    const r = await run(['task', 'run', 'orders', '--env', 'dev', '--image', '9.9.9', '--', 'true'], dir, env);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/Deploy it first/);
  }, 120_000);

  it('a failing deployment.before step stops the deploy: the ECS service keeps its task definition', async () => {
    const running = await serviceTd();
    await push('1.4.3');
    before('echo applying 0042_add_index; exit 4');
    const r = await run(['service', 'deploy', 'orders', '--env', 'dev', '--image', '1.4.3', '--no-wait'], dir, env);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(
      /deployment\.before\[0\] `echo applying 0042_add_index; exit 4` \(container orders\) exited with code 4: the ECS service orders was not updated/,
    );
    expect(r.stderr).toMatch(/\| applying 0042_add_index/);
    expect(await serviceTd()).toBe(running);
    const ledger = JSON.parse(
      readFileSync(join(dir, '.ecsdeploy', 'releases', 'dev', 'orders.json'), 'utf8'),
    ) as Ledger;
    const release = ledger.releases[ledger.releases.length - 1]!;
    expect(release.rollout.status).toBe('failed');
    expect(release.before).toMatchObject({
      status: 'failed',
      steps: [{ status: 'failed', exitCode: 4, lastLines: ['applying 0042_add_index'] }],
    });
    // The new revision was registered (and recorded), the service never ran it.
    expect(release.rollout.taskDefinition).not.toBe(running);
    const history = await run(['service', 'history', 'orders', '--env', 'dev'], dir, env);
    expect(history.stdout).toMatch(
      /before 1\/1 `echo applying 0042_add_index; exit 4` \(orders\): failed, exit code 4/,
    );
  }, 600_000);

  it('when the steps pass, the service moves to the new task definition, which ran them', async () => {
    before('echo applying 0042_add_index; exit 0');
    const r = await run(
      ['service', 'deploy', 'orders', '--env', 'dev', '--image', '1.4.3', '--no-wait', '--json'],
      dir,
      env,
    );
    const result = json<DeployResult>(r);
    expect(r.code).toBe(0);
    expect(result.release.before).toMatchObject({ status: 'passed', steps: [{ status: 'passed', exitCode: 0 }] });
    expect(result.release.before!.hold).toBeUndefined();
    const td = await serviceTd();
    expect(td).toBe(result.taskDefinition);
    const image = (
      await new ECSClient(aws()).send(new DescribeTaskDefinitionCommand({ taskDefinition: td }))
    ).taskDefinition!.containerDefinitions!.find((c) => c.name === 'orders')!.image;
    expect(image).toMatch(/@sha256:/);
    const list = json<TaskList>(await run(['task', 'list', 'orders', '--env', 'dev', '--json'], dir, env));
    expect(list.tasks.find((t) => t.purpose === 'deployment.before 1 of 1' && t.exitCode === 0)?.taskDefinition).toBe(
      td.slice(td.lastIndexOf('/') + 1),
    );
    // Terraform agrees with ECS: nothing to change.
    const plan = await run(['plan', '--env', 'dev', '--stack', 'orders', '--json'], dir, env);
    expect(plan.code).toBe(0);
  }, 600_000);
});
