/**
 * `cluster status` and `cluster roll` on an environment on demand. A shared one (the default of
 * `env create`) has no cluster of its own: its tasks run on its base's instances, so the command
 * is a usage error that names the base and the command to run instead, before any AWS call. An
 * isolated one has its own cluster, which the commands read like any other. A name that is
 * neither kind keeps the "no environment, did you mean" error, with the on-demand names among
 * the guesses.
 */
import { join } from 'node:path';
import { ExitCode, UsageError } from '../../src/errors';
import { clusterDeps, clusterRoll, clusterStatus } from '../../src/ops/cluster-roll';
import { localRecordStore } from '../../src/ops/environments';
import { ephemeralRecord, lifecycleProject } from '../environments/helpers';
import { ClusterSim } from './sim';
import { TYPES } from './helpers';

let project: { dir: string; cleanup: () => void };
let sim: ClusterSim;

beforeEach(async () => {
  project = lifecycleProject();
  const store = localRecordStore(join(project.dir, '.ecsdeploy', 'environments'), project.dir);
  await store.create(ephemeralRecord('feature-x', { status: 'ready' }));
  await store.create(ephemeralRecord('load-test', { status: 'ready', isolated: true }));
  // The isolated environment's own group, as its cluster stack names it (<project>-<env>-ecs).
  sim = new ClusterSim({
    types: TYPES,
    cluster: 'acme-load-test',
    instances: [{ type: 'm5.large', version: 1 }],
    template: { version: 1, type: 'm5.large' },
    services: [],
  });
});
afterEach(() => project.cleanup());

/** The live deps but for AWS: the simulation. */
const simDeps = () => ({ ...clusterDeps(), api: () => sim.api });

async function failure(p: Promise<unknown>): Promise<UsageError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(UsageError);
  return err as UsageError;
}

describe('a shared environment on demand', () => {
  it("cluster status: a usage error saying its instances are its base's and to run the command on the base, before any AWS call", async () => {
    const err = await failure(clusterStatus({ dir: project.dir, env: 'feature-x' }, simDeps()));
    expect(err.exitCode).toBe(ExitCode.Usage);
    expect(err.message).toBe(
      "feature-x is an environment on demand on dev's cluster: it has no cluster of its own, so the instances its tasks run on are dev's.",
    );
    expect(err.suggestions).toEqual(['Run `ecsdeploy cluster status --env dev` instead.']);
    expect(sim.calls).toEqual([]);
  });

  it('cluster roll: the same, naming `cluster roll --env <base>` (with --dry-run when that was asked)', async () => {
    const err = await failure(clusterRoll({ dir: project.dir, env: 'feature-x', flags: {} }, simDeps()));
    expect(err.exitCode).toBe(ExitCode.Usage);
    expect(err.message).toBe(
      "feature-x is an environment on demand on dev's cluster: it has no cluster of its own, so the instances its tasks run on are dev's.",
    );
    expect(err.suggestions).toEqual([
      "Run `ecsdeploy cluster roll --env dev` instead: it replaces dev's out-of-date instances, moving feature-x's tasks like every other task on them.",
    ]);

    const dry = await failure(clusterRoll({ dir: project.dir, env: 'feature-x', flags: { dryRun: true } }, simDeps()));
    expect(dry.suggestions[0]).toMatch(/^Run `ecsdeploy cluster roll --env dev --dry-run` instead/);
    expect(sim.calls).toEqual([]);
  });
});

describe('an isolated environment on demand', () => {
  it('has a cluster of its own: cluster status reads its group', async () => {
    const status = await clusterStatus({ dir: project.dir, env: 'load-test' }, simDeps());
    expect(status.environment).toBe('load-test');
    expect(status.names.autoScalingGroup).toBe('acme-load-test-ecs');
    expect(status.instances).toHaveLength(1);
    expect(status.outdated).toBe(0);
  });
});

describe('a name that is no environment', () => {
  it.each([
    ['featre-x', "did you mean 'feature-x'?"],
    ['dve', "did you mean 'dev'?"],
  ])('%s: the "no environment" usage error, guessing among permanent and on-demand names', async (name, guess) => {
    for (const call of [
      () => clusterStatus({ dir: project.dir, env: name }, simDeps()),
      () => clusterRoll({ dir: project.dir, env: name, flags: { dryRun: true } }, simDeps()),
    ]) {
      const err = await failure(call());
      expect(err.message).toContain(`--env ${name}: no environment '${name}'; ${guess}`);
      expect(err.suggestions[0]).toContain('on demand: feature-x, load-test');
    }
    expect(sim.calls).toEqual([]);
  });
});
