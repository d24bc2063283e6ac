/**
 * Fault injection on the CLI's own AWS calls, run in-process (cheap, so many seeds): the release
 * store's compare-and-swap writes on S3, and the watcher of an ECS rolling deployment. Every run
 * goes through its own seeded fault proxy in front of one shared moto; the invariants are checked
 * by reading moto directly. See test/README.md "Fault injection".
 */
import {
  CreateBucketCommand,
  GetObjectCommand,
  ListObjectsV2Command,
  S3Client,
  type S3ClientConfig,
} from '@aws-sdk/client-s3';
import {
  CreateClusterCommand,
  CreateServiceCommand,
  DescribeServicesCommand,
  ECSClient,
  UpdateServiceCommand,
} from '@aws-sdk/client-ecs';
import { AwsClients, clientConfig } from '../../src/aws/clients';
import { ecsApi } from '../../src/aws/ecs';
import { objectStoreApi } from '../../src/aws/s3-objects';
import { drain, systemClock, watchEcsDeployment } from '../../src/ops/deploy-watch';
import {
  appendRelease,
  LedgerSchema,
  s3ReleaseStore,
  updateLedger,
  withRollout,
  type Ledger,
} from '../../src/ops/releases';
import { startMoto, type MotoServer } from '../support/moto';
import { e2eDescribe, TEARDOWN_MS } from '../e2e/support';
import { runSeeds, seeds, summary, twoRevisions } from './harness';

const REGION = 'us-east-1';
const BUCKET = 'faults-releases';
/** The watcher's runs cost more (a rollout takes a second): half of FAULT_SEEDS. */
const half = (list: number[]) => (list.length === 1 ? list : list.slice(0, Math.ceil(list.length / 2)));
const CHEAP_SEEDS = seeds('cheap', 200);
const DIGEST = (n: number) => `sha256:${n.toString(16).padStart(64, '0')}`;

e2eDescribe()('fault injection: the CLI’s own AWS calls (in-process)', () => {
  let moto: MotoServer;
  let s3: S3Client;
  let ecs: ECSClient;
  const saved = { ...process.env };

  beforeAll(async () => {
    // A rolling deployment takes a second in moto (patch 16, ecs-rolling-deployments): a few polls.
    moto = await startMoto({ env: { MOTO_ECS_ROLLOUT_SECONDS: '1' } });
    Object.assign(process.env, { AWS_ACCESS_KEY_ID: 'test', AWS_SECRET_ACCESS_KEY: 'test', AWS_REGION: REGION });
    const direct = { region: REGION, endpoint: moto.endpoint, forcePathStyle: true } satisfies S3ClientConfig;
    s3 = new S3Client(direct);
    ecs = new ECSClient({ region: REGION, endpoint: moto.endpoint });
    await s3.send(new CreateBucketCommand({ Bucket: BUCKET }));
    await ecs.send(new CreateClusterCommand({ clusterName: 'faults' }));
  }, 120_000);
  afterAll(async () => {
    s3?.destroy();
    ecs?.destroy();
    await moto?.stop();
    process.env = saved;
  }, TEARDOWN_MS);

  const storedLedger = async (key: string): Promise<Ledger | undefined> => {
    try {
      const out = await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: key }));
      return LedgerSchema.parse(JSON.parse(await out.Body!.transformToString()));
    } catch (err) {
      if ((err as { name?: string }).name === 'NoSuchKey') return undefined;
      throw err;
    }
  };

  /**
   * What `service deploy` does with the release store: record the release (compare-and-swap; a
   * lost race is a ReleaseConflictError), then record its outcome (updateLedger). Two releases per
   * run, so a ledger that already exists is written with If-Match as well as If-None-Match.
   */
  it(
    'release-store writes on S3: no record lost or duplicated, the answer true to what S3 holds',
    async () => {
      const logs = await runSeeds(
        'release-store',
        CHEAP_SEEDS,
        { target: moto.endpoint, rate: [0.1, 0.6], lifetimeMs: 60_000, concurrency: 6 },
        async (run) => {
          const service = `svc-${run.seed}-${Date.now().toString(36)}`;
          const key = `releases/dev/${service}.json`;
          const clients = new AwsClients({ region: REGION, endpoint: run.proxy.endpoint });
          const store = s3ReleaseStore(objectStoreApi(clients), BUCKET, 'releases');
          const said: Array<{ digest: string; recorded: boolean; refused: boolean; completed: boolean }> = [];
          for (const n of [1, 2]) {
            const digest = DIGEST(run.seed * 10 + n);
            const now = new Date().toISOString();
            let recorded = false;
            let refused = false;
            let completed = false;
            try {
              const { ledger, version } = await store.read('dev', service);
              const appended = appendRelease(
                ledger,
                {
                  kind: 'deploy',
                  image: { requested: `${n}.0`, repository: 'r', tag: `${n}.0`, digest, serviceRepository: true },
                  createdAt: now,
                  createdBy: `seed-${run.seed}`,
                },
                now,
              );
              recorded = (await store.write(appended.ledger, version)) !== undefined;
              refused = !recorded;
              if (!recorded) run.note(`#${n}: the store answered "someone else wrote first"`);
              else {
                await updateLedger(store, 'dev', service, (l) =>
                  withRollout(l, appended.release.id, { status: 'completed', updatedAt: new Date().toISOString() }),
                );
                completed = true;
              }
            } catch (err) {
              run.note(`#${n}: ${(err as Error).message.split('\n')[0]}`);
            }
            said.push({ digest, recorded, refused, completed });
            run.note(`#${n} recorded=${recorded} completed=${completed}`);
          }
          // Invariants, read from moto: nobody else writes this ledger, so "someone else wrote first"
          // is never true; what was said recorded is there exactly once; nothing is there twice.
          const stored = await storedLedger(key);
          const releases = stored?.releases ?? [];
          for (const s of said) {
            const found = releases.filter((r) => r.image.digest === s.digest);
            if (found.length > 1) run.problem(`${s.digest} recorded ${found.length} times`);
            if (s.recorded && found.length === 0) run.problem(`${s.digest} said recorded, not in S3 (lost)`);
            if (s.completed && found[0]?.rollout.status !== 'completed')
              run.problem(`${s.digest} said completed, S3 has ${found[0]?.rollout.status ?? 'nothing'}`);
          }
          const ids = releases.map((r) => r.id);
          if (new Set(ids).size !== ids.length) run.problem(`duplicate release ids ${ids.join(',')}`);
          for (const r of releases)
            if (!said.some((s) => s.digest === r.image.digest)) run.problem(`unexpected record ${r.image.digest}`);
          for (const s of said)
            // An error is an unknown outcome (the CLI says so); "someone else wrote first" claims nothing was written.
            if (s.refused && releases.some((r) => r.image.digest === s.digest))
              run.problem(
                `${s.digest} in S3 although the write was reported as not done (a lost ack taken for a lost race)`,
              );
        },
      );
      console.log(`release-store: ${summary(logs)}`);
      // No object but the run's own ledgers: nothing else written under the prefix.
      const keys = (await s3.send(new ListObjectsV2Command({ Bucket: BUCKET }))).Contents ?? [];
      expect(keys.every((k) => /^releases\/dev\/svc-\d+-[0-9a-z]+\.json$/.test(k.Key!))).toBe(true);
    },
    120_000 + CHEAP_SEEDS.length * 3000,
  );

  /**
   * What `service deploy` does after the apply for a rolling service: watch the ECS deployment of
   * the new task definition to its end. "completed" must mean moto runs the new task definition.
   */
  it(
    'service deploy watching (ECS rolling): "completed" only when ECS runs the new task definition',
    async () => {
      const logs = await runSeeds(
        'ecs-watch',
        half(CHEAP_SEEDS),
        { target: moto.endpoint, rate: [0.1, 0.5], lifetimeMs: 60_000, concurrency: 6 },
        async (run) => {
          const name = `web-${run.seed}-${Date.now().toString(36)}`;
          const [td1, td2] = await twoRevisions(ecs, name);
          await ecs.send(
            new CreateServiceCommand({ cluster: 'faults', serviceName: name, taskDefinition: td1, desiredCount: 0 }),
          );
          // The update goes through the proxy with the CLI's client settings (its retries).
          const clients = new AwsClients({ region: REGION, endpoint: run.proxy.endpoint });
          const proxied = new ECSClient(clientConfig({ region: REGION, endpoint: run.proxy.endpoint }));
          const startedAt = Date.now();
          let updated = false;
          try {
            await proxied.send(new UpdateServiceCommand({ cluster: 'faults', service: name, taskDefinition: td2 }));
            updated = true;
          } catch (err) {
            run.note(`update: ${(err as Error).name}`);
          } finally {
            proxied.destroy();
          }
          let outcome = 'not watched';
          if (updated) {
            try {
              const result = await drain(
                watchEcsDeployment(
                  ecsApi(clients),
                  { cluster: 'faults', service: name, taskDefinition: td2, startedAt, timeoutMs: 30_000 },
                  systemClock,
                  { cadence: { minMs: 200, maxMs: 1000, throttledMaxMs: 2000 } },
                ),
                () => undefined,
              );
              outcome = result.kind;
            } catch (err) {
              outcome = `error: ${(err as Error).message.split('\n')[0]}`;
            }
          }
          run.note(`outcome ${outcome}`);
          const svc = (await ecs.send(new DescribeServicesCommand({ cluster: 'faults', services: [name] })))
            .services![0]!;
          const primary = svc.deployments?.find((d) => d.status === 'PRIMARY');
          if (outcome === 'completed' && (svc.taskDefinition !== td2 || primary?.taskDefinition !== td2))
            run.problem(`said completed, ECS runs ${svc.taskDefinition} (primary ${primary?.taskDefinition})`);
          if (updated && outcome !== 'completed' && !outcome.startsWith('error'))
            run.problem(`the deployment completed in ECS, the watcher said ${outcome}`);
          // A re-run without faults converges: the watch of the same deployment says completed.
          if (outcome !== 'completed') {
            run.proxy.setRate(0);
            const again = await drain(
              watchEcsDeployment(
                ecsApi(new AwsClients({ region: REGION, endpoint: moto.endpoint })),
                { cluster: 'faults', service: name, taskDefinition: updated ? td2 : td1, startedAt, timeoutMs: 30_000 },
                systemClock,
                { cadence: { minMs: 200, maxMs: 1000 } },
              ),
              () => undefined,
            );
            if (again.kind !== 'completed') run.problem(`re-run without faults: ${again.kind}`);
          }
        },
      );
      console.log(`ecs-watch: ${summary(logs)}`);
    },
    120_000 + CHEAP_SEEDS.length * 3000,
  );
});
