/**
 * The account check, and the checks `service deploy` / `service promote` run before anything
 * changes: a problem stops the command with a VerifyError (exit 1) naming --no-verify, no release
 * recorded and no stack applied; --no-verify (verify: false) skips them.
 */
import { ExitCode } from '../../src/errors';
import { forgetIdentities } from '../../src/ops/accounts';
import { appendRelease, withRollout } from '../../src/ops/releases';
import { deployService, promoteService, type DeployEvent, type ServiceDeps } from '../../src/ops/service';
import { verifyServices, VerifyError } from '../../src/ops/verify';
import { CodeDeploySim, EcsSim, FakeClock } from '../deploy-watch/sim';
import {
  digestOf,
  ECR_URI,
  exampleProject,
  memoryEcr,
  RecordingEngine,
  simApis,
  simDeps,
  taskDef,
} from '../service/helpers';
import { openExample, ordersImage, type Opened } from './project';
import {
  ACCOUNT,
  awsFailure,
  batchGetImage,
  ecsTrust,
  getRole,
  manifestList,
  recordedDeps,
  type Recorded,
} from './recorded';

const withAccount = (file: string, text: string) =>
  file === 'environments/dev.yaml' ? `${text}account: "${ACCOUNT}"\n` : text;

describe('the account check', () => {
  let p: Opened;
  beforeEach(() => forgetIdentities());
  afterEach(() => p.cleanup());

  it('credentials of another account: a problem, and nothing else is read from that account', async () => {
    p = await openExample(withAccount);
    const calls: string[] = [];
    const report = await verifyServices(
      p.project,
      p.env,
      [{ service: p.service('orders'), image: ordersImage() }],
      recordedDeps({}, { account: '210987654321', calls }),
    );
    expect(report.checks[0]).toMatchObject({ check: 'account', status: 'problem', subject: 'environment dev' });
    expect(report.checks[0]!.detail).toContain(
      `it is in account ${ACCOUNT} (environments/dev.yaml account:), but the credentials`,
    );
    expect(report.checks[0]!.detail).toContain('belong to account 210987654321');
    expect(report.checks.slice(1).map((c) => [c.status, c.service])).toEqual([['not-checked', 'orders']]);
    expect(calls).toEqual([]);
    expect(report.problems).toBe(1);
  });

  it("the environment's own account: ok, naming who the credentials are", async () => {
    p = await openExample(withAccount);
    const report = await verifyServices(p.project, p.env, [], recordedDeps({}));
    expect(report.checks).toEqual([
      {
        check: 'account',
        subject: 'environment dev',
        status: 'ok',
        detail: `the credentials are arn:aws:sts::${ACCOUNT}:assumed-role/deployer/ci, of account ${ACCOUNT} as environments/dev.yaml says`,
      },
    ]);
  });
});

describe('service deploy runs the checks first', () => {
  const IMAGES = { 'shop/orders': [{ digest: digestOf(2), tags: ['1.4.3'], pushedAt: 2 }] };
  /** dev after its first apply, where the SSM parameter of orders is missing. */
  const missingSecret: Recorded = {
    BatchGetImage: batchGetImage(
      'shop/orders',
      digestOf(2),
      manifestList([{ architecture: 'amd64' }]),
      'application/vnd.docker.distribution.manifest.list.v2+json',
    ),
    DescribeParameters: () => ({ Parameters: [] }),
    GetRole: getRole({ 'shop-dev-orders-exec': ecsTrust(), 'shop-dev-orders-task': ecsTrust() }),
    DescribeInstanceTypes: () => ({
      InstanceTypes: [
        {
          InstanceType: 't3.medium',
          VCpuInfo: { DefaultVCpus: 2 },
          MemoryInfo: { SizeInMiB: 4096 },
          ProcessorInfo: { SupportedArchitectures: ['x86_64'] },
        },
      ],
    }),
    DescribeTargetGroups: () => awsFailure('TargetGroupNotFoundException'),
  };

  function setup() {
    const project = exampleProject();
    const clock = new FakeClock();
    const ecs = new EcsSim(clock, 'orders', 2);
    ecs.service.steady('ecs-svc/old', taskDef('dev', 'orders', 6));
    const sim = simApis(clock, ecs, memoryEcr(IMAGES), new CodeDeploySim(clock));
    const engine: RecordingEngine = new RecordingEngine(() => deps.store!({} as never));
    const deps: ServiceDeps = { ...simDeps(project.dir, clock, sim.apis, engine), verify: recordedDeps(missingSecret) };
    const events: DeployEvent[] = [];
    return {
      project,
      engine,
      deps,
      events,
      input: {
        dir: project.dir,
        env: 'dev',
        service: 'orders',
        image: '1.4.3',
        wait: false,
        onEvent: (e: DeployEvent) => events.push(e),
      },
    };
  }

  it('a problem: VerifyError, exit 1, nothing recorded, nothing applied, --no-verify named', async () => {
    const s = setup();
    try {
      const err = await deployService(s.input, s.deps).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(VerifyError);
      const v = err as VerifyError;
      expect(v.exitCode).toBe(ExitCode.Failed);
      expect(v.code).toBe('ECSDEPLOY_VERIFY_FAILED');
      expect(v.message).toMatch(
        /^service deploy stopped before changing anything: 1 check found what would make the deploy fail after it started:\n {2}problem {5}secret {11}orders {2}\/shop\/orders\/database-url: there is no SSM parameter/,
      );
      expect(v.suggestions).toContain('To deploy anyway, pass --no-verify.');
      expect(v.report.problems).toBe(1);
      expect(s.engine.applied).toEqual([]);
      expect((await s.deps.store!({} as never).read('dev', 'orders')).ledger.releases).toEqual([]);
      expect(s.events.map((e) => e.type)).toEqual(['phase']);
    } finally {
      s.project.cleanup();
    }
  });

  it('service promote: the checks run in --to; a problem stops it with nothing recorded there', async () => {
    const s = setup();
    try {
      const store = s.deps.store!({} as never);
      const at = '2026-12-01T10:00:00.000Z';
      const { ledger, version } = await store.read('dev', 'orders');
      const appended = appendRelease(
        ledger,
        {
          kind: 'deploy',
          image: {
            requested: '1.4.3',
            repository: ECR_URI('orders'),
            tag: '1.4.3',
            digest: digestOf(2),
            serviceRepository: true,
          },
          createdAt: at,
          createdBy: 'alice@laptop',
        },
        at,
      );
      await store.write(
        withRollout(appended.ledger, appended.release.id, { status: 'completed', updatedAt: at }),
        version,
      );
      const err = await promoteService(
        { dir: s.input.dir, service: 'orders', from: 'dev', to: 'prod', wait: false },
        s.deps,
      ).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(VerifyError);
      const v = err as VerifyError;
      expect(v.message).toMatch(/^service promote stopped before changing anything: /);
      expect(v.report.environment).toBe('prod');
      expect(v.report.checks.filter((c) => c.status === 'problem').map((c) => c.check)).toEqual(
        expect.arrayContaining(['secret']),
      );
      expect(s.engine.applied).toEqual([]);
      expect((await store.read('prod', 'orders')).ledger.releases).toEqual([]);
    } finally {
      s.project.cleanup();
    }
  });

  it('--no-verify: no check, the stack is applied', async () => {
    const s = setup();
    try {
      const result = await deployService({ ...s.input, verify: false }, s.deps);
      expect(result.release.id).toBe(1);
      expect(s.engine.applied.map((a) => a.stacks)).toEqual([['orders']]);
      expect(s.events.some((e) => e.type === 'phase' && e.phase === 'verify')).toBe(false);
    } finally {
      s.project.cleanup();
    }
  });

  it('no problem: the deploy goes on, saying what was not checked', async () => {
    const s = setup();
    (s.deps as { verify?: ServiceDeps['verify'] }).verify = recordedDeps({
      ...missingSecret,
      DescribeParameters: () => ({ Parameters: [{ Name: '/shop/orders/database-url', Type: 'SecureString' }] }),
      SimulatePrincipalPolicy: () => awsFailure('NotImplemented'),
    });
    try {
      const result = await deployService(s.input, s.deps);
      expect(result.release.id).toBe(1);
      expect(s.engine.applied).toHaveLength(1);
      const said = s.events.flatMap((e) => (e.type === 'phase' && e.phase === 'verify' ? [e.message] : []));
      expect(said).toEqual([
        'Verifying orders in dev before anything changes (--no-verify skips)',
        'Verified: 6 ok, 3 not checked (account, read-permission, target-group)',
      ]);
    } finally {
      s.project.cleanup();
    }
  });
});
