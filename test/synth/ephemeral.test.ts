/**
 * Environments on demand on a shared cluster: only their service stacks, reached by host name,
 * with listener-rule priorities that can collide neither with the base environment's nor with each
 * other's — checked with 50 of them.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ENV_HEADER, resolveEphemeral, type EphemeralRecord } from '../../src/config/ephemeral';
import { loadProject, type ResolvedEnvironment } from '../../src/config/load';
import { synthesize, type SynthesizedStack } from '../../src/synth';
import { projectWith } from '../config/fixture-project';
import { REPO, ephemeralRecord as record, only, resources, type TfJson } from './helpers';

describe('50 environments on demand sharing dev', () => {
  const out = mkdtempSync(join(tmpdir(), 'ecsdeploy-eph-'));
  const project = loadProject(REPO, { environments: ['dev'] });
  const dev = project.environments[0]!;
  const ephemerals = Array.from({ length: 50 }, (_, i) => resolveEphemeral(dev, record(`pr-${100 + i}`, i)));
  let stacks: SynthesizedStack[];
  beforeAll(() => {
    stacks = synthesize(project, [dev, ...ephemerals], { outDir: out, cache: false });
  });
  afterAll(() => rmSync(out, { recursive: true, force: true }));
  const json = (stack: string) => JSON.parse(readFileSync(join(out, 'stacks', stack, 'cdk.tf.json'), 'utf8')) as TfJson;

  it('have only their service stacks, depending on the base cluster', () => {
    const mine = stacks.filter((s) => s.environment === 'pr-100');
    expect(mine.map((s) => s.name)).toEqual(['pr-100-orders', 'pr-100-payments', 'pr-100-web']);
    // web calls orders through Service Connect, in pr-100's own namespace, which pr-100-orders creates.
    expect(Object.fromEntries(mine.map((s) => [s.name, s.dependsOn]))).toEqual({
      'pr-100-orders': ['dev-cluster'],
      'pr-100-payments': ['dev-cluster'],
      'pr-100-web': ['dev-cluster', 'pr-100-orders'],
    });
    // dev's scheduled job stays dev's: environments on demand have no jobs.
    expect(stacks.filter((s) => s.kind !== 'service').map((s) => s.name)).toEqual([
      'registry',
      'dev-cluster',
      'dev-job-nightly-report',
    ]);
  });

  it("read the base cluster's state and name their ECS services apart from the base's", () => {
    const j = json('pr-100-orders');
    expect((j.data?.['terraform_remote_state']?.['Cluster'] as { config: { path: string } }).config.path).toMatch(
      /\/dev-cluster\.tfstate$/,
    );
    expect(only(j, 'aws_ecs_service')['name']).toBe('pr-100-orders');
    expect(only(json('dev-orders'), 'aws_ecs_service')['name']).toBe('orders');
    expect(only(j, 'aws_ecs_service')['desired_count']).toBe(1);
  });

  it('route by host name under the base domain, plus the service paths', () => {
    const rule = only(json('pr-100-orders'), 'aws_lb_listener_rule');
    expect(rule['condition']).toEqual([
      { path_pattern: { values: ['/orders', '/orders/*'] } },
      { host_header: { values: ['pr-100.dev.shop.example.com'] } },
    ]);
  });

  it('take listener-rule priorities that collide with nothing and come before every base rule', () => {
    const byListener = new Map<string, number[]>();
    const baseMin = Math.min(
      ...['dev-orders', 'dev-payments', 'dev-web'].flatMap((s) =>
        Object.values(resources(json(s), 'aws_lb_listener_rule')).map((r) => r['priority'] as number),
      ),
    );
    for (const s of stacks.filter((x) => x.kind === 'service')) {
      for (const rule of Object.values(resources(json(s.name), 'aws_lb_listener_rule'))) {
        const listener = rule['listener_arn'] as string;
        byListener.set(listener, [...(byListener.get(listener) ?? []), rule['priority'] as number]);
        if (s.environment !== 'dev') expect(rule['priority'] as number).toBeLessThan(baseMin);
      }
    }
    for (const [, priorities] of byListener) expect(new Set(priorities).size).toBe(priorities.length);
    expect(byListener.get('${data.terraform_remote_state.Cluster.outputs.listener_arn}')!.length).toBe(3 + 50 * 3);
  });

  it("order each environment's own rules most specific first", () => {
    const p = (svc: string) =>
      resources(json(`pr-107-${svc}`), 'aws_lb_listener_rule')['ListenerRule']!['priority'] as number;
    expect(p('payments')).toBeLessThan(p('web'));
    expect(p('orders')).toBeLessThan(p('web'));
  });

  it('give long names AWS-valid, distinct target group names', () => {
    const names = stacks
      .filter((s) => s.kind === 'service')
      .flatMap((s) => Object.values(resources(json(s.name), 'aws_lb_target_group')).map((t) => t['name'] as string));
    for (const n of names) expect(n.length).toBeLessThanOrEqual(32);
    expect(new Set(names).size).toBe(names.length);
  });
});

describe('variants', () => {
  function synthOne(base: ResolvedEnvironment, rec: EphemeralRecord, dir: string) {
    const project = loadProject(dir, { environments: [base.name] });
    const out = mkdtempSync(join(tmpdir(), 'ecsdeploy-eph1-'));
    try {
      const env = resolveEphemeral(project.environments[0]!, rec);
      const stacks = synthesize(project, [env], { outDir: out, cache: false });
      return {
        stacks,
        json: (s: string) => JSON.parse(readFileSync(join(out, 'stacks', s, 'cdk.tf.json'), 'utf8')) as TfJson,
      };
    } finally {
      setTimeout(() => rmSync(out, { recursive: true, force: true }), 0);
    }
  }

  it(`without a domain, route by the ${ENV_HEADER} header`, () => {
    const p = projectWith();
    try {
      const base = loadProject(p.dir).environments[0]!;
      const { json } = synthOne(base, record('feature-login', 3, { services: ['api'] }), p.dir);
      const rule = only(json('feature-login-api'), 'aws_lb_listener_rule');
      expect(rule['priority']).toBe(301);
      expect(rule['condition']).toEqual([
        { path_pattern: { values: ['/api/*'] } },
        { http_header: { http_header_name: ENV_HEADER, values: ['feature-login'] } },
      ]);
    } finally {
      p.cleanup();
    }
  });

  it('an isolated environment has a cluster stack of its own and no host rule', () => {
    const { stacks, json } = synthOne(
      loadProject(REPO, { environments: ['dev'] }).environments[0]!,
      record('iso', 0, { isolated: true, services: ['orders'] }),
      REPO,
    );
    expect(stacks.map((s) => [s.name, s.dependsOn])).toEqual([
      ['iso-cluster', []],
      ['iso-orders', ['iso-cluster']],
    ]);
    expect(only(json('iso-cluster'), 'aws_ecs_cluster')['name']).toBe('shop-iso');
    expect(only(json('iso-orders'), 'aws_lb_listener_rule')['condition']).toEqual([
      { path_pattern: { values: ['/orders', '/orders/*'] } },
    ]);
    expect(only(json('iso-orders'), 'aws_ecs_service')['name']).toBe('orders');
  });
});
