/**
 * Expiry, with a fake clock: `env gc` destroys exactly what has expired (and nothing with
 * --dry-run), carries on past a failure and reports it; `env extend` pushes the expiry back within
 * the base's maxTtl; `env list` / `env show` report what is recorded, where it answers and what runs.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { EcsdeployError, UsageError } from '../../src/errors';
import {
  environmentDeps,
  createEnvironment,
  extendEnvironment,
  gcEnvironments,
  listEnvironments,
  showEnvironment,
  type EnvironmentDeps,
} from '../../src/ops/environments';
import { appendRelease, emptyLedger, localReleaseStore } from '../../src/ops/releases';
import { fakeClock, HOUR, lifecycleProject, recordingInfra, type RecordingInfra } from './helpers';

const DIGEST = `sha256:${'d1'.repeat(32)}`;

let project: { dir: string; cleanup: () => void };
let infra: RecordingInfra;
let clock: ReturnType<typeof fakeClock>;
const deps = (over: Partial<EnvironmentDeps> = {}): EnvironmentDeps => ({
  ...environmentDeps(),
  infra: () => infra,
  clock,
  env: { USER: 'alice' },
  ...over,
});
const create = (name: string, ttl: string, over: Partial<Parameters<typeof createEnvironment>[0]> = {}) =>
  createEnvironment({ dir: project.dir, name, from: 'dev', ttl, services: ['api'], ...over }, deps());
const recordExists = (name: string) => existsSync(join(project.dir, '.ecsdeploy', 'environments', `${name}.json`));

beforeEach(() => {
  project = lifecycleProject();
  infra = recordingInfra();
  clock = fakeClock();
});
afterEach(() => project.cleanup());

describe('env gc', () => {
  beforeEach(async () => {
    await create('short', '1h');
    await create('medium', '10h');
    await create('long', '48h');
  });

  it('destroys nothing before anything expires', async () => {
    clock.advance(HOUR - 1);
    const result = await gcEnvironments({ dir: project.dir }, deps());
    expect(result).toMatchObject({ expired: [], destroyed: [], failed: [] });
    expect(infra.calls.filter((c) => c.op === 'destroy')).toEqual([]);
  });

  it('destroys exactly the environments whose expiry has passed, by the injected clock', async () => {
    clock.advance(10 * HOUR);
    const result = await gcEnvironments({ dir: project.dir }, deps());
    expect(result.expired.map((e) => e.name)).toEqual(['short', 'medium']);
    expect(result.destroyed).toEqual(['short', 'medium']);
    expect(infra.calls.filter((c) => c.op === 'destroy').map((c) => c.env)).toEqual(['short', 'medium']);
    expect(['short', 'medium', 'long'].map(recordExists)).toEqual([false, false, true]);
    expect(result.now).toBe('2026-11-24T20:00:00.000Z');
  });

  it('--dry-run lists them and destroys nothing', async () => {
    clock.advance(2 * HOUR);
    const result = await gcEnvironments({ dir: project.dir, dryRun: true }, deps());
    expect(result).toMatchObject({ dryRun: true, destroyed: [], failed: [] });
    expect(result.expired.map((e) => e.name)).toEqual(['short']);
    expect(recordExists('short')).toBe(true);
    expect(infra.calls.filter((c) => c.op === 'destroy')).toEqual([]);
  });

  it('carries on past an environment it cannot destroy, and reports it', async () => {
    clock.advance(10 * HOUR);
    infra = recordingInfra({ failDestroyTimes: 1 });
    const result = await gcEnvironments({ dir: project.dir }, deps());
    expect(result.failed.map((f) => f.name)).toEqual(['short']);
    expect(result.failed[0]!.message).toMatch(/^Destroying environment 'short' stopped before the end/);
    expect(result.destroyed).toEqual(['medium']);
    expect(recordExists('short')).toBe(true);
    // The next run finishes it.
    expect((await gcEnvironments({ dir: project.dir }, deps())).destroyed).toEqual(['short']);
  });

  it('leaves alone an environment extended after it was listed (it reads each record again)', async () => {
    clock.advance(10 * HOUR);
    const file = join(project.dir, '.ecsdeploy', 'environments', 'medium.json');
    const result = await gcEnvironments(
      {
        dir: project.dir,
        // Another process extends `medium` while gc is busy with `short`.
        onEnvironment: (name, phase) => {
          if (name === 'medium' && phase === 'started')
            writeFileSync(
              file,
              readFileSync(file, 'utf8').replace(/"expiresAt": "[^"]+"/, '"expiresAt": "2026-11-30T00:00:00.000Z"'),
            );
        },
      },
      deps(),
    );
    expect(result.destroyed).toEqual(['short']);
    expect(result.skipped).toEqual(['medium']);
    expect(infra.calls.filter((c) => c.op === 'destroy').map((c) => c.env)).toEqual(['short']);
    expect(recordExists('medium')).toBe(true);
  });

  it('is interrupted between environments by the signal, and says which were not started', async () => {
    clock.advance(10 * HOUR);
    const abort = new AbortController();
    const result = await gcEnvironments(
      { dir: project.dir, signal: abort.signal, onEnvironment: (_n, phase) => phase === 'destroyed' && abort.abort() },
      deps(),
    );
    expect(result.destroyed).toEqual(['short']);
    expect(result.notStarted).toEqual(['medium']);
  });

  it('reports records it cannot read and never destroys them', async () => {
    writeFileSync(join(project.dir, '.ecsdeploy', 'environments', 'broken.json'), '{"version":1');
    clock.advance(100 * HOUR);
    const result = await gcEnvironments({ dir: project.dir }, deps());
    expect(result.problems).toEqual([
      {
        name: 'broken',
        where: join('.ecsdeploy', 'environments', 'broken.json'),
        message: expect.stringMatching(
          /^The environment record .ecsdeploy\/environments\/broken.json is not valid: not JSON/,
        ),
      },
    ]);
    expect(result.destroyed).toEqual(['short', 'medium', 'long']);
    expect(existsSync(join(project.dir, '.ecsdeploy', 'environments', 'broken.json'))).toBe(true);
  });
});

describe('env extend', () => {
  it('pushes the expiry back by --ttl', async () => {
    await create('a', '48h');
    const result = await extendEnvironment({ dir: project.dir, name: 'a', ttl: '24h' }, deps());
    expect(result.previousExpiresAt).toBe('2026-11-26T10:00:00.000Z');
    expect(result.environment.expiresAt).toBe('2026-11-27T10:00:00.000Z');
    // gc now leaves it alone at its old expiry.
    clock.advance(49 * HOUR);
    expect((await gcEnvironments({ dir: project.dir }, deps())).expired).toEqual([]);
  });

  it('counts from now for an environment that has already expired', async () => {
    await create('a', '1h');
    clock.advance(5 * HOUR);
    expect((await extendEnvironment({ dir: project.dir, name: 'a', ttl: '2h' }, deps())).environment.expiresAt).toBe(
      '2026-11-24T17:00:00.000Z',
    );
  });

  it("refuses to go beyond the base's maxTtl from now, saying how much is left", async () => {
    await create('a', '6d');
    const err = await extendEnvironment({ dir: project.dir, name: 'a', ttl: '2d' }, deps()).catch(
      (e: unknown) => e as EcsdeployError,
    );
    expect(err).toBeInstanceOf(UsageError);
    expect((err as EcsdeployError).message).toBe(
      "--ttl 2d: 'a' would then expire more than 7d from now, the longest an environment made from 'dev' may live ahead (ephemeral.maxTtl in environments/dev.yaml)",
    );
    expect((err as EcsdeployError).suggestions).toEqual(['Extend it by at most 24h now, and again later.']);
    // A day later there is room again.
    clock.advance(24 * HOUR);
    expect((await extendEnvironment({ dir: project.dir, name: 'a', ttl: '2d' }, deps())).environment.expiresAt).toBe(
      '2026-12-02T10:00:00.000Z',
    );
  });

  it('refuses permanent environments and environments being destroyed', async () => {
    await expect(extendEnvironment({ dir: project.dir, name: 'dev', ttl: '1h' }, deps())).rejects.toThrow(
      "'dev' is a permanent environment (environments/dev.yaml); env extend works on environments on demand only",
    );
    await create('a', '1h');
    infra = recordingInfra({ failDestroyTimes: 1 });
    await gcEnvironments({ dir: project.dir }, { ...deps(), clock: { ...clock, now: () => clock.now() + 2 * HOUR } });
    await expect(extendEnvironment({ dir: project.dir, name: 'a', ttl: '1h' }, deps())).rejects.toThrow(
      "environment 'a' is being destroyed; it cannot be extended",
    );
  });
});

describe('env list', () => {
  it('lists permanent environments, then environments on demand with base, owner, expiry and status', async () => {
    await create('pr-1', '1h');
    await create('pr-2', '48h', { isolated: true });
    clock.advance(2 * HOUR);
    const result = await listEnvironments({ dir: project.dir }, { ...environmentDeps(), clock });
    expect(result.now).toBe('2026-11-24T12:00:00.000Z');
    expect(
      result.environments.map((e) => [e.name, e.kind, e.protected ?? e.onDemand?.status, e.onDemand?.expired]),
    ).toEqual([
      ['dev', 'permanent', false, undefined],
      ['prod', 'permanent', true, undefined],
      ['pr-1', 'on-demand', 'ready', true],
      ['pr-2', 'on-demand', 'ready', false],
    ]);
    expect(result.environments[3]!.onDemand).toMatchObject({
      base: 'dev',
      owner: 'alice',
      isolated: true,
      services: ['api'],
      createdAt: '2026-11-24T10:00:00.000Z',
      expiresAt: '2026-11-26T10:00:00.000Z',
    });
  });
});

describe('env show', () => {
  it('shows its stacks (with the shared base cluster, not its own), URLs and images', async () => {
    await create('pr-1', '48h', { services: ['api', 'web'] });
    const releases = localReleaseStore(join(project.dir, '.ecsdeploy', 'releases'), project.dir);
    await releases.write(
      appendRelease(
        emptyLedger('pr-1', 'web'),
        {
          image: { requested: 'x', repository: 'r', digest: DIGEST, serviceRepository: true },
          kind: 'deploy',
          createdAt: '2026-11-24T11:00:00Z',
          createdBy: 'bob',
        },
        'now',
      ).ledger,
      undefined,
    );
    const result = await showEnvironment({ dir: project.dir, name: 'pr-1' }, { ...environmentDeps(), clock });
    expect(result.stacks).toEqual([
      { name: 'dev-cluster', kind: 'cluster', owned: false, resources: 0, applied: false },
      { name: 'pr-1-api', kind: 'service', owned: true, resources: 3, applied: true },
      { name: 'pr-1-web', kind: 'service', owned: true, resources: 3, applied: true },
    ]);
    expect(result.urls.map((u) => u.url)).toEqual([
      'https://pr-1.dev.acme.example/api/',
      'https://pr-1.dev.acme.example/',
    ]);
    expect(result.releases).toEqual([
      { service: 'api', image: '1.0.0', source: 'config' },
      {
        service: 'web',
        image: DIGEST,
        source: 'release',
        release: { id: 1, kind: 'deploy', createdAt: '2026-11-24T11:00:00Z', createdBy: 'bob', status: 'pending' },
      },
    ]);
  });

  it("without a domain: the base load balancer's DNS name (from the cluster state) and the header to send", async () => {
    project.cleanup();
    project = lifecycleProject({
      'environments/dev.yaml':
        'network:\n  create:\n    cidr: 10.0.0.0/16\ncluster:\n  ec2:\n    instanceTypes: [t3.small]\n    minSize: 1\n    maxSize: 2\n',
    });
    await create('pr-1', '48h');
    expect((await showEnvironment({ dir: project.dir, name: 'pr-1' }, environmentDeps())).urls).toEqual([
      {
        service: 'api',
        header: 'X-Ecsdeploy-Env: pr-1',
        note: "the load balancer's DNS name is known once dev-cluster is applied",
      },
    ]);
    mkdirSync(join(project.dir, '.ecsdeploy', 'state'), { recursive: true });
    writeFileSync(
      join(project.dir, '.ecsdeploy', 'state', 'dev-cluster.tfstate'),
      JSON.stringify({
        version: 4,
        resources: [],
        outputs: { alb_dns_name: { value: 'acme-dev-123.us-east-1.elb.amazonaws.com', type: 'string' } },
      }),
    );
    expect((await showEnvironment({ dir: project.dir, name: 'pr-1' }, environmentDeps())).urls).toEqual([
      { service: 'api', url: 'http://acme-dev-123.us-east-1.elb.amazonaws.com/api/', header: 'X-Ecsdeploy-Env: pr-1' },
    ]);
  });

  it('works for a permanent environment', async () => {
    const result = await showEnvironment({ dir: project.dir, name: 'prod' }, environmentDeps());
    expect(result).toMatchObject({ name: 'prod', kind: 'permanent', protected: true });
    expect(result.stacks.map((s) => s.name)).toEqual(['prod-cluster', 'prod-admin-api', 'prod-api', 'prod-web']);
  });
});
