/**
 * The lifecycle of environments on demand against a recording InfraRunner (which resolves the
 * environment through openEnvironments exactly like the real runner) and a fake clock. Protects:
 * what `env create` records and applies, that create→destroy leaves nothing behind (also after a
 * half-made create and a destroy that stopped half-way), that permanent environments are refused,
 * and the validation of names, TTLs, services and images.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { EphemeralRecord } from '../../src/config/ephemeral';
import { EcsdeployError, ExitCode, UsageError } from '../../src/errors';
import {
  environmentDeps,
  createEnvironment,
  destroyEnvironment,
  localRecordStore,
  type CreateRequest,
  type EnvironmentDeps,
} from '../../src/ops/environments';
import { appendRelease, emptyLedger, localReleaseStore } from '../../src/ops/releases';
import { fakeClock, filesUnder, lifecycleProject, recordingInfra, type RecordingInfra } from './helpers';

const DIGEST = `sha256:${'c0'.repeat(32)}`;

describe('env create / env destroy (local state and records)', () => {
  let project: { dir: string; cleanup: () => void };
  let infra: RecordingInfra;
  let clock: ReturnType<typeof fakeClock>;
  const deps = (over: Partial<EnvironmentDeps> = {}): EnvironmentDeps => ({
    ...environmentDeps(),
    infra: () => infra,
    clock,
    env: { USER: 'alice' },
    resolveImage: async (service, ref) => `registry.example.com/${service}@sha256:${ref.padEnd(64, '0')}`,
    ...over,
  });
  const create = (req: Partial<CreateRequest> = {}, over: Partial<EnvironmentDeps> = {}) =>
    createEnvironment({ dir: project.dir, name: 'feature-x', from: 'dev', ...req }, deps(over));
  const record = (name = 'feature-x'): EphemeralRecord =>
    JSON.parse(
      readFileSync(join(project.dir, '.ecsdeploy', 'environments', `${name}.json`), 'utf8'),
    ) as EphemeralRecord;
  const failure = async (p: Promise<unknown>): Promise<EcsdeployError> => {
    const err = await p.then(
      () => undefined,
      (e: unknown) => e,
    );
    if (!(err instanceof EcsdeployError)) throw new Error(`expected an EcsdeployError, got ${String(err)}`);
    return err;
  };

  beforeEach(() => {
    project = lifecycleProject();
    infra = recordingInfra();
    clock = fakeClock();
  });
  afterEach(() => project.cleanup());

  it('records base, owner, creation time, expiry (the base TTL), services, slot, status ready; applies only its service stacks', async () => {
    const result = await create();
    expect(record()).toEqual({
      version: 1,
      name: 'feature-x',
      base: 'dev',
      owner: 'alice',
      createdAt: '2026-11-24T10:00:00.000Z',
      expiresAt: '2026-11-26T10:00:00.000Z',
      isolated: false,
      services: ['admin-api', 'api', 'web'],
      slot: 0,
      images: {},
      status: 'ready',
    });
    expect(infra.calls).toEqual([
      { op: 'apply', env: 'feature-x', stacks: ['feature-x-admin-api', 'feature-x-api', 'feature-x-web'] },
    ]);
    expect(result.stacks).toEqual(['feature-x-admin-api', 'feature-x-api', 'feature-x-web']);
    expect(result.environment).toMatchObject({
      name: 'feature-x',
      status: 'ready',
      expired: false,
      record: join('.ecsdeploy', 'environments', 'feature-x.json'),
    });
  });

  it('is reachable at <name>.<base domain> (https: the base has a certificate)', async () => {
    const result = await create();
    expect(result.urls).toEqual([
      { service: 'api', url: 'https://feature-x.dev.acme.example/api/' },
      { service: 'web', url: 'https://feature-x.dev.acme.example/' },
    ]);
  });

  it('--isolated applies a cluster stack of its own, then its services', async () => {
    await create({ isolated: true, services: ['web'] });
    expect(infra.calls[0]!.stacks).toEqual(['feature-x-cluster', 'feature-x-web']);
    expect(record()).toMatchObject({ isolated: true, services: ['web'] });
  });

  it("takes each service's image from the base's current release; --image overrides one; unreleased ones keep their config", async () => {
    const releases = localReleaseStore(join(project.dir, '.ecsdeploy', 'releases'), project.dir);
    const ledger = appendRelease(
      emptyLedger('dev', 'api'),
      {
        image: {
          requested: '1.4.2',
          repository: '123.dkr.ecr.us-east-1.amazonaws.com/acme/api',
          tag: '1.4.2',
          digest: DIGEST,
          serviceRepository: true,
        },
        kind: 'deploy',
        createdAt: '2026-11-20T00:00:00Z',
        createdBy: 'bob',
      },
      '2026-11-20T00:00:00Z',
    ).ledger;
    await releases.write(ledger, undefined);
    await create({ images: ['web=abc'] });
    expect(record().images).toEqual({ api: DIGEST, web: `registry.example.com/web@sha256:${'abc'.padEnd(64, '0')}` });
  });

  it('--services takes a comma-separated list and refuses a service the base does not have, suggesting the closest', async () => {
    await create({ services: ['api,web'] });
    expect(record().services).toEqual(['api', 'web']);
    const err = await failure(create({ name: 'other', services: ['wbe'] }));
    expect(err).toBeInstanceOf(UsageError);
    expect(err.message).toBe("--services wbe: 'dev' has no service 'wbe'; did you mean 'web'?");
  });

  it('--image must name one of its services, once, as SERVICE=IMAGE', async () => {
    expect((await failure(create({ images: ['web'] }))).message).toBe('--image web: expected SERVICE=IMAGE');
    expect((await failure(create({ services: ['api'], images: ['web=1.0.0'] }))).message).toBe(
      "--image web=1.0.0: 'web' is not one of this environment's services",
    );
    expect((await failure(create({ images: ['web=1', 'web=2'] }))).message).toBe('--image web=2: web is given twice');
    expect(infra.calls).toEqual([]);
  });

  describe('names', () => {
    it.each([
      [
        'Feature_X',
        "environment name 'Feature_X': use lowercase letters, digits and '-', starting with a letter and not ending with '-' (it becomes a host name)",
      ],
      [
        'a-very-long-feature-branch-name',
        "environment name 'a-very-long-feature-branch-name': use at most 24 characters (it is part of AWS resource names such as target groups, 32 characters)",
      ],
      ['dev', "environment 'dev' already exists"],
      ['prod', "environment 'prod' already exists"],
    ])('%s is refused before anything is written', async (name, message) => {
      const err = await failure(create({ name }));
      expect(err.message).toBe(message);
      expect(err.exitCode).toBe(ExitCode.Usage);
      expect(infra.calls).toEqual([]);
      expect(existsSync(join(project.dir, '.ecsdeploy', 'environments', `${name}.json`))).toBe(false);
    });

    it('an existing environment on demand is taken too', async () => {
      await create();
      expect((await failure(create())).message).toBe("environment 'feature-x' already exists");
    });

    it("a name whose stacks would take the name of another environment's stack is refused", async () => {
      await create({ name: 'feat', services: ['admin-api'] });
      const err = await failure(create({ name: 'feat-admin', services: ['api'] }));
      expect(err.message).toBe(
        "environment name 'feat-admin': its stack feat-admin-api would have the same name as a stack of 'feat'",
      );
    });
  });

  describe('--from', () => {
    it('must be a permanent environment', async () => {
      expect((await failure(create({ from: 'dve' }))).message).toBe(
        "--from dve: no environment 'dve'; did you mean 'dev'? (there is no environments/dve.yaml)",
      );
      await create();
      expect((await failure(create({ name: 'other', from: 'feature-x' }))).message).toBe(
        "--from feature-x: 'feature-x' is itself an environment on demand; environments are made from a permanent one",
      );
    });
  });

  describe('TTL', () => {
    it('--ttl sets the expiry from the injected clock', async () => {
      await create({ ttl: '90m' });
      expect(record().expiresAt).toBe('2026-11-24T11:30:00.000Z');
    });

    it("may not exceed the base's ephemeral.maxTtl", async () => {
      const err = await failure(create({ ttl: '8d' }));
      expect(err.message).toBe(
        "--ttl 8d: longer than 7d, the longest an environment made from 'dev' may live (ephemeral.maxTtl in environments/dev.yaml)",
      );
      expect(err.exitCode).toBe(ExitCode.Usage);
      await create({ ttl: '7d' });
      expect(record().expiresAt).toBe('2026-12-01T10:00:00.000Z');
    });

    it('must be a duration', async () => {
      expect((await failure(create({ ttl: 'tomorrow' }))).message).toBe(
        '--ttl tomorrow: expected a duration such as 30s, 15m, 1h30m, 48h or 7d',
      );
    });
  });

  it('the owner is --owner, else $ECSDEPLOY_OWNER / $GITHUB_ACTOR / $USER, and must be a valid tag value', async () => {
    await create({ name: 'a' }, { env: { GITHUB_ACTOR: 'octocat', USER: 'runner' } });
    await create({ name: 'b', owner: 'team-payments' });
    expect([record('a').owner, record('b').owner]).toEqual(['octocat', 'team-payments']);
    expect((await failure(create({ name: 'c', owner: 'alice<script>' }))).message).toBe(
      "owner 'alice<script>' (from --owner) is not a valid AWS tag value: use only letters, digits, spaces and _ . : / = + - @",
    );
  });

  it('each environment of a base takes the lowest free slot (its listener-rule priorities), freed again by destroy', async () => {
    await create({ name: 'a' });
    await create({ name: 'b' });
    await create({ name: 'c', isolated: true });
    await create({ name: 'd' });
    expect(['a', 'b', 'd'].map((n) => record(n).slot)).toEqual([0, 1, 2]);
    await destroyEnvironment({ dir: project.dir, name: 'b' }, deps());
    await create({ name: 'e' });
    expect(record('e').slot).toBe(1);
  });

  it('two creates that picked the same slot at once end with different slots', async () => {
    // Both read the records before either wrote: both pick slot 0.
    await Promise.all([create({ name: 'a' }), create({ name: 'b' })]);
    expect(new Set([record('a').slot, record('b').slot]).size).toBe(2);
  });

  it('of two creates of one name at once, exactly one wins', async () => {
    const results = await Promise.allSettled([create(), create(), create()]);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    for (const r of results)
      if (r.status === 'rejected')
        expect((r.reason as Error).message).toMatch(/^environment 'feature-x' already exists/);
  });

  describe('create then destroy leaves nothing behind', () => {
    it('no stack folder, state file, release ledger or record', async () => {
      const before = filesUnder(project.dir);
      await create();
      const releases = localReleaseStore(join(project.dir, '.ecsdeploy', 'releases'), project.dir);
      // A deploy to the environment on demand leaves a ledger of its own.
      await releases.write(
        appendRelease(
          emptyLedger('feature-x', 'api'),
          {
            image: { requested: 'x', repository: 'r', digest: DIGEST, serviceRepository: true },
            kind: 'deploy',
            createdAt: 'now',
            createdBy: 'alice',
          },
          'now',
        ).ledger,
        undefined,
      );
      expect(filesUnder(project.dir)).toEqual(
        expect.arrayContaining([
          '.ecsdeploy/environments/feature-x.json',
          '.ecsdeploy/state/feature-x-api.tfstate',
          'cdktf.out/stacks/feature-x-web/cdk.tf.json',
          '.ecsdeploy/releases/feature-x/api.json',
        ]),
      );
      const result = await destroyEnvironment({ dir: project.dir, name: 'feature-x' }, deps());
      expect(infra.calls[1]).toEqual({
        op: 'destroy',
        env: 'feature-x',
        stacks: ['feature-x-admin-api', 'feature-x-api', 'feature-x-web'],
      });
      expect(result.destroyed).toEqual(['feature-x-web', 'feature-x-api', 'feature-x-admin-api']);
      expect(filesUnder(project.dir)).toEqual(before);
      expect(result.removed).toEqual(
        expect.arrayContaining([
          'cdktf.out/stacks/feature-x-api',
          '.ecsdeploy/state/feature-x-api.tfstate',
          '.ecsdeploy/releases/feature-x',
          '.ecsdeploy/environments/feature-x.json',
        ]),
      );
    });

    it('after a create that failed half-way: destroy runs the engine only on the stacks it made, and cleans up the rest', async () => {
      const before = filesUnder(project.dir);
      infra = recordingInfra({ failApplyAfter: 1 });
      const err = await failure(create());
      expect(err.message).toMatch(
        /^Creating environment 'feature-x' failed; it is recorded as failed\.\nterraform apply failed for stack feature-x-api/,
      );
      expect(err.suggestions).toContain(
        'Remove everything it made with `ecsdeploy env destroy feature-x --yes`, then create it again.',
      );
      expect(record().status).toBe('failed');

      const result = await destroyEnvironment({ dir: project.dir, name: 'feature-x' }, deps());
      expect(infra.calls[1]).toEqual({ op: 'destroy', env: 'feature-x', stacks: ['feature-x-admin-api'] });
      expect(result.empty).toEqual(['feature-x-api', 'feature-x-web']);
      expect(filesUnder(project.dir)).toEqual(before);
    });

    it('after a create that failed before applying anything: no engine at all', async () => {
      infra = recordingInfra({ failApplyAfter: 0 });
      await failure(create());
      await destroyEnvironment({ dir: project.dir, name: 'feature-x' }, deps());
      expect(infra.calls.map((c) => c.op)).toEqual(['apply']);
      expect(existsSync(join(project.dir, '.ecsdeploy', 'environments', 'feature-x.json'))).toBe(false);
    });

    it('a destroy that stopped half-way keeps the record (destroying) and the state; running it again finishes', async () => {
      const before = filesUnder(project.dir);
      await create();
      infra = recordingInfra({ failDestroyTimes: 1 });
      const err = await failure(destroyEnvironment({ dir: project.dir, name: 'feature-x' }, deps()));
      expect(err.message).toMatch(
        /^Destroying environment 'feature-x' stopped before the end; its record is kept \(status destroying\)\./,
      );
      expect(err.suggestions).toContain('Run `ecsdeploy env destroy feature-x` again: it continues with what is left.');
      expect(record().status).toBe('destroying');
      expect(existsSync(join(project.dir, '.ecsdeploy', 'state', 'feature-x-api.tfstate'))).toBe(true);

      await destroyEnvironment({ dir: project.dir, name: 'feature-x' }, deps());
      expect(filesUnder(project.dir)).toEqual(before);
    });
  });

  it('declining the plan before anything is applied removes the record again', async () => {
    const err = await failure(create({ confirm: async () => false }));
    expect(err.code).toBe('ECSDEPLOY_CANCELLED');
    expect(existsSync(join(project.dir, '.ecsdeploy', 'environments', 'feature-x.json'))).toBe(false);
  });

  it('declining the destroy plan restores the status and removes nothing', async () => {
    await create();
    await failure(destroyEnvironment({ dir: project.dir, name: 'feature-x', confirm: async () => false }, deps()));
    expect(record().status).toBe('ready');
    expect(existsSync(join(project.dir, '.ecsdeploy', 'state', 'feature-x-api.tfstate'))).toBe(true);
  });

  describe('destroy refuses', () => {
    it.each(['dev', 'prod'])('the permanent environment %s, pointing at `ecsdeploy destroy`', async (name) => {
      const err = await failure(destroyEnvironment({ dir: project.dir, name }, deps()));
      expect(err).toBeInstanceOf(UsageError);
      expect(err.message).toBe(
        `'${name}' is a permanent environment (environments/${name}.yaml); env destroy works on environments on demand only`,
      );
      expect(err.suggestions).toEqual([
        `To destroy its stacks: ecsdeploy destroy --env ${name} (protected environments also need --force).`,
      ]);
      expect(infra.calls).toEqual([]);
    });

    it('an unknown name, suggesting the closest; with ifExists it is nothing to do', async () => {
      await create();
      const err = await failure(destroyEnvironment({ dir: project.dir, name: 'feature-y' }, deps()));
      expect(err.message).toMatch(/^no environment 'feature-y'; did you mean 'feature-x'\?/);
      expect(err.suggestions[0]).toBe('Known environments: dev, prod; on demand: feature-x.');
      expect(await destroyEnvironment({ dir: project.dir, name: 'feature-y', ifExists: true }, deps())).toMatchObject({
        found: false,
        destroyed: [],
        removed: [],
      });
    });
  });

  it('an invalid record is reported with its file, not guessed at', async () => {
    await create();
    const store = localRecordStore(join(project.dir, '.ecsdeploy', 'environments'), project.dir);
    const { record: r, version } = (await store.get('feature-x'))!;
    await store.update({ ...r, slot: -1 }, version);
    const err = await failure(destroyEnvironment({ dir: project.dir, name: 'feature-x' }, deps()));
    expect(err.message).toBe(
      'The environment record .ecsdeploy/environments/feature-x.json is not valid: slot: Too small: expected number to be >=0',
    );
  });
});
