/**
 * An environment on demand resolves wherever an environment name is accepted: openEnvironments
 * (what plan/apply/destroy use) and `synth --env`, whose fast path must notice a changed record.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { EphemeralRecord } from '../../src/config/ephemeral';
import { UsageError } from '../../src/errors';
import { localRecordStore } from '../../src/ops/environments';
import { openEnvironments, synthEnvironments } from '../../src/ops/project';
import { ephemeralRecord, lifecycleProject } from './helpers';

const record = (name: string, over: Partial<EphemeralRecord> = {}): EphemeralRecord =>
  ephemeralRecord(name, { slot: 3, status: 'ready', ...over });

let project: { dir: string; cleanup: () => void };
let out: string;
const store = () => localRecordStore(join(project.dir, '.ecsdeploy', 'environments'), project.dir);

beforeEach(async () => {
  project = lifecycleProject();
  out = mkdtempSync(join(tmpdir(), 'ecsdeploy-env-synth-'));
  await store().create(record('feature-x'));
});
afterEach(() => {
  project.cleanup();
  rmSync(out, { recursive: true, force: true });
});

describe('openEnvironments', () => {
  it('resolves a name without a file in environments/ from its record and its base', async () => {
    const { project: p, envs } = await openEnvironments(project.dir, ['feature-x']);
    expect(envs.map((e) => [e.name, e.ephemeral?.base, e.ephemeral?.slot, e.services.map((s) => s.name)])).toEqual([
      ['feature-x', 'dev', 3, ['api']],
    ]);
    expect(envs[0]!.tags).toMatchObject({ 'ecsdeploy:base': 'dev', 'ecsdeploy:owner': 'alice' });
    expect(p.environments.map((e) => e.name)).toEqual(['dev', 'feature-x']);
  });

  it('mixes permanent environments and environments on demand, in the order asked', async () => {
    const { envs } = await openEnvironments(project.dir, ['prod', 'feature-x']);
    expect(envs.map((e) => e.name)).toEqual(['prod', 'feature-x']);
  });

  it('a name that is neither is a usage error naming both kinds', async () => {
    const err = (await openEnvironments(project.dir, ['feature-y']).then(
      () => undefined,
      (e: unknown) => e,
    )) as UsageError;
    expect(err).toBeInstanceOf(UsageError);
    expect(err.message).toBe(
      `--env feature-y: no environment 'feature-y'; did you mean 'feature-x'? (there is no environments/feature-y.yaml, and no environment on demand of that name in ${join('.ecsdeploy', 'environments')})`,
    );
    expect(err.suggestions).toEqual([
      'Known environments: dev, prod; on demand: feature-x.',
      'Create one on demand with `ecsdeploy env create feature-y --from <environment>`.',
    ]);
  });

  it('a record whose base is gone says so', async () => {
    await store().create(record('orphan', { base: 'staging' }));
    await expect(openEnvironments(project.dir, ['orphan'])).rejects.toThrow(
      "environment 'orphan' was created from 'staging', which no longer exists (there is no environments/staging.yaml)",
    );
  });
});

describe('synth --env <environment on demand>', () => {
  const text = (stack: string) => readFileSync(join(out, 'stacks', stack, 'cdk.tf.json'), 'utf8');
  const digest = `sha256:${'d'.repeat(64)}`;

  it('synthesizes only its service stacks; unchanged, the fast path reuses them; a changed record is synthesized again', async () => {
    const first = await synthEnvironments(project.dir, ['feature-x'], { outDir: out });
    expect(first.stacks.map((s) => [s.name, s.cached])).toEqual([['feature-x-api', false]]);
    expect(text('feature-x-api')).not.toContain(digest);

    expect((await synthEnvironments(project.dir, ['feature-x'], { outDir: out })).stacks.map((s) => s.cached)).toEqual([
      true,
    ]);

    const { version } = (await store().get('feature-x'))!;
    await store().update(record('feature-x', { images: { api: digest } }), version);
    const third = await synthEnvironments(project.dir, ['feature-x'], { outDir: out });
    expect(third.stacks.map((s) => s.cached)).toEqual([false]);
    expect(text('feature-x-api')).toContain(digest);
  });
});
