/** Options the bundled examples do not use, each synthesized from a small project. */
import { projectWith } from '../config/fixture-project';
import { only, resources, synthProject, type TfJson } from './helpers';

function synthWith(files: Record<string, string>): { json: (stack: string) => TfJson; names: string[] } {
  const p = projectWith(files);
  try {
    const s = synthProject(p.dir);
    const names = s.stacks.map((x) => x.name);
    const cache = new Map(names.map((n) => [n, s.json(n)]));
    s.cleanup();
    return { json: (n) => cache.get(n)!, names };
  } finally {
    p.cleanup();
  }
}

const API = (extra: string) => `image:\n  tag: "1.0.0"\nport: 8080\nhttp:\n  paths: [/api/*]\n${extra}`;
const DEV = (extra: string) =>
  `network:\n  create:\n    cidr: 10.0.0.0/16\ncluster:\n  ec2:\n    instanceTypes: [t3.small]\n    minSize: 1\n    maxSize: 2\n${extra}`;

describe('deployment strategies', () => {
  it('canary with a custom shift creates its own CodeDeploy deployment config', () => {
    const { json } = synthWith({
      'services/api.yaml': API('deployment:\n  strategy: canary\n  canary:\n    percent: 20\n    minutes: 3\n'),
    });
    const svc = json('dev-api');
    expect(only(svc, 'aws_codedeploy_deployment_config')).toMatchObject({
      deployment_config_name: 'acme-dev-api-canary-20pct-3m',
      compute_platform: 'ECS',
      traffic_routing_config: { type: 'TimeBasedCanary', time_based_canary: { percentage: 20, interval: 3 } },
    });
    expect(only(svc, 'aws_codedeploy_deployment_group')['deployment_config_name']).toBe(
      '${aws_codedeploy_deployment_config.DeployConfig.deployment_config_name}',
    );
  });

  it('linear 10% every 3 minutes uses the predefined config', () => {
    const { json } = synthWith({
      'services/api.yaml': API('deployment:\n  strategy: linear\n  linear:\n    percent: 10\n    minutes: 3\n'),
    });
    expect(resources(json('dev-api'), 'aws_codedeploy_deployment_config')).toEqual({});
    expect(only(json('dev-api'), 'aws_codedeploy_deployment_group')['deployment_config_name']).toBe(
      'CodeDeployDefault.ECSLinear10PercentEvery3Minutes',
    );
  });

  it('rolling without circuit breaker when it is turned off', () => {
    const { json } = synthWith({ 'services/api.yaml': API('deployment:\n  circuitBreaker: false\n') });
    expect(only(json('dev-api'), 'aws_ecs_service')['deployment_circuit_breaker']).toEqual({
      enable: false,
      rollback: false,
    });
  });

  it('no test listener in an environment without blue/green services', () => {
    const { json } = synthWith({});
    expect(Object.values(resources(json('dev-cluster'), 'aws_lb_listener')).map((l) => l['port'])).toEqual([80]);
  });
});

describe('capacity and draining', () => {
  it('lifecycle-hook draining: hook, EventBridge rule, a zipped Lambda, and managed draining off', () => {
    const { json } = synthWith({ 'environments/dev.yaml': DEV('    draining: lifecycle-hook\n') });
    const c = json('dev-cluster');
    expect(only(c, 'aws_autoscaling_lifecycle_hook')).toMatchObject({
      lifecycle_transition: 'autoscaling:EC2_INSTANCE_TERMINATING',
      heartbeat_timeout: 900,
    });
    expect(only(c, 'aws_lambda_function')).toMatchObject({
      runtime: 'nodejs20.x',
      handler: 'index.handler',
      filename: expect.stringMatching(/^assets\/DrainLambdaCode\/[0-9A-F]+\/archive\.zip$/),
    });
    expect(JSON.parse(only(c, 'aws_cloudwatch_event_rule')['event_pattern'] as string)).toMatchObject({
      'detail-type': ['EC2 Instance-terminate Lifecycle Action'],
    });
    expect(only(c, 'aws_cloudwatch_event_target')['arn']).toBe('${aws_lambda_function.DrainLambda.arn}');
    expect(only(c, 'aws_ecs_capacity_provider')['auto_scaling_group_provider']).toMatchObject({
      managed_draining: 'DISABLED',
    });
  });

  it('a Fargate-only environment has no EC2 capacity at all', () => {
    const { json } = synthWith({
      'environments/dev.yaml': 'network:\n  create:\n    cidr: 10.0.0.0/16\ncluster:\n  fargate: true\n',
      'services/api.yaml': 'image:\n  tag: "1"\nlaunchType: fargate\nport: 8080\nhttp:\n  paths: [/api/*]\n',
    });
    const c = json('dev-cluster');
    expect(resources(c, 'aws_autoscaling_group')).toEqual({});
    expect(resources(c, 'aws_launch_template')).toEqual({});
    expect(only(c, 'aws_ecs_cluster_capacity_providers')).toMatchObject({
      capacity_providers: ['FARGATE'],
      default_capacity_provider_strategy: [{ capacity_provider: 'FARGATE', weight: 1, base: 0 }],
    });
  });

  it('an internal load balancer sits in the private subnets and admits only the VPC', () => {
    const { json } = synthWith({ 'environments/dev.yaml': DEV('loadBalancer:\n  internal: true\n') });
    const c = json('dev-cluster');
    expect(only(c, 'aws_lb')).toMatchObject({
      internal: true,
      subnets: ['${aws_subnet.PrivateSubnet0.id}', '${aws_subnet.PrivateSubnet1.id}'],
    });
    const ingress = Object.values(resources(c, 'aws_vpc_security_group_ingress_rule')).filter(
      (r) => r['from_port'] === 80,
    );
    expect(ingress).toEqual([expect.objectContaining({ cidr_ipv4: '${aws_vpc.Vpc.cidr_block}' })]);
  });
});

describe('scaling and routing', () => {
  it('step scaling on a custom metric: a policy with steps and the alarm that triggers it', () => {
    const { json } = synthWith({
      'services/api.yaml': API(
        'scaling:\n  min: 1\n  max: 10\n  step:\n    metric:\n      namespace: Acme/Queue\n      name: Backlog\n      statistic: Maximum\n      dimensions:\n        Queue: jobs\n    steps:\n      - above: 100\n        change: 1\n      - above: 500\n        change: 3\n',
      ),
    });
    const svc = json('dev-api');
    expect(only(svc, 'aws_appautoscaling_policy')).toMatchObject({
      policy_type: 'StepScaling',
      step_scaling_policy_configuration: {
        adjustment_type: 'ChangeInCapacity',
        metric_aggregation_type: 'Maximum',
        step_adjustment: [
          { metric_interval_lower_bound: '0', metric_interval_upper_bound: '400', scaling_adjustment: 1 },
          { metric_interval_lower_bound: '400', scaling_adjustment: 3 },
        ],
      },
    });
    expect(only(svc, 'aws_cloudwatch_metric_alarm')).toMatchObject({
      namespace: 'Acme/Queue',
      metric_name: 'Backlog',
      threshold: 100,
      dimensions: { Queue: 'jobs' },
      alarm_actions: ['${aws_appautoscaling_policy.StepScaling.arn}'],
    });
  });

  it('host-header rules and explicit priorities are kept', () => {
    const { json } = synthWith({
      'services/api.yaml': 'image:\n  tag: "1"\nport: 8080\nhttp:\n  hosts: [api.example.com]\n  priority: 20007\n',
    });
    expect(only(json('dev-api'), 'aws_lb_listener_rule')).toMatchObject({
      priority: 20007,
      condition: [{ host_header: { values: ['api.example.com'] } }],
    });
  });

  it('an image by digest is pinned by digest; an external repository is used as given', () => {
    const digest = `sha256:${'a'.repeat(64)}`;
    const byDigest = synthWith({ 'services/api.yaml': `image:\n  digest: "${digest}"\n` });
    const image = (j: TfJson) =>
      (
        JSON.parse(only(j, 'aws_ecs_task_definition')['container_definitions'] as string) as Array<{ image: string }>
      )[0]!.image;
    expect(image(byDigest.json('dev-api'))).toBe(`\${data.aws_ecr_repository.Repository.repository_url}@${digest}`);
    const external = synthWith({
      'services/api.yaml': 'image:\n  repository: public.ecr.aws/nginx/nginx\n  tag: "1.27"\n',
    });
    expect(image(external.json('dev-api'))).toBe('public.ecr.aws/nginx/nginx:1.27');
  });

  it('a worker without http has no target group, rule or grace period', () => {
    const { json } = synthWith({ 'services/api.yaml': 'image:\n  tag: "1"\ncommand: [worker]\n' });
    const svc = json('dev-api');
    expect(resources(svc, 'aws_lb_target_group')).toEqual({});
    expect(resources(svc, 'aws_lb_listener_rule')).toEqual({});
    expect(only(svc, 'aws_ecs_service')['load_balancer']).toBeUndefined();
  });
});
