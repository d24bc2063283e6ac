/**
 * Scheduled jobs through the built CLI, the real engine (Terraform + AWS provider 5.100.0) and
 * moto: the bundled job's stack applies (EventBridge Scheduler schedule, its role, the SQS
 * dead-letter queue, the task definition), `job deploy` releases a new image by digest into it,
 * a second plan shows no changes (synth reads the job's release), `job run` starts a task with
 * what the schedule runs, `job list` reads the schedule, that run and the queue's depth, and the
 * stack destroys. moto does not run containers, so `job run` is not watched here (--no-wait); the
 * watcher is `task run`'s, tested against a simulation in test/task.
 */
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { ECRClient, PutImageCommand } from '@aws-sdk/client-ecr';
import { GetScheduleCommand, SchedulerClient } from '@aws-sdk/client-scheduler';
import type { ApplyReport, DestroyReport, PlanReport } from '../../src/ops/infra';
import type { JobDeployResult, JobHistory, JobList, JobRunResult } from '../../src/ops/jobs';
import type { Ledger } from '../../src/ops/releases';
import { type MotoServer, fakeManifest } from '../support/moto';
import { builtCli, cli, cliEnv, e2eDescribe, json, TEARDOWN_MS } from './support';
import { devEnvironment, SHARED_SETUP_MS } from './shared-environment';

const JOB_STACK = 'dev-job-nightly-report';
const REPO_URI = '123456789012.dkr.ecr.eu-west-1.amazonaws.com/shop/jobs/nightly-report';

e2eDescribe()('scheduled jobs on a real engine against moto', () => {
  let moto: MotoServer;
  let dir: string;
  let env: NodeJS.ProcessEnv;
  let digest: string;
  let taskDefinition: string;
  const aws = () => ({
    region: 'eu-west-1',
    endpoint: moto.endpoint,
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
  });
  const schedule = () =>
    new SchedulerClient(aws()).send(
      new GetScheduleCommand({ Name: 'shop-dev-job-nightly-report', GroupName: 'default' }),
    );

  beforeAll(async () => {
    builtCli();
    // dev's registry and cluster, applied (the shared template, restored into a moto of this file's own).
    ({ moto, dir } = await devEnvironment());
    env = cliEnv(moto.endpoint, dir);
  }, SHARED_SETUP_MS);
  afterAll(async () => {
    await moto?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  }, TEARDOWN_MS);

  it('the registry, the cluster and the job stack apply (the job with its configured tag)', async () => {
    const r = await cli(
      [
        'apply',
        '--env',
        'dev',
        '--stack',
        'registry',
        '--stack',
        'cluster',
        '--stack',
        'job-nightly-report',
        '--yes',
        '--json',
      ],
      dir,
      env,
    );
    expect({ code: r.code, stderr: r.code === 0 ? '' : r.stderr.slice(-3000) }).toEqual({ code: 0, stderr: '' });
    const report = json<ApplyReport>(r);
    expect(report.stacks.map((s) => s.stack)).toEqual(['registry', 'dev-cluster', JOB_STACK]);
    const job = report.stacks.find((s) => s.stack === JOB_STACK)!;
    expect(job.outputs).toMatchObject({
      schedule_name: 'shop-dev-job-nightly-report',
      schedule_group: 'default',
      image: `${REPO_URI}:2.0.1`,
      task_definition_family: 'shop-dev-job-nightly-report',
    });
    expect((await schedule()).State).toBe('DISABLED');
    const manifest = fakeManifest('report 2.0.2');
    const pushed = await new ECRClient(aws()).send(
      new PutImageCommand({ repositoryName: 'shop/jobs/nightly-report', imageManifest: manifest, imageTag: '2.0.2' }),
    );
    digest = pushed.image!.imageId!.imageDigest!;
  }, 900_000);

  it('job deploy resolves 2.0.2 to its digest, records the release, and applies only the job stack', async () => {
    const r = await cli(
      ['job', 'deploy', 'nightly-report', '--env', 'dev', '--image', '2.0.2', '--message', 'e2e', '--json'],
      dir,
      env,
    );
    expect({ code: r.code, stderr: r.code === 0 ? '' : r.stderr.slice(-3000) }).toEqual({ code: 0, stderr: '' });
    const result = json<JobDeployResult>(r);
    expect(result).toMatchObject({
      environment: 'dev',
      job: 'nightly-report',
      image: `${REPO_URI}@${digest}`,
      schedule: 'shop-dev-job-nightly-report',
      enabled: false,
    });
    expect(result.release).toMatchObject({
      id: 1,
      image: { tag: '2.0.2', digest },
      message: 'e2e',
      rollout: { status: 'completed', taskDefinition: result.taskDefinition },
    });
    taskDefinition = result.taskDefinition;
    expect(taskDefinition).toMatch(/task-definition\/shop-dev-job-nightly-report:2$/);
    expect((await schedule()).Target?.EcsParameters?.TaskDefinitionArn).toBe(taskDefinition);
    // The job's ledger sits next to the services' ones, under jobs/.
    const ledger = JSON.parse(
      readFileSync(join(dir, '.ecsdeploy', 'releases', 'dev', 'jobs', 'nightly-report.json'), 'utf8'),
    ) as Ledger;
    expect(ledger).toMatchObject({ environment: 'dev', service: 'jobs/nightly-report', releases: [{ id: 1 }] });
    expect(existsSync(join(dir, '.ecsdeploy', 'releases', 'dev', 'nightly-report.json'))).toBe(false);

    const history = json<JobHistory>(
      await cli(['job', 'history', 'nightly-report', '--env', 'dev', '--json'], dir, env),
    );
    expect(history).toMatchObject({
      environment: 'dev',
      service: 'nightly-report',
      current: 1,
      releases: [{ id: 1, kind: 'deploy' }],
    });
  }, 600_000);

  it('a second plan of the job stack shows no changes: synth takes the image from the release', async () => {
    const r = await cli(['plan', '--env', 'dev', '--stack', 'job-nightly-report', '--json'], dir, env);
    const report = json<PlanReport>(r);
    expect(report.stacks.map((s) => [s.stack, s.status, s.summary?.changes])).toEqual([[JOB_STACK, 'planned', false]]);
    expect(r.code).toBe(0);
  }, 300_000);

  it('job run starts a task with what the schedule runs; job list shows it, the schedule and the dead letters', async () => {
    const r = await cli(['job', 'run', 'nightly-report', '--env', 'dev', '--no-wait', '--json'], dir, env);
    expect({ code: r.code, stderr: r.code === 0 ? '' : r.stderr.slice(-3000) }).toEqual({ code: 0, stderr: '' });
    const run = json<JobRunResult>(r);
    expect(run).toMatchObject({
      environment: 'dev',
      job: 'nightly-report',
      taskDefinition,
      container: 'nightly-report',
      watched: false,
      source: 'schedule shop-dev-job-nightly-report',
    });

    const list = json<JobList>(await cli(['job', 'list', '--env', 'dev', '--json'], dir, env));
    expect(list).toMatchObject({ environment: 'dev', cluster: 'shop-dev' });
    expect(list.jobs).toEqual([
      expect.objectContaining({
        job: 'nightly-report',
        schedule: 'cron 0 2 * * * (Europe/Paris)',
        state: 'DISABLED',
        deadLetters: 0,
        release: expect.objectContaining({ id: 1, status: 'completed' }),
      }),
    ]);
    expect(list.jobs[0]!.nextRun).toBeUndefined(); // paused in dev
    expect(list.jobs[0]!.lastRuns).toEqual([expect.objectContaining({ taskId: run.taskId, by: 'job run' })]);
  }, 300_000);

  it('destroying the job stack removes the schedule and keeps the rest', async () => {
    const r = await cli(['destroy', '--env', 'dev', '--stack', 'job-nightly-report', '--yes', '--json'], dir, env);
    expect(r.code).toBe(0);
    expect(json<DestroyReport>(r).destroyed).toEqual([JOB_STACK]);
    await expect(schedule()).rejects.toMatchObject({ name: 'ResourceNotFoundException' });
    const list = json<JobList>(await cli(['job', 'list', '--env', 'dev', '--json'], dir, env));
    expect(list.jobs[0]).toMatchObject({ job: 'nightly-report', state: 'not deployed' });
  }, 600_000);
});
