/**
 * Records, state and ledgers kept in S3, through the real AWS SDK against moto: the conditional
 * writes that make two `env create` of one name impossible (If-None-Match) and keep a stale update
 * from overwriting (If-Match), listing under a prefix, and removing what an environment left. The
 * in-memory bucket of test/environments mimics exactly this; here S3's own answers are checked.
 */
import { CreateBucketCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import type { EphemeralRecord } from '../../src/config/ephemeral';
import type { ProjectConfig } from '../../src/config/schema';
import { s3RecordStore } from '../../src/ops/environments';
import { awsS3, openStateStore, removeReleaseLedgers } from '../../src/ops/environments/storage';
import { startMoto, type MotoServer } from '../support/moto';
import { ephemeralRecord } from '../environments/helpers';
import { e2eDescribe, TEARDOWN_MS } from './support';

const record = (over: Partial<EphemeralRecord> = {}): EphemeralRecord => ephemeralRecord('pr-1', over);

e2eDescribe()('environment records in S3 (moto)', () => {
  let moto: MotoServer;
  let s3: S3Client;
  const target = () => ({ region: 'us-east-1', endpoint: moto.endpoint });
  const keys = async (bucket: string, prefix = '') => awsS3(target()).keys.list(bucket, prefix);

  const saved = { ...process.env };
  beforeAll(async () => {
    moto = await startMoto();
    // The stores take credentials from the standard environment, like the CLI.
    Object.assign(process.env, { AWS_ACCESS_KEY_ID: 'test', AWS_SECRET_ACCESS_KEY: 'test' });
    s3 = new S3Client({ ...target(), forcePathStyle: true });
    for (const Bucket of ['acme-state', 'acme-releases']) await s3.send(new CreateBucketCommand({ Bucket }));
  }, 60_000);
  afterAll(async () => {
    s3?.destroy();
    await moto?.stop();
    process.env = saved;
  }, TEARDOWN_MS);

  it('of five creates of one name at once, exactly one wins; a stale update is refused; remove is final', async () => {
    const store = s3RecordStore(awsS3(target()), 'acme-state', 'ecsdeploy/environments');
    const versions = await Promise.all(
      Array.from({ length: 5 }, (_, i) => store.create(record({ owner: `user-${i}` }))),
    );
    const won = versions.filter((v): v is string => v !== undefined);
    expect(won).toHaveLength(1);

    const ready = await store.update(record({ status: 'ready' }), won[0]!);
    expect(ready).toEqual(expect.any(String));
    expect(await store.update(record({ status: 'failed' }), won[0]!)).toBeUndefined();
    expect((await store.get('pr-1'))!.record.status).toBe('ready');

    await store.create(record({ name: 'pr-2' }));
    expect((await store.list()).records.map((r) => r.record.name)).toEqual(['pr-1', 'pr-2']);
    await store.remove('pr-1');
    await store.remove('pr-1');
    expect(await store.get('pr-1')).toBeUndefined();
    expect(await keys('acme-state', 'ecsdeploy/environments/')).toEqual(['ecsdeploy/environments/pr-2.json']);
  }, 60_000);

  it("removes a stack's state object and lock file, and every release ledger of the environment, and nothing else", async () => {
    const put = (Bucket: string, Key: string, Body: string) => s3.send(new PutObjectCommand({ Bucket, Key, Body }));
    await put(
      'acme-state',
      'ecsdeploy/state/pr-1-api.tfstate',
      JSON.stringify({ version: 4, resources: [{ mode: 'managed' }], outputs: { url: { value: 'x' } } }),
    );
    await put('acme-state', 'ecsdeploy/state/pr-1-api.tfstate.tflock', '{}');
    await put('acme-state', 'ecsdeploy/state/pr-1-api-v2.tfstate', '{}');
    await put('acme-releases', 'ecsdeploy/releases/pr-1/api.json', '{}');
    await put('acme-releases', 'ecsdeploy/releases/pr-1/web.json', '{}');
    await put('acme-releases', 'ecsdeploy/releases/pr-10/api.json', '{}');
    const config = {
      project: 'acme',
      region: 'us-east-1',
      endpoint: moto.endpoint,
      state: { backend: 's3', bucket: 'acme-state', prefix: 'ecsdeploy/state' },
      releases: { store: 's3', bucket: 'acme-releases', prefix: 'ecsdeploy/releases' },
    } as ProjectConfig;

    const state = openStateStore('/nowhere', config, awsS3);
    expect(await state.read('pr-1-api')).toEqual({ resources: 1, outputs: { url: 'x' } });
    expect(await state.remove('pr-1-api')).toEqual([
      's3://acme-state/ecsdeploy/state/pr-1-api.tfstate',
      's3://acme-state/ecsdeploy/state/pr-1-api.tfstate.tflock',
    ]);
    expect(await state.read('pr-1-api')).toBeUndefined();
    expect(await keys('acme-state', 'ecsdeploy/state/pr-1')).toEqual(['ecsdeploy/state/pr-1-api-v2.tfstate']);

    expect(await removeReleaseLedgers('/nowhere', config, awsS3, 'pr-1')).toEqual([
      's3://acme-releases/ecsdeploy/releases/pr-1/api.json',
      's3://acme-releases/ecsdeploy/releases/pr-1/web.json',
    ]);
    expect(await keys('acme-releases')).toEqual(['ecsdeploy/releases/pr-10/api.json']);
  }, 60_000);
});
