/**
 * The service half of the mapping (`import service`), pure: what each ECS service, target group,
 * listener rule and scaling field becomes, including what is approximated, replaced or refused.
 */
import { UsageError } from '../../src/errors';
import { mapTaskDefinition, type LiveService, type MappingRow } from '../../src/ops/adopt/map';
import { parseTaskDefinitionJson } from '../../src/ops/adopt/input';
import { schemaProblems } from '../../src/ops/adopt/validate';
import { renderServiceFile } from '../../src/ops/adopt/render';

const td = parseTaskDefinitionJson(
  JSON.stringify({
    taskDefinitionArn: 'arn:aws:ecs:eu-west-1:123456789012:task-definition/Orders_API:5',
    family: 'Orders_API',
    networkMode: 'awsvpc',
    requiresCompatibilities: ['FARGATE'],
    cpu: '512',
    memory: '1024',
    containerDefinitions: [
      {
        name: 'sidecar',
        image: 'busybox:1.36',
        essential: false,
        logConfiguration: { logDriver: 'awslogs', options: { 'awslogs-group': '/orders/side' } },
      },
      {
        name: 'Web_App',
        image: 'orders:1.0',
        essential: true,
        portMappings: [{ containerPort: 8080, name: 'http' }],
        logConfiguration: { logDriver: 'awslogs', options: { 'awslogs-group': '/orders/web' } },
      },
    ],
  }),
  'td.json',
).taskDefinition;

const base: LiveService = {
  serviceName: 'Orders_API',
  cluster: 'shop',
  desiredCount: 2,
  capacityProviderStrategy: [
    { capacityProvider: 'FARGATE', weight: 1, base: 1 },
    { capacityProvider: 'FARGATE_SPOT', weight: 3 },
  ],
  loadBalancers: [
    {
      targetGroupArn: 'arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/orders/0123456789abcdef',
      containerName: 'Web_App',
      containerPort: 8080,
    },
  ],
  tags: { team: 'orders' },
  targetGroup: {
    arn: 'arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/orders/0123456789abcdef',
    name: 'orders',
    port: 8080,
    protocol: 'HTTPS',
    healthCheckPath: '/up',
  },
  defaultActionListenerArn:
    'arn:aws:elasticloadbalancing:eu-west-1:123456789012:listener/app/shop/0123456789abcdef/0123456789abcdef',
  deploymentController: 'CODE_DEPLOY',
  deploymentConfiguration: { minimumHealthyPercent: 100, maximumPercent: 300 },
  scaling: {
    min: 2,
    max: 8,
    policies: [
      {
        name: 'req',
        type: 'TargetTrackingScaling',
        metric: 'ALBRequestCountPerTarget',
        target: 512.5,
        scaleInCooldown: 200,
        scaleOutCooldown: 20,
      },
      { name: 'steps', type: 'StepScaling' },
    ],
  },
  logGroups: { '/orders/web': 14 },
};

const row = (rows: readonly MappingRow[], field: string) => rows.find((r) => r.field === field);

describe('import service mapping', () => {
  const m = mapTaskDefinition(td, { name: 'orders', live: { env: 'prod', service: base } });
  const file = m.file as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

  it('takes the load-balanced container as the main one, renamed, and keeps its name in containerName', () => {
    expect(m.mainContainer).toBe('Web_App');
    expect(file['containerName']).toBe('web-app');
    expect(Object.keys(file['sidecars'])).toEqual(['sidecar']);
    expect(file['http']).toMatchObject({ containerPort: 8080, paths: ['/*'], healthCheck: { path: '/up' } });
    expect(file['http']).not.toHaveProperty('containerName');
    expect(row(m.rows, 'listener default action')).toMatchObject({ status: 'approximated' });
  });

  it('maps capacity providers, CodeDeploy and out-of-range percentages as approximations', () => {
    expect(file['launchType']).toBe('fargate');
    expect(file['capacityProviderStrategy']).toEqual([
      { provider: 'fargate', weight: 1, base: 1 },
      { provider: 'fargate-spot', weight: 3 },
    ]);
    expect(file['deployment']).toEqual({ strategy: 'blue-green', minimumHealthyPercent: 100, maximumPercent: 200 });
    expect(row(m.rows, 'service.deploymentController')).toMatchObject({ status: 'approximated' });
    expect(row(m.rows, 'service.deploymentConfiguration.maximumPercent')).toMatchObject({
      status: 'approximated',
      note: '300 is outside 100-200',
    });
    expect(file['propagateTags']).toBe('NONE');
    expect(file['enableECSManagedTags']).toBe(false);
  });

  it('puts the environment-specific keys and adopt under environments.<env>', () => {
    expect(file['environments']).toEqual({
      prod: {
        count: 2,
        scaling: { min: 2, max: 8, requestsPerTarget: 513, scaleInCooldown: 200, scaleOutCooldown: 20 },
        adopt: {
          serviceName: 'Orders_API',
          cluster: 'shop',
          taskDefinitionFamily: 'Orders_API',
          targetGroup: { arn: base.targetGroup!.arn, name: 'orders', port: 8080 },
          scaling: { policies: { requests: 'req' } },
          logGroup: '/orders/web',
        },
      },
    });
    expect(file['logs']).toEqual({ retention: 14 });
    expect(row(m.rows, 'scalingPolicy[req]')).toMatchObject({
      status: 'approximated',
      note: 'target 512.5 rounded to 513',
    });
    expect(row(m.rows, 'scalingPolicy[steps]')).toMatchObject({ status: 'not imported' });
    expect(file['overrides']).toEqual({ TargetGroup: { protocol: 'HTTPS' } });
  });

  it('writes a file the schemas accept', () => {
    expect(schemaProblems(renderServiceFile(m, { source: 's', command: 'c' }), 'orders')).toEqual([]);
  });

  it('refuses what ecsdeploy cannot run or drive', () => {
    expect(() =>
      mapTaskDefinition(td, { name: 'orders', live: { env: 'prod', service: { ...base, launchType: 'EXTERNAL' } } }),
    ).toThrow(
      new UsageError(
        'the ECS service shop/Orders_API uses the EXTERNAL launch type (ECS Anywhere), which ecsdeploy does not run',
      ),
    );
    expect(() =>
      mapTaskDefinition(td, {
        name: 'orders',
        live: { env: 'prod', service: { ...base, deploymentController: 'EXTERNAL' } },
      }),
    ).toThrow(
      new UsageError(
        'the ECS service shop/Orders_API uses the EXTERNAL deployment controller, which ecsdeploy does not drive',
      ),
    );
  });

  it('maps a listener rule and keeps its priority in adopt', () => {
    const rule = {
      arn: 'arn:aws:elasticloadbalancing:eu-west-1:123456789012:listener-rule/app/shop/0123456789abcdef/0123456789abcdef/0123456789abcdef',
      listenerArn: base.defaultActionListenerArn!,
      priority: 3,
      paths: ['/orders/*'],
      hosts: ['api.example.com'],
      otherConditions: ['http-header'],
    };
    const withRule = mapTaskDefinition(td, {
      name: 'orders',
      live: { env: 'prod', service: { ...base, deploymentController: 'ECS', listenerRule: rule } },
    });
    const f = withRule.file as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
    expect(f['http']).toMatchObject({ paths: ['/orders/*'], hosts: ['api.example.com'] });
    expect(f['environments']['prod']['adopt']['listenerRule']).toEqual({ arn: rule.arn, priority: 3 });
    expect(row(withRule.rows, 'listenerRule.conditions.http-header')).toMatchObject({ status: 'not imported' });
  });
});
