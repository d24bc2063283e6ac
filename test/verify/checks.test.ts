/**
 * Each check of `ecsdeploy verify` against recorded AWS answers, through the real adapters:
 * manifest lists with and without arm64, OCI indexes, single manifests and their config blobs,
 * missing secrets and files, roles not created yet or not trusting ECS, denied and unavailable
 * policy simulations, target groups, and capacity.
 */
import { verifyServices, type CheckName, type CheckResult, type VerifyReport } from '../../src/ops/verify';
import { armFargate, openExample, ordersImage, type Opened } from './project';
import {
  ACCOUNT,
  awsFailure,
  batchGetImage,
  CONFIG_DIGEST,
  ecsTrust,
  getRole,
  manifestList,
  ociIndex,
  ORDERS_DIGEST,
  recordedDeps,
  singleManifest,
  type Recorded,
} from './recorded';

const LIST = 'application/vnd.docker.distribution.manifest.list.v2+json';

/** AWS as it answers for a healthy dev environment after the first apply (orders: EC2, t3.medium). */
function healthy(): Recorded {
  return {
    BatchGetImage: batchGetImage(
      'shop/orders',
      ORDERS_DIGEST,
      manifestList([{ architecture: 'amd64' }, { architecture: 'arm64', variant: 'v8' }]),
      LIST,
    ),
    DescribeParameters: (input) => {
      const names = (input['ParameterFilters'] as Array<{ Values: string[] }>)[0]!.Values;
      return {
        Parameters: names
          .filter((n) => n === '/shop/orders/database-url')
          .map((Name) => ({
            Name,
            Type: 'SecureString',
            KeyId: 'alias/aws/ssm',
            Version: 3,
            Tier: 'Standard',
            DataType: 'text',
          })),
      };
    },
    GetRole: getRole({ 'shop-dev-orders-exec': ecsTrust(), 'shop-dev-orders-task': ecsTrust() }),
    SimulatePrincipalPolicy: (input) => ({
      EvaluationResults: (input['ResourceArns'] as string[]).map((r) => ({
        EvalActionName: input['ActionNames'] as string[] as unknown as string,
        EvalResourceName: r,
        EvalDecision: 'allowed',
        MatchedStatements: [{ SourcePolicyId: 'PolicyInputList.1' }],
      })),
      IsTruncated: false,
    }),
    DescribeInstanceTypes: () => ({
      InstanceTypes: [
        {
          InstanceType: 't3.medium',
          VCpuInfo: { DefaultVCpus: 2, DefaultCores: 1 },
          MemoryInfo: { SizeInMiB: 4096 },
          ProcessorInfo: { SupportedArchitectures: ['x86_64'] },
        },
      ],
    }),
    DescribeTargetGroups: (input) => {
      const name = (input['Names'] as string[])[0]!;
      if (name !== 'shop-dev-orders')
        return awsFailure('TargetGroupNotFoundException', 400, 'One or more target groups not found');
      return {
        TargetGroups: [
          {
            TargetGroupArn: `arn:aws:elasticloadbalancing:eu-west-1:${ACCOUNT}:targetgroup/shop-dev-orders/50dc6c495c0c9188`,
            TargetGroupName: name,
            Protocol: 'HTTP',
            Port: 8080,
            TargetType: 'instance',
            HealthCheckEnabled: true,
            HealthCheckPath: '/health',
          },
        ],
      };
    },
  };
}

function lines(report: VerifyReport, check: CheckName): CheckResult[] {
  return report.checks.filter((c) => c.check === check);
}
function one(report: VerifyReport, check: CheckName, subject?: string): CheckResult {
  const found = lines(report, check).filter((c) => subject === undefined || c.subject.includes(subject));
  if (found.length !== 1)
    throw new Error(
      `expected one ${check} line${subject ? ` about ${subject}` : ''}, got:\n${report.checks.map((c) => `${c.status} ${c.check} ${c.subject}: ${c.detail}`).join('\n')}`,
    );
  return found[0]!;
}

async function verifyOrders(
  p: Opened,
  recorded: Recorded,
  options: Parameters<typeof recordedDeps>[1] = {},
): Promise<VerifyReport> {
  return verifyServices(
    p.project,
    p.env,
    [{ service: p.service('orders'), image: ordersImage() }],
    recordedDeps(recorded, options),
  );
}

describe('verify checks with recorded AWS answers', () => {
  let p: Opened;
  afterEach(() => p.cleanup());

  it('a healthy service after its first apply: every check ok, no problem', async () => {
    p = await openExample();
    const calls: string[] = [];
    const report = await verifyOrders(p, healthy(), { calls });
    expect(report.problems).toBe(0);
    expect(report.checks.map((c) => [c.status, c.check])).toEqual([
      ['not-checked', 'account'],
      ['ok', 'image'],
      ['ok', 'platform'],
      ['ok', 'role'],
      ['ok', 'role'],
      ['ok', 'secret'],
      ['ok', 'read-permission'],
      ['ok', 'target-group'],
      ['ok', 'capacity'],
    ]);
    // EC2 without runtimePlatform: the platform is the instance types' architecture.
    expect(one(report, 'platform').detail).toBe('the manifest list offers linux/amd64 (the architecture of t3.medium)');
    expect(one(report, 'capacity').detail).toBe('fits t3.medium: 2048 CPU units, ~3809 MiB for tasks');
    // Never a secret's value: SSM is asked for metadata only.
    expect(calls.filter((c) => /GetParameter|GetSecretValue/.test(c.split(' ')[0]!))).toEqual([]);
    // ECR is asked for every manifest type.
    expect(calls.find((c) => c.startsWith('BatchGetImage'))).toContain('application/vnd.oci.image.index.v1+json');
  });

  it('an arm64 task and a manifest list that offers arm64: ok', async () => {
    p = await openExample(armFargate);
    const report = await verifyOrders(p, healthy());
    expect(one(report, 'platform')).toMatchObject({
      status: 'ok',
      detail: 'the manifest list offers linux/arm64 (runtimePlatform, Fargate)',
    });
    expect(one(report, 'capacity')).toMatchObject({ status: 'ok', subject: 'Fargate 256 CPU units / 512 MiB' });
  });

  it('an arm64 task and a manifest list without arm64: a problem', async () => {
    p = await openExample(armFargate);
    const report = await verifyOrders(p, {
      ...healthy(),
      BatchGetImage: batchGetImage('shop/orders', ORDERS_DIGEST, manifestList([{ architecture: 'amd64' }]), LIST),
    });
    expect(one(report, 'platform')).toMatchObject({
      status: 'problem',
      detail:
        'the task runs on linux/arm64 (runtimePlatform, Fargate), but the manifest list offers only linux/amd64: the container would fail with "exec format error" or not start',
    });
    expect(report.problems).toBe(1);
  });

  it('an OCI index: its attestation manifest is no platform', async () => {
    p = await openExample(armFargate);
    const report = await verifyOrders(p, {
      ...healthy(),
      BatchGetImage: batchGetImage(
        'shop/orders',
        ORDERS_DIGEST,
        ociIndex(['amd64']),
        'application/vnd.oci.image.index.v1+json',
      ),
    });
    expect(one(report, 'platform')).toMatchObject({
      status: 'problem',
      detail: expect.stringContaining('the OCI index offers only linux/amd64:'),
    });
  });

  it('a single-platform manifest: the architecture comes from its config blob', async () => {
    p = await openExample(armFargate);
    const url = 'https://prod-eu-west-1-starport-layer-bucket.s3.eu-west-1.amazonaws.com/config?X-Amz-Signature=abc';
    const recorded: Recorded = {
      ...healthy(),
      BatchGetImage: batchGetImage(
        'shop/orders',
        ORDERS_DIGEST,
        singleManifest(),
        'application/vnd.docker.distribution.manifest.v2+json',
      ),
      GetDownloadUrlForLayer: (input) =>
        input['layerDigest'] === CONFIG_DIGEST
          ? { downloadUrl: url, layerDigest: CONFIG_DIGEST }
          : awsFailure('LayersNotFoundException'),
    };
    const arm = await verifyOrders(p, recorded, {
      blobs: {
        [url]: {
          architecture: 'arm64',
          os: 'linux',
          variant: 'v8',
          config: { Env: ['PATH=/usr/bin'] },
          rootfs: { type: 'layers' },
        },
      },
    });
    expect(one(arm, 'platform')).toMatchObject({
      status: 'ok',
      detail: 'the image config offers linux/arm64 (runtimePlatform, Fargate)',
    });
    const amd = await verifyOrders(p, recorded, { blobs: { [url]: { architecture: 'amd64', os: 'linux' } } });
    expect(one(amd, 'platform')).toMatchObject({
      status: 'problem',
      detail: expect.stringContaining('the image config offers only linux/amd64'),
    });
  });

  it('a single-platform manifest where ECR hands out no blob URL (moto): not checked, saying why', async () => {
    p = await openExample(armFargate);
    const report = await verifyOrders(p, {
      ...healthy(),
      BatchGetImage: batchGetImage(
        'shop/orders',
        ORDERS_DIGEST,
        singleManifest(),
        'application/vnd.docker.distribution.manifest.v2+json',
      ),
      GetDownloadUrlForLayer: () => awsFailure('NotImplemented', 400, 'moto does not implement GetDownloadUrlForLayer'),
    });
    expect(one(report, 'platform')).toMatchObject({
      status: 'not-checked',
      detail:
        'a single-platform image, whose platform only its config blob says: the endpoint does not implement ECR GetDownloadUrlForLayer (NotImplemented: moto does not implement GetDownloadUrlForLayer)',
    });
    expect(report.problems).toBe(0);
  });

  it('a digest ECR does not have: a problem', async () => {
    p = await openExample();
    const report = await verifyServices(
      p.project,
      p.env,
      [{ service: p.service('orders'), image: ordersImage(`sha256:${'0'.repeat(64)}`) }],
      recordedDeps(healthy()),
    );
    expect(one(report, 'image')).toMatchObject({
      status: 'problem',
      detail: expect.stringContaining(
        `ECR has no image with digest sha256:${'0'.repeat(64)} in shop/orders (account ${ACCOUNT}, eu-west-1)`,
      ),
    });
    expect(one(report, 'platform').status).toBe('not-checked');
  });

  it('a missing SSM parameter: a problem; its read permission is not simulated', async () => {
    p = await openExample();
    const report = await verifyOrders(p, { ...healthy(), DescribeParameters: () => ({ Parameters: [] }) });
    expect(one(report, 'secret')).toMatchObject({
      status: 'problem',
      subject: '/shop/orders/database-url',
      detail:
        'there is no SSM parameter /shop/orders/database-url in eu-west-1: the tasks would stop with ResourceInitializationError',
    });
    expect(lines(report, 'read-permission')).toEqual([]);
  });

  it('a missing Secrets Manager secret: a problem (payments)', async () => {
    p = await openExample();
    const report = await verifyServices(
      p.project,
      p.env,
      [
        {
          service: p.service('payments'),
          image: { ...ordersImage(), repository: `${ACCOUNT}.dkr.ecr.eu-west-1.amazonaws.com/shop/payments` },
        },
      ],
      recordedDeps({
        ...healthy(),
        BatchGetImage: batchGetImage('shop/payments', ORDERS_DIGEST, manifestList([{ architecture: 'amd64' }]), LIST),
        DescribeSecret: (input) =>
          awsFailure(
            'ResourceNotFoundException',
            400,
            `Secrets Manager can't find the specified secret. (${String(input['SecretId'])})`,
          ),
        GetRole: getRole({}),
        DescribeTargetGroups: () => awsFailure('TargetGroupNotFoundException'),
      }),
    );
    expect(one(report, 'secret')).toMatchObject({
      status: 'problem',
      detail: expect.stringMatching(
        /^there is no Secrets Manager secret arn:aws:secretsmanager:eu-west-1:123456789012:secret:shop\/payments\/stripe-AbCdEf/,
      ),
    });
    // The FireLens sidecar's image is on public.ecr.aws: not read, and said so.
    expect(one(report, 'image', 'log-router')).toMatchObject({
      status: 'not-checked',
      detail: expect.stringContaining('outside ECR'),
    });
    // Blue-green: two target groups, not created yet.
    expect(lines(report, 'target-group').map((c) => [c.subject, c.status])).toEqual([
      ['shop-dev-payments-blue', 'not-checked'],
      ['shop-dev-payments-green', 'not-checked'],
    ]);
  });

  it('before the first apply: the roles and target group are not checked (not created yet), not problems', async () => {
    p = await openExample();
    const report = await verifyOrders(p, {
      ...healthy(),
      GetRole: getRole({}),
      DescribeTargetGroups: () => awsFailure('TargetGroupNotFoundException'),
    });
    expect(lines(report, 'role').map((c) => [c.status, c.subject, c.detail])).toEqual([
      ['not-checked', 'execution role shop-dev-orders-exec', 'not created yet (the first apply creates it)'],
      ['not-checked', 'task role shop-dev-orders-task', 'not created yet (the first apply creates it)'],
    ]);
    expect(one(report, 'read-permission')).toMatchObject({
      status: 'not-checked',
      detail:
        'the execution role shop-dev-orders-exec is not created yet (the first apply creates it, granted exactly these)',
    });
    expect(one(report, 'target-group')).toMatchObject({
      status: 'not-checked',
      detail: 'not created yet (the first apply creates it)',
    });
    expect(report.problems).toBe(0);
  });

  it('a denied simulation (permissions boundary): a problem, though the apply grants the parameter', async () => {
    p = await openExample();
    const requests: Array<Record<string, unknown>> = [];
    const report = await verifyOrders(p, {
      ...healthy(),
      SimulatePrincipalPolicy: (input) => {
        requests.push(input);
        return {
          EvaluationResults: [
            {
              EvalActionName: 'ssm:GetParameters',
              EvalResourceName: `arn:aws:ssm:eu-west-1:${ACCOUNT}:parameter/shop/orders/database-url`,
              EvalDecision: 'implicitDeny',
              MatchedStatements: [],
              MissingContextValues: [],
              PermissionsBoundaryDecisionDetail: { AllowedByPermissionsBoundary: false },
            },
          ],
          IsTruncated: false,
        };
      },
    });
    expect(one(report, 'read-permission')).toMatchObject({
      status: 'problem',
      detail:
        "shop-dev-orders-exec may not ssm:GetParameters on it: IAM policy simulation says implicitDeny (the role's permissions boundary), even with the grants the apply writes",
    });
    // The simulation includes the grant the stack writes, so only a boundary or a deny can refuse it.
    expect(requests).toEqual([
      {
        PolicySourceArn: `arn:aws:iam::${ACCOUNT}:role/shop-dev-orders-exec`,
        ActionNames: ['ssm:GetParameters'],
        ResourceArns: [`arn:aws:ssm:eu-west-1:${ACCOUNT}:parameter/shop/orders/database-url`],
        PolicyInputList: [
          JSON.stringify({
            Version: '2012-10-17',
            Statement: [
              {
                Effect: 'Allow',
                Action: 'ssm:GetParameters',
                Resource: [`arn:aws:ssm:eu-west-1:${ACCOUNT}:parameter/shop/orders/database-url`],
              },
            ],
          }),
        ],
      },
    ]);
  });

  it('no policy simulation at the endpoint (moto): not checked, saying why', async () => {
    p = await openExample();
    const report = await verifyOrders(p, {
      ...healthy(),
      SimulatePrincipalPolicy: () =>
        awsFailure('NotImplemented', 400, 'moto does not implement SimulatePrincipalPolicy'),
    });
    expect(one(report, 'read-permission')).toMatchObject({
      status: 'not-checked',
      detail:
        'IAM policy simulation not available: the endpoint does not implement IAM SimulatePrincipalPolicy (NotImplemented: moto does not implement SimulatePrincipalPolicy)',
    });
    expect(report.problems).toBe(0);
  });

  it('a role ECS tasks may not assume: a problem', async () => {
    p = await openExample();
    const report = await verifyOrders(p, {
      ...healthy(),
      GetRole: getRole({ 'shop-dev-orders-exec': ecsTrust(), 'shop-dev-orders-task': ecsTrust('ec2.amazonaws.com') }),
    });
    expect(one(report, 'role', 'task role')).toMatchObject({
      status: 'problem',
      detail: 'its trust policy does not let ecs-tasks.amazonaws.com sts:AssumeRole: ECS could not start the tasks',
    });
  });

  it('an environment file that is missing: a problem; one that exists: ok and simulated', async () => {
    p = await openExample((file, text) =>
      file === 'services/orders.yaml'
        ? `${text}environmentFiles:\n  - arn:aws:s3:::shop-config/orders/dev.env\n  - arn:aws:s3:::shop-config/orders/common.env\n`
        : text,
    );
    const report = await verifyOrders(p, {
      ...healthy(),
      HeadObject: (input) =>
        input['Key'] === 'orders/dev.env'
          ? { ContentLength: 120, ETag: '"9b2cf535f27731c974343645a3985328"' }
          : awsFailure('NotFound', 404, 'UnknownError'),
    });
    expect(lines(report, 'environment-file').map((c) => [c.status, c.subject, c.detail])).toEqual([
      [
        'problem',
        'arn:aws:s3:::shop-config/orders/common.env',
        's3://shop-config/orders/common.env does not exist: the tasks would stop with ResourceInitializationError',
      ],
      ['ok', 'arn:aws:s3:::shop-config/orders/dev.env', 'exists'],
    ]);
    expect(one(report, 'read-permission', 'dev.env')).toMatchObject({
      status: 'ok',
      detail: 'shop-dev-orders-exec may s3:GetObject (IAM policy simulation)',
    });
  });

  it("a target group on another port than the container's: a problem", async () => {
    p = await openExample();
    const recorded = healthy();
    const report = await verifyOrders(p, {
      ...recorded,
      DescribeTargetGroups: () => ({
        TargetGroups: [
          {
            TargetGroupArn: 'arn:tg',
            TargetGroupName: 'shop-dev-orders',
            Protocol: 'HTTP',
            Port: 80,
            TargetType: 'instance',
            HealthCheckPath: '/',
          },
        ],
      }),
    });
    expect(one(report, 'target-group')).toMatchObject({
      status: 'problem',
      detail:
        'it forwards to port 80, the container listens on 8080 (orders): the apply must replace a target group in use by the listener and the ECS service',
    });
  });

  it('a task larger than the largest instance type: a problem', async () => {
    p = await openExample((file, text) =>
      file === 'services/orders.yaml' ? text.replace('cpu: 256\nmemory: 512', 'cpu: 2048\nmemory: 4096') : text,
    );
    const report = await verifyOrders(p, healthy());
    expect(one(report, 'capacity')).toMatchObject({
      status: 'problem',
      subject: 'EC2 2048 CPU units / 4096 MiB',
      detail:
        'no instance type of the cluster can hold the task (t3.medium: 2048 CPU units, ~3809 MiB for tasks): it would stay PENDING',
    });
  });
});
