/**
 * The no-replace guard of adopted services (src/ops/infra/adoption), through the infra runner with
 * a scripted engine on a project whose `api` service adopts an existing ECS service: a plan that
 * would replace (or destroy) it is refused before anything is applied, naming the attribute that
 * forces it; --allow-replace applies it; plans say what they import; an apply that imported records
 * the adoption in the release store, and the next synth has no import blocks.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ReplaceRefusedError, type InfraEvent } from '../../src/ops/infra';
import type { Ledger } from '../../src/ops/releases';
import { NO_CHANGES, summarizePlan, type PlannedStack, type PlanSummary } from '../../src/terraform';
import { formatPlan } from '../../src/ui/infra-view';
import { projectWith } from '../config/fixture-project';
import { refusal, scriptedRunner } from './scripted-runner';

const SERVICE = `image:
  tag: "1.0.0"
launchType: fargate
environments:
  dev:
    adopt:
      serviceName: api-v1
      cluster: acme-dev
      logGroup: /legacy/api
`;

/** A JSON plan as `terraform show -json` prints it, for the stack of the adopted service. */
function planJson(service: {
  actions: string[];
  importing?: boolean;
  replacePaths?: Array<Array<string | number>>;
}): unknown {
  return {
    format_version: '1.2',
    resource_changes: [
      {
        address: 'aws_cloudwatch_log_group.Logs',
        type: 'aws_cloudwatch_log_group',
        name: 'Logs',
        change: { actions: ['update'], before: {}, after: {}, importing: { id: '/legacy/api' } },
      },
      {
        address: 'aws_ecs_service.Service',
        type: 'aws_ecs_service',
        name: 'Service',
        change: {
          actions: service.actions,
          before: { name: 'api-v1' },
          after: { name: 'api-v1' },
          ...(service.importing ? { importing: { id: 'acme-dev/api-v1' } } : {}),
          ...(service.replacePaths ? { replace_paths: service.replacePaths } : {}),
        },
      },
      {
        address: 'aws_ecs_task_definition.TaskDefinition',
        type: 'aws_ecs_task_definition',
        name: 'TaskDefinition',
        change: { actions: ['create'], before: null, after: { family: 'acme-dev-api' } },
      },
    ],
  };
}
const planned = (summary: PlanSummary): PlannedStack => ({ summary, planFile: 'dev-api.tfplan' });
const replacing = planned(
  summarizePlan(
    planJson({
      actions: ['delete', 'create'],
      importing: true,
      replacePaths: [['launch_type'], ['network_configuration', 0, 'assign_public_ip']],
    }),
  ),
);
const importing = planned(summarizePlan(planJson({ actions: ['update'], importing: true })));

let project: ReturnType<typeof projectWith>;
let calls: string[];
beforeEach(() => {
  project = projectWith({ 'services/api.yaml': SERVICE });
  calls = [];
});
afterEach(() => project.cleanup());

const runner = (plans: PlannedStack[]) => scriptedRunner(calls, plans);
const request = (extra: Record<string, unknown> = {}) => ({
  dir: project.dir,
  env: 'dev',
  stacks: ['api'],
  onEvent: (_e: InfraEvent) => undefined,
  ...extra,
});
const synthesized = () =>
  JSON.parse(readFileSync(join(project.dir, 'cdktf.out', 'stacks', 'dev-api', 'cdk.tf.json'), 'utf8')) as {
    import?: unknown[];
  };
const ledger = () => join(project.dir, '.ecsdeploy', 'releases', 'dev', 'api.json');

describe('the plan of an adopted service', () => {
  it('counts the imports, including those changed in place, and says the ECS service is not replaced', async () => {
    const report = await runner([importing]).plan(request());
    const api = report.stacks[0]!;
    expect(api.summary).toMatchObject({ import: 2, change: 2, add: 1, replace: 0 });
    expect(api.summary!.resources.filter((r) => r.importing).map((r) => r.address)).toEqual([
      'aws_cloudwatch_log_group.Logs',
      'aws_ecs_service.Service',
    ]);
    expect(api.adoption).toEqual({ serviceName: 'api-v1', cluster: 'acme-dev', imports: 2 });
    expect(formatPlan(report)).toContain('imports 2, no replacement of an imported ECS service');
    expect(synthesized().import).toEqual(
      expect.arrayContaining([{ to: 'aws_ecs_service.Service', id: 'acme-dev/api-v1' }]),
    );
  });

  it('names the replacement and what forces it', async () => {
    const report = await runner([replacing]).plan(request());
    expect(report.stacks[0]!.adoption).toEqual({
      serviceName: 'api-v1',
      cluster: 'acme-dev',
      imports: 2,
      replaced: {
        address: 'aws_ecs_service.Service',
        action: 'replace',
        because: ['launch_type', 'network_configuration.0.assign_public_ip'],
      },
    });
    expect(formatPlan(report)).toContain(
      'imports 2, REPLACES the imported ECS service api-v1 (forced by launch_type, network_configuration.0.assign_public_ip): apply refuses it without --allow-replace',
    );
  });
});

describe('apply', () => {
  it('refuses a plan that replaces the adopted ECS service, before asking or applying anything', async () => {
    const { err, asked } = await refusal((confirm) => runner([replacing]).apply(request({ confirm })));
    expect(err).toBeInstanceOf(ReplaceRefusedError);
    expect((err as ReplaceRefusedError).exitCode).toBe(1);
    expect((err as Error).message).toBe(
      'Refusing to apply: dev-api would replace the adopted ECS service api-v1 (cluster acme-dev, aws_ecs_service.Service): launch_type, network_configuration.0.assign_public_ip cannot change in place. Replacing it stops every running task of the service and creates it anew. Nothing was applied.',
    );
    expect((err as ReplaceRefusedError).suggestions.at(-1)).toBe(
      'If replacing the service is what you want, run the same command with --allow-replace.',
    );
    expect(asked).toBe(false);
    expect(calls).toEqual(['dev-api plan']);
    expect(existsSync(ledger())).toBe(false);
  });

  it('refuses a plan that destroys it', async () => {
    const destroying = planned(summarizePlan(planJson({ actions: ['delete'] })));
    await expect(runner([destroying]).apply(request())).rejects.toThrow(
      'dev-api would destroy the adopted ECS service api-v1 (cluster acme-dev, aws_ecs_service.Service)',
    );
  });

  it('applies it with allowReplace (--allow-replace)', async () => {
    await runner([replacing]).apply(request({ allowReplace: true }));
    expect(calls).toEqual(['dev-api plan', 'dev-api apply dev-api.tfplan']);
  });

  it('an apply that imported records the adoption; the next synth has no import blocks', async () => {
    await runner([importing]).apply(request());
    expect(calls).toEqual(['dev-api plan', 'dev-api apply dev-api.tfplan']);
    const recorded = JSON.parse(readFileSync(ledger(), 'utf8')) as Ledger;
    expect(recorded.adopted).toEqual({
      serviceName: 'api-v1',
      cluster: 'acme-dev',
      at: expect.any(String),
      by: 'tester',
      imported: 2,
    });
    expect(recorded.releases).toEqual([]);

    const report = await runner([planned(NO_CHANGES)]).plan(request());
    expect(synthesized()).not.toHaveProperty('import');
    expect(report.stacks[0]!.adoption).toEqual({ serviceName: 'api-v1', cluster: 'acme-dev', imports: 0 });
  });
});
