/**
 * The S3 state backend against moto, as a team uses it: two checkouts of the project (two people)
 * share `state: { backend: s3 }` with S3 lock files (use_lockfile). Protects: the state lands in
 * the bucket under `<prefix>/<stack>.tfstate`; of two applies of one stack started together one
 * succeeds and the other fails with the lock message (who, since when, how to proceed); nothing
 * is lost: no lock left behind, and a new plan finds the state complete (no changes).
 */
import { CreateBucketCommand, GetObjectCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { rmSync } from 'node:fs';
import type { PlanReport } from '../../src/ops/infra';
import { startMoto, type MotoServer } from '../support/moto';
import { builtCli, cli, cliEnv, e2eDescribe, exampleProject, json, TEARDOWN_MS } from './support';

const BUCKET = 'shop-terraform-state';
const PREFIX = 'teams/shop';

e2eDescribe()('S3 state with lock files, against moto', () => {
  let moto: MotoServer;
  let alice: string;
  let bob: string;
  let s3: S3Client;

  beforeAll(async () => {
    builtCli();
    moto = await startMoto();
    s3 = new S3Client({
      region: 'eu-west-1',
      endpoint: moto.endpoint,
      forcePathStyle: true,
      credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    });
    await s3.send(
      new CreateBucketCommand({ Bucket: BUCKET, CreateBucketConfiguration: { LocationConstraint: 'eu-west-1' } }),
    );
    const s3State = (text: string) =>
      text.replace(/^state:\n(?: .*\n)*/m, `state:\n  backend: s3\n  bucket: ${BUCKET}\n  prefix: ${PREFIX}\n`);
    alice = exampleProject(moto.endpoint, s3State);
    bob = exampleProject(moto.endpoint, s3State);
  }, 60_000);
  afterAll(async () => {
    await moto?.stop();
    for (const d of [alice, bob]) if (d) rmSync(d, { recursive: true, force: true });
  }, TEARDOWN_MS);

  it('two applies of one stack at once: one applies, the other fails on the lock; the state is intact afterwards', async () => {
    const [a, b] = await Promise.all([
      cli(['apply', '--env', 'dev', '--stack', 'registry', '--yes'], alice, cliEnv(moto.endpoint, alice)),
      cli(['apply', '--env', 'dev', '--stack', 'registry', '--yes'], bob, cliEnv(moto.endpoint, bob)),
    ]);
    const results = [a, b].sort((x, y) => (x.code ?? 9) - (y.code ?? 9));
    const [won, lost] = results as [typeof a, typeof a];
    expect({ code: won.code, stderr: won.code === 0 ? '' : won.stderr }).toEqual({ code: 0, stderr: '' });
    expect(won.stdout).toContain('Applied: registry.');
    expect(lost.code).toBe(1);
    expect(lost.stderr).toMatch(
      /Error: The state of stack registry is locked: \S+ has been running `(plan|apply)` since \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC \(\d+ seconds? ago\) \(lock ID [0-9a-f-]+\)\. This run changed nothing in registry\./,
    );
    expect(lost.stderr).toMatch(
      /Try this: If that run died and nobody else is using the state, release the lock: terraform -chdir=cdktf\.out\/stacks\/registry force-unlock [0-9a-f-]+/,
    );

    // One key per stack under the prefix, no lock file left behind.
    const keys = (await s3.send(new ListObjectsV2Command({ Bucket: BUCKET }))).Contents?.map((o) => o.Key);
    expect(keys).toEqual([`${PREFIX}/registry.tfstate`]);
    const state = JSON.parse(
      await (
        await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: `${PREFIX}/registry.tfstate` }))
      ).Body!.transformToString(),
    ) as {
      resources: Array<{ type: string }>;
    };
    // One repository per service (orders, payments, web) and per job (nightly-report).
    expect(state.resources.map((r) => r.type).sort()).toEqual([
      ...Array(4).fill('aws_ecr_lifecycle_policy'),
      ...Array(4).fill('aws_ecr_repository'),
    ]);

    // The one who lost sees the applied state: nothing to do.
    const again = await cli(['plan', '--env', 'dev', '--stack', 'registry', '--json'], bob, cliEnv(moto.endpoint, bob));
    expect(json<PlanReport>(again).changes).toBe(false);
    expect(again.code).toBe(0);
  }, 300_000);
});
