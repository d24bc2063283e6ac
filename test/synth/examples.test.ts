/**
 * The synthesized Terraform of the bundled examples, asserted resource by resource: what a platform
 * team would check before putting it in production.
 */
import { CodedeployDeploymentGroup } from '@cdktf/provider-aws/lib/codedeploy-deployment-group';
import { EcrRepository } from '@cdktf/provider-aws/lib/ecr-repository';
import { EcsCapacityProvider } from '@cdktf/provider-aws/lib/ecs-capacity-provider';
import { EcsCluster } from '@cdktf/provider-aws/lib/ecs-cluster';
import { EcsService } from '@cdktf/provider-aws/lib/ecs-service';
import { LaunchTemplate } from '@cdktf/provider-aws/lib/launch-template';
import { LbListener } from '@cdktf/provider-aws/lib/lb-listener';
import { join, resolve } from 'node:path';
import { REPO, only, policyDocuments, resources, synthProject, type Synthesized, type TfJson } from './helpers';

let s: Synthesized;
beforeAll(() => {
  s = synthProject();
});
afterAll(() => s.cleanup());

const REMOTE = (output: string) => `\${data.terraform_remote_state.Cluster.outputs.${output}}`;

describe('stacks of the bundled examples', () => {
  it("are the registry, each environment's cluster and one stack per service and per scheduled job, in dependency order", () => {
    expect(s.stacks.map((x) => x.name)).toEqual([
      'registry',
      'dev-cluster',
      'dev-orders',
      'dev-payments',
      'dev-web',
      'dev-job-nightly-report',
      'prod-cluster',
      'prod-orders',
      'prod-payments',
      'prod-web',
      'prod-job-nightly-report',
    ]);
    expect(s.stacks.find((x) => x.name === 'dev-job-nightly-report')!.dependsOn).toEqual(['registry', 'dev-cluster']);
    expect(s.stacks.find((x) => x.name === 'dev-orders')!.dependsOn).toEqual(['registry', 'dev-cluster']);
    expect(s.stacks.find((x) => x.name === 'dev-cluster')!.dependsOn).toEqual([]); // applied alongside the registry
  });

  it('pin the AWS provider the machines carry offline, and carry the four tags on every resource', () => {
    for (const { name } of s.stacks) {
      const json = s.json(name);
      expect(json.terraform?.['required_providers']).toEqual({ aws: { source: 'hashicorp/aws', version: '5.100.0' } });
      const tags = (json.provider!.aws![0]!['default_tags'] as Array<{ tags: Record<string, string> }>)[0]!.tags;
      expect(tags).toMatchObject({ 'project': 'shop', 'managed-by': 'ecsdeploy' });
      if (name !== 'registry') expect(tags['environment']).toBe(name.split('-')[0]);
      if (/-(orders|payments|web)$/.test(name)) expect(tags['service']).toBe(name.split('-')[1]);
    }
  });
});

describe('cluster stack', () => {
  let dev: TfJson;
  let prod: TfJson;
  beforeAll(() => {
    dev = s.json('dev-cluster');
    prod = s.json('prod-cluster');
  });

  it('creates an ECS cluster with Container Insights as configured', () => {
    expect(s.text('dev-cluster')).toHaveResourceWithProperties(EcsCluster, {
      name: 'shop-dev',
      setting: [{ name: 'containerInsights', value: 'disabled' }],
    });
    expect(s.text('prod-cluster')).toHaveResourceWithProperties(EcsCluster, {
      name: 'shop-prod',
      setting: [{ name: 'containerInsights', value: 'enabled' }],
    });
  });

  it('launches the ECS-optimized AMI from its public SSM parameter, IMDSv2 only, encrypted root volume', () => {
    expect(dev.data?.['aws_ssm_parameter']?.['EcsOptimizedAmi']).toMatchObject({
      name: '/aws/service/ecs/optimized-ami/amazon-linux-2023/recommended/image_id',
    });
    expect(s.text('dev-cluster')).toHaveResourceWithProperties(LaunchTemplate, {
      image_id: '${data.aws_ssm_parameter.EcsOptimizedAmi.value}',
      instance_type: 't3.medium',
      metadata_options: expect.objectContaining({ http_tokens: 'required' }),
      block_device_mappings: [expect.objectContaining({ ebs: expect.objectContaining({ encrypted: 'true' }) })],
    });
    const userData = Buffer.from(only(dev, 'aws_launch_template')['user_data'] as string, 'base64').toString();
    expect(userData).toContain('ECS_CLUSTER=shop-dev');
  });

  it('gives the instances the ECS agent policy only', () => {
    const attachments = Object.values(resources(dev, 'aws_iam_role_policy_attachment')).map((a) => a['policy_arn']);
    expect(attachments).toEqual(['arn:aws:iam::aws:policy/service-role/AmazonEC2ContainerServiceforEC2Role']);
    expect(resources(dev, 'aws_iam_role_policy')).toEqual({});
  });

  it('sizes the Auto Scaling group from config and lets the capacity provider own desired capacity', () => {
    const asg = only(dev, 'aws_autoscaling_group');
    expect(asg).toMatchObject({
      min_size: 1,
      max_size: 4,
      desired_capacity: 2,
      lifecycle: { ignore_changes: ['desired_capacity'] },
    });
    expect(asg['tag']).toEqual(
      expect.arrayContaining([{ key: 'AmazonECSManaged', value: 'true', propagate_at_launch: true }]),
    );
  });

  it('has a capacity provider with managed scaling and managed instance draining', () => {
    expect(s.text('dev-cluster')).toHaveResourceWithProperties(EcsCapacityProvider, {
      auto_scaling_group_provider: expect.objectContaining({
        managed_draining: 'ENABLED',
        managed_scaling: expect.objectContaining({ status: 'ENABLED', target_capacity: 100 }),
      }),
    });
    expect(only(prod, 'aws_ecs_capacity_provider')['auto_scaling_group_provider']).toMatchObject({
      managed_scaling: { target_capacity: 80 },
    });
  });

  it('registers EC2, Fargate and Fargate Spot capacity providers when the environment asks for them', () => {
    const cps = only(dev, 'aws_ecs_cluster_capacity_providers');
    expect(cps['capacity_providers']).toEqual([
      '${aws_ecs_capacity_provider.CapacityProvider.name}',
      'FARGATE',
      'FARGATE_SPOT',
    ]);
  });

  it('scales the group ahead of time on a schedule', () => {
    const schedules = Object.values(resources(dev, 'aws_autoscaling_schedule'));
    expect(schedules).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          scheduled_action_name: 'office-hours',
          recurrence: '0 7 * * MON-FRI',
          min_size: 1,
          max_size: 4,
          desired_capacity: 2,
        }),
        expect.objectContaining({ scheduled_action_name: 'night', recurrence: '0 20 * * *', desired_capacity: 0 }),
      ]),
    );
  });

  it('uses Spot through a mixed instances policy in prod', () => {
    const asg = only(prod, 'aws_autoscaling_group');
    expect(asg['mixed_instances_policy']).toMatchObject({
      instances_distribution: {
        on_demand_base_capacity: 3,
        on_demand_percentage_above_base_capacity: 50,
        spot_allocation_strategy: 'price-capacity-optimized',
      },
      launch_template: { override: [{ instance_type: 'm6i.large' }, { instance_type: 'm5.large' }] },
    });
    expect(asg['launch_template']).toBeUndefined();
  });

  it('creates a VPC over two zones with one NAT in dev, and uses the given VPC in prod', () => {
    expect(Object.keys(resources(dev, 'aws_subnet'))).toHaveLength(4);
    expect(Object.keys(resources(dev, 'aws_nat_gateway'))).toHaveLength(1);
    expect(only(dev, 'aws_vpc')['cidr_block']).toBe('10.10.0.0/16');
    expect(resources(prod, 'aws_vpc')).toEqual({});
    expect(prod.data?.['aws_vpc']?.['Vpc']).toMatchObject({ id: 'vpc-0a1b2c3d4e5f60718' });
    expect(only(prod, 'aws_lb')['subnets']).toEqual([
      'subnet-0a1b2c3d4e5f60001',
      'subnet-0a1b2c3d4e5f60002',
      'subnet-0a1b2c3d4e5f60003',
    ]);
  });

  it('serves HTTPS with the certificate and redirects HTTP in prod; HTTP only in dev', () => {
    expect(s.text('prod-cluster')).toHaveResourceWithProperties(LbListener, {
      port: 443,
      protocol: 'HTTPS',
      certificate_arn: expect.stringMatching(/^arn:aws:acm:/),
    });
    expect(s.text('prod-cluster')).toHaveResourceWithProperties(LbListener, {
      port: 80,
      default_action: [expect.objectContaining({ type: 'redirect' })],
    });
    const devPorts = Object.values(resources(dev, 'aws_lb_listener'))
      .map((l) => l['port'])
      .sort();
    expect(devPorts).toEqual([80, 8443]); // production + the CodeDeploy test listener (payments is blue/green)
  });

  it('lets only the load balancer reach the instances, on the dynamic host port range', () => {
    const ingress = Object.values(resources(dev, 'aws_vpc_security_group_ingress_rule'));
    const toInstances = ingress.filter(
      (r) => r['security_group_id'] === '${aws_security_group.InstanceSecurityGroup.id}',
    );
    expect(toInstances).toEqual([
      expect.objectContaining({
        referenced_security_group_id: '${aws_security_group.AlbSecurityGroup.id}',
        from_port: 32768,
        to_port: 65535,
      }),
      // Service Connect clients of the VPC reach bridge-mode tasks (orders) on their dynamic host ports.
      expect.objectContaining({ cidr_ipv4: '${aws_vpc.Vpc.cidr_block}', from_port: 32768, to_port: 65535 }),
    ]);
    const fromWorld = ingress
      .filter((r) => r['cidr_ipv4'] === '0.0.0.0/0')
      .map((r) => r['from_port'])
      .sort();
    expect(fromWorld).toEqual([80, 8443]);
  });

  it('exports what service stacks read through remote state', () => {
    expect(Object.keys(dev.output ?? {})).toEqual(
      expect.arrayContaining([
        'cluster_name',
        'cluster_arn',
        'vpc_id',
        'private_subnet_ids',
        'alb_security_group_id',
        'listener_arn',
        'test_listener_arn',
        'capacity_provider_name',
        'alb_arn_suffix',
      ]),
    );
  });
});

describe('service stacks', () => {
  it('read the cluster through remote state, never copied ids', () => {
    for (const name of ['dev-orders', 'dev-payments', 'dev-web']) {
      const json = s.json(name);
      const remote = json.data?.['terraform_remote_state']?.['Cluster'] as {
        backend: string;
        config: { path: string };
      };
      expect(remote.backend).toBe('local');
      // relative to the stack's working folder, it is the project's own state of dev-cluster
      const stackDir = s.stacks.find((x) => x.name === name)!.dir;
      expect(resolve(stackDir, remote.config.path)).toBe(join(REPO, '.ecsdeploy', 'state', 'dev-cluster.tfstate'));
      expect(only(json, 'aws_ecs_service')['cluster']).toBe(REMOTE('cluster_arn'));
    }
  });

  it('roll orders with the circuit breaker and the configured healthy percentages', () => {
    expect(s.text('dev-orders')).toHaveResourceWithProperties(EcsService, {
      name: 'orders',
      desired_count: 2,
      deployment_minimum_healthy_percent: 50,
      deployment_maximum_percent: 200,
      deployment_circuit_breaker: { enable: true, rollback: true },
      deployment_controller: { type: 'ECS' },
      capacity_provider_strategy: [{ capacity_provider: REMOTE('capacity_provider_name'), weight: 1, base: 0 }],
    });
    expect(s.text('prod-orders')).toHaveResourceWithProperties(EcsService, {
      deployment_minimum_healthy_percent: 100,
      alarms: { alarm_names: ['shop-prod-orders-5xx'], enable: true, rollback: true },
    });
  });

  it('defines the task: image from the service repository, ports, environment, secrets by ARN, health check, logs', () => {
    const td = only(s.json('dev-orders'), 'aws_ecs_task_definition');
    expect(td).toMatchObject({
      family: 'shop-dev-orders',
      network_mode: 'bridge',
      cpu: '256',
      memory: '512',
      requires_compatibilities: ['EC2'],
    });
    const [main] = JSON.parse(td['container_definitions'] as string) as Array<Record<string, unknown>>;
    expect(main).toMatchObject({
      name: 'orders',
      essential: true,
      image: '${data.aws_ecr_repository.Repository.repository_url}:1.4.2',
      portMappings: [{ containerPort: 8080, hostPort: 0, protocol: 'tcp' }],
      environment: [{ name: 'LOG_LEVEL', value: 'info' }],
      secrets: [{ name: 'DATABASE_URL', valueFrom: '/shop/orders/database-url' }], // a parameter path, as the file gives it
      healthCheck: expect.objectContaining({
        command: ['CMD-SHELL', 'curl -fs http://localhost:8080/health || exit 1'],
      }),
      logConfiguration: {
        logDriver: 'awslogs',
        options: {
          'awslogs-group': '${aws_cloudwatch_log_group.Logs.name}',
          'awslogs-region': 'eu-west-1',
          'awslogs-stream-prefix': 'orders',
        },
      },
    });
    expect(only(s.json('dev-orders'), 'aws_cloudwatch_log_group')).toMatchObject({
      name: '/ecs/shop/dev/orders',
      retention_in_days: 14,
    });
    expect(only(s.json('prod-orders'), 'aws_cloudwatch_log_group')).toMatchObject({ retention_in_days: 90 });
  });

  it('run payments with a read-only root filesystem, logging through an essential FireLens router it waits for', () => {
    const td = only(s.json('dev-payments'), 'aws_ecs_task_definition');
    const containers = JSON.parse(td['container_definitions'] as string) as Array<Record<string, unknown>>;
    expect(containers.map((c) => [c['name'], c['essential'], c['readonlyRootFilesystem']])).toEqual([
      ['payments', true, true],
      ['log-router', true, false], // essential by default, as in ECS; read-only root is per container
    ]);
    expect(containers[0]).toMatchObject({
      dependsOn: [{ containerName: 'log-router', condition: 'START' }],
      logConfiguration: {
        logDriver: 'awsfirelens',
        options: expect.objectContaining({ Name: 'cloudwatch_logs', log_group_name: '/shop/payments/app' }),
      },
    });
    expect(containers[1]).toMatchObject({
      firelensConfiguration: { type: 'fluentbit', options: { 'enable-ecs-log-metadata': 'true' } },
      cpu: 64,
      memory: 128,
      memoryReservation: 64,
    });
  });

  it('reach orders from web through Service Connect: orders publishes http as orders:8080, web is a client', () => {
    const orders = only(s.json('dev-orders'), 'aws_ecs_service');
    const web = only(s.json('dev-web'), 'aws_ecs_service');
    const namespace = REMOTE('service_connect_namespace_arn');
    expect(orders['service_connect_configuration']).toMatchObject({
      enabled: true,
      namespace,
      service: [{ port_name: 'http', discovery_name: 'orders', client_alias: { port: 8080, dns_name: 'orders' } }],
      log_configuration: {
        log_driver: 'awslogs',
        options: {
          'awslogs-group': '${aws_cloudwatch_log_group.Logs.name}',
          'awslogs-region': 'eu-west-1',
          'awslogs-stream-prefix': 'service-connect',
        },
      },
    });
    expect(web['service_connect_configuration']).toMatchObject({ enabled: true, namespace });
    expect((web['service_connect_configuration'] as Record<string, unknown>)['service']).toBeUndefined();
    const td = only(s.json('dev-orders'), 'aws_ecs_task_definition');
    expect(JSON.parse(td['container_definitions'] as string)[0]['portMappings']).toEqual([
      { name: 'http', containerPort: 8080, hostPort: 0, protocol: 'tcp', appProtocol: 'http' },
    ]);
    for (const env of ['dev', 'prod']) {
      const cluster = s.json(`${env}-cluster`);
      expect(only(cluster, 'aws_service_discovery_http_namespace')).toMatchObject({ name: `shop-${env}` });
      expect(only(cluster, 'aws_ecs_cluster')['service_connect_defaults']).toEqual({
        namespace: '${aws_service_discovery_http_namespace.ServiceConnectNamespace.arn}',
      });
      expect(cluster.output?.['service_connect_namespace_arn']).toBeDefined();
    }
  });

  it("grant orders' task role exactly the statements its file lists, and nothing to web", () => {
    const policy = JSON.parse(only(s.json('dev-orders'), 'aws_iam_role_policy', 'TaskPolicy')['policy'] as string) as {
      Statement: unknown[];
    };
    expect(policy.Statement).toEqual([
      {
        Sid: 'PublishOrderEvents',
        Effect: 'Allow',
        Action: ['sqs:SendMessage', 'sqs:GetQueueUrl'],
        Resource: ['arn:aws:sqs:eu-west-1:123456789012:shop-order-events'],
      },
      {
        Sid: 'ReadInvoiceTemplates',
        Effect: 'Allow',
        Action: ['s3:GetObject'],
        Resource: ['arn:aws:s3:::shop-invoice-templates/*'],
      },
    ]);
    expect(resources(s.json('dev-web'), 'aws_iam_role_policy')['TaskPolicy']).toBeUndefined();
    expect(resources(s.json('dev-web'), 'aws_iam_role_policy_attachment')).toEqual({});
  });

  it('keep earlier task definition revisions ACTIVE (skip_destroy) so a rollback never points at a deregistered one', () => {
    for (const name of ['dev-orders', 'dev-payments', 'dev-web', 'prod-orders'])
      expect(only(s.json(name), 'aws_ecs_task_definition')['skip_destroy']).toBe(true);
  });

  it('grant the execution role exactly its repository, its log group and its secrets', () => {
    const json = s.json('dev-payments');
    const policy = JSON.parse(only(json, 'aws_iam_role_policy', 'ExecutionPolicy')['policy'] as string) as {
      Statement: Array<{ Sid: string; Resource: unknown; Action: unknown }>;
    };
    const bySid = Object.fromEntries(policy.Statement.map((st) => [st.Sid, st.Resource]));
    expect(bySid).toEqual({
      EcrLogin: '*', // ecr:GetAuthorizationToken supports no resource-level permission
      PullOwnImage: '${data.aws_ecr_repository.Repository.arn}',
      WriteOwnLogs: '${aws_cloudwatch_log_group.Logs.arn}:*',
      ReadOwnSecrets: ['arn:aws:secretsmanager:eu-west-1:123456789012:secret:shop/payments/stripe-AbCdEf'],
    });
  });

  it('never use Action "*" and never a "*" resource except where AWS allows nothing narrower', () => {
    for (const { name } of s.stacks) {
      for (const doc of policyDocuments(s.json(name))) {
        for (const st of doc.Statement) {
          const actions = ([] as unknown[]).concat(st['Action'] ?? []);
          expect(actions).not.toContain('*');
          expect(actions.every((a) => typeof a === 'string' && !a.endsWith(':*'))).toBe(true);
          if (st['Resource'] === '*')
            expect([
              ['ecr:GetAuthorizationToken'],
              [
                'ecs:ListContainerInstances',
                'ecs:DescribeContainerInstances',
                'ecs:UpdateContainerInstancesState',
                'ecs:ListTasks',
              ],
            ]).toContainEqual(actions);
        }
      }
    }
  });

  it('put no secret value in the synthesized JSON: secrets are valueFrom ARNs only', () => {
    for (const { name } of s.stacks) {
      const text = s.text(name);
      expect(text).not.toMatch(/"value"\s*:\s*"[^"]*(password|secret|token)/i);
      for (const td of Object.values(resources(s.json(name), 'aws_ecs_task_definition'))) {
        for (const c of JSON.parse(td['container_definitions'] as string) as Array<{
          secrets: Array<Record<string, string>>;
          environment: Array<{ name: string }>;
        }>) {
          for (const secret of c.secrets) expect(Object.keys(secret).sort()).toEqual(['name', 'valueFrom']);
          const secretNames = new Set(c.secrets.map((x) => x.name));
          expect(c.environment.filter((e) => secretNames.has(e.name))).toEqual([]);
        }
      }
    }
  });

  it('route each service by its paths, most specific first, the catch-all last', () => {
    const rule = (stack: string) => only(s.json(stack), 'aws_lb_listener_rule');
    expect(rule('dev-orders')).toMatchObject({
      listener_arn: REMOTE('listener_arn'),
      condition: [{ path_pattern: { values: ['/orders', '/orders/*'] } }],
    });
    const priorities = ['dev-payments', 'dev-orders', 'dev-web'].map(
      (st) => Object.values(resources(s.json(st), 'aws_lb_listener_rule')).map((r) => r['priority'])[0] as number,
    );
    expect(priorities[0]).toBeLessThan(priorities[2]!); // /payments/* before /*
    expect(priorities[1]).toBeLessThan(priorities[2]!); // /orders before /*
    expect(new Set(priorities).size).toBe(3);
  });

  it('give each target group its health check and deregistration delay', () => {
    expect(only(s.json('dev-orders'), 'aws_lb_target_group')).toMatchObject({
      name: 'shop-dev-orders',
      port: 8080,
      target_type: 'instance',
      vpc_id: REMOTE('vpc_id'),
      deregistration_delay: '30',
      health_check: expect.objectContaining({
        path: '/health',
        matcher: '200',
        interval: 15,
        healthy_threshold: 2,
        unhealthy_threshold: 3,
      }),
    });
  });

  it('deploy payments blue/green through CodeDeploy in dev and as a predefined canary in prod', () => {
    const dev = s.json('dev-payments');
    expect(only(dev, 'aws_ecs_service')).toMatchObject({
      deployment_controller: { type: 'CODE_DEPLOY' },
      lifecycle: { ignore_changes: ['task_definition', 'load_balancer'] },
    });
    expect(only(dev, 'aws_ecs_service')['deployment_circuit_breaker']).toBeUndefined();
    expect(
      Object.values(resources(dev, 'aws_lb_target_group'))
        .map((t) => t['name'])
        .sort(),
    ).toEqual(['shop-dev-payments-blue', 'shop-dev-payments-green']);
    expect(s.text('dev-payments')).toHaveResourceWithProperties(CodedeployDeploymentGroup, {
      deployment_config_name: 'CodeDeployDefault.ECSAllAtOnce',
      deployment_style: { deployment_option: 'WITH_TRAFFIC_CONTROL', deployment_type: 'BLUE_GREEN' },
      auto_rollback_configuration: { enabled: true, events: ['DEPLOYMENT_FAILURE'] },
      blue_green_deployment_config: expect.objectContaining({
        terminate_blue_instances_on_deployment_success: { action: 'TERMINATE', termination_wait_time_in_minutes: 5 },
      }),
      load_balancer_info: {
        target_group_pair_info: {
          prod_traffic_route: { listener_arns: [REMOTE('listener_arn')] },
          test_traffic_route: { listener_arns: [REMOTE('test_listener_arn')] },
          target_group: [
            { name: '${aws_lb_target_group.TargetGroup.name}' },
            { name: '${aws_lb_target_group.GreenTargetGroup.name}' },
          ],
        },
      },
    });
    // CodeDeploy owns which target group the rules forward to.
    for (const rule of Object.values(resources(dev, 'aws_lb_listener_rule')))
      expect(rule['lifecycle']).toEqual({ ignore_changes: ['action'] });
    expect(s.text('prod-payments')).toHaveResourceWithProperties(CodedeployDeploymentGroup, {
      deployment_config_name: 'CodeDeployDefault.ECSCanary10Percent5Minutes',
      alarm_configuration: { enabled: true, alarms: ['shop-prod-payments-errors'] },
      auto_rollback_configuration: { enabled: true, events: ['DEPLOYMENT_FAILURE', 'DEPLOYMENT_STOP_ON_ALARM'] },
    });
  });

  it('run web on Fargate: awsvpc in private subnets, Spot-weighted, reachable from the ALB on its port only', () => {
    const web = s.json('dev-web');
    expect(only(web, 'aws_ecs_task_definition')).toMatchObject({
      network_mode: 'awsvpc',
      requires_compatibilities: ['FARGATE'],
    });
    expect(only(web, 'aws_ecs_service')).toMatchObject({
      capacity_provider_strategy: [
        { capacity_provider: 'FARGATE', weight: 1, base: 1 },
        { capacity_provider: 'FARGATE_SPOT', weight: 3, base: 0 },
      ],
      network_configuration: { subnets: REMOTE('private_subnet_ids'), assign_public_ip: false },
    });
    expect(only(web, 'aws_lb_target_group')['target_type']).toBe('ip');
    expect(only(web, 'aws_vpc_security_group_ingress_rule')).toMatchObject({
      referenced_security_group_id: REMOTE('alb_security_group_id'),
      from_port: 3000,
      to_port: 3000,
    });
  });

  it('scale prod orders on CPU and requests per target, with a scheduled action; auto scaling owns desired count', () => {
    const json = s.json('prod-orders');
    expect(only(json, 'aws_appautoscaling_target')).toMatchObject({
      min_capacity: 4,
      max_capacity: 20,
      resource_id: `service/${REMOTE('cluster_name')}/\${aws_ecs_service.Service.name}`,
    });
    const policies = Object.values(resources(json, 'aws_appautoscaling_policy')).map(
      (p) => p['target_tracking_scaling_policy_configuration'] as Record<string, unknown>,
    );
    expect(policies).toEqual([
      expect.objectContaining({
        target_value: 60,
        predefined_metric_specification: { predefined_metric_type: 'ECSServiceAverageCPUUtilization' },
      }),
      expect.objectContaining({
        target_value: 800,
        predefined_metric_specification: {
          predefined_metric_type: 'ALBRequestCountPerTarget',
          resource_label: `${REMOTE('alb_arn_suffix')}/\${aws_lb_target_group.TargetGroup.arn_suffix}`,
        },
      }),
    ]);
    expect(only(json, 'aws_appautoscaling_scheduled_action')).toMatchObject({
      schedule: 'cron(0 6 27 11 ? *)',
      scalable_target_action: { min_capacity: '10', max_capacity: '40' },
    });
    expect(only(json, 'aws_ecs_service')['lifecycle']).toEqual({ ignore_changes: ['desired_count'] });
    expect(resources(s.json('dev-orders'), 'aws_appautoscaling_target')).toEqual({});
  });
});

describe('registry stack', () => {
  it('has one repository per service: scan on push, immutable tags, keep the newest 30 images', () => {
    const json = s.json('registry');
    expect(Object.values(resources(json, 'aws_ecr_repository')).map((r) => r['name'])).toEqual([
      'shop/jobs/nightly-report',
      'shop/orders',
      'shop/payments',
      'shop/web',
    ]);
    expect(s.text('registry')).toHaveResourceWithProperties(EcrRepository, {
      image_tag_mutability: 'IMMUTABLE',
      image_scanning_configuration: { scan_on_push: true },
    });
    const lifecycle = JSON.parse(Object.values(resources(json, 'aws_ecr_lifecycle_policy'))[0]!['policy'] as string);
    expect(lifecycle.rules[0].selection).toEqual({
      tagStatus: 'any',
      countType: 'imageCountMoreThan',
      countNumber: 30,
    });
  });
});

describe('stack independence', () => {
  it('no stack holds a cdktf cross-stack reference: stacks share values only through their own remote-state outputs', () => {
    for (const { name } of s.stacks) expect(s.text(name)).not.toMatch(/cross-stack-(reference|output)/);
  });
});
