/**
 * Adoption in the synthesized stacks: an adopted service's stack has Terraform `import` blocks for
 * the existing ECS service, target group, listener rule, log group and scaling target and policy
 * until the release store records the adoption, and keeps their names (those a change would
 * replace) forever; an environment with `cluster.existing` and `loadBalancer.existing` creates no
 * cluster, capacity or load balancer, and outputs the existing ones to its service stacks.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadProject } from '../../src/config/load';
import { serviceNames } from '../../src/ops/service';
import { synthesize, type AdoptedServices } from '../../src/synth';
import { projectWith } from '../config/fixture-project';
import { only, resources, type TfJson } from './helpers';

const TG = 'arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/legacy-api/0123456789abcdef';
const LISTENER =
  'arn:aws:elasticloadbalancing:us-east-1:123456789012:listener/app/legacy/0123456789abcdef/fedcba9876543210';
const RULE =
  'arn:aws:elasticloadbalancing:us-east-1:123456789012:listener-rule/app/legacy/0123456789abcdef/fedcba9876543210/0011223344556677';

const ENV = `network:
  vpcId: vpc-0abc
  publicSubnets: [subnet-01, subnet-02]
  privateSubnets: [subnet-03]
cluster:
  existing: legacy
loadBalancer:
  existing:
    listenerArn: ${LISTENER}
`;

const SERVICE = `image:
  tag: "1.0.0"
launchType: fargate
port: 8080
http:
  paths: [/api/*]
scaling:
  min: 2
  max: 4
  cpu: 70
environments:
  dev:
    adopt:
      serviceName: api-legacy
      cluster: legacy
      launchType: FARGATE
      taskDefinitionFamily: legacy-api
      logGroup: /legacy/api
      targetGroup:
        arn: ${TG}
        name: legacy-api
        port: 80
      listenerRule:
        arn: ${RULE}
        priority: 100
      scaling:
        policies:
          cpu: api-cpu
`;

function synth(adopted?: AdoptedServices): {
  json: (stack: string) => TfJson & { import?: Array<{ to: string; id: string }> };
} {
  const p = projectWith({ 'environments/dev.yaml': ENV, 'services/api.yaml': SERVICE });
  const out = mkdtempSync(join(tmpdir(), 'ecsdeploy-synth-'));
  try {
    const project = loadProject(p.dir);
    synthesize(project, project.environments, { outDir: out, cache: false, ...(adopted ? { adopted } : {}) });
    const cache = new Map(
      ['dev-cluster', 'dev-api'].map((n) => [
        n,
        JSON.parse(readFileSync(join(out, 'stacks', n, 'cdk.tf.json'), 'utf8')),
      ]),
    );
    return { json: (n) => cache.get(n) };
  } finally {
    rmSync(out, { recursive: true, force: true });
    p.cleanup();
  }
}

describe('an adopted service', () => {
  it('has an import block per existing resource, by its Terraform import ID', () => {
    const api = synth().json('dev-api');
    expect(api.import).toEqual(
      expect.arrayContaining([
        { to: 'aws_cloudwatch_log_group.Logs', id: '/legacy/api' },
        { to: 'aws_lb_target_group.TargetGroup', id: TG },
        { to: 'aws_lb_listener_rule.ListenerRule', id: RULE },
        { to: 'aws_ecs_service.Service', id: 'legacy/api-legacy' },
        { to: 'aws_appautoscaling_target.ScalingTarget', id: 'ecs/service/legacy/api-legacy/ecs:service:DesiredCount' },
        {
          to: 'aws_appautoscaling_policy.CpuScaling',
          id: 'ecs/service/legacy/api-legacy/ecs:service:DesiredCount/api-cpu',
        },
      ]),
    );
    expect(api.import).toHaveLength(6);
  });

  it('keeps the names and values whose change would replace a resource', () => {
    const api = synth().json('dev-api');
    expect(only(api, 'aws_ecs_service')).toMatchObject({ name: 'api-legacy', launch_type: 'FARGATE' });
    expect(only(api, 'aws_ecs_service')).not.toHaveProperty('capacity_provider_strategy');
    expect(only(api, 'aws_lb_target_group')).toMatchObject({ name: 'legacy-api', port: 80 });
    expect(only(api, 'aws_lb_listener_rule')).toMatchObject({ priority: 100 });
    expect(only(api, 'aws_cloudwatch_log_group')).toMatchObject({ name: '/legacy/api' });
    expect(only(api, 'aws_ecs_task_definition')).toMatchObject({ family: 'legacy-api' });
    expect(only(api, 'aws_appautoscaling_policy')).toMatchObject({ name: 'api-cpu' });
  });

  it('has no import blocks once the release store records that an apply imported this service, and the same names', () => {
    const api = synth(new Map([['dev', new Map([['api', { serviceName: 'api-legacy', cluster: 'legacy' }]])]])).json(
      'dev-api',
    );
    expect(api).not.toHaveProperty('import');
    expect(only(api, 'aws_ecs_service')).toMatchObject({ name: 'api-legacy' });
    expect(only(api, 'aws_lb_target_group')).toMatchObject({ name: 'legacy-api' });
  });

  it('is imported again when the record is of another ECS service', () => {
    const api = synth(new Map([['dev', new Map([['api', { serviceName: 'api-old', cluster: 'legacy' }]])]])).json(
      'dev-api',
    );
    expect(api.import).toHaveLength(6);
  });
});

describe('cluster.existing and loadBalancer.existing', () => {
  it('the cluster stack reads the existing cluster and listener and creates neither', () => {
    const cluster = synth().json('dev-cluster');
    for (const type of [
      'aws_ecs_cluster',
      'aws_lb',
      'aws_lb_listener',
      'aws_autoscaling_group',
      'aws_ecs_cluster_capacity_providers',
      'aws_security_group',
    ]) {
      expect([type, resources(cluster, type)]).toEqual([type, {}]);
    }
    expect(cluster.data?.['aws_ecs_cluster']?.['Cluster']).toMatchObject({ cluster_name: 'legacy' });
    expect(cluster.data?.['aws_lb_listener']?.['Listener']).toMatchObject({ arn: LISTENER });
    expect(cluster.output?.['cluster_name']?.value).toBe('legacy');
    expect(cluster.output?.['listener_arn']?.value).toBe(LISTENER);
    expect(cluster.output?.['alb_security_group_id']?.value).toBe(
      '${element(tolist(data.aws_lb.LoadBalancer.security_groups), 0)}',
    );
  });
});

describe('live operations (status, logs, the rollout watcher)', () => {
  it('name the adopted service, its cluster and log group as the stack does', () => {
    const p = projectWith({ 'environments/dev.yaml': ENV, 'services/api.yaml': SERVICE });
    try {
      const project = loadProject(p.dir);
      const env = project.environments[0]!;
      expect(serviceNames('acme', env, env.services[0]!)).toMatchObject({
        cluster: 'legacy',
        service: 'api-legacy',
        logGroup: '/legacy/api',
      });
    } finally {
      p.cleanup();
    }
  });
});
