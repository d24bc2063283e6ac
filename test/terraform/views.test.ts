/**
 * The human views of plan / apply / destroy. Protects: the plan table and the ECS changes under
 * it, deferred stacks with their reason, the kept registry, warnings; progress as plain timestamped lines
 * where nobody watches, and a live block redrawn in place on a terminal.
 */
import type { InfraEvent, PlanReport } from '../../src/ops/infra';
import { NO_CHANGES, UNKNOWN } from '../../src/terraform';
import { formatApply, formatDestroy, formatPlan } from '../../src/ui/infra-view';
import { progressView } from '../../src/ui/progress';
import { fixedClock } from '../support/clock';

const base = {
  environment: 'dev',
  operation: 'apply' as const,
  engine: { kind: 'terraform', version: '1.11.4' },
  logFile: '/p/.ecsdeploy/logs/x.log',
  kept: [],
};

describe('formatPlan', () => {
  it('a table of stacks, then what matters per stack: highlights and in-place changes, not new resources one by one', () => {
    const report: PlanReport = {
      ...base,
      changes: true,
      stacks: [
        { stack: 'registry', kind: 'registry', status: 'planned', summary: NO_CHANGES },
        {
          stack: 'dev-orders',
          kind: 'service',
          status: 'planned',
          summary: {
            ...NO_CHANGES,
            changes: true,
            add: 1,
            change: 2,
            replace: 1,
            resources: [
              { address: 'aws_ecs_service.Service', type: 'aws_ecs_service', action: 'update' },
              { address: 'aws_ecs_task_definition.TaskDefinition', type: 'aws_ecs_task_definition', action: 'replace' },
              { address: 'aws_lb_listener_rule.ListenerRule', type: 'aws_lb_listener_rule', action: 'update' },
              { address: 'aws_cloudwatch_log_group.Logs', type: 'aws_cloudwatch_log_group', action: 'create' },
            ],
            highlights: [
              {
                address: 'aws_ecs_service.Service',
                resource: 'service',
                name: 'orders',
                action: 'update',
                changes: [
                  { attribute: 'desired count', from: '2', to: '3' },
                  { attribute: 'task definition', from: 'shop-dev-orders:1', to: UNKNOWN },
                ],
              },
              {
                address: 'aws_ecs_task_definition.TaskDefinition',
                resource: 'task definition',
                name: 'shop-dev-orders',
                action: 'replace',
                changes: [
                  { attribute: 'image', container: 'orders', from: 'r/shop/orders:1.4.2', to: 'r/shop/orders:1.4.3' },
                ],
              },
            ],
          },
        },
        {
          stack: 'dev-web',
          kind: 'service',
          status: 'deferred',
          waitsFor: ['dev-cluster'],
          reason: 'Unsupported attribute',
        },
      ],
    };
    expect(formatPlan(report)).toBe(
      [
        'Plan for dev (terraform 1.11.4):',
        '',
        'STACK       ADD  CHANGE  REPLACE  DESTROY',
        `----------  ---  ------  -------  -------  ${'-'.repeat('deferred: planned once dev-cluster is applied'.length)}`,
        'registry    0    0       0        0        no changes',
        'dev-orders  1    2       1        0',
        'dev-web     -    -       -        -        deferred: planned once dev-cluster is applied',
        '',
        'dev-orders',
        '  ~ service orders  (aws_ecs_service.Service)',
        '      desired count: 2 → 3',
        `      task definition: shop-dev-orders:1 → ${UNKNOWN}`,
        '  -/+ task definition shop-dev-orders  (aws_ecs_task_definition.TaskDefinition)',
        '      image (orders): r/shop/orders:1.4.2 → r/shop/orders:1.4.3',
        '  ~ aws_lb_listener_rule.ListenerRule  (update)',
        '',
        'Deferred (the engine cannot plan them before the stacks they read from exist or change):',
        '  dev-web: Unsupported attribute',
        '',
        '2 of 3 stacks with changes.',
      ].join('\n'),
    );
  });

  it('a destroy plan only counts, and names what is kept', () => {
    const text = formatPlan({
      ...base,
      operation: 'destroy',
      changes: true,
      kept: [{ stack: 'registry', reason: 'shared' }],
      stacks: [
        {
          stack: 'dev-api',
          kind: 'service',
          status: 'planned',
          summary: {
            ...NO_CHANGES,
            changes: true,
            destroy: 2,
            resources: [{ address: 'aws_a.b', type: 'aws_a', action: 'delete' }],
          },
        },
      ],
    });
    expect(text).toContain('Destroy plan for dev (terraform 1.11.4):');
    expect(text).not.toContain('aws_a.b');
    expect(text).toContain('Kept: registry (shared).');
    expect(text).toContain('1 of 1 stack to destroy.');
  });

  it('warnings (a cluster roll in progress) come last, above the count', () => {
    const text = formatPlan({
      ...base,
      changes: true,
      warnings: ["A roll of dev's instances is in progress."],
      stacks: [
        {
          stack: 'dev-cluster',
          kind: 'cluster',
          status: 'planned',
          summary: { ...NO_CHANGES, changes: true, change: 1 },
        },
      ],
    });
    expect(text.split('\n').slice(-4)).toEqual([
      '',
      "Warning: A roll of dev's instances is in progress.",
      '',
      '1 of 1 stack with changes.',
    ]);
    expect(formatPlan({ ...base, changes: false, stacks: [] })).not.toContain('Warning');
  });

  it('the security policy rules the environment allows to fail, each with its file and reason, above the count', () => {
    const text = formatPlan({
      ...base,
      changes: false,
      stacks: [],
      policyAllowances: [
        { rule: 'CKV_AWS_136', reason: 'ECR repositories use AES256.', file: 'ecsdeploy.yaml' },
        { rule: 'CKV_AWS_91', reason: "dev's access logs are not kept.", file: 'environments/dev.yaml' },
      ],
    });
    expect(text.split('\n').slice(-5, -2)).toEqual([
      'Security policy rules allowed to fail here (policy.allow; docs/security.md):',
      '  CKV_AWS_136 (ecsdeploy.yaml): ECR repositories use AES256.',
      "  CKV_AWS_91 (environments/dev.yaml): dev's access logs are not kept.",
    ]);
    expect(formatPlan({ ...base, changes: false, stacks: [] })).not.toContain('policy.allow');
  });

  it('apply and destroy results', () => {
    expect(
      formatApply({
        environment: 'dev',
        plan: { ...base, changes: true, stacks: [] },
        logFile: 'x',
        stacks: [
          { stack: 'registry', applied: false, summary: NO_CHANGES, outputs: {} },
          { stack: 'dev-api', applied: true, summary: NO_CHANGES, outputs: { url: 'http://x', ids: ['a', 'b'] } },
        ],
      }),
    ).toBe(
      [
        'Applied: dev-api.',
        'Unchanged: registry.',
        '',
        'Outputs:',
        '  dev-api',
        '    url = http://x',
        '    ids = ["a","b"]',
      ].join('\n'),
    );
    expect(
      formatDestroy({
        environment: 'dev',
        plan: { ...base, changes: false, stacks: [] },
        destroyed: [],
        kept: [{ stack: 'registry', reason: 'shared' }],
        logFile: 'x',
      }),
    ).toBe('Nothing was destroyed: no resources left in these stacks.\nKept: registry (shared).');
  });
});

describe('progressView', () => {
  const events: InfraEvent[] = [
    {
      type: 'run',
      operation: 'apply',
      environment: 'dev',
      stacks: ['registry', 'dev-cluster'],
      engine: 'terraform 1.11.4',
      logFile: '/l.log',
    },
    { type: 'step', stack: 'registry', step: 'init', status: 'done', detail: 'cached' },
    { type: 'step', stack: 'dev-cluster', step: 'apply', status: 'started' },
    { type: 'resource', stack: 'dev-cluster', status: 'started', message: 'aws_lb.LoadBalancer: Creating...' },
    { type: 'step', stack: 'dev-cluster', step: 'apply', status: 'failed', detail: 'boom' },
    { type: 'notice', message: 'hello' },
  ];

  it('plain lines with the time, one per step and resource operation (cached inits are not worth a line)', () => {
    let out = '';
    const view = progressView(
      { write: (t: string) => (out += t) },
      { live: false, clock: fixedClock('2026-01-01T10:11:12Z') },
    );
    for (const e of events) view.onEvent(e);
    expect(out).toBe(
      [
        '10:11:12 apply dev: registry, dev-cluster (terraform 1.11.4; engine output in /l.log)',
        '10:11:12 dev-cluster  applying...',
        '10:11:12 dev-cluster  aws_lb.LoadBalancer: Creating...',
        '10:11:12 dev-cluster  apply FAILED: boom',
        '10:11:12 note: hello',
        '',
      ].join('\n'),
    );
  });

  it('a live block: one line per stack, redrawn in place; a notice goes above it; left on screen when paused', () => {
    jest.useFakeTimers();
    let out = '';
    const view = progressView({ write: (t: string) => (out += t), columns: 80 }, { live: true, interval: 100 });
    view.onEvent(events[0]!);
    view.onEvent({ type: 'step', stack: 'registry', step: 'plan', status: 'done', detail: 'no changes' });
    view.onEvent(events[2]!);
    view.onEvent(events[3]!);
    jest.advanceTimersByTime(100);
    view.onEvent({ type: 'notice', message: 'hello' });
    view.pause();
    jest.useRealTimers();
    const block = [
      '\x1b[2K  ✓ registry     no changes',
      /\x1b\[2K {2}\S dev-cluster {2}applying {2}aws_lb\.LoadBalancer: Creating\.\.\./,
    ];
    expect(out.startsWith('apply dev with terraform 1.11.4 (engine output in /l.log)\n')).toBe(true);
    // The notice erased the block (up 2, clear to the end), printed itself, drew the block again;
    // pause moved up over it and drew its final state.
    const [beforePause, final] = [out.slice(0, out.lastIndexOf('\x1b[2A')), out.slice(out.lastIndexOf('\x1b[2A'))];
    expect(beforePause).toContain('\x1b[2A\x1b[0Jnote: hello\n');
    expect(final).toContain(block[0] as string);
    expect(final).toMatch(block[1] as RegExp);
  });
});
