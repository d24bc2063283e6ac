/**
 * Fault injection under the engine: `apply` and `destroy` of a stack with the S3 state backend and
 * its lock files (use_lockfile), with both the AWS provider and the S3 backend pointed at the
 * fault proxy (the environments' `endpoint:`). And `kill -9` of the CLI at a seeded moment of an
 * `apply`, then the same command again. Invariants are read from moto directly. See test/README.md
 * "Fault injection".
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { rmSync } from 'node:fs';
import { CreateBucketCommand, GetObjectCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { DescribeRepositoriesCommand, ECRClient } from '@aws-sdk/client-ecr';
import { startMoto, toolchain, type MotoServer } from '../support/moto';
import {
  builtCli,
  cli,
  cliEnv,
  e2eDescribe,
  leftRunningAfter,
  exampleProject,
  descendants,
  describeProcesses,
  startCli,
  TEARDOWN_MS,
  type CliResult,
} from '../e2e/support';
import { draw, startFaultProxy, type FaultProxy } from './proxy';
import { ENGINE_FAULTS, engineScenario, runSeeds, seeds, summary, type Run } from './harness';

const BUCKET = 'faults-state';
const PREFIX = 'faults';
const STATE_KEY = `${PREFIX}/registry.tfstate`;
const LOCK_KEY = `${STATE_KEY}.tflock`;
/** One repository per service (orders, payments, web) and per job (nightly-report) of the example. */
const REPOSITORIES = 4;
// Faults: ENGINE_FAULTS (./harness), those after which the request did not take effect.
// The corpus is the default: 10 seeds per engine scenario (engine-apply here;
// engine-service and engine-env in engine-env.test.ts) and 20 kill seeds (10 of `apply` here, 10 of
// a deploy or a create there). Measured on a quiet machine with the provider proxy (docs/engine.md):
// the whole faults project, this corpus included, 429 s (engine.test.ts 155 s, engine-env.test.ts
// 327 s, the applied dev environment included). Under heavy load (before the proxy) an engine seed
// cost 60–150 s and a kill seed 70–250 s: fewer seeds for a quick local run, FAULT_ENGINE_SEEDS=2
// FAULT_KILL_SEEDS=2; a bigger nightly corpus, FAULT_ENGINE_SEEDS=30 FAULT_KILL_SEEDS=30.
const ENGINE_SEEDS = seeds('engine', 10);
const KILL_SEEDS = seeds('kill', 10);
const STALE_LOCK =
  /Error: The state of stack registry is locked: (\S+) has been running `\w+` since [^\n]+\(lock ID ([0-9a-f-]+)\)[\s\S]*Try this: If that run died and nobody else is using the state, release the lock: terraform -chdir=(\S+) force-unlock ([0-9a-f-]+)/;

e2eDescribe()('fault injection: the engine with S3 state and lock files', () => {
  let moto: MotoServer;
  let proxy: FaultProxy;
  let project: string;
  let s3: S3Client;
  let ecr: ECRClient;
  const env = () => cliEnv(proxy.endpoint, project);

  beforeAll(async () => {
    builtCli();
    moto = await startMoto();
    const direct = {
      region: 'eu-west-1',
      endpoint: moto.endpoint,
      credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    };
    s3 = new S3Client({ ...direct, forcePathStyle: true });
    ecr = new ECRClient(direct);
    await s3.send(
      new CreateBucketCommand({ Bucket: BUCKET, CreateBucketConfiguration: { LocationConstraint: 'eu-west-1' } }),
    );
    // One proxy on one port for the whole file: the engine's working folder keeps the endpoint.
    proxy = await startFaultProxy({ target: moto.endpoint, seed: 0, rate: 0, lifetimeMs: 20 * 60_000 });
    project = exampleProject(proxy.endpoint, (text) =>
      text.replace(/^state:\n(?: .*\n)*/m, `state:\n  backend: s3\n  bucket: ${BUCKET}\n  prefix: ${PREFIX}\n`),
    );
  }, 120_000);
  afterAll(async () => {
    await proxy?.close();
    s3?.destroy();
    ecr?.destroy();
    await moto?.stop();
    if (project) rmSync(project, { recursive: true, force: true });
  }, TEARDOWN_MS);

  const repositories = async () =>
    ((await ecr.send(new DescribeRepositoriesCommand({}))).repositories ?? []).filter((r) =>
      r.repositoryName!.startsWith('shop/'),
    ).length;
  const keys = async () =>
    ((await s3.send(new ListObjectsV2Command({ Bucket: BUCKET }))).Contents ?? []).map((o) => o.Key!);
  /** The state file parses, and lists the repositories moto has. */
  const stateRepositories = async (): Promise<number | string> => {
    try {
      const body = await (
        await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: STATE_KEY }))
      ).Body!.transformToString();
      const state = JSON.parse(body) as { resources: Array<{ type: string }> };
      return state.resources.filter((r) => r.type === 'aws_ecr_repository').length;
    } catch (err) {
      return (err as { name?: string }).name === 'NoSuchKey' ? 0 : `unreadable: ${(err as Error).message}`;
    }
  };
  const command = (verb: 'apply' | 'destroy') => [verb, '--env', 'dev', '--stack', 'registry', '--yes'];
  const said = (r: CliResult) =>
    `exit ${r.code} in ${r.seconds}s: ${(r.stderr.match(/^Error: .*$/m) ?? [''])[0].slice(0, 200)}`;

  /** The run's command again without faults; then what it must have made true. */
  async function converge(run: Run, verb: 'apply' | 'destroy', label = 'clean re-run'): Promise<void> {
    proxy.setRate(0);
    let again = await cli(command(verb), project, env());
    const lock = STALE_LOCK.exec(again.stderr);
    if (again.code !== 0 && lock) {
      // The message names the holder and the fix: follow it, as a user would, then run again.
      run.note(`${label}: stale lock held by ${lock[1]}; force-unlock ${lock[4]}`);
      // Not execFileSync: the proxy serving the engine runs on this event loop.
      await promisify(execFile)(
        toolchain().terraform ?? 'terraform',
        [`-chdir=${lock[3]}`, 'force-unlock', '-force', lock[4]!],
        {
          cwd: project,
          env: env(),
          timeout: 300_000,
        },
      );
      again = await cli(command(verb), project, env());
    }
    run.note(`${label}: ${said(again)}`);
    if (again.code !== 0) return run.problem(`${label} of ${verb} did not converge: ${again.stderr.slice(-1500)}`);
    const want = verb === 'apply' ? REPOSITORIES : 0;
    const have = await repositories();
    if (have !== want) run.problem(`after a clean ${verb} that said 0, moto has ${have} repositories, not ${want}`);
    const inState = await stateRepositories();
    if (inState !== want) run.problem(`after a clean ${verb}, the state lists ${inState} repositories, moto ${have}`);
    if ((await keys()).includes(LOCK_KEY)) run.problem(`${label} left the lock file ${LOCK_KEY}`);
  }

  /** A destroy seed needs something to destroy even when replayed alone. */
  async function startingFrom(verb: 'apply' | 'destroy'): Promise<void> {
    if (verb === 'destroy' && (await repositories()) === 0) {
      proxy.setRate(0);
      const r = await cli(command('apply'), project, env());
      if (r.code !== 0) throw new Error(`setting up a destroy seed: ${r.stderr.slice(-1500)}`);
    }
  }

  it(
    'apply / destroy under faults: the exit code is true, no lock left, the state matches moto, a clean re-run converges',
    async () => {
      const logs = await runSeeds(
        'engine-apply',
        ENGINE_SEEDS,
        engineScenario(moto.endpoint, proxy, [0.02, 0.12]),
        async (run) => {
          const verb = run.seed % 2 === 1 ? 'apply' : 'destroy';
          proxy.setRate(0);
          await startingFrom(verb);
          proxy.reseed(run.seed, run.rate, ENGINE_FAULTS);
          const r = await cli(command(verb), project, env());
          proxy.setRate(0);
          run.note(`${verb}: ${said(r)}`);
          const have = await repositories();
          if (r.code === 0 && have !== (verb === 'apply' ? REPOSITORIES : 0))
            run.problem(`${verb} said 0, moto has ${have} repositories`);
          if (r.code !== 0 && r.code !== 1) run.problem(`${verb} exited ${r.code}: ${r.stderr.slice(-800)}`);
          if (r.code !== 0 && !/^Error: /m.test(r.stderr)) run.problem(`${verb} failed without an error message`);
          if (/^\s+at .+\(.+:\d+:\d+\)$/m.test(r.stderr))
            run.problem(`a stack trace on stderr: ${r.stderr.slice(-800)}`);
          if ((await keys()).includes(LOCK_KEY))
            run.problem(`the lock file ${LOCK_KEY} was left behind (nobody was killed)`);
          const inState = await stateRepositories();
          if (typeof inState === 'string') run.problem(`the state file is ${inState}`);
          // A run that said 0 and left moto and the state agreeing has converged; any other gets the
          // same command again without faults (an engine run costs 10-30 s: the suite's budget).
          const want = verb === 'apply' ? REPOSITORIES : 0;
          if (r.code === 0 && have === want && inState === want) return;
          await converge(run, verb);
        },
      );
      console.log(`engine-apply: ${summary(logs)}`);
    },
    ENGINE_SEEDS.length * 6 * 60_000,
  );

  it(
    'kill -9 of apply at a seeded moment: the same command again converges, or names the stale lock and force-unlock',
    async () => {
      const logs = await runSeeds(
        'kill-apply',
        KILL_SEEDS,
        { target: moto.endpoint, rate: [0, 0], lifetimeMs: 0, concurrency: 1, shared: proxy },
        async (run) => {
          const verb = run.seed % 2 === 1 ? 'apply' : 'destroy';
          await startingFrom(verb);
          const running = startCli(command(verb), project, env());
          const pid = running.child.pid!;
          // The moment: a third of the seeds early (start-up, synth, init), the others a seeded time
          // after the engine began planning or applying (CI progress lines on stderr).
          const phase = [undefined, /planning/, /applying|destroying/][run.seed % 3];
          const delay = Math.floor(draw(run.seed, 'kill', 0, 'ms') * (phase ? 4000 : 8000)) + 300;
          let reached = phase === undefined ? 'start' : phase.source;
          if (phase) await running.waitFor(phase, 600_000).catch(() => (reached = 'the end (it exited first)'));
          await new Promise((resolve) => setTimeout(resolve, delay));
          const engines = descendants(pid);
          running.child.kill('SIGKILL');
          const r = await running.done;
          run.note(
            `${verb} killed ${delay} ms after ${reached} (engines ${engines.join(',') || 'none'}); exit ${r.code}`,
          );
          // The engine child may outlive the CLI (an orphan, as in real life): let it end first.
          const left = await leftRunningAfter(engines, 120_000);
          if (left.length > 0)
            run.problem(
              `processes the CLI started still run 2 minutes after it was killed:\n${describeProcesses(left)}`,
            );
          const inState = await stateRepositories();
          if (typeof inState === 'string') run.problem(`after kill -9, the state file is ${inState}`);
          await converge(run, verb, 'the same command again');
        },
      );
      console.log(`kill-apply: ${summary(logs)}`);
    },
    KILL_SEEDS.length * 8 * 60_000,
  );
});
