/**
 * The record stores, local and S3, behave alike: create only if absent (of racing creates exactly
 * one wins), update only if unchanged, list what parses and report what does not. And with
 * `state.backend: s3`, records, state and release ledgers live in S3 where the team shares them, and
 * create→destroy leaves no object behind.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  environmentDeps,
  createEnvironment,
  destroyEnvironment,
  listEnvironments,
  localRecordStore,
  s3RecordStore,
  type RecordStore,
} from '../../src/ops/environments';
import { s3StateKey } from '../../src/ops/environments/storage';
import { appendRelease, emptyLedger, s3ReleaseStore } from '../../src/ops/releases';
import { projectWith } from '../config/fixture-project';
import { synthProject } from '../synth/helpers';
import { ephemeralRecord, fakeClock, lifecycleProject, memoryS3, recordingInfra } from './helpers';

const record = ephemeralRecord;

const stores: Array<
  [string, () => { store: RecordStore; corrupt: (name: string, text: string) => void; cleanup: () => void }]
> = [
  [
    'local',
    () => {
      const root = mkdtempSync(join(tmpdir(), 'ecsdeploy-records-'));
      const dir = join(root, '.ecsdeploy', 'environments');
      return {
        store: localRecordStore(dir, root),
        corrupt: (name, text) => {
          mkdirSync(dir, { recursive: true });
          writeFileSync(join(dir, `${name}.json`), text);
        },
        cleanup: () => rmSync(root, { recursive: true, force: true }),
      };
    },
  ],
  [
    's3',
    () => {
      const bucket = memoryS3();
      return {
        store: s3RecordStore(bucket.access({ region: 'us-east-1' }), 'team-state', 'ecsdeploy/environments'),
        corrupt: (name, text) => bucket.data.set(`team-state/ecsdeploy/environments/${name}.json`, text),
        cleanup: () => undefined,
      };
    },
  ],
];

describe.each(stores)('%s record store', (_kind, make) => {
  let s: ReturnType<typeof make>;
  beforeEach(() => {
    s = make();
  });
  afterEach(() => s.cleanup());

  it('creates a record only if none of that name exists', async () => {
    expect(await s.store.create(record('a'))).toEqual(expect.any(String));
    expect(await s.store.create(record('a', { owner: 'bob' }))).toBeUndefined();
    expect((await s.store.get('a'))!.record.owner).toBe('alice');
  });

  it('of ten creates of one name at once, exactly one wins', async () => {
    const versions = await Promise.all(
      Array.from({ length: 10 }, (_, i) => s.store.create(record('a', { owner: `user-${i}` }))),
    );
    expect(versions.filter((v) => v !== undefined)).toHaveLength(1);
  });

  it('updates only from the version that was read', async () => {
    const v1 = (await s.store.create(record('a')))!;
    const v2 = await s.store.update(record('a', { status: 'ready' }), v1);
    expect(v2).toEqual(expect.any(String));
    expect(await s.store.update(record('a', { status: 'failed' }), v1)).toBeUndefined();
    expect((await s.store.get('a'))!).toEqual({ record: record('a', { status: 'ready' }), version: v2 });
  });

  it('does not bring back a removed record by an update', async () => {
    const v1 = (await s.store.create(record('a')))!;
    await s.store.remove('a');
    expect(await s.store.update(record('a', { status: 'ready' }), v1)).toBeUndefined();
    expect(await s.store.get('a')).toBeUndefined();
    await s.store.remove('a'); // removing twice is fine
  });

  it('lists records by name and reports the ones that do not parse', async () => {
    await s.store.create(record('b'));
    await s.store.create(record('a'));
    s.corrupt('c', '{"version": 2}');
    s.corrupt('d', JSON.stringify(record('e')));
    const { records, problems } = await s.store.list();
    expect(records.map((r) => r.record.name)).toEqual(['a', 'b']);
    expect(problems.map((p) => [p.name, p.message])).toEqual([
      [
        'c',
        expect.stringMatching(
          /^The environment record \S+c\.json is not valid: version: Invalid input: expected 1; name: /,
        ),
      ],
      [
        'd',
        expect.stringMatching(/^The environment record \S+d\.json is not valid: it is the record of 'e', not 'd'$/),
      ],
    ]);
  });
});

it('the S3 state key of a stack is the one its synthesized backend uses', () => {
  // Read back from what synth writes, not from the function s3StateKey is made of: a test comparing
  // the two names of one function could never fail.
  for (const prefix of ['ecsdeploy', 'teams/shop/', 'a//']) {
    const p = projectWith({
      'ecsdeploy.yaml': `project: acme\nregion: eu-west-1\nstate:\n  backend: s3\n  bucket: acme-state\n  prefix: ${JSON.stringify(prefix)}\n`,
    });
    try {
      const s = synthProject(p.dir);
      try {
        for (const { name } of s.stacks) {
          const backend = (s.json(name).terraform?.['backend'] as { s3: { key: string } }).s3;
          expect([name, s3StateKey(prefix, name)]).toEqual([name, backend.key]);
        }
      } finally {
        s.cleanup();
      }
    } finally {
      p.cleanup();
    }
  }
});

describe('with state and releases in S3', () => {
  const S3_PROJECT = `project: acme
region: us-east-1
state:
  backend: s3
  bucket: acme-state
  prefix: ecsdeploy/state
releases:
  store: s3
  bucket: acme-releases
`;
  it('records live in the state bucket; create then destroy leaves no object behind', async () => {
    const project = lifecycleProject({ 'ecsdeploy.yaml': S3_PROJECT });
    try {
      const bucket = memoryS3();
      const infra = recordingInfra({ state: { kind: 's3', bucket, name: 'acme-state', prefix: 'ecsdeploy/state' } });
      const releases = s3ReleaseStore(bucket.objects, 'acme-releases', 'ecsdeploy/releases');
      const deps = { infra: () => infra, clock: fakeClock(), env: { USER: 'alice' }, s3: bucket.access, releases };
      const before = [...bucket.data.keys()];

      await createEnvironment({ dir: project.dir, name: 'pr-7', from: 'dev', services: ['api', 'web'] }, deps);
      await releases.write(
        appendRelease(
          emptyLedger('pr-7', 'web'),
          {
            image: { requested: 'x', repository: 'r', digest: `sha256:${'e'.repeat(64)}`, serviceRepository: true },
            kind: 'deploy',
            createdAt: 'now',
            createdBy: 'alice',
          },
          'now',
        ).ledger,
        undefined,
      );
      expect(bucket.list('acme-state')).toEqual([
        'ecsdeploy/state/environments/pr-7.json',
        'ecsdeploy/state/pr-7-api.tfstate',
        'ecsdeploy/state/pr-7-web.tfstate',
      ]);
      expect(bucket.list('acme-releases')).toEqual(['ecsdeploy/releases/pr-7/web.json']);
      // A teammate's `env list` (another machine: only the bucket is shared) sees it.
      expect(
        (await listEnvironments({ dir: project.dir }, { ...environmentDeps(), s3: bucket.access })).environments.map(
          (e) => e.name,
        ),
      ).toEqual(['dev', 'prod', 'pr-7']);

      const result = await destroyEnvironment({ dir: project.dir, name: 'pr-7' }, deps);
      expect([...bucket.data.keys()]).toEqual(before);
      expect(result.removed).toEqual(
        expect.arrayContaining([
          's3://acme-state/ecsdeploy/state/pr-7-api.tfstate',
          's3://acme-releases/ecsdeploy/releases/pr-7/web.json',
          's3://acme-state/ecsdeploy/state/environments/pr-7.json',
        ]),
      );
    } finally {
      project.cleanup();
    }
  });
});
