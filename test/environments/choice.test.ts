/**
 * Which environment a command takes without --env, and which base `env create` takes without
 * --from (src/ops/environment-choice.ts), on copies of the bundled project: the order of the rules
 * (flag, ECSDEPLOY_ENV, defaultEnvironment, the only environment), the refusal to take a protected
 * environment by default for a command that changes it, and the errors for an unknown or missing
 * environment (did you mean, the list, exit 2). And `config validate`'s view of the two keys.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadProject } from '../../src/config/load';
import { ConfigError, EcsdeployError, ExitCode } from '../../src/errors';
import { chooseBase, chooseEnvironment, type ChooseEnvironmentInput } from '../../src/ops/environment-choice';
import { localRecordStore } from '../../src/ops/environments';
import { projectWith } from '../config/fixture-project';
import type { EphemeralRecord } from '../../src/config/ephemeral';
import { copyExampleProject } from '../support/example-project';

const REPO = join(__dirname, '..', '..');

/** A copy of the bundled project (defaultEnvironment: dev, ephemeral.defaultBase: dev; prod is protected), with edits. */
function bundled(
  edit: (files: {
    project: string;
    dev: string;
    prod: string;
  }) => Partial<{ project: string; dev: string; prod: string }> = () => ({}),
) {
  const dir = mkdtempSync(join(tmpdir(), 'ecsdeploy-choice-'));
  copyExampleProject(dir);
  const paths = {
    project: join(dir, 'ecsdeploy.yaml'),
    dev: join(dir, 'environments', 'dev.yaml'),
    prod: join(dir, 'environments', 'prod.yaml'),
  };
  const current = {
    project: readFileSync(paths.project, 'utf8'),
    dev: readFileSync(paths.dev, 'utf8'),
    prod: readFileSync(paths.prod, 'utf8'),
  };
  for (const [k, text] of Object.entries(edit(current))) writeFileSync(paths[k as keyof typeof paths], text!);
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

const withoutDefaults = (text: string) =>
  text.replace(/^defaultEnvironment:.*\n/m, '').replace(/^ephemeral:\n(  .*\n)+/m, '');

async function usage(p: Promise<unknown> | (() => unknown)): Promise<EcsdeployError> {
  const err = await (typeof p === 'function' ? Promise.resolve().then(p) : p).then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(err instanceof EcsdeployError)) throw new Error(`expected an EcsdeployError, got ${String(err)}`);
  return err;
}

describe('chooseEnvironment', () => {
  let project: { dir: string; cleanup: () => void };
  const choose = (over: Partial<ChooseEnvironmentInput> = {}) =>
    chooseEnvironment({ dir: project.dir, use: 'read', command: 'service status', env: {}, ...over });
  afterEach(() => project.cleanup());

  it('--env as typed wins over everything, and says nothing; a typed protected environment is fine for a change', async () => {
    project = bundled();
    await expect(choose({ flag: 'prod', use: 'change', env: { ECSDEPLOY_ENV: 'dev' } })).resolves.toEqual({
      name: 'prod',
      source: 'flag',
    });
  });

  it('ECSDEPLOY_ENV comes before defaultEnvironment, and the note says so', async () => {
    project = bundled((f) => ({ prod: f.prod.replace('protected: true\n', '') }));
    await expect(choose({ env: { ECSDEPLOY_ENV: 'prod' }, use: 'change' })).resolves.toEqual({
      name: 'prod',
      source: 'ECSDEPLOY_ENV',
      note: 'Environment: prod (from ECSDEPLOY_ENV; --env NAME for another)',
    });
  });

  it('defaultEnvironment in ecsdeploy.yaml when neither is given (the bundled project: dev)', async () => {
    project = bundled();
    await expect(choose({ use: 'change', command: 'cluster roll' })).resolves.toEqual({
      name: 'dev',
      source: 'defaultEnvironment',
      note: 'Environment: dev (defaultEnvironment in ecsdeploy.yaml; --env NAME for another)',
    });
  });

  it("the project's only environment when there is no default", async () => {
    project = projectWith();
    await expect(choose({ use: 'change' })).resolves.toEqual({
      name: 'dev',
      source: 'only',
      note: "Environment: dev (the project's only environment)",
    });
  });

  it('no default and several environments: exit 2, the list, and how to choose', async () => {
    project = bundled((f) => ({ project: withoutDefaults(f.project) }));
    const err = await usage(choose({ command: 'plan' }));
    expect(err.exitCode).toBe(ExitCode.Usage);
    expect(err.message).toBe(
      'plan needs an environment: --env is not given, and this project has 2 environments and no default.',
    );
    expect(err.suggestions).toEqual(['Environments: dev, prod. Pass --env NAME or set defaultEnvironment.']);
  });

  it.each([
    ['defaultEnvironment', 'defaultEnvironment: prod', {}, 'defaultEnvironment in ecsdeploy.yaml'],
    ['ECSDEPLOY_ENV', 'defaultEnvironment: dev', { ECSDEPLOY_ENV: 'prod' }, 'from ECSDEPLOY_ENV'],
  ])(
    'a protected environment from %s: a command that changes it refuses (exit 2), one that reads takes it',
    async (_, line, env, why) => {
      project = bundled((f) => ({ project: f.project.replace('defaultEnvironment: dev', line) }));
      const err = await usage(choose({ use: 'change', command: 'service deploy', env }));
      expect(err.exitCode).toBe(ExitCode.Usage);
      expect(err.message).toBe(
        `service deploy changes environment 'prod', which is protected (protected: true in environments/prod.yaml), and --env was not typed: a protected environment is never taken by default (here ${why}).`,
      );
      expect(err.suggestions).toEqual([
        'Type it to work on it: ecsdeploy service deploy --env prod ...',
        'Environments: dev, prod. Pass --env NAME for another.',
      ]);
      await expect(choose({ use: 'read', env })).resolves.toMatchObject({ name: 'prod' });
    },
  );

  it('the only environment is protected: a change needs it typed too', async () => {
    project = projectWith({
      'environments/dev.yaml': `protected: true\n${readFileSync(join(REPO, 'test', 'fixtures', 'minimal', 'environments', 'dev.yaml'), 'utf8')}`,
    });
    const err = await usage(choose({ use: 'change', command: 'apply' }));
    expect(err.message).toContain("apply changes environment 'dev', which is protected");
    expect(err.message).toContain("(here the project's only environment)");
  });

  it.each([
    [{ flag: 'prd' }, '--env prd'],
    [{ env: { ECSDEPLOY_ENV: 'prd' } }, 'ECSDEPLOY_ENV=prd'],
  ])('an unknown environment (%j): did you mean, the list, exit 2', async (over, given) => {
    project = bundled();
    const err = await usage(choose(over));
    expect(err.exitCode).toBe(ExitCode.Usage);
    expect(err.message).toBe(
      `${given}: no environment 'prd'; did you mean 'prod'? (there is no environments/prd.yaml, and no environment on demand of that name in .ecsdeploy/environments)`,
    );
    expect(err.suggestions).toEqual(['Environments: dev, prod. Pass --env NAME or set defaultEnvironment.']);
  });

  it('an environment on demand by --env or ECSDEPLOY_ENV: taken, never refused (it is not protected); listed when misspelled', async () => {
    project = bundled();
    const record: EphemeralRecord = {
      version: 1,
      name: 'pr-12',
      base: 'dev',
      owner: 'alice',
      createdAt: '2026-01-01T00:00:00.000Z',
      expiresAt: '2099-01-01T00:00:00.000Z',
      isolated: false,
      services: ['orders'],
      slot: 0,
      images: {},
      status: 'ready',
    };
    await localRecordStore(join(project.dir, '.ecsdeploy', 'environments'), project.dir).create(record);
    await expect(choose({ flag: 'pr-12', use: 'change' })).resolves.toEqual({ name: 'pr-12', source: 'flag' });
    await expect(choose({ env: { ECSDEPLOY_ENV: 'pr-12' }, use: 'change' })).resolves.toMatchObject({
      name: 'pr-12',
      source: 'ECSDEPLOY_ENV',
    });
    const err = await usage(choose({ flag: 'pr-13' }));
    expect(err.message).toContain("no environment 'pr-13'; did you mean 'pr-12'?");
    expect(err.suggestions).toEqual([
      'Environments: dev, prod. On demand: pr-12. Pass --env NAME or set defaultEnvironment.',
    ]);
  });

  it('a defaultEnvironment that names no environment is a configuration problem with its line', async () => {
    project = bundled((f) => ({ project: f.project.replace('defaultEnvironment: dev', 'defaultEnvironment: prd') }));
    const err = await usage(choose());
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).problems).toEqual([
      expect.objectContaining({
        file: 'ecsdeploy.yaml',
        line: 10,
        key: 'defaultEnvironment',
        message: "no environment 'prd' (environments/prd.yaml does not exist); did you mean 'prod'?",
      }),
    ]);
  });
});

describe('chooseBase (env create NAME without --from)', () => {
  let project: { dir: string; cleanup: () => void };
  afterEach(() => project.cleanup());

  it('--from as typed; else ephemeral.defaultBase (the bundled project: dev), said in the note', () => {
    project = bundled();
    expect(chooseBase({ dir: project.dir, flag: 'prod' })).toEqual({ name: 'prod', source: 'flag' });
    expect(chooseBase({ dir: project.dir })).toEqual({
      name: 'dev',
      source: 'defaultBase',
      note: 'Base environment: dev (ephemeral.defaultBase in ecsdeploy.yaml; --from NAME for another)',
    });
  });

  it('else the only environment whose file has an ephemeral: block (the key in the file, not the schema default)', () => {
    project = bundled((f) => ({ project: withoutDefaults(f.project), dev: `${f.dev}ephemeral:\n  ttl: 8h\n` }));
    expect(chooseBase({ dir: project.dir })).toEqual({
      name: 'dev',
      source: 'ephemeral',
      note: 'Base environment: dev (the only environment with an ephemeral: block, in environments/dev.yaml; --from NAME for another)',
    });
  });

  it("else the project's only environment", () => {
    project = projectWith();
    expect(chooseBase({ dir: project.dir })).toMatchObject({ name: 'dev', source: 'only' });
  });

  it('none of those (no key, no block, two environments): exit 2 with the list', async () => {
    project = bundled((f) => ({ project: withoutDefaults(f.project) }));
    const err = await usage(() => chooseBase({ dir: project.dir }));
    expect(err.exitCode).toBe(ExitCode.Usage);
    expect(err.message).toBe(
      'env create needs a base environment: --from is not given, and ecsdeploy.yaml has no ephemeral.defaultBase.',
    );
    expect(err.suggestions).toEqual(['Environments: dev, prod. Pass --from NAME or set ephemeral.defaultBase.']);
  });

  it('a protected environment is never the base by default: typed only', async () => {
    project = bundled((f) => ({ project: withoutDefaults(f.project), prod: `${f.prod}ephemeral:\n  ttl: 8h\n` }));
    const err = await usage(() => chooseBase({ dir: project.dir }));
    expect(err.message).toBe(
      "env create makes environments from 'prod' only when --from prod is typed: it is protected (protected: true in environments/prod.yaml).",
    );
    expect(chooseBase({ dir: project.dir, flag: 'prod' }).name).toBe('prod');
  });
});

describe('config validate: defaultEnvironment and ephemeral.defaultBase', () => {
  it('the bundled project is valid with both', () => {
    expect(loadProject(REPO).config).toMatchObject({ defaultEnvironment: 'dev', ephemeral: { defaultBase: 'dev' } });
  });

  it('each must name an environment file; a default base must not be protected', () => {
    const p = bundled((f) => ({
      project: f.project
        .replace('defaultEnvironment: dev', 'defaultEnvironment: staging')
        .replace('defaultBase: dev', 'defaultBase: prod'),
    }));
    try {
      const err = (() => {
        try {
          loadProject(p.dir);
        } catch (e) {
          return e as ConfigError;
        }
        throw new Error('expected a ConfigError');
      })();
      expect(err.problems.map((x) => [x.key, x.line, x.message])).toEqual([
        [
          'defaultEnvironment',
          10,
          "no environment 'staging' (environments/staging.yaml does not exist); environments: dev, prod",
        ],
        [
          'ephemeral.defaultBase',
          12,
          "'prod' is protected (protected: true in environments/prod.yaml): env create never takes a protected environment by default; remove this key and name it with --from prod",
        ],
      ]);
    } finally {
      p.cleanup();
    }
  });
});
