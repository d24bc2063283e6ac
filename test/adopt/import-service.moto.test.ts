/**
 * `importService` against a real AWS API (the moto launcher on 127.0.0.1): a service created
 * outside ecsdeploy with the SDK (Fargate, behind a listener rule, with a target tracking policy
 * and a log group), read back and written as services/<name>.yaml that the project loader
 * accepts, with `environments.<env>.adopt` naming what Terraform imports. Needs python3 with moto:
 * skipped with a notice locally, a failure in CI. (The plan with its import blocks is part 4's
 * e2e test, which runs this command.)
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  ApplicationAutoScalingClient,
  PutScalingPolicyCommand,
  RegisterScalableTargetCommand,
} from '@aws-sdk/client-application-auto-scaling';
import {
  CloudWatchLogsClient,
  CreateLogGroupCommand,
  PutRetentionPolicyCommand,
} from '@aws-sdk/client-cloudwatch-logs';
import {
  CreateClusterCommand,
  CreateServiceCommand,
  ECSClient,
  RegisterTaskDefinitionCommand,
} from '@aws-sdk/client-ecs';
import {
  CreateListenerCommand,
  CreateLoadBalancerCommand,
  CreateRuleCommand,
  CreateTargetGroupCommand,
  ElasticLoadBalancingV2Client,
  ModifyTargetGroupAttributesCommand,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { parse, parseDocument } from 'yaml';
import { loadProject } from '../../src/config/load';
import { UsageError } from '../../src/errors';
import { importService } from '../../src/ops/adopt';
import { projectWith } from '../config/fixture-project';
import { DescribeSubnetsCommand, EC2Client } from '@aws-sdk/client-ec2';
import { awsTestEnv, startMoto, toolchain, type MotoServer } from '../support/moto';
import { isCI } from '../../src/ui/prompt';

const python = toolchain().python;
const reason = python
  ? undefined
  : (toolchain().missing.find((m) => /python|moto/.test(m)) ?? 'python3 with moto not found');
if (reason && isCI()) throw new Error(`moto tests need python3 with moto 5.2.1, and CI must have it: ${reason}`);
if (reason) console.warn(`import service moto tests skipped: ${reason}`);
const maybe = reason ? describe.skip : describe;

const REGION = 'us-east-1';

maybe('import service against moto', () => {
  let moto: MotoServer;
  let saved: NodeJS.ProcessEnv;
  let tgArn = '';
  let ruleArn = '';
  let listenerArn = '';
  beforeAll(async () => {
    moto = await startMoto();
    saved = { ...process.env };
    Object.assign(process.env, awsTestEnv(moto.endpoint));
    const config = {
      region: REGION,
      endpoint: moto.endpoint,
      credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    };
    // moto's default VPC and its subnets.
    const found =
      (
        await new EC2Client(config).send(
          new DescribeSubnetsCommand({ Filters: [{ Name: 'default-for-az', Values: ['true'] }] }),
        )
      ).Subnets ?? [];
    const subnets = found.map((x) => x.SubnetId!).slice(0, 2);
    const vpc = found[0]!.VpcId!;
    const elb = new ElasticLoadBalancingV2Client(config);
    const lb = (
      await elb.send(new CreateLoadBalancerCommand({ Name: 'legacy-alb', Subnets: subnets, Type: 'application' }))
    ).LoadBalancers![0]!.LoadBalancerArn!;
    tgArn = (
      await elb.send(
        new CreateTargetGroupCommand({
          Name: 'billing-tg',
          Protocol: 'HTTP',
          Port: 8080,
          VpcId: vpc,
          TargetType: 'ip',
          HealthCheckPath: '/healthz',
          HealthCheckIntervalSeconds: 20,
          HealthCheckTimeoutSeconds: 6,
          HealthyThresholdCount: 3,
          UnhealthyThresholdCount: 4,
          Matcher: { HttpCode: '200-299' },
        }),
      )
    ).TargetGroups![0]!.TargetGroupArn!;
    await elb.send(
      new ModifyTargetGroupAttributesCommand({
        TargetGroupArn: tgArn,
        Attributes: [{ Key: 'deregistration_delay.timeout_seconds', Value: '45' }],
      }),
    );
    listenerArn = (
      await elb.send(
        new CreateListenerCommand({
          LoadBalancerArn: lb,
          Protocol: 'HTTP',
          Port: 80,
          DefaultActions: [{ Type: 'fixed-response', FixedResponseConfig: { StatusCode: '404' } }],
        }),
      )
    ).Listeners![0]!.ListenerArn!;
    ruleArn = (
      await elb.send(
        new CreateRuleCommand({
          ListenerArn: listenerArn,
          Priority: 7,
          Conditions: [{ Field: 'path-pattern', PathPatternConfig: { Values: ['/billing', '/billing/*'] } }],
          Actions: [{ Type: 'forward', TargetGroupArn: tgArn }],
        }),
      )
    ).Rules![0]!.RuleArn!;

    await new CloudWatchLogsClient(config).send(new CreateLogGroupCommand({ logGroupName: '/legacy/billing' }));
    await new CloudWatchLogsClient(config).send(
      new PutRetentionPolicyCommand({ logGroupName: '/legacy/billing', retentionInDays: 90 }),
    );

    const ecs = new ECSClient(config);
    await ecs.send(new CreateClusterCommand({ clusterName: 'legacy' }));
    const td = await ecs.send(
      new RegisterTaskDefinitionCommand({
        family: 'billing-api',
        requiresCompatibilities: ['FARGATE'],
        networkMode: 'awsvpc',
        cpu: '512',
        memory: '1024',
        executionRoleArn: 'arn:aws:iam::123456789012:role/ecsTaskExecutionRole',
        taskRoleArn: 'arn:aws:iam::123456789012:role/billing-task',
        containerDefinitions: [
          {
            name: 'api',
            image: '123456789012.dkr.ecr.us-east-1.amazonaws.com/billing:7.1.0',
            essential: true,
            portMappings: [{ containerPort: 8080, protocol: 'tcp' }],
            environment: [{ name: 'MODE', value: 'live' }],
            secrets: [{ name: 'DB_URL', valueFrom: 'arn:aws:ssm:us-east-1:123456789012:parameter/billing/db-url' }],
            logConfiguration: {
              logDriver: 'awslogs',
              options: { 'awslogs-group': '/legacy/billing', 'awslogs-region': REGION, 'awslogs-stream-prefix': 'api' },
            },
          },
        ],
      }),
    );
    await ecs.send(
      new CreateServiceCommand({
        cluster: 'legacy',
        serviceName: 'billing-api',
        taskDefinition: td.taskDefinition!.taskDefinitionArn!,
        desiredCount: 3,
        launchType: 'FARGATE',
        networkConfiguration: { awsvpcConfiguration: { subnets, securityGroups: [], assignPublicIp: 'DISABLED' } },
        loadBalancers: [{ targetGroupArn: tgArn, containerName: 'api', containerPort: 8080 }],
        healthCheckGracePeriodSeconds: 60,
        deploymentConfiguration: {
          minimumHealthyPercent: 50,
          maximumPercent: 200,
          deploymentCircuitBreaker: { enable: true, rollback: true },
        },
        enableExecuteCommand: true,
        propagateTags: 'SERVICE',
        tags: [{ key: 'team', value: 'payments' }],
      }),
    );
    const aas = new ApplicationAutoScalingClient(config);
    await aas.send(
      new RegisterScalableTargetCommand({
        ServiceNamespace: 'ecs',
        ResourceId: 'service/legacy/billing-api',
        ScalableDimension: 'ecs:service:DesiredCount',
        MinCapacity: 3,
        MaxCapacity: 12,
      }),
    );
    await aas.send(
      new PutScalingPolicyCommand({
        PolicyName: 'billing-cpu',
        ServiceNamespace: 'ecs',
        ResourceId: 'service/legacy/billing-api',
        ScalableDimension: 'ecs:service:DesiredCount',
        PolicyType: 'TargetTrackingScaling',
        TargetTrackingScalingPolicyConfiguration: {
          TargetValue: 65,
          PredefinedMetricSpecification: { PredefinedMetricType: 'ECSServiceAverageCPUUtilization' },
          ScaleInCooldown: 120,
          ScaleOutCooldown: 30,
        },
      }),
    );
  }, 120_000);
  // Stopping moto waits for its process to exit: slow on a loaded machine.
  afterAll(async () => {
    process.env = saved;
    await moto?.stop();
  }, 60_000);

  function project() {
    return projectWith({
      'environments/dev.yaml':
        readFileSync(join(__dirname, '..', 'fixtures', 'minimal', 'environments', 'dev.yaml'), 'utf8') +
        `endpoint: ${moto.endpoint}\n`,
    });
  }

  it('writes a service file with environments.dev.adopt that the project loads', async () => {
    const p = project();
    try {
      const progress: string[] = [];
      const r = await importService({
        dir: p.dir,
        cluster: 'legacy',
        service: 'billing-api',
        env: 'dev',
        force: false,
        dryRun: false,
        onProgress: (l) => progress.push(l),
      });
      expect(progress[0]).toBe(`Reading the ECS service legacy/billing-api (${REGION})`);
      expect(r.file).toBe('services/billing-api.yaml');
      const file = parse(readFileSync(join(p.dir, r.file), 'utf8')) as Record<string, unknown> & {
        environments: Record<string, unknown>;
      };
      expect(file['image']).toEqual({
        repository: '123456789012.dkr.ecr.us-east-1.amazonaws.com/billing',
        tag: '7.1.0',
      });
      expect(file['containerName']).toBe('api');
      expect(file['http']).toEqual({
        containerPort: 8080,
        paths: ['/billing', '/billing/*'],
        healthCheck: {
          path: '/healthz',
          interval: 20,
          timeout: 6,
          healthyThreshold: 3,
          unhealthyThreshold: 4,
          matcher: '200-299',
        },
        deregistrationDelay: 45,
        healthCheckGracePeriod: 60,
      });
      expect(file['deployment']).toEqual({
        strategy: 'rolling',
        minimumHealthyPercent: 50,
        maximumPercent: 200,
        circuitBreaker: true,
      });
      expect(file['logs']).toEqual({ retention: 90 });
      expect(file['tags']).toEqual({ team: 'payments' });
      expect(file.environments['dev']).toEqual({
        count: 3,
        networkConfiguration: { subnets: expect.any(Array) },
        scaling: { min: 3, max: 12, cpu: 65, scaleInCooldown: 120, scaleOutCooldown: 30 },
        adopt: {
          serviceName: 'billing-api',
          cluster: 'legacy',
          launchType: 'FARGATE',
          taskDefinitionFamily: 'billing-api',
          targetGroup: { arn: tgArn, name: 'billing-tg', port: 8080 },
          listenerRule: { arn: ruleArn, priority: 7 },
          scaling: { policies: { cpu: 'billing-cpu' } },
          logGroup: '/legacy/billing',
        },
      });
      expect(r.nextSteps).toEqual([
        'In environments/dev.yaml, set cluster.existing: legacy (the service stays on its cluster).',
        'In environments/dev.yaml, remove cluster.ec2: an existing cluster keeps the capacity it has.',
        `In environments/dev.yaml, set loadBalancer.existing.listenerArn: ${listenerArn} (the rule stays on its listener).`,
        'ecsdeploy plan --env dev: it shows the imports and in-place updates, and no replacement of the running service.',
        'ecsdeploy apply --env dev to take it over; keep environments.dev.adopt in the file afterwards.',
      ]);
      // Until the environment names the cluster and listener, the loader refuses the adoption; after the steps, it loads.
      expect(() => loadProject(p.dir)).toThrow(
        /environments\.dev\.adopt\.cluster: the service runs on cluster 'legacy'/,
      );
      const envFile = join(p.dir, 'environments/dev.yaml');
      const doc = parseDocument(readFileSync(envFile, 'utf8'));
      doc.setIn(['cluster', 'existing'], 'legacy');
      doc.deleteIn(['cluster', 'ec2']);
      doc.setIn(['loadBalancer', 'existing', 'listenerArn'], listenerArn);
      writeFileSync(envFile, doc.toString());
      const svc = loadProject(p.dir).environments[0]!.services.find((s) => s.name === 'billing-api')!;
      expect(svc.adopt?.serviceName).toBe('billing-api');
      expect(svc.launchType).toBe('fargate');
      expect(r.rows.find((x) => x.field === 'executionRoleArn')).toMatchObject({ status: 'replaced' });
    } finally {
      p.cleanup();
    }
  });

  it('says which cluster or service does not exist', async () => {
    const p = project();
    try {
      await expect(
        importService({ dir: p.dir, cluster: 'legacy', service: 'nope', env: 'dev', force: false, dryRun: true }),
      ).rejects.toThrow(
        new UsageError(`--service nope: no ECS service 'nope' in the cluster legacy (${REGION}): MISSING`),
      );
      await expect(
        importService({
          dir: p.dir,
          cluster: 'nowhere',
          service: 'billing-api',
          env: 'dev',
          force: false,
          dryRun: true,
        }),
      ).rejects.toThrow(UsageError);
    } finally {
      p.cleanup();
    }
  });
});
