/**
 * Fault injection under the engine on an applied environment: dev's registry and cluster restored
 * from the shared template (test/e2e/shared-environment.ts; no seed pays the cluster apply), its
 * state moved to S3 with lock files, release ledgers and environment records on S3, and the AWS
 * provider, the S3 backend and the CLI's own calls all pointed at the fault proxy.
 *
 * Scenarios (each seed: one command under faults, its invariants read from moto and S3 directly,
 * then, unless it converged, the same command again without faults, following the stale-lock
 * message's `force-unlock` as a user would):
 *   engine-service   `apply` (odd seeds) / `destroy` (even) `--env dev --stack orders --yes`
 *   engine-env       `env create fenv --from dev --services orders --ttl 1h --yes` (odd) /
 *                    `env destroy fenv --yes` (even); `env list --json` must tell the truth
 *   kill-deliver     kill -9 at a seeded moment of `service deploy orders --env dev --image k<seed>
 *                    --no-wait` (odd) and of `env create kill-<seed> ...` (even), then the same
 *                    command again; a killed create is listed as failed; the release ledger loses
 *                    and duplicates no record
 *
 * What a seed costs on a loaded 2-core machine, and the defaults: see the header of engine.test.ts
 * and test/README.md "Fault injection".
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  CreateBucketCommand,
  GetObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { ECRClient, PutImageCommand } from '@aws-sdk/client-ecr';
import { DescribeServicesCommand, DescribeTaskDefinitionCommand, ECSClient } from '@aws-sdk/client-ecs';
import { PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import type { ListResult } from '../../src/ops/environments';
import type { Ledger } from '../../src/ops/releases';
import { fakeManifest, toolchain, type MotoServer } from '../support/moto';
import {
  describeProcesses,
  builtCli,
  cli,
  cliEnv,
  descendants,
  e2eDescribe,
  leftRunningAfter,
  startCli,
  TEARDOWN_MS,
  type CliResult,
} from '../e2e/support';
import { devEnvironment, SHARED_SETUP_MS } from '../e2e/shared-environment';
import { draw, startFaultProxy, type FaultProxy } from './proxy';
import { ENGINE_FAULTS, engineScenario, runSeeds, seeds, summary, type Run, type RunLog } from './harness';

const BUCKET = 'faults-env-state';
const PREFIX = 'faults';
const RELEASES = 'faults/releases';
const CLUSTER = 'shop-dev';
const FENV = 'fenv';
// The issue's corpus is the default (engine.test.ts's header: what it costs): 10 seeds of each
// engine scenario, 10 kill seeds (a deploy or a create; with engine.test.ts's 10 of `apply`: 20).
const SERVICE_SEEDS = seeds('engine', 10);
const ENV_SEEDS = seeds('engine', 10);
const KILL_SEEDS = seeds('kill', 10);
const STALE_LOCK =
  /Error: The state of stack (\S+) is locked: (\S+) has been running `\w+` since [^\n]+\(lock ID ([0-9a-f-]+)\)[\s\S]*Try this: If that run died and nobody else is using the state, release the lock: terraform -chdir=(\S+) force-unlock ([0-9a-f-]+)/;
const TRACE = /^\s+at .+\(.+:\d+:\d+\)$/m;

/** Mean seconds per seed, for the cost figures in engine.test.ts's header. */
const cost = (logs: readonly RunLog[]) =>
  `${Math.round(logs.reduce((n, l) => n + l.ms, 0) / Math.max(1, logs.length) / 1000)} s per seed`;

e2eDescribe()(
  'fault injection: the engine on an applied environment (service stack, env create/destroy, kill -9)',
  () => {
    let moto: MotoServer;
    let proxy: FaultProxy;
    let project: string;
    let s3: S3Client;
    let ecs: ECSClient;
    let ecr: ECRClient;
    const env = () => ({ ...cliEnv(proxy.endpoint, project), ECSDEPLOY_OWNER: 'faults' });

    beforeAll(async () => {
      builtCli();
      ({ moto, dir: project } = await devEnvironment({
        projectYaml: (text) =>
          text
            .replace(/^state:\n(?: .*\n)*/m, `state:\n  backend: s3\n  bucket: ${BUCKET}\n  prefix: ${PREFIX}\n`)
            .replace(/^releases:\n(?: .*\n)*/m, `releases:\n  store: s3\n  bucket: ${BUCKET}\n  prefix: ${RELEASES}\n`),
      }));
      const direct = {
        region: 'eu-west-1',
        endpoint: moto.endpoint,
        credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
      };
      s3 = new S3Client({ ...direct, forcePathStyle: true });
      ecs = new ECSClient(direct);
      ecr = new ECRClient(direct);
      await s3.send(
        new CreateBucketCommand({ Bucket: BUCKET, CreateBucketConfiguration: { LocationConstraint: 'eu-west-1' } }),
      );
      // The template's state (local files) into the bucket, where the S3 backend looks for it.
      const local = join(project, '.ecsdeploy', 'state');
      for (const f of readdirSync(local).filter((n) => n.endsWith('.tfstate')))
        await s3.send(
          new PutObjectCommand({ Bucket: BUCKET, Key: `${PREFIX}/${f}`, Body: readFileSync(join(local, f), 'utf8') }),
        );
      rmSync(local, { recursive: true, force: true });
      // orders reads this SSM parameter (service deploy verifies it first).
      const ssm = new SSMClient(direct);
      await ssm.send(
        new PutParameterCommand({ Name: '/shop/orders/database-url', Type: 'SecureString', Value: 'postgres://x/y' }),
      );
      ssm.destroy();
      // One proxy for the whole file, on one port (the engine's working folders keep the endpoint).
      proxy = await startFaultProxy({ target: moto.endpoint, seed: 0, rate: 0, lifetimeMs: 3 * 60 * 60_000 });
      for (const f of readdirSync(join(project, 'environments'))) {
        const file = join(project, 'environments', f);
        writeFileSync(file, readFileSync(file, 'utf8').split(moto.endpoint).join(proxy.endpoint));
      }
    }, SHARED_SETUP_MS);
    afterAll(async () => {
      await proxy?.close();
      s3?.destroy();
      ecs?.destroy();
      ecr?.destroy();
      await moto?.stop();
      if (project) rmSync(project, { recursive: true, force: true });
    }, TEARDOWN_MS);

    // ----- what moto and S3 hold ---------------------------------------------------------------

    /** The ACTIVE ECS service of that name in dev's cluster, with its task definition. */
    const service = async (name: string) =>
      (await ecs.send(new DescribeServicesCommand({ cluster: CLUSTER, services: [name] }))).services?.find(
        (s) => s.status === 'ACTIVE',
      );
    const keys = async () =>
      ((await s3.send(new ListObjectsV2Command({ Bucket: BUCKET }))).Contents ?? []).map((o) => o.Key!);
    const locks = async () => (await keys()).filter((k) => k.endsWith('.tflock'));
    const object = async (key: string): Promise<string | undefined> => {
      try {
        return await (await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: key }))).Body!.transformToString();
      } catch (err) {
        if ((err as { name?: string }).name === 'NoSuchKey') return undefined;
        throw err;
      }
    };
    /** A stack's state: the ECS services it lists (their ARNs), 'absent', or why it is unreadable. */
    const stateServices = async (stack: string): Promise<string[] | 'absent' | string> => {
      const body = await object(`${PREFIX}/${stack}.tfstate`);
      if (body === undefined) return 'absent';
      try {
        const state = JSON.parse(body) as {
          resources: Array<{ type: string; mode: string; instances: Array<{ attributes: { id?: string } }> }>;
        };
        return state.resources
          .filter((r) => r.mode === 'managed' && r.type === 'aws_ecs_service')
          .flatMap((r) => r.instances.map((i) => i.attributes.id ?? '?'));
      } catch (err) {
        return `unreadable: ${(err as Error).message}`;
      }
    };
    const ledger = async (environment: string, name: string): Promise<Ledger | undefined> => {
      const body = await object(`${RELEASES}/${environment}/${name}.json`);
      return body === undefined ? undefined : (JSON.parse(body) as Ledger);
    };
    /** `env list --json` through the CLI (no faults): the record of `name`, as users see it. */
    const listed = async (name: string) => {
      proxy.setRate(0);
      const r = await cli(['env', 'list', '--json'], project, env());
      if (r.code !== 0) throw new Error(`env list exited ${r.code}: ${r.stderr.slice(-1500)}`);
      return (JSON.parse(r.stdout) as ListResult).environments.find((e) => e.name === name);
    };

    const said = (r: CliResult) =>
      `exit ${r.code} in ${r.seconds}s: ${(r.stderr.match(/^Error: .*$/m) ?? [''])[0].slice(0, 200)}`;

    /** What every faulted run must do whatever its exit code. */
    async function common(run: Run, what: string, r: CliResult): Promise<void> {
      run.note(`${what}: ${said(r)}`);
      if (r.code !== 0 && r.code !== 1) run.problem(`${what} exited ${r.code}: ${r.stderr.slice(-800)}`);
      if (r.code !== 0 && !/^Error: /m.test(r.stderr)) run.problem(`${what} failed without an error message`);
      if (TRACE.test(r.stderr)) run.problem(`${what}: a stack trace on stderr: ${r.stderr.slice(-800)}`);
      const left = await locks();
      if (left.length) run.problem(`${what} left the lock files ${left.join(', ')} (nobody was killed)`);
    }

    /**
     * `args` without faults; when it stops on a stale lock, the message names the holder and the
     * fix: follow it (force-unlock), as a user would, and run again.
     */
    async function clean(
      run: Run,
      label: string,
      args: readonly string[],
    ): Promise<CliResult & { readonly attempts: number }> {
      proxy.setRate(0);
      let r = await cli(args, project, env());
      let attempts = 1;
      for (; attempts <= 3 && r.code !== 0; attempts++) {
        const lock = STALE_LOCK.exec(r.stderr);
        if (!lock) break;
        run.note(`${label}: stack ${lock[1]} locked by ${lock[2]}; force-unlock ${lock[5]}`);
        // Not execFileSync: the proxy serving the engine runs on this event loop.
        await promisify(execFile)(
          toolchain().terraform ?? 'terraform',
          [`-chdir=${lock[4]}`, 'force-unlock', '-force', lock[5]!],
          { cwd: project, env: env(), timeout: 300_000 },
        );
        r = await cli(args, project, env());
      }
      run.note(`${label}: ${said(r)}`);
      return { ...r, attempts };
    }

    // ----- engine-service: apply / destroy of dev-orders ---------------------------------------

    const stackCommand = (verb: 'apply' | 'destroy') => [verb, '--env', 'dev', '--stack', 'orders', '--yes'];
    /** moto and the state agree with `verb` having happened; the problem otherwise. */
    async function serviceStackIs(verb: 'apply' | 'destroy'): Promise<string | undefined> {
      const svc = await service('orders');
      const inState = await stateServices('dev-orders');
      if (typeof inState === 'string' && inState.startsWith('unreadable')) return `the state file is ${inState}`;
      if (verb === 'apply') {
        if (!svc) return 'moto has no ACTIVE ECS service orders';
        if (!Array.isArray(inState) || inState.length !== 1 || inState[0] !== svc.serviceArn)
          return `the state lists the ECS services ${JSON.stringify(inState)}, moto has ${svc.serviceArn}`;
        return undefined;
      }
      if (svc) return `moto still has the ACTIVE ECS service orders (${svc.serviceArn})`;
      if (Array.isArray(inState) && inState.length > 0) return `the state still lists ${inState.join(', ')}`;
      return undefined;
    }

    it(
      'engine-service: apply / destroy of a service stack under faults: the exit code is true, no lock left, the state matches moto, a clean re-run converges',
      async () => {
        const logs = await runSeeds(
          'engine-service',
          SERVICE_SEEDS,
          engineScenario(moto.endpoint, proxy, [0.02, 0.12]),
          async (run) => {
            const verb = run.seed % 2 === 1 ? 'apply' : 'destroy';
            proxy.setRate(0);
            // A destroy seed needs something to destroy, an apply seed something to create, even replayed alone.
            const before = await serviceStackIs(verb === 'apply' ? 'destroy' : 'apply');
            if (before !== undefined) {
              const setup = await clean(run, 'setup', stackCommand(verb === 'apply' ? 'destroy' : 'apply'));
              if (setup.code !== 0) throw new Error(`setting up the seed: ${setup.stderr.slice(-1500)}`);
            }
            proxy.reseed(run.seed, run.rate, ENGINE_FAULTS);
            const r = await cli(stackCommand(verb), project, env());
            proxy.setRate(0);
            await common(run, verb, r);
            const wrong = await serviceStackIs(verb);
            if (r.code === 0 && wrong !== undefined) run.problem(`${verb} said 0, but ${wrong}`);
            if (r.code === 0 && wrong === undefined) return;
            const again = await clean(run, 'clean re-run', stackCommand(verb));
            if (again.code !== 0)
              return run.problem(`a clean re-run of ${verb} did not converge: ${again.stderr.slice(-1500)}`);
            const still = await serviceStackIs(verb);
            if (still !== undefined) run.problem(`after a clean ${verb} that said 0, ${still}`);
            const left = await locks();
            if (left.length) run.problem(`the clean re-run left ${left.join(', ')}`);
          },
        );
        console.log(`engine-service: ${summary(logs)}, ${cost(logs)}`);
      },
      SERVICE_SEEDS.length * 8 * 60_000,
    );

    // ----- engine-env: env create / env destroy -------------------------------------------------

    const createCommand = (name: string) => [
      'env',
      'create',
      name,
      '--from',
      'dev',
      '--services',
      'orders',
      '--ttl',
      '1h',
      '--yes',
    ];
    const destroyCommand = (name: string) => ['env', 'destroy', name, '--yes'];
    /** The environment exists, ready, with its ECS service, state and record; the problem otherwise. */
    async function created(name: string): Promise<string | undefined> {
      const record = await listed(name);
      if (record?.onDemand?.status !== 'ready')
        return `env list shows ${name} as ${record ? (record.onDemand?.status ?? 'permanent') : 'absent'}, not ready`;
      const svc = await service(`${name}-orders`);
      if (!svc) return `moto has no ACTIVE ECS service ${name}-orders`;
      const inState = await stateServices(`${name}-orders`);
      if (!Array.isArray(inState) || inState[0] !== svc.serviceArn)
        return `the state of ${name}-orders lists ${JSON.stringify(inState)}, moto has ${svc.serviceArn}`;
      return undefined;
    }
    /** Nothing of the environment is left: record, ECS service, state, ledger; the problem otherwise. */
    async function gone(name: string): Promise<string | undefined> {
      const record = await listed(name);
      if (record) return `env list still shows ${name} (${record.onDemand?.status})`;
      const svc = await service(`${name}-orders`);
      if (svc) return `moto still has the ACTIVE ECS service ${name}-orders`;
      const left = (await keys()).filter((k) => k.includes(`/${name}-orders.`) || k.includes(`/${name}/`));
      if (left.length) return `S3 still holds ${left.join(', ')}`;
      return undefined;
    }

    it(
      'engine-env: env create / env destroy under faults: the exit code and env list tell the truth, no lock left, a clean re-run converges',
      async () => {
        const logs = await runSeeds(
          'engine-env',
          ENV_SEEDS,
          engineScenario(moto.endpoint, proxy, [0.02, 0.1]),
          async (run) => {
            const verb = run.seed % 2 === 1 ? 'create' : 'destroy';
            proxy.setRate(0);
            const present = (await listed(FENV)) !== undefined;
            if (verb === 'create' && present) {
              const setup = await clean(run, 'setup', destroyCommand(FENV));
              if (setup.code !== 0) throw new Error(`setting up the seed: ${setup.stderr.slice(-1500)}`);
            }
            if (verb === 'destroy' && (await created(FENV)) !== undefined) {
              if (present) await clean(run, 'setup', destroyCommand(FENV));
              const setup = await clean(run, 'setup', createCommand(FENV));
              if (setup.code !== 0) throw new Error(`setting up the seed: ${setup.stderr.slice(-1500)}`);
            }
            proxy.reseed(run.seed, run.rate, ENGINE_FAULTS);
            const r = await cli(verb === 'create' ? createCommand(FENV) : destroyCommand(FENV), project, env());
            proxy.setRate(0);
            await common(run, `env ${verb}`, r);
            if (verb === 'create') {
              const wrong = await created(FENV);
              if (r.code === 0 && wrong !== undefined) run.problem(`env create said 0, but ${wrong}`);
              if (r.code === 0 && wrong === undefined) return;
              // It failed: its record (when it got as far as writing one) says failed.
              const record = await listed(FENV);
              if (record && record.onDemand?.status !== 'failed')
                run.problem(`env create exited ${r.code}, env list shows ${FENV} as ${record.onDemand?.status}`);
              if (!record && (await service(`${FENV}-orders`)))
                run.problem(`env create exited ${r.code} with no record, but moto has ${FENV}-orders`);
              // The way back the message gives: env destroy (when recorded), then create again.
              if (record) {
                const d = await clean(run, 'clean destroy', destroyCommand(FENV));
                if (d.code !== 0) return run.problem(`a clean env destroy failed: ${d.stderr.slice(-1500)}`);
              }
              const again = await clean(run, 'clean re-run', createCommand(FENV));
              if (again.code !== 0)
                return run.problem(`a clean env create did not converge: ${again.stderr.slice(-1500)}`);
              const still = await created(FENV);
              if (still !== undefined) run.problem(`after a clean env create that said 0, ${still}`);
            } else {
              const wrong = await gone(FENV);
              if (r.code === 0 && wrong !== undefined) run.problem(`env destroy said 0, but ${wrong}`);
              if (r.code === 0 && wrong === undefined) return;
              if (r.code !== 0 && (await listed(FENV)) === undefined)
                run.problem(`env destroy exited ${r.code}, but the record is gone: nothing tells what is left`);
              const again = await clean(run, 'clean re-run', destroyCommand(FENV));
              if (again.code !== 0)
                return run.problem(`a clean env destroy did not converge: ${again.stderr.slice(-1500)}`);
              const still = await gone(FENV);
              if (still !== undefined) run.problem(`after a clean env destroy that said 0, ${still}`);
            }
            const left = await locks();
            if (left.length) run.problem(`the clean re-run left ${left.join(', ')}`);
          },
        );
        console.log(`engine-env: ${summary(logs)}, ${cost(logs)}`);
      },
      ENV_SEEDS.length * 10 * 60_000,
    );

    // ----- kill-deliver: kill -9 of service deploy and env create -------------------------------

    /** Kills the CLI at a seeded moment: a third early, the others a seeded time after planning/applying began. */
    async function killed(run: Run, args: readonly string[]): Promise<void> {
      const running = startCli(args, project, env());
      const pid = running.child.pid!;
      // (service deploy's fast path applies without a separate plan step: it shows only "applying".)
      const phase = [undefined, /planning|applying/, /applying/][run.seed % 3];
      const delay = Math.floor(draw(run.seed, 'kill', 0, 'ms') * (phase ? 4000 : 8000)) + 300;
      let reached = phase === undefined ? 'start' : phase.source;
      if (phase)
        await running.waitFor(phase, 600_000).catch((err: Error) => {
          reached = 'the end (it exited first)';
          run.note(`it said: ${err.message.slice(-600)}`);
        });
      await new Promise((resolve) => setTimeout(resolve, delay));
      const engines = descendants(pid);
      running.child.kill('SIGKILL');
      const r = await running.done;
      run.note(`killed ${delay} ms after ${reached} (engines ${engines.join(',') || 'none'}); exit ${r.code}`);
      // The engine may outlive the CLI (an orphan, as in real life): let it end first.
      const left = await leftRunningAfter(engines, 120_000);
      if (left.length > 0)
        run.problem(`processes the CLI started still run 2 minutes after it was killed:\n${describeProcesses(left)}`);
    }

    async function killDeploy(run: Run): Promise<void> {
      const tag = `k${run.seed}`;
      const digest = (
        await ecr.send(
          new PutImageCommand({ repositoryName: 'shop/orders', imageManifest: fakeManifest(tag), imageTag: tag }),
        )
      ).image!.imageId!.imageDigest!;
      const args = ['service', 'deploy', 'orders', '--env', 'dev', '--image', tag, '--no-wait'];
      const before = (await ledger('dev', 'orders'))?.releases ?? [];
      await killed(run, args);
      const again = await clean(run, 'the same command again', args);
      if (again.code !== 0) return run.problem(`service deploy again did not converge: ${again.stderr.slice(-1500)}`);
      const after = (await ledger('dev', 'orders'))?.releases ?? [];
      // No record lost: every release recorded before is still there, unchanged but for its rollout.
      for (const b of before) {
        const a = after.find((x) => x.id === b.id);
        if (!a || a.image.digest !== b.image.digest || a.createdAt !== b.createdAt)
          run.problem(`release #${b.id} was lost or rewritten: ${JSON.stringify(a)}`);
      }
      // None duplicated: ids 1..n, once each. Every run that got past verification recorded exactly
      // one release of this image: the killed run (if it got that far: left pending, no handler
      // ran), each run again that stopped on the stale lock (recorded failed: "changed nothing"),
      // and the last one (pending, with the task definition it applied).
      const ids = after.map((x) => x.id);
      if (ids.some((id, i) => id !== (ids[0] ?? 1) + i))
        run.problem(`release ids are not consecutive: ${ids.join(',')}`);
      const added = after.slice(before.length);
      const runs = again.attempts;
      if (
        added.some((x) => x.image.digest !== digest) ||
        added.length < runs ||
        added.length > runs + 1 ||
        added.slice(added.length - runs, -1).some((x) => x.rollout.status !== 'failed') ||
        added.at(-1)?.rollout.status !== 'pending' ||
        added.at(-1)?.rollout.taskDefinition === undefined
      )
        run.problem(`${added.length} new releases after ${runs} runs again: ${JSON.stringify(added)}`);
      if (after.at(-1)?.image.digest !== digest) run.problem(`the newest release is not ${tag}`);
      run.note(`ledger: ${before.length} → ${after.length} releases`);
      // What ECS runs is the release.
      const svc = await service('orders');
      const td = svc?.taskDefinition
        ? (await ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: svc.taskDefinition }))).taskDefinition
        : undefined;
      if (!td?.containerDefinitions?.some((c) => c.image?.endsWith(`@${digest}`)))
        run.problem(`ECS's orders runs ${td?.containerDefinitions?.map((c) => c.image).join(', ')}, not ${digest}`);
      const left = await locks();
      if (left.length) run.problem(`the re-run left ${left.join(', ')}`);
    }

    async function killCreate(run: Run): Promise<void> {
      const name = `kill-${run.seed}`;
      if ((await listed(name)) !== undefined) await clean(run, 'setup', destroyCommand(name));
      await killed(run, createCommand(name));
      const record = await listed(name);
      run.note(
        `env list: ${record ? `${record.onDemand?.status} (${record.onDemand?.statusReason ?? ''})` : 'absent'}`,
      );
      if (record && record.onDemand?.status !== 'failed' && record.onDemand?.status !== 'ready')
        run.problem(`after kill -9, env list shows ${name} as ${record.onDemand?.status}, not failed`);
      // Killed after it had finished: it is there, ready (the same command would say the name is taken).
      if (record?.onDemand?.status === 'ready') {
        const wrong = await created(name);
        if (wrong !== undefined) run.problem(`env list says ready, but ${wrong}`);
        return;
      }
      let again = await clean(run, 'the same command again', createCommand(name));
      if (again.code !== 0 && record) {
        // The name is taken by the half-created environment: the message says to destroy it first.
        if (!again.stderr.includes(`ecsdeploy env destroy ${name}`))
          run.problem(`env create again, with ${name} recorded, did not name env destroy: ${again.stderr.slice(-800)}`);
        const d = await clean(run, 'env destroy', destroyCommand(name));
        if (d.code !== 0) return run.problem(`env destroy of the killed create failed: ${d.stderr.slice(-1500)}`);
        const wrong = await gone(name);
        if (wrong !== undefined) run.problem(`env destroy said 0, but ${wrong}`);
        again = await clean(run, 'create again', createCommand(name));
      }
      if (again.code !== 0) return run.problem(`env create did not converge: ${again.stderr.slice(-1500)}`);
      const wrong = await created(name);
      if (wrong !== undefined) run.problem(`env create said 0, but ${wrong}`);
      const left = await locks();
      if (left.length) run.problem(`the re-run left ${left.join(', ')}`);
    }

    it(
      'kill-deliver: kill -9 of service deploy / env create at a seeded moment: the same command again converges (force-unlock when named), a killed create is listed as failed, no release lost or duplicated',
      async () => {
        const logs = await runSeeds(
          'kill-deliver',
          KILL_SEEDS,
          { target: moto.endpoint, rate: [0, 0], lifetimeMs: 0, concurrency: 1, shared: proxy },
          async (run) => (run.seed % 2 === 1 ? killDeploy(run) : killCreate(run)),
        );
        console.log(`kill-deliver: ${summary(logs)}, ${cost(logs)}`);
      },
      KILL_SEEDS.length * 10 * 60_000,
    );
  },
);
