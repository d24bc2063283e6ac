/**
 * An `env create` killed with SIGKILL leaves its record `creating` for good (no handler runs): the
 * record names the process that wrote it, and `env list` / `env show` report the environment as
 * failed once that process is gone from this host, with what to do. A record of a process that
 * still runs, or of another host (which cannot be checked from here), stays `creating`.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import {
  createEnvironment,
  environmentDeps,
  listEnvironments,
  showEnvironment,
  type EnvironmentDeps,
} from '../../src/ops/environments';
import { formatShow } from '../../src/ui/env-view';
import { fakeClock, lifecycleProject, recordingInfra } from './helpers';

let project: { dir: string; cleanup: () => void };
let clock: ReturnType<typeof fakeClock>;
const deps = (): EnvironmentDeps => {
  const infra = recordingInfra();
  return { ...environmentDeps(), infra: () => infra, clock, env: { USER: 'alice' } };
};
const recordFile = (name: string) => join(project.dir, '.ecsdeploy', 'environments', `${name}.json`);

/** Rewrites the record as a killed (or running) `env create` would have left it. */
function leftCreating(name: string, creator: { host: string; pid: number }): void {
  const record = JSON.parse(readFileSync(recordFile(name), 'utf8')) as Record<string, unknown>;
  writeFileSync(recordFile(name), JSON.stringify({ ...record, status: 'creating', creator }));
}

/** The pid of a process that has ended. */
function deadPid(): number {
  const r = spawnSync(process.execPath, ['-e', '']);
  return r.pid!;
}

beforeEach(async () => {
  project = lifecycleProject();
  clock = fakeClock();
  await createEnvironment({ dir: project.dir, name: 'feature-x', from: 'dev', ttl: '48h', services: ['api'] }, deps());
});
afterEach(() => project.cleanup());

const listed = async () =>
  (await listEnvironments({ dir: project.dir }, deps())).environments.find((e) => e.name === 'feature-x')?.onDemand;

test('while env create applies, its record names the process; once it has ended, the record does not', async () => {
  const infra = recordingInfra();
  let during: unknown;
  await createEnvironment(
    { dir: project.dir, name: 'feature-y', from: 'dev', ttl: '48h', services: ['api'] },
    {
      ...deps(),
      infra: () => ({
        ...infra,
        apply: async (req) => {
          during = (JSON.parse(readFileSync(recordFile('feature-y'), 'utf8')) as { creator?: unknown }).creator;
          return infra.apply(req);
        },
      }),
    },
  );
  expect(during).toEqual({ host: hostname(), pid: process.pid });
  expect(JSON.parse(readFileSync(recordFile('feature-y'), 'utf8'))).not.toHaveProperty('creator');
});

test('a creating record whose process is gone from this host is listed and shown as failed, with the fix', async () => {
  const pid = deadPid();
  leftCreating('feature-x', { host: hostname(), pid });
  const env = await listed();
  expect(env?.status).toBe('failed');
  expect(env?.statusReason).toBe(
    `its \`env create\` (process ${pid} on ${hostname()}) ended without finishing (killed)`,
  );
  const shown = await showEnvironment({ dir: project.dir, name: 'feature-x' }, deps());
  expect(formatShow(shown, new Date(clock.now()))).toContain(
    `status    failed: its \`env create\` (process ${pid} on ${hostname()}) ended without finishing (killed); remove what it made with \`ecsdeploy env destroy feature-x --yes\``,
  );
});

test('a creating record stays creating while its process runs, or when it was written on another host', async () => {
  leftCreating('feature-x', { host: hostname(), pid: process.pid });
  expect((await listed())?.status).toBe('creating');
  leftCreating('feature-x', { host: `not-${hostname()}`, pid: deadPid() });
  expect((await listed())?.status).toBe('creating');
});
