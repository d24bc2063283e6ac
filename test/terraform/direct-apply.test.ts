/**
 * The one-command apply of a deploy (ApplyRequest.direct, src/ops/infra/runner.ts) on the minimal
 * fixture project, with a scripted engine. Protects: a direct request for one service stack, with
 * nobody to confirm, is planned and applied by one engine command and reports what it changed;
 * everything else (ECSDEPLOY_ENGINE_FAST=off, a confirmation, more than one stack, the cluster) takes
 * the usual plan, show, apply; a direct apply with nothing to do is reported unchanged, one with
 * changes never is. The stream summary itself: summarizeAppliedStream below.
 */
import { createInfraRunner, type InfraRunnerOptions } from '../../src/ops/infra';
import { NO_CHANGES, summarizeAppliedStream, type PlanSummary, type StackEngine } from '../../src/terraform';
import { parseUiLine, type UiMessage } from '../../src/terraform/process';
import { projectWith } from '../config/fixture-project';

let project: ReturnType<typeof projectWith>;
let calls: string[];

beforeEach(() => {
  project = projectWith();
  calls = [];
});
afterEach(() => project.cleanup());

const changed: PlanSummary = {
  ...NO_CHANGES,
  changes: true,
  change: 1,
  resources: [{ address: 'aws_ecs_service.Service', type: 'aws_ecs_service', action: 'update' }],
};

function runner(now: PlanSummary, extra: Partial<InfraRunnerOptions> = {}) {
  return createInfraRunner({
    engine: { kind: 'terraform', path: '/bin/false', version: '1.11.4' },
    parallelism: 2,
    autoScaling: () => ({ group: async () => undefined }),
    openStack: (ref): StackEngine => ({
      init: async () => 'cached',
      plan: async () => {
        calls.push(`${ref.name} plan`);
        return { summary: changed, planFile: `${ref.name}.tfplan` };
      },
      apply: async () => {
        calls.push(`${ref.name} apply`);
        return { task_definition_arn: 'arn:td:2' };
      },
      applyNow: async () => {
        calls.push(`${ref.name} apply -auto-approve`);
        return { summary: now, outputs: { task_definition_arn: 'arn:td:3' } };
      },
      outputs: async () => ({}),
    }),
    ...extra,
  });
}

const request = (extra: Record<string, unknown> = {}) => ({ dir: project.dir, env: 'dev', ...extra });

describe('direct apply of one service stack', () => {
  it('plans and applies in one engine command, and reports its changes and outputs', async () => {
    const report = await runner(changed).apply(request({ stacks: ['api'], direct: true }));
    expect(calls).toEqual(['dev-api apply -auto-approve']);
    expect(report.plan.changes).toBe(true);
    expect(report.stacks).toEqual([
      { stack: 'dev-api', applied: true, summary: changed, outputs: { task_definition_arn: 'arn:td:3' } },
    ]);
  });

  it('nothing to do: reported unchanged', async () => {
    const report = await runner(NO_CHANGES).apply(request({ stacks: ['api'], direct: true }));
    expect(report.plan.changes).toBe(false);
    expect(report.stacks.map((s) => s.applied)).toEqual([false]);
  });

  it('the usual plan and apply with ECSDEPLOY_ENGINE_FAST=off, a confirmation, another stack kind or more than one stack', async () => {
    const off = { env: { ...process.env, ECSDEPLOY_ENGINE_FAST: 'off' } };
    await runner(changed, off).apply(request({ stacks: ['api'], direct: true }));
    expect(calls).toEqual(['dev-api plan', 'dev-api apply']);
    calls = [];
    await runner(changed).apply(request({ stacks: ['api'], direct: true, confirm: async () => true }));
    expect(calls).toEqual(['dev-api plan', 'dev-api apply']);
    calls = [];
    await runner(changed).apply(request({ stacks: ['cluster'], direct: true }));
    expect(calls).toEqual(['dev-cluster plan', 'dev-cluster apply']);
    calls = [];
    await runner(changed).apply(request({ stacks: ['api'] }));
    expect(calls).toEqual(['dev-api plan', 'dev-api apply']);
  });
});

describe('summarizeAppliedStream', () => {
  const stream = (...lines: object[]): UiMessage[] => lines.map((l) => parseUiLine(JSON.stringify(l))!);
  const summary = { type: 'change_summary', changes: { add: 0, change: 0, remove: 0, operation: 'apply' } };

  it('counts what was planned and applied', () => {
    const s = summarizeAppliedStream(
      stream(
        {
          type: 'planned_change',
          change: {
            resource: { addr: 'aws_ecs_task_definition.T', resource_type: 'aws_ecs_task_definition' },
            action: 'replace',
          },
        },
        {
          type: 'planned_change',
          change: { resource: { addr: 'aws_ecs_service.S', resource_type: 'aws_ecs_service' }, action: 'update' },
        },
        summary,
      ),
    );
    expect([s.changes, s.replace, s.change, s.resources.map((r) => r.action)]).toEqual([
      true,
      1,
      1,
      ['replace', 'update'],
    ]);
  });

  it('drift found by the refresh is a change, even with nothing planned; nothing at all is none', () => {
    const drift = stream(
      {
        type: 'resource_drift',
        change: { resource: { addr: 'aws_ecs_service.S', resource_type: 'aws_ecs_service' }, action: 'update' },
      },
      summary,
    );
    expect(summarizeAppliedStream(drift).changes).toBe(true);
    expect(summarizeAppliedStream(stream(summary)).changes).toBe(false);
  });
});
