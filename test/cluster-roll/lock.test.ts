/**
 * The roll lock (src/ops/cluster-roll/lock.ts): one `cluster roll` at a time on a group. Two runs
 * at once, through the S3 store (a conditional PutObject, in memory with S3's If-None-Match
 * semantics) and the local one (O_EXCL): exactly one claims it, the other stops naming the holder,
 * its age and its lock ID. A lock left by a killed run is named as such, and --force-unlock
 * releases exactly that lock. And clusterRoll itself: a second roll while the first waits for its
 * confirmation stops without one AWS change; the lock is released when a run ends, whatever the end.
 */
import { spawnSync } from 'node:child_process';
import { buildSync } from 'esbuild';
import { mkdtempSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { EcsdeployError, ExitCode, UsageError } from '../../src/errors';
import {
  claimRollLock,
  clusterRoll,
  localLockStore,
  s3LockStore,
  type LockInfo,
  type LockStore,
} from '../../src/ops/cluster-roll';
import { lifecycleProject, memoryS3 } from '../environments/helpers';
import { mutations, oneOutOfDate } from './helpers';
import { ClusterSim } from './sim';

const TARGET = {
  environment: 'prod',
  group: 'acme-prod-ecs',
  command: 'ecsdeploy cluster roll --env prod',
};
const T0 = new Date('2026-03-01T10:00:00Z');
const at = (minutes: number) => () => new Date(T0.getTime() + minutes * 60_000);

async function rejection(p: Promise<unknown>): Promise<EcsdeployError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(EcsdeployError);
  return err as EcsdeployError;
}

const stores: Array<[string, () => { store: LockStore; cleanup: () => void }]> = [
  [
    's3 (If-None-Match: *)',
    () => {
      const s3 = memoryS3();
      return { store: s3LockStore(s3.access({ region: 'eu-west-1' }), 'state-bucket', 'acme/'), cleanup: () => {} };
    },
  ],
  [
    'local (O_EXCL)',
    () => {
      const dir = mkdtempSync(join(tmpdir(), 'roll-lock-'));
      return { store: localLockStore(dir), cleanup: () => rmSync(dir, { recursive: true, force: true }) };
    },
  ],
];

describe.each(stores)('the roll lock, %s', (_name, make) => {
  let store: LockStore;
  let cleanup: () => void;
  beforeEach(() => ({ store, cleanup } = make()));
  afterEach(() => cleanup());

  it('two runs at once: exactly one claims it; the other stops (exit 1) naming the holder, since when and its lock ID', async () => {
    const results = await Promise.allSettled([
      claimRollLock(store, TARGET, { now: at(0) }),
      claimRollLock(store, TARGET, { now: at(0) }),
    ]);
    const won = results.filter((r) => r.status === 'fulfilled');
    const lost = results.filter((r) => r.status === 'rejected');
    expect([won.length, lost.length]).toEqual([1, 1]);
    const holder = (won[0] as PromiseFulfilledResult<{ info: LockInfo }>).value.info;
    expect(holder).toMatchObject({ environment: 'prod', group: 'acme-prod-ecs', host: hostname(), pid: process.pid });

    // Twelve minutes later, a third run.
    const err = await rejection(claimRollLock(store, TARGET, { now: at(12) }));
    expect(err.code).toBe('ECSDEPLOY_ROLL_LOCKED');
    expect(err.exitCode).toBe(ExitCode.Failed);
    expect(err.message).toBe(
      `Another \`ecsdeploy cluster roll\` is running on acme-prod-ecs (prod's Auto Scaling group): ${holder.who} has been rolling it since 2026-03-01 10:00:00 UTC (12 minutes ago) (lock ID ${holder.id}). This run changed nothing. Lock: ${store.where('acme-prod-ecs')}.`,
    );
    expect(err.suggestions).toEqual([
      'Wait for that run to finish; `ecsdeploy cluster status --env prod` shows where it is.',
      `If that run died (killed, its machine gone) and no roll is running, release the lock and go on: ecsdeploy cluster roll --env prod --force-unlock ${holder.id}`,
    ]);
    expect((lost[0] as PromiseRejectedResult).reason).toBeInstanceOf(EcsdeployError);
  });

  it('released, it can be claimed again; another group has a lock of its own', async () => {
    const first = await claimRollLock(store, TARGET, { now: at(0) });
    await claimRollLock(store, { ...TARGET, group: 'acme-prod-gpu' }, { now: at(0) });
    await first.release();
    expect(await store.read('acme-prod-ecs')).toBeUndefined();
    await expect(claimRollLock(store, TARGET, { now: at(1) })).resolves.toBeDefined();
  });

  it('a lock left by a killed run on this machine is named as such; --force-unlock releases that one only', async () => {
    // A process that has exited: its pid is free.
    const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], {
      encoding: 'utf8',
    });
    const pid = Number(dead.stdout);
    const left: LockInfo = {
      id: '0b6f3c1e-7d2a-4a59-9b1e-2f0c8d4e5a61',
      who: `ci@${hostname()} (pid ${pid})`,
      host: hostname(),
      pid,
      environment: 'prod',
      group: 'acme-prod-ecs',
      startedAt: T0.toISOString(),
    };
    expect(await store.create('acme-prod-ecs', JSON.stringify(left))).toBe(true);

    const err = await rejection(claimRollLock(store, TARGET, { now: at(90) }));
    expect(err.message).toContain(
      `ci@${hostname()} (pid ${pid}) has been rolling it since 2026-03-01 10:00:00 UTC (1 hour ago) (lock ID ${left.id}); process ${pid} is no longer running on this machine, so that run died and left the lock.`,
    );
    expect(err.suggestions).toEqual([
      `If that run died (killed, its machine gone) and no roll is running, release the lock and go on: ecsdeploy cluster roll --env prod --force-unlock ${left.id}`,
    ]);

    const wrong = await rejection(claimRollLock(store, TARGET, { now: at(90), forceUnlock: 'not-that-one' }));
    expect(wrong).toBeInstanceOf(UsageError);
    expect(wrong.message).toContain(`the roll lock of acme-prod-ecs has the ID ${left.id}`);
    expect(JSON.parse((await store.read('acme-prod-ecs'))!)).toEqual(left);

    const held = await claimRollLock(store, TARGET, { now: at(90), forceUnlock: left.id });
    expect(held.info.id).not.toBe(left.id);
    expect(JSON.parse((await store.read('acme-prod-ecs'))!)).toMatchObject({ id: held.info.id, pid: process.pid });
  });

  it('--force-unlock without a lock is a usage error; a lock ecsdeploy did not write is named', async () => {
    const none = await rejection(claimRollLock(store, TARGET, { now: at(0), forceUnlock: 'x' }));
    expect(none).toBeInstanceOf(UsageError);
    expect(none.message).toContain('acme-prod-ecs has no roll lock');
    await store.create('acme-prod-ecs', 'garbage');
    const err = await rejection(claimRollLock(store, TARGET, { now: at(0) }));
    expect(err.message).toBe(`The roll lock ${store.where('acme-prod-ecs')} is not one ecsdeploy wrote.`);
  });
});

it('a local lock is removed when its process exits without releasing it (a second Ctrl-C); not when killed', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'roll-lock-'));
  try {
    // The module as a plain script for a child process of its own (esbuild, as scripts/bundle.js uses).
    const bundle = join(dir, 'lock.js');
    buildSync({
      entryPoints: [join(__dirname, '..', '..', 'src', 'ops', 'cluster-roll', 'lock.ts')],
      bundle: true,
      platform: 'node',
      format: 'cjs',
      outfile: bundle,
      packages: 'external',
      logLevel: 'silent',
    });
    const script = (exit: string) => `
      const { localLockStore, claimRollLock } = require(${JSON.stringify(bundle)});
      claimRollLock(localLockStore(${JSON.stringify(dir)}), ${JSON.stringify(TARGET)}, { now: () => new Date() }).then(() => { ${exit} });`;
    const node = (code: string) =>
      spawnSync(process.execPath, ['-e', code], {
        encoding: 'utf8',
        // The bundle leaves packages out (zod, the SDK): they load from the repository's node_modules.
        env: { ...process.env, NODE_PATH: join(__dirname, '..', '..', 'node_modules') },
      });
    expect(node(script('process.exit(130)')).status).toBe(130);
    expect(await localLockStore(dir).read('acme-prod-ecs')).toBeUndefined();
    expect(node(script("process.kill(process.pid, 'SIGKILL')")).signal).toBe('SIGKILL');
    expect(await localLockStore(dir).read('acme-prod-ecs')).toBeDefined();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}, 60_000);

it('the S3 lock lives beside the state: <state.prefix>/rolls/<group>.json in the state bucket', async () => {
  const s3 = memoryS3();
  const held = await claimRollLock(s3LockStore(s3.access({ region: 'eu-west-1' }), 'state-bucket', 'acme/'), TARGET, {
    now: at(0),
  });
  expect(s3.list('state-bucket')).toEqual(['acme/rolls/acme-prod-ecs.json']);
  await held.release();
  expect(s3.list('state-bucket')).toEqual([]);
});

describe('clusterRoll holds the lock while it runs', () => {
  let project: { dir: string; cleanup: () => void };
  let sim: ClusterSim;
  beforeEach(() => {
    project = lifecycleProject();
    // dev's group with one out-of-date instance (<project>-<env>-ecs).
    sim = oneOutOfDate();
  });
  afterEach(() => project.cleanup());

  it('a second roll while the first waits for its confirmation: stopped naming the first, not one change; the first goes on', async () => {
    const lock = localLockStore(project.dir);
    let second: EcsdeployError | undefined;
    const deps = { api: () => sim.api, clock: sim.clock, lockStore: () => lock };
    const first = clusterRoll(
      {
        dir: project.dir,
        env: 'dev',
        flags: {},
        confirm: async () => {
          const before = mutations(sim).length;
          second = await rejection(clusterRoll({ dir: project.dir, env: 'dev', flags: {} }, deps));
          expect(mutations(sim).length).toBe(before);
          return true;
        },
      },
      deps,
    );
    const report = await first;
    expect(report.status).toBe('completed');
    expect(second?.code).toBe('ECSDEPLOY_ROLL_LOCKED');
    expect(second?.message).toContain(
      `Another \`ecsdeploy cluster roll\` is running on acme-dev-ecs (dev's Auto Scaling group): `,
    );
    expect(second?.message).toContain(`(pid ${process.pid}) has been rolling it since `);
    expect(await lock.read('acme-dev-ecs')).toBeUndefined();
  });

  it('released when the run ends otherwise too (declined), and --dry-run takes none', async () => {
    const lock = localLockStore(project.dir);
    mkdirSync(join(project.dir, '.ecsdeploy'), { recursive: true });
    const deps = { api: () => sim.api, clock: sim.clock, lockStore: () => lock };
    await expect(
      clusterRoll({ dir: project.dir, env: 'dev', flags: {}, confirm: async () => false }, deps),
    ).rejects.toThrow('Nothing was changed: the roll was not confirmed.');
    expect(await lock.read('acme-dev-ecs')).toBeUndefined();
    writeFileSync(join(project.dir, '.ecsdeploy', 'marker'), '');
    const held = await claimRollLock(lock, { ...TARGET, group: 'acme-dev-ecs' }, { now: at(0) });
    const planned = await clusterRoll({ dir: project.dir, env: 'dev', flags: { dryRun: true } }, deps);
    expect(planned.status).toBe('planned');
    await held.release();
  });
});
