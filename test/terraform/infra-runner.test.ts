/**
 * plan / apply / destroy orchestration (src/ops/infra) on the minimal fixture project (stacks
 * registry, dev-cluster, dev-api), synthesized for real, with a scripted engine per stack.
 * Protects: dependency order; one confirmation for what is shown and exactly that applied; a
 * service that cannot be planned before its cluster exists is deferred, planned after it, and
 * shown again; destroy keeps the shared registry and refuses a protected environment; failures
 * and interrupts stop the run and say what was and was not done; the cluster stack is not applied
 * while `cluster roll` runs on its Auto Scaling group (plan warns), and nothing else reads the group.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { AutoScalingGroupInfo } from '../../src/aws/autoscaling';
import { EcsdeployError, ExitCode } from '../../src/errors';
import {
  CancelledError,
  createInfraRunner,
  InterruptedError,
  type InfraEvent,
  type InfraRunnerOptions,
  type PlanReport,
} from '../../src/ops/infra';
import { localRecordStore } from '../../src/ops/environments';
import {
  EngineFailedError,
  NO_CHANGES,
  StackInterruptedError,
  type Outputs,
  type PlannedStack,
  type PlanSummary,
  type StackEngine,
} from '../../src/terraform';
import { MINIMAL, projectWith } from '../config/fixture-project';
import { rejection } from './rejection';
import { fixedClock } from '../support/clock';

type Step = PlannedStack | Error;
interface Script {
  plans?: Step[];
  apply?: (signal?: AbortSignal) => Promise<Outputs>;
}

const summary = (s: Partial<PlanSummary>): PlanSummary => ({ ...NO_CHANGES, changes: true, ...s });
const created = (n: number, stack: string): PlannedStack => ({
  summary: summary({ add: n, resources: [{ address: `aws_x.${stack}`, type: 'aws_x', action: 'create' }] }),
  planFile: `${stack}.tfplan`,
});
const updated = (stack: string, attribute = 'a'): PlannedStack => ({
  summary: summary({
    change: 1,
    unchanged: 4,
    resources: [{ address: `aws_x.${stack}_${attribute}`, type: 'aws_x', action: 'update' }],
  }),
  planFile: `${stack}.tfplan`,
});
const none: PlannedStack = { summary: NO_CHANGES };
const planFailure = (stack: string, why: string) =>
  new EngineFailedError(
    stack,
    `terraform plan failed for stack ${stack} (exited with code 1):\n    Error: ${why}\nFull engine output: x.log`,
    [],
  );

let project: ReturnType<typeof projectWith>;
let calls: string[];
let events: InfraEvent[];
/** What the fake Auto Scaling group answers, read after read (the last one repeats); none: no such group. */
let groups: Array<Partial<AutoScalingGroupInfo> | Error | undefined>;
/** Every read of a group: `<group> (<environment>, <region>)`. */
let reads: string[];

beforeEach(() => {
  project = projectWith();
  calls = [];
  events = [];
  groups = [undefined];
  reads = [];
});
afterEach(() => project.cleanup());

function runner(scripts: Record<string, Script>, extra: Partial<InfraRunnerOptions> = {}) {
  return createInfraRunner({
    engine: { kind: 'terraform', path: '/bin/false', version: '1.11.4' },
    parallelism: 2,
    openStack: (ref, run): StackEngine => ({
      init: async () => 'cached',
      plan: async (o) => {
        calls.push(`${ref.name} plan${o?.destroy ? ' -destroy' : ''}`);
        const next = scripts[ref.name]?.plans?.shift();
        if (next === undefined) throw new Error(`unexpected plan of ${ref.name}`);
        if (next instanceof Error) throw next;
        return next;
      },
      apply: async (p) => {
        calls.push(`${ref.name} apply ${p.planFile}`);
        return (await scripts[ref.name]?.apply?.(run.signal)) ?? { applied: ref.name };
      },
      outputs: async () => {
        calls.push(`${ref.name} outputs`);
        return { existing: ref.name };
      },
    }),
    autoScaling: (env) => ({
      group: async (name) => {
        reads.push(`${name} (${env.name}, ${env.region})`);
        const next = groups.length > 1 ? groups.shift() : groups[0];
        if (next instanceof Error) throw next;
        return next === undefined
          ? undefined
          : { name, minSize: 1, maxSize: 2, desiredCapacity: 1, instances: [], tags: {}, ...next };
      },
    }),
    ...extra,
  });
}

const request = (extra: Record<string, unknown> = {}) => ({
  dir: project.dir,
  env: 'dev',
  onEvent: (e: InfraEvent) => events.push(e),
  ...extra,
});

describe('plan', () => {
  it('plans the registry and the cluster first; a service reading from stacks that do not exist yet is deferred without running the engine', async () => {
    const report = await runner({
      'registry': { plans: [created(2, 'registry')] },
      'dev-cluster': { plans: [created(30, 'dev-cluster')] },
    }).plan(request());
    expect(calls.sort()).toEqual(['dev-cluster plan', 'registry plan']);
    expect(report.changes).toBe(true);
    expect(report.stacks.map((s) => [s.stack, s.status])).toEqual([
      ['registry', 'planned'],
      ['dev-cluster', 'planned'],
      ['dev-api', 'deferred'],
    ]);
    expect(report.stacks[2]).toMatchObject({
      waitsFor: ['registry', 'dev-cluster'],
      reason: 'it reads from registry and dev-cluster, which do not exist yet',
    });
    expect(events[0]).toMatchObject({
      type: 'run',
      operation: 'plan',
      environment: 'dev',
      stacks: ['registry', 'dev-cluster', 'dev-api'],
      engine: 'terraform 1.11.4',
    });
  });

  it('a service whose plan fails while the cluster has changes is deferred with the reason; with no cluster changes the failure is an error', async () => {
    const deferred = await runner({
      'registry': { plans: [none] },
      'dev-cluster': { plans: [updated('dev-cluster')] },
      'dev-api': { plans: [planFailure('dev-api', 'Unsupported attribute: listener_arn')] },
    }).plan(request());
    expect(deferred.stacks[2]).toMatchObject({
      status: 'deferred',
      waitsFor: ['dev-cluster'],
      reason: 'Unsupported attribute: listener_arn',
    });

    const failing = runner({
      'registry': { plans: [none] },
      'dev-cluster': { plans: [none] },
      'dev-api': { plans: [planFailure('dev-api', 'bad')] },
    });
    await expect(failing.plan(request())).rejects.toThrow('terraform plan failed for stack dev-api');
  });

  it('no changes anywhere: changes is false', async () => {
    const report = await runner({
      'registry': { plans: [none] },
      'dev-cluster': { plans: [none] },
      'dev-api': { plans: [none] },
    }).plan(request());
    expect(report.changes).toBe(false);
  });

  it('carries the security policy allowances of ecsdeploy.yaml and the environment file, with their files, for the plan to show', async () => {
    const scripts = { 'registry': { plans: [none] }, 'dev-cluster': { plans: [none] }, 'dev-api': { plans: [none] } };
    expect((await runner(scripts).plan(request())).policyAllowances).toBeUndefined();
    project.cleanup();
    const allow = (rule: string, reason: string) => `policy:\n  allow:\n    - rule: ${rule}\n      reason: ${reason}\n`;
    project = projectWith({
      'ecsdeploy.yaml': `${readFileSync(join(MINIMAL, 'ecsdeploy.yaml'), 'utf8')}${allow('CKV_AWS_136', 'AES256 is enough here.')}`,
      'environments/dev.yaml': `${readFileSync(join(MINIMAL, 'environments', 'dev.yaml'), 'utf8')}${allow('CKV_AWS_91', 'No access logs in dev.')}`,
    });
    const report = await runner({
      'registry': { plans: [none] },
      'dev-cluster': { plans: [none] },
      'dev-api': { plans: [none] },
    }).plan(request());
    expect(report.policyAllowances).toEqual([
      { rule: 'CKV_AWS_136', reason: 'AES256 is enough here.', file: 'ecsdeploy.yaml' },
      { rule: 'CKV_AWS_91', reason: 'No access logs in dev.', file: 'environments/dev.yaml' },
    ]);
  });

  it('--stack selects stacks; an invalid lock timeout is a usage error', async () => {
    const report = await runner({ 'dev-api': { plans: [none] } }).plan(request({ stacks: ['api'] }));
    expect(report.stacks.map((s) => s.stack)).toEqual(['dev-api']);
    expect(() => runner({}, { lockTimeout: 'soon' })).toThrow(
      expect.objectContaining({ exitCode: ExitCode.Usage, message: '--lock-timeout soon: not a duration.' }),
    );
  });
});

describe('apply', () => {
  it('a new environment: one confirmation, registry then cluster applied, then the service planned, shown again and applied', async () => {
    const confirms: PlanReport[] = [];
    const report = await runner({
      'registry': { plans: [created(2, 'registry')] },
      'dev-cluster': { plans: [created(30, 'dev-cluster')] },
      'dev-api': { plans: [created(8, 'dev-api')] },
    }).apply(request({ confirm: async (r: PlanReport) => (confirms.push(r), true) }));

    expect(calls).toEqual(
      [
        'registry plan',
        'dev-cluster plan',
        'registry apply registry.tfplan',
        'dev-cluster apply dev-cluster.tfplan',
        'dev-api plan',
        'dev-api apply dev-api.tfplan',
      ].sort((a, b) => calls.indexOf(a) - calls.indexOf(b)),
    );
    expect(calls.indexOf('dev-cluster apply dev-cluster.tfplan')).toBeGreaterThan(
      calls.indexOf('registry apply registry.tfplan'),
    );
    expect(calls.indexOf('dev-api plan')).toBeGreaterThan(calls.indexOf('dev-cluster apply dev-cluster.tfplan'));
    expect(confirms).toHaveLength(2);
    expect(confirms[1]).toMatchObject({ followUp: true, stacks: [{ stack: 'dev-api', status: 'planned' }] });
    expect(report.stacks.map((s) => [s.stack, s.applied])).toEqual([
      ['registry', true],
      ['dev-cluster', true],
      ['dev-api', true],
    ]);
    expect(report.stacks[2]!.outputs).toEqual({ applied: 'dev-api' });
  });

  it('a service change: the plan shown is the plan applied, asked once; unchanged stacks only give their outputs', async () => {
    const confirm = jest.fn(async () => true);
    const api = updated('dev-api');
    const report = await runner({
      'registry': { plans: [none] },
      'dev-cluster': { plans: [none] },
      'dev-api': { plans: [api] },
    }).apply(request({ confirm }));
    expect(confirm).toHaveBeenCalledTimes(1);
    expect(calls).toContain('dev-api apply dev-api.tfplan');
    expect(calls.filter((c) => c.endsWith('outputs')).sort()).toEqual(['dev-cluster outputs', 'registry outputs']);
    expect(report.stacks.find((s) => s.stack === 'dev-api')!.summary).toBe(api.summary);
  });

  it('a service planned against cluster changes is planned again after the cluster is applied; the same plan is applied without asking again', async () => {
    const confirm = jest.fn(async () => true);
    await runner({
      'registry': { plans: [none] },
      'dev-cluster': { plans: [updated('dev-cluster')] },
      'dev-api': { plans: [updated('dev-api'), updated('dev-api')] },
    }).apply(request({ confirm }));
    expect(calls.filter((c) => c.startsWith('dev-api'))).toEqual([
      'dev-api plan',
      'dev-api plan',
      'dev-api apply dev-api.tfplan',
    ]);
    expect(confirm).toHaveBeenCalledTimes(1);
  });

  it('when that second plan differs it is shown again; declining stops after the cluster, before the service', async () => {
    let asked = 0;
    const run = runner({
      'registry': { plans: [none] },
      'dev-cluster': { plans: [updated('dev-cluster')] },
      'dev-api': { plans: [updated('dev-api', 'a'), updated('dev-api', 'b')] },
    });
    const err = await rejection(run.apply(request({ confirm: async () => ++asked === 1 })));
    expect(err).toBeInstanceOf(CancelledError);
    expect(err.message).toBe('Cancelled: nothing more was applied. Applied before: dev-cluster. Not applied: dev-api.');
    expect(calls.filter((c) => c.includes(' apply '))).toEqual(['dev-cluster apply dev-cluster.tfplan']);
  });

  it('declining the first confirmation applies nothing', async () => {
    const run = runner({
      'registry': { plans: [none] },
      'dev-cluster': { plans: [none] },
      'dev-api': { plans: [updated('dev-api')] },
    });
    await expect(run.apply(request({ confirm: async () => false }))).rejects.toThrow('Cancelled: nothing was applied.');
    expect(calls.filter((c) => c.includes(' apply '))).toEqual([]);
  });

  it('nothing to change: nothing asked, nothing applied, outputs returned', async () => {
    const confirm = jest.fn(async () => true);
    const report = await runner({
      'registry': { plans: [none] },
      'dev-cluster': { plans: [none] },
      'dev-api': { plans: [none] },
    }).apply(request({ confirm }));
    expect(confirm).not.toHaveBeenCalled();
    expect(report.stacks.every((s) => !s.applied)).toBe(true);
    expect(report.stacks[1]!.outputs).toEqual({ existing: 'dev-cluster' });
  });

  it('a failing stack stops the run; the error says what was applied and what was not started', async () => {
    const boom = new EngineFailedError(
      'dev-cluster',
      'terraform apply failed for stack dev-cluster (exited with code 1):\n    Error: creating ALB\nFull engine output: x.log',
      ['Read the error above.'],
    );
    const run = runner({
      'registry': { plans: [created(2, 'registry')] },
      'dev-cluster': { plans: [updated('dev-cluster')], apply: async () => Promise.reject(boom) },
      'dev-api': { plans: [none] },
    });
    const err = await rejection(run.apply(request()));
    expect(err.message).toBe(`${boom.message}\nApplied: registry. Not started: dev-api.`);
    expect(err.code).toBe('ECSDEPLOY_ENGINE_FAILED');
    expect(err.suggestions).toEqual(['Read the error above.']);
    expect(calls).not.toContain('dev-api apply dev-api.tfplan');
  });

  it('an interrupt: the running stack stops gracefully, nothing new starts, and the error says so', async () => {
    const controller = new AbortController();
    const run = runner({
      'registry': { plans: [none] },
      'dev-cluster': {
        plans: [updated('dev-cluster')],
        apply: async () => {
          controller.abort();
          throw new StackInterruptedError('dev-cluster', 'apply', 'x.log');
        },
      },
      'dev-api': { plans: [updated('dev-api'), updated('dev-api')] },
    });
    const err = await rejection(run.apply(request({ signal: controller.signal })));
    expect(err).toBeInstanceOf(InterruptedError);
    expect((err as InterruptedError).exitCode).toBe(ExitCode.Interrupted);
    expect(err.message).toMatch(
      /^Interrupted: the engine stopped gracefully in dev-cluster \(state saved, lock released\)\. Not started: dev-api\. Full engine output: .*apply-dev.*\.log$/,
    );
    expect(calls.filter((c) => c.startsWith('dev-api'))).toEqual(['dev-api plan']);
  });
});

describe('destroy', () => {
  it('keeps the shared registry unless named, and destroys the services before the cluster', async () => {
    const report = await runner({
      'dev-cluster': { plans: [created(1, 'dev-cluster')] },
      'dev-api': { plans: [created(1, 'dev-api')] },
    }).destroy(request());
    expect(calls.filter((c) => c.includes('registry'))).toEqual([]);
    expect(calls.indexOf('dev-api apply dev-api.tfplan')).toBeLessThan(
      calls.indexOf('dev-cluster apply dev-cluster.tfplan'),
    );
    expect(calls.filter((c) => c.includes(' plan'))).toEqual(['dev-api plan -destroy', 'dev-cluster plan -destroy']);
    expect(report.destroyed).toEqual(['dev-api', 'dev-cluster']);
    expect(report.kept).toEqual([
      { stack: 'registry', reason: 'shared by every environment of the project; destroy it with --stack registry' },
    ]);
    expect(events).toContainEqual({
      type: 'notice',
      message:
        'registry is not destroyed: shared by every environment of the project; destroy it with --stack registry.',
    });
  });

  it('an environment on demand on the shared cluster: only its service stacks, nothing kept', async () => {
    await localRecordStore(join(project.dir, '.ecsdeploy', 'environments'), project.dir).create({
      version: 1,
      name: 'feature-x',
      base: 'dev',
      owner: 'ci',
      createdAt: '2026-11-24T10:00:00.000Z',
      expiresAt: '2026-11-25T10:00:00.000Z',
      isolated: false,
      services: ['api'],
      slot: 0,
      images: {},
      status: 'ready',
    });
    const report = await runner({ 'feature-x-api': { plans: [created(1, 'feature-x-api')] } }).destroy(
      request({ env: 'feature-x' }),
    );
    expect(calls.filter((c) => c.includes(' plan'))).toEqual(['feature-x-api plan -destroy']);
    expect(report.destroyed).toEqual(['feature-x-api']);
    expect(report.kept).toEqual([]);
  });

  it('--stack registry destroys the registry too, after the services that read from it', async () => {
    const report = await runner({
      'registry': { plans: [created(1, 'registry')] },
      'dev-cluster': { plans: [created(1, 'dev-cluster')] },
      'dev-api': { plans: [created(1, 'dev-api')] },
    }).destroy(request({ stacks: ['registry', 'cluster', 'api'] }));
    // the cluster reads nothing from the registry: both go once the services are gone
    expect(report.destroyed[0]).toBe('dev-api');
    expect([...report.destroyed].sort()).toEqual(['dev-api', 'dev-cluster', 'registry']);
    expect(report.kept).toEqual([]);
  });

  describe('a protected environment', () => {
    beforeEach(() => {
      project.cleanup();
      project = projectWith({
        'environments/dev.yaml': `protected: true\n${readFileSync(join(MINIMAL, 'environments', 'dev.yaml'), 'utf8')}`,
      });
    });
    const scripts = () => ({
      'dev-cluster': { plans: [created(1, 'dev-cluster')] },
      'dev-api': { plans: [created(1, 'dev-api')] },
    });

    it('is refused without force (exit 2), before any engine command', async () => {
      const err = await rejection(runner(scripts()).destroy(request()));
      expect(err.exitCode).toBe(ExitCode.Usage);
      expect(err.message).toBe(
        "Environment 'dev' is protected (protected: true in environments/dev.yaml): destroy refuses it.",
      );
      expect(err.suggestions[0]).toContain('--force');
      expect(err.suggestions[0]).toContain('--confirm-env dev');
      expect(calls).toEqual([]);
    });

    it('with force, the typed name must match', async () => {
      await expect(
        runner(scripts()).destroy(request({ force: true, confirmEnvironment: async () => 'prod' })),
      ).rejects.toThrow("You typed 'prod', not 'dev': nothing was destroyed.");
      await expect(runner(scripts()).destroy(request({ force: true }))).rejects.toThrow(
        "Destroying the protected environment 'dev' needs its name typed",
      );
      expect(calls).toEqual([]);
      const report = await runner(scripts()).destroy(request({ force: true, confirmEnvironment: async () => 'dev' }));
      expect(report.destroyed).toEqual(['dev-api', 'dev-cluster']);
    });
  });
});

describe('S3 state and the engine version', () => {
  it('use_lockfile needs an engine of 1.10 or later: older ones are told to use a DynamoDB lock table', async () => {
    project.cleanup();
    project = projectWith({
      'ecsdeploy.yaml': 'project: acme\nregion: us-east-1\nstate:\n  backend: s3\n  bucket: acme-state\n',
    });
    const old = runner({}, { engine: { kind: 'tofu', path: '/bin/false', version: '1.8.3' } });
    const err = await rejection(old.plan(request()));
    expect(err.exitCode).toBe(ExitCode.Usage);
    expect(err.message).toContain(
      'ecsdeploy.yaml state: S3 state locking by lock file (use_lockfile) needs tofu 1.10 or later; /bin/false is 1.8.3',
    );
    expect(err.suggestions[0]).toContain('state.lockTable');
  });
});

describe('a cluster roll in progress (the ecsdeploy:roll tag on the group)', () => {
  const NOW = new Date('2026-11-24T10:30:00.000Z');
  const rolling = {
    maxSize: 4,
    desiredCapacity: 3,
    tags: { 'Name': 'acme-dev-ecs', 'ecsdeploy:roll': 'min=1,max=2,desired=1,started=2026-11-24T10:00:00.000Z' },
  };
  const scripts = () => ({
    'registry': { plans: [none] },
    'dev-cluster': { plans: [updated('dev-cluster')] },
    'dev-api': { plans: [updated('dev-api'), updated('dev-api')] },
  });
  const rollRunner = (s: Record<string, Script> = scripts()) => runner(s, { clock: fixedClock(NOW) });

  it('apply refuses before any engine command (exit 1): when and how the roll started, and what to do', async () => {
    groups = [rolling];
    const err = await rejection(rollRunner().apply(request({ confirm: async () => true })));
    expect(err).toBeInstanceOf(EcsdeployError);
    expect(err.exitCode).toBe(ExitCode.Failed);
    expect(err.code).toBe('ECSDEPLOY_ROLL_IN_PROGRESS');
    expect(err.message).toBe(
      "A roll of dev's instances is in progress: `ecsdeploy cluster roll` started it 2026-11-24 10:00:00 UTC (30 minutes ago), and acme-dev-ecs still carries its tag ecsdeploy:roll (original sizes: min 1, max 2, desired 1). Applying dev-cluster now would remove that tag and set the group's max size back under the running roll, so apply does not apply it until the roll has finished.",
    );
    expect(err.suggestions).toEqual([
      'Let the roll finish, then apply again; `ecsdeploy cluster status --env dev` shows where it is.',
      'If it was stopped or interrupted, run `ecsdeploy cluster roll --env dev` to resume it to the end: it gives back its extra instances, restores the original sizes and removes the tag.',
      'Service stacks can be applied meanwhile: `ecsdeploy apply --env dev --stack <service>`.',
    ]);
    expect(calls).toEqual([]);
    expect(reads).toEqual(['acme-dev-ecs (dev, us-east-1)']);
  });

  it('apply of --stack cluster alone is refused too', async () => {
    groups = [rolling];
    const err = await rejection(
      rollRunner({ 'dev-cluster': { plans: [updated('dev-cluster')] } }).apply(request({ stacks: ['cluster'] })),
    );
    expect(err.code).toBe('ECSDEPLOY_ROLL_IN_PROGRESS');
    expect(calls).toEqual([]);
  });

  it('a roll that starts while the plan waits for confirmation: the group is read again right before the cluster is applied', async () => {
    groups = [undefined, rolling];
    const s = { ...scripts(), registry: { plans: [created(1, 'registry')] } };
    const err = await rejection(rollRunner(s).apply(request({ confirm: async () => true })));
    expect(err.code).toBe('ECSDEPLOY_ROLL_IN_PROGRESS');
    expect(err.message).toMatch(
      /so apply does not apply it until the roll has finished\.\nApplied: registry\. Not started: dev-api\.$/,
    );
    expect(calls.filter((c) => c.includes(' apply '))).toEqual(['registry apply registry.tfplan']);
    expect(reads).toHaveLength(2);
  });

  it('no roll: apply reads the group before planning and before applying the cluster, and goes on', async () => {
    groups = [{ tags: { Name: 'acme-dev-ecs' } }];
    const report = await rollRunner().apply(request());
    expect(report.stacks.map((r) => [r.stack, r.applied])).toEqual([
      ['registry', false],
      ['dev-cluster', true],
      ['dev-api', true],
    ]);
    expect(reads).toEqual(['acme-dev-ecs (dev, us-east-1)', 'acme-dev-ecs (dev, us-east-1)']);
  });

  it('the group cannot be read: apply fails (exit 1) before any engine command, with the AWS error and its advice', async () => {
    groups = [
      new EcsdeployError(
        'AWS refused the credentials while reading Auto Scaling group acme-dev-ecs: ExpiredToken: expired',
        { code: 'ECSDEPLOY_AWS_CREDENTIALS', suggestions: ['Refresh your credentials.'] },
      ),
    ];
    const err = await rejection(rollRunner().apply(request()));
    expect(err.exitCode).toBe(ExitCode.Failed);
    expect(err.code).toBe('ECSDEPLOY_AWS_CREDENTIALS');
    expect(err.message).toBe(
      "Could not check whether `ecsdeploy cluster roll` is running on acme-dev-ecs (dev's Auto Scaling group), so dev-cluster is not applied: AWS refused the credentials while reading Auto Scaling group acme-dev-ecs: ExpiredToken: expired",
    );
    expect(err.suggestions[0]).toBe('Refresh your credentials.');
    expect(err.suggestions[1]).toContain('`ecsdeploy apply --env dev --stack <service>`');
    expect(calls).toEqual([]);
  });

  it('plan warns instead, in its report, and plans as usual', async () => {
    groups = [rolling];
    const report = await rollRunner().plan(request());
    expect(report.changes).toBe(true);
    expect(report.stacks.map((p) => p.status)).toEqual(['planned', 'planned', 'planned']);
    expect(report.warnings).toEqual([
      "A roll of dev's instances is in progress (`ecsdeploy cluster roll` started it 2026-11-24 10:00:00 UTC (30 minutes ago); acme-dev-ecs carries its tag ecsdeploy:roll, original sizes: min 1, max 2, desired 1). Changes to the group in dev-cluster may be the roll's own (its tag, a raised max size), and apply refuses dev-cluster until the roll has finished (`ecsdeploy cluster roll --env dev` resumes a stopped one to its end).",
    ]);
  });

  it('plan: a group that cannot be read is a warning too; no roll, no warning', async () => {
    groups = [new Error('connect ECONNREFUSED 127.0.0.1:4566')];
    const unread = await rollRunner().plan(request());
    expect(unread.warnings).toEqual([
      'Could not check whether `ecsdeploy cluster roll` is running on acme-dev-ecs: connect ECONNREFUSED 127.0.0.1:4566. apply checks before applying dev-cluster, and does not apply it without knowing.',
    ]);
    groups = [{ tags: {} }];
    const clean = await rollRunner().plan(request());
    expect(clean).not.toHaveProperty('warnings');
  });

  it('costs nothing elsewhere: service stacks, the registry, destroy and a cluster without EC2 capacity never read the group', async () => {
    groups = [rolling];
    await runner({ 'dev-api': { plans: [updated('dev-api')] } }).apply(request({ stacks: ['api'] }));
    await runner({ 'dev-api': { plans: [none] }, 'registry': { plans: [none] } }).plan(
      request({ stacks: ['api', 'registry'] }),
    );
    await runner({
      'dev-cluster': { plans: [created(1, 'dev-cluster')] },
      'dev-api': { plans: [created(1, 'dev-api')] },
    }).destroy(request());
    project.cleanup();
    project = projectWith({
      'environments/dev.yaml': 'network:\n  create:\n    cidr: 10.0.0.0/16\ncluster:\n  fargate: true\n',
    });
    await runner({
      'registry': { plans: [none] },
      'dev-cluster': { plans: [updated('dev-cluster')] },
      'dev-api': { plans: [none, none] },
    }).apply(request());
    expect(reads).toEqual([]);
  });
});
