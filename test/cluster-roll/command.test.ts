/**
 * `cluster status` and `cluster roll` as the CLI runs them (oclif parsing, the base command's error
 * mapping, the views), with AWS replaced by the cluster simulation through the commands' injection
 * point (BaseCommand.inject({ cluster })), not by mocking modules: the status as JSON, a dry run
 * that plans and changes nothing, and a roll that replaces the out-of-date instance.
 */
import { Console } from 'node:console';
import { captureOutput } from '@oclif/test';
import { REPO } from '../support/example-project';
import { lifecycleProject } from '../environments/helpers';
import { mutations, oneOutOfDate } from './helpers';
import { ClusterSim } from './sim';
import { localLockStore, type ClusterDeps } from '../../src/ops/cluster-roll';

// oclif's Config.load asks `await import('wsl-utils')` for the platform; jest's CommonJS runtime
// cannot import() without --experimental-vm-modules, and the answer does not matter here.
jest.mock('../../node_modules/@oclif/core/lib/util/os', () => ({
  ...jest.requireActual<object>('../../node_modules/@oclif/core/lib/util/os'),
  getPlatform: async () => process.platform,
}));

import { BaseCommand } from '../../src/base-command';
import ClusterRoll from '../../src/commands/cluster/roll';
import ClusterStatus from '../../src/commands/cluster/status';

const jestConsole = global.console;
beforeAll(() => {
  global.console = new Console(process.stdout, process.stderr);
});
afterAll(() => {
  global.console = jestConsole;
});

let project: { dir: string; cleanup: () => void };
let sim: ClusterSim;
let restore: () => void;
beforeEach(() => {
  project = lifecycleProject();
  // dev's group with one out-of-date instance (<project>-<env>-ecs).
  sim = oneOutOfDate();
  const deps: ClusterDeps = {
    api: () => sim.api,
    clock: sim.clock,
    lockStore: (root) => localLockStore(root),
  };
  restore = BaseCommand.inject({ cluster: deps });
});
afterEach(() => {
  restore();
  project.cleanup();
});

const exit = (r: { error?: Error & { oclif?: { exit?: number } } }) =>
  r.error ? (r.error.oclif?.exit ?? 'no exit code') : 0;

it('cluster status --json: the simulated group, one instance out of date', async () => {
  const r = await captureOutput<unknown>(() => ClusterStatus.run(['--env', 'dev', '-C', project.dir, '--json'], REPO));
  expect(exit(r)).toBe(0);
  const status = JSON.parse(r.stdout) as { environment: string; outdated: number; instances: unknown[] };
  expect(status).toMatchObject({ environment: 'dev', outdated: 1 });
  expect(status.instances).toHaveLength(1);
});

it('cluster roll --dry-run: the plan, and not one change', async () => {
  const r = await captureOutput<unknown>(() =>
    ClusterRoll.run(['--env', 'dev', '-C', project.dir, '--dry-run', '--json'], REPO),
  );
  expect(exit(r)).toBe(0);
  expect(JSON.parse(r.stdout)).toMatchObject({ status: 'planned', environment: 'dev' });
  expect(mutations(sim)).toEqual([]);
});

it('cluster roll --yes: the out-of-date instance replaced', async () => {
  const r = await captureOutput<unknown>(() =>
    ClusterRoll.run(['--env', 'dev', '-C', project.dir, '--yes', '--json'], REPO),
  );
  expect(exit(r)).toBe(0);
  const report = JSON.parse(r.stdout) as { status: string; replaced: string[] };
  expect(report.status).toBe('completed');
  expect(report.replaced).toHaveLength(1);
  expect(mutations(sim).length).toBeGreaterThan(0);
});
