/**
 * Service delivery's AWS side against a real AWS API (the moto server on 127.0.0.1): ECR tag →
 * digest resolution and its errors, the S3 release store with its conditional writes (the loser of
 * two concurrent deploys gets nothing written), and status / list reading real ECS, ELB and ECR
 * answers. Needs python3 with moto: skipped with a notice locally, a failure in CI.
 */
import { createHash } from 'node:crypto';
import { ECRClient, CreateRepositoryCommand, PutImageCommand } from '@aws-sdk/client-ecr';
import {
  CreateClusterCommand,
  CreateServiceCommand,
  ECSClient,
  RegisterTaskDefinitionCommand,
} from '@aws-sdk/client-ecs';
import { CreateTargetGroupCommand, ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { AwsClients } from '../../src/aws/clients';
import { ecrApi } from '../../src/aws/ecr';
import { objectStoreApi } from '../../src/aws/s3-objects';
import {
  appendRelease,
  localReleaseStore,
  resolveImage,
  s3ReleaseStore,
  updateLedger,
  withRollout,
  type NewRelease,
} from '../../src/ops/releases';
import { listServices, readDeps, serviceStatus } from '../../src/ops/service';
import { projectWith } from '../config/fixture-project';
import { awsTestEnv, startMoto, toolchain, type MotoServer } from '../support/moto';
import { isCI } from '../../src/ui/prompt';

const python = toolchain().python;
const reason = python
  ? undefined
  : (toolchain().missing.find((m) => /python|moto/.test(m)) ?? 'python3 with moto not found');
if (reason && isCI()) throw new Error(`moto tests need python3 with moto 5.2.1, and CI must have it: ${reason}`);
if (reason) console.warn(`moto tests skipped: ${reason}`);
const maybe = reason ? describe.skip : describe;

const REGION = 'us-east-1';

maybe('against moto', () => {
  let moto: MotoServer;
  let saved: NodeJS.ProcessEnv;
  let clients: AwsClients;
  beforeAll(async () => {
    moto = await startMoto();
    saved = { ...process.env };
    Object.assign(process.env, awsTestEnv(moto.endpoint));
    clients = new AwsClients({ region: REGION, endpoint: moto.endpoint });
  }, 60_000);
  afterAll(async () => {
    process.env = saved;
    await moto?.stop();
  }, 30_000); // stopping moto may take 10 s (SIGTERM, then SIGKILL)

  const config = () => ({
    region: REGION,
    endpoint: moto.endpoint,
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
  });

  /** Pushes a (fake, distinct) image manifest; returns its digest as ECR computes it. */
  async function push(repository: string, tag: string): Promise<string> {
    const manifest = JSON.stringify({
      schemaVersion: 2,
      mediaType: 'application/vnd.docker.distribution.manifest.v2+json',
      config: {
        mediaType: 'application/vnd.docker.container.image.v1+json',
        size: 7023,
        digest: `sha256:${createHash('sha256').update(tag).digest('hex')}`,
      },
      // moto derives the digest from the layers' digests
      layers: [
        {
          mediaType: 'application/vnd.docker.image.rootfs.diff.tar.gzip',
          size: 1024,
          digest: `sha256:${createHash('sha256').update(`layer ${repository}:${tag}`).digest('hex')}`,
        },
      ],
    });
    const out = await new ECRClient(config()).send(
      new PutImageCommand({ repositoryName: repository, imageManifest: manifest, imageTag: tag }),
    );
    return out.image!.imageId!.imageDigest!;
  }

  describe('ECR: tag → digest', () => {
    let d100: string;
    let d110: string;
    beforeAll(async () => {
      await new ECRClient(config()).send(new CreateRepositoryCommand({ repositoryName: 'acme/api' }));
      d100 = await push('acme/api', '1.0.0');
      d110 = await push('acme/api', '1.1.0');
    }, 30_000); // the first SDK calls of the file load and compile the ECR client: seconds on a loaded machine
    const ctx = () => ({
      ecr: ecrApi(clients),
      region: REGION,
      repositoryName: 'acme/api',
      environments: ['dev'],
      allowMutableTag: false,
    });

    it('resolves a tag to the digest ECR reports, in the repository ECR names', async () => {
      const image = await resolveImage('1.1.0', ctx());
      expect(image).toEqual({
        requested: '1.1.0',
        repository: '123456789012.dkr.ecr.us-east-1.amazonaws.com/acme/api',
        tag: '1.1.0',
        digest: d110,
        serviceRepository: true,
      });
      expect(d110).toMatch(/^sha256:[0-9a-f]{64}$/);
      expect(d110).not.toBe(d100);
    });

    it('a missing tag: the error lists the tags that exist', async () => {
      await expect(resolveImage('2.0.0', ctx())).rejects.toThrow(
        /^--image 2\.0\.0: there is no tag '2\.0\.0' in the ECR repository acme\/api\. Newest tags: (1\.1\.0; 1\.0\.0|1\.0\.0; 1\.1\.0)\.$/,
      );
    });

    it('a digest is checked against the repository', async () => {
      expect((await resolveImage(d100, ctx())).digest).toBe(d100);
      await expect(resolveImage(`sha256:${'0'.repeat(64)}`, ctx())).rejects.toThrow(
        'there is no image with that digest',
      );
    });

    it('a missing repository says to create the registry', async () => {
      await expect(resolveImage('1.0.0', { ...ctx(), repositoryName: 'acme/nope' })).rejects.toThrow(
        "There is no ECR repository 'acme/nope' in us-east-1",
      );
    });
  });

  describe('S3 release store', () => {
    const bucket = 'acme-releases';
    const release = (tag: string): NewRelease => ({
      kind: 'deploy',
      image: {
        requested: tag,
        repository: 'r',
        tag,
        digest: `sha256:${createHash('sha256').update(tag).digest('hex')}`,
        serviceRepository: true,
      },
      createdAt: '2026-01-15T10:00:00.000Z',
      createdBy: tag === 'a' ? 'alice' : 'bob',
    });
    beforeAll(async () => {
      await new S3Client({ ...config(), forcePathStyle: true }).send(new CreateBucketCommand({ Bucket: bucket }));
    }, 30_000);

    it('writes the first ledger only if none exists (If-None-Match), then only over the version read (If-Match)', async () => {
      const store = s3ReleaseStore(objectStoreApi(clients), bucket, 'team/releases');
      const empty = await store.read('dev', 'first');
      expect(empty.version).toBeUndefined();
      const v1 = await store.write(appendRelease(empty.ledger, release('a'), 't').ledger, undefined);
      expect(v1).toEqual(expect.any(String));
      expect(await store.write(appendRelease(empty.ledger, release('b'), 't').ledger, undefined)).toBeUndefined();
      const read = await store.read('dev', 'first');
      expect(read.version).toBe(v1);
      expect(read.ledger.releases.map((r) => r.createdBy)).toEqual(['alice']);
      expect(store.location).toBe('s3://acme-releases/team/releases');
    });

    it('two concurrent deploys of one service: the second write is refused and nothing of the first is lost', async () => {
      const store = s3ReleaseStore(objectStoreApi(clients), bucket, 'team/releases');
      const seed = await store.read('dev', 'orders');
      await store.write(appendRelease(seed.ledger, release('seed'), 't').ledger, seed.version);
      // Both read version 1 ...
      const alice = await store.read('dev', 'orders');
      const bob = await store.read('dev', 'orders');
      // ... alice records release 2 first; bob's write over the same version is refused.
      expect(await store.write(appendRelease(alice.ledger, release('a'), 't').ledger, alice.version)).toBeDefined();
      expect(await store.write(appendRelease(bob.ledger, release('b'), 't').ledger, bob.version)).toBeUndefined();
      const { ledger } = await store.read('dev', 'orders');
      expect(ledger.releases.map((r) => [r.id, r.createdBy])).toEqual([
        [1, 'bob'],
        [2, 'alice'],
      ]);
      // An outcome update re-reads and retries; it keeps alice's release.
      await updateLedger(store, 'dev', 'orders', (l) => withRollout(l, 2, { status: 'completed', updatedAt: 'later' }));
      expect((await store.read('dev', 'orders')).ledger.releases.map((r) => r.rollout.status)).toEqual([
        'pending',
        'completed',
      ]);
    });

    it('a missing bucket says which one and what to do', async () => {
      const store = s3ReleaseStore(objectStoreApi(clients), 'no-such-bucket', 'x');
      await expect(store.read('dev', 'api')).rejects.toThrow(
        "There is no S3 bucket 'no-such-bucket' (ecsdeploy.yaml releases.bucket).",
      );
    });
  });

  describe('status and list read real ECS answers', () => {
    let project: ReturnType<typeof projectWith>;
    let digest: string;
    let taskDefinition: string;
    beforeAll(async () => {
      project = projectWith();
      const ecs = new ECSClient(config());
      await ecs.send(new CreateClusterCommand({ clusterName: 'acme-dev' }));
      digest = await push('acme/api', '1.2.0');
      const td = await ecs.send(
        new RegisterTaskDefinitionCommand({
          family: 'acme-dev-api',
          containerDefinitions: [
            {
              name: 'api',
              image: `123456789012.dkr.ecr.us-east-1.amazonaws.com/acme/api@${digest}`,
              memory: 512,
              portMappings: [{ containerPort: 8080 }],
            },
          ],
        }),
      );
      taskDefinition = td.taskDefinition!.taskDefinitionArn!;
      const tg = await new ElasticLoadBalancingV2Client(config()).send(
        new CreateTargetGroupCommand({ Name: 'acme-dev-api', TargetType: 'lambda' }),
      );
      await ecs.send(
        new CreateServiceCommand({
          cluster: 'acme-dev',
          serviceName: 'api',
          taskDefinition,
          desiredCount: 2,
          loadBalancers: [
            { targetGroupArn: tg.TargetGroups![0]!.TargetGroupArn!, containerName: 'api', containerPort: 8080 },
          ],
        }),
      );
    }, 30_000);
    afterAll(() => project.cleanup());

    const deps = () => readDeps(); // the SDK, against moto (AWS_ENDPOINT_URL)

    it('status: the service with no release yet; counts, deployments and the image ECS runs', async () => {
      const status = await serviceStatus({ dir: project.dir, env: 'dev', service: 'api' }, deps());
      expect(status.release).toBeUndefined();
      expect(status.ecs).toMatchObject({
        cluster: 'acme-dev',
        service: 'api',
        desired: 2,
        taskDefinition,
        image: `123456789012.dkr.ecr.us-east-1.amazonaws.com/acme/api@${digest}`,
        deploymentController: 'ECS',
      });
      expect(status.ecs!.deployments).toEqual([
        expect.objectContaining({ status: 'PRIMARY', taskDefinition, desired: 2 }),
      ]);
      expect(status.targets).toEqual([
        { targetGroupArn: expect.stringContaining(':targetgroup/acme-dev-api/'), targets: [] },
      ]);
    });

    it('status: a release whose digest ECS does not run is a warning', async () => {
      const store = localReleaseStore(`${project.dir}/.ecsdeploy/releases`, project.dir);
      const empty = await store.read('dev', 'api');
      const other: NewRelease = {
        kind: 'deploy',
        image: {
          requested: '9.9.9',
          repository: 'r',
          tag: '9.9.9',
          digest: `sha256:${'9'.repeat(64)}`,
          serviceRepository: true,
        },
        createdAt: 't',
        createdBy: 'carol',
      };
      await store.write(appendRelease(empty.ledger, other, 't').ledger, undefined);
      const status = await serviceStatus({ dir: project.dir, env: 'dev', service: 'api' }, deps());
      expect(status.release?.id).toBe(1);
      expect(status.warnings).toContain(
        `ECS runs 123456789012.dkr.ecr.us-east-1.amazonaws.com/acme/api@${digest}, not release #1 (sha256:${'9'.repeat(64)}).`,
      );
    });

    it('list: every service of the environment with its release and counts', async () => {
      const list = await listServices({ dir: project.dir, env: 'dev' }, deps());
      expect(list).toMatchObject({ environment: 'dev', cluster: 'acme-dev' });
      expect(list.services).toEqual([
        expect.objectContaining({
          service: 'api',
          ecsService: 'api',
          desired: 2,
          deployments: 1,
          taskDefinition: 'acme-dev-api:1',
          release: expect.objectContaining({ id: 1 }),
        }),
      ]);
    });

    it('an environment whose cluster does not exist: a clear error', async () => {
      const other = projectWith({ 'environments/qa.yaml': 'network:\n  create:\n    cidr: 10.20.0.0/16\n' });
      try {
        await expect(listServices({ dir: other.dir, env: 'qa' }, deps())).rejects.toThrow(
          "There is no ECS cluster 'acme-qa' in us-east-1.",
        );
      } finally {
        other.cleanup();
      }
    });
  });
});
