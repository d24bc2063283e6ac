/**
 * `job deploy`, `job promote`, `job history` against an engine double and an in-memory ECR: a job
 * is released like a service (digest, ledger, only its stack applied), its ledger is keyed apart
 * from a service of the same name, and only an applied release is promoted.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { EcrApi } from '../../src/aws/ecr';
import { EcsdeployError } from '../../src/errors';
import { deployJob, jobHistory, promoteJob } from '../../src/ops/jobs';
import type { Ledger } from '../../src/ops/releases';
import { FakeClock } from '../deploy-watch/sim';
import { digestOf, exampleProject, RecordingEngine, simDeps } from '../service/helpers';

const REPO_URI = '123456789012.dkr.ecr.eu-west-1.amazonaws.com/shop/jobs/nightly-report';

function setup() {
  const project = exampleProject();
  const clock = new FakeClock();
  const ecr: EcrApi = {
    async repository(name) {
      return name === 'shop/jobs/nightly-report' ? { name, uri: REPO_URI, registryId: '123456789012' } : undefined;
    },
    async image(repo, id) {
      const images =
        repo === 'shop/jobs/nightly-report'
          ? [
              { digest: digestOf(1), tags: ['2.0.1'] },
              { digest: digestOf(2), tags: ['2.0.2'] },
            ]
          : [];
      return images.find((i) => ('tag' in id ? i.tags.includes(id.tag) : i.digest === id.digest));
    },
    async newestImages() {
      return [];
    },
  };
  const engine = new RecordingEngine(() => deps.store!({} as never));
  const deps = simDeps(project.dir, clock, { ecr } as never, engine);
  return { project, engine, deps };
}

describe('job releases', () => {
  let s: ReturnType<typeof setup>;
  afterEach(() => s.project.cleanup());

  it("deploy resolves the tag in the job's repository, records the release and applies only its stack", async () => {
    s = setup();
    const result = await deployJob(
      { dir: s.project.dir, env: 'dev', job: 'nightly-report', image: '2.0.2', message: 'fix totals' },
      s.deps,
    );
    expect(s.engine.applied.map((a) => [a.env, a.stacks])).toEqual([['dev', ['job-nightly-report']]]);
    expect(result).toMatchObject({
      environment: 'dev',
      job: 'nightly-report',
      image: `${REPO_URI}@${digestOf(2)}`,
      schedule: 'shop-dev-job-nightly-report',
      enabled: false,
    });
    expect(result.release).toMatchObject({
      id: 1,
      kind: 'deploy',
      message: 'fix totals',
      image: { tag: '2.0.2', digest: digestOf(2), serviceRepository: true },
      rollout: { status: 'completed', taskDefinition: result.taskDefinition },
    });
    const ledger = JSON.parse(
      readFileSync(join(s.project.dir, '.ecsdeploy', 'releases', 'dev', 'jobs', 'nightly-report.json'), 'utf8'),
    ) as Ledger;
    expect(ledger.service).toBe('jobs/nightly-report');
    // Without --image: the job file's image.tag (2.0.1).
    const again = await deployJob({ dir: s.project.dir, env: 'dev', job: 'nightly-report' }, s.deps);
    expect(again.release).toMatchObject({ id: 2, previous: 1, image: { tag: '2.0.1', digest: digestOf(1) } });
    const history = await jobHistory({ dir: s.project.dir, env: 'dev', job: 'nightly-report' }, s.deps);
    expect(history.releases.map((r) => r.id)).toEqual([2, 1]);
    expect(history.current).toBe(2);
  });

  it('promote deploys exactly the digest released in --from, and refuses one whose stack was not applied', async () => {
    s = setup();
    await deployJob({ dir: s.project.dir, env: 'dev', job: 'nightly-report', image: '2.0.2' }, s.deps);
    const promoted = await promoteJob({ dir: s.project.dir, job: 'nightly-report', from: 'dev', to: 'prod' }, s.deps);
    expect(s.engine.applied.map((a) => [a.env, a.stacks])).toEqual([
      ['dev', ['job-nightly-report']],
      ['prod', ['job-nightly-report']],
    ]);
    expect(promoted.release).toMatchObject({
      id: 1,
      kind: 'promote',
      promotedFrom: { environment: 'dev', release: 1 },
      image: { digest: digestOf(2) },
      rollout: { status: 'completed' },
    });

    s.engine.fail = new Error('Error: creating schedule: AccessDenied');
    await expect(
      deployJob({ dir: s.project.dir, env: 'dev', job: 'nightly-report', image: '2.0.1' }, s.deps),
    ).rejects.toThrow(/AccessDenied/);
    const dev = (await jobHistory({ dir: s.project.dir, env: 'dev', job: 'nightly-report' }, s.deps)).releases[0]!;
    expect(dev.rollout).toMatchObject({ status: 'failed', reason: expect.stringContaining('could not be applied') });
    s.engine.fail = undefined;
    const refused = await promoteJob(
      { dir: s.project.dir, job: 'nightly-report', from: 'dev', to: 'prod' },
      s.deps,
    ).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(EcsdeployError);
    expect((refused as EcsdeployError).message).toMatch(/last release of job nightly-report in dev \(#2\) is failed/);
  });

  it('names the jobs there are when the job is unknown, and never touches a service ledger', async () => {
    s = setup();
    await expect(
      deployJob({ dir: s.project.dir, env: 'dev', job: 'nightly-reprot', image: '2.0.2' }, s.deps),
    ).rejects.toThrow("Environment 'dev' has no job 'nightly-reprot'; did you mean 'nightly-report'?");
    expect(existsSync(join(s.project.dir, '.ecsdeploy', 'releases', 'dev', 'nightly-report.json'))).toBe(false);
  });
});
