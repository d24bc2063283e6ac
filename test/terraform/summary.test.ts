/**
 * The plan summary, on real JSON plans: `terraform show -json` of the example dev stacks, planned
 * by Terraform 1.11.4 with the AWS provider 5.100.0 against moto after `ecsdeploy apply --env dev`,
 * with services/orders.yaml changed (tag 1.4.2 → 1.4.3, count 2 → 3, cpu/memory 256/512 →
 * 512/1024) and services/payments.yaml switched from blue-green to canary 10%/5 min.
 * Protects: the counts users see (a replacement is one `replace`), and the ECS changes worth
 * reading (image from → to, cpu/memory, desired count, deployment strategy). Destroy plans are
 * summarized from the streamed `plan -destroy -json` messages (a real one of the registry).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { summarizePlan, UNKNOWN, type PlanSummary } from '../../src/terraform';
import { parseUiLine, type UiMessage } from '../../src/terraform/process';
import { summarizeDestroyPlan } from '../../src/terraform/summary';

const fixture = (name: string): unknown =>
  JSON.parse(readFileSync(join(__dirname, 'fixtures', `${name}.plan.json`), 'utf8'));

/** A JSON plan with the given resource changes (the shape of format_version 1.2). */
function plan(
  changes: Array<{
    address: string;
    type: string;
    actions: string[];
    before?: unknown;
    after?: unknown;
    after_unknown?: unknown;
    mode?: string;
  }>,
  outputs: Record<string, string[]> = {},
): unknown {
  return {
    format_version: '1.2',
    terraform_version: '1.11.4',
    resource_changes: changes.map((c) => ({
      address: c.address,
      mode: c.mode ?? 'managed',
      type: c.type,
      name: c.address.split('.').pop(),
      change: {
        actions: c.actions,
        before: c.before ?? null,
        after: c.after ?? null,
        after_unknown: c.after_unknown ?? {},
      },
    })),
    output_changes: Object.fromEntries(
      Object.entries(outputs).map(([k, actions]) => [k, { actions, before: null, after: 'x' }]),
    ),
  };
}

describe('summarizePlan on a real plan: a new image, count and size for orders', () => {
  let s: PlanSummary;
  beforeAll(() => {
    s = summarizePlan(fixture('dev-orders.image-count-size'));
  });

  it('counts the task definition as one replacement and the service as one in-place change', () => {
    expect({ add: s.add, change: s.change, replace: s.replace, destroy: s.destroy, unchanged: s.unchanged }).toEqual({
      add: 0,
      change: 1,
      replace: 1,
      destroy: 0,
      unchanged: 6,
    });
    expect(s.changes).toBe(true);
    expect(s.resources).toEqual([
      { address: 'aws_ecs_service.Service', type: 'aws_ecs_service', action: 'update' },
      // The engine's replace_paths: what forces the replacement.
      {
        address: 'aws_ecs_task_definition.TaskDefinition',
        type: 'aws_ecs_task_definition',
        action: 'replace',
        replacePaths: ['memory', 'cpu', 'container_definitions'],
      },
    ]);
  });

  it('names the image change per container, and the task cpu and memory', () => {
    const td = s.highlights.find((h) => h.resource === 'task definition')!;
    expect(td).toMatchObject({ name: 'shop-dev-orders', action: 'replace' });
    expect(td.changes).toEqual([
      {
        attribute: 'image',
        container: 'orders',
        from: expect.stringMatching(/\/shop\/orders:1\.4\.2$/),
        to: expect.stringMatching(/\/shop\/orders:1\.4\.3$/),
      },
      { attribute: 'cpu', from: '256', to: '512' },
      { attribute: 'memory', from: '512', to: '1024' },
    ]);
  });

  it('shows the desired count and the new task definition revision the service will get', () => {
    const svc = s.highlights.find((h) => h.resource === 'service')!;
    expect(svc).toMatchObject({ name: 'orders', action: 'update' });
    expect(svc.changes).toEqual([
      { attribute: 'desired count', from: '2', to: '3' },
      { attribute: 'task definition', from: 'shop-dev-orders:1', to: UNKNOWN },
    ]);
  });
});

describe('summarizePlan on a real plan: payments from blue/green to canary', () => {
  it('shows the CodeDeploy deployment configuration from → to', () => {
    const s = summarizePlan(fixture('dev-payments.canary'));
    expect({ add: s.add, change: s.change, replace: s.replace, destroy: s.destroy }).toEqual({
      add: 0,
      change: 1,
      replace: 0,
      destroy: 0,
    });
    expect(s.highlights).toEqual([
      {
        address: 'aws_codedeploy_deployment_group.DeploymentGroup',
        resource: 'deployment group',
        name: 'payments',
        action: 'update',
        changes: [
          {
            attribute: 'deployment',
            from: 'CodeDeployDefault.ECSAllAtOnce',
            to: 'CodeDeployDefault.ECSCanary10Percent5Minutes',
          },
        ],
      },
    ]);
  });
});

describe('summarizeDestroyPlan on a real stream: `plan -destroy -json` of the example registry', () => {
  it('lists every resource to delete from the planned_change messages', () => {
    const messages = readFileSync(join(__dirname, 'fixtures', 'registry.destroy.plan.jsonl'), 'utf8')
      .split('\n')
      .map(parseUiLine)
      .filter((m): m is UiMessage => m !== undefined);
    const s = summarizeDestroyPlan(messages);
    expect({ changes: s.changes, add: s.add, change: s.change, replace: s.replace, destroy: s.destroy }).toEqual({
      changes: true,
      add: 0,
      change: 0,
      replace: 0,
      destroy: 6,
    });
    expect(s.resources.map((r) => r.address).sort()).toEqual(
      ['orders', 'payments', 'web']
        .flatMap((svc) => [`aws_ecr_lifecycle_policy.Lifecycle-${svc}`, `aws_ecr_repository.Repository-${svc}`])
        .sort(),
    );
    expect(s.resources.every((r) => r.action === 'delete' && r.type.startsWith('aws_ecr_'))).toBe(true);
  });
});

describe('summarizePlan: actions and edge cases', () => {
  it('counts create, update, both replace orders, delete; ignores no-op and data reads', () => {
    const s = summarizePlan(
      plan([
        { address: 'aws_a.new', type: 'aws_a', actions: ['create'] },
        { address: 'aws_a.upd', type: 'aws_a', actions: ['update'] },
        { address: 'aws_a.rep1', type: 'aws_a', actions: ['delete', 'create'] },
        { address: 'aws_a.rep2', type: 'aws_a', actions: ['create', 'delete'] },
        { address: 'aws_a.gone', type: 'aws_a', actions: ['delete'] },
        { address: 'aws_a.same', type: 'aws_a', actions: ['no-op'] },
        { address: 'data.aws_b.read', type: 'aws_b', actions: ['read'], mode: 'data' },
      ]),
    );
    expect({ add: s.add, change: s.change, replace: s.replace, destroy: s.destroy, unchanged: s.unchanged }).toEqual({
      add: 1,
      change: 1,
      replace: 2,
      destroy: 1,
      unchanged: 1,
    });
    expect(s.resources.map((r) => r.action)).toEqual(['create', 'update', 'replace', 'replace', 'delete']);
  });

  it('a plan with only output changes has changes, and no resources', () => {
    const s = summarizePlan(
      plan([{ address: 'aws_a.same', type: 'aws_a', actions: ['no-op'] }], { url: ['update'], same: ['no-op'] }),
    );
    expect(s.changes).toBe(true);
    expect(s.outputs).toBe(1);
    expect(s.resources).toEqual([]);
  });

  it('a plan of no-ops has no changes', () => {
    expect(
      summarizePlan(plan([{ address: 'aws_a.same', type: 'aws_a', actions: ['no-op'] }], { same: ['no-op'] })).changes,
    ).toBe(false);
  });

  it('a new service shows what it will run; an image not known yet says so', () => {
    const s = summarizePlan(
      plan([
        {
          address: 'aws_ecs_service.Service',
          type: 'aws_ecs_service',
          actions: ['create'],
          after: { name: 'web', desired_count: 2, deployment_controller: [{ type: 'ECS' }] },
          after_unknown: { task_definition: true },
        },
        {
          address: 'aws_ecs_task_definition.T',
          type: 'aws_ecs_task_definition',
          actions: ['create'],
          after: { family: 'f', cpu: '256' },
          after_unknown: { container_definitions: true },
        },
      ]),
    );
    expect(s.highlights[0]!.changes).toEqual([
      { attribute: 'desired count', to: '2' },
      { attribute: 'task definition', to: UNKNOWN },
      { attribute: 'deployment', to: 'rolling (ECS)' },
    ]);
    expect(s.highlights[1]!.changes).toEqual([{ attribute: 'cpu', to: '256' }]);
  });

  it('a service change outside the highlighted attributes gives no highlight (the resource is still listed)', () => {
    const s = summarizePlan(
      plan([
        {
          address: 'aws_ecs_service.S',
          type: 'aws_ecs_service',
          actions: ['update'],
          before: { name: 's', desired_count: 1, propagate_tags: 'NONE' },
          after: { name: 's', desired_count: 1, propagate_tags: 'SERVICE' },
        },
      ]),
    );
    expect(s.highlights).toEqual([]);
    expect(s.resources).toHaveLength(1);
  });

  it('rejects text that is not a JSON plan', () => {
    expect(() => summarizePlan({ hello: 'world' })).toThrow();
  });
});
