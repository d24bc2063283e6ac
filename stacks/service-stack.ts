/**
 * `<env>-<service>`: the task definition, its log group and roles, the ECS service with its
 * deployment settings (rolling with circuit breaker, or blue/green, canary, linear through
 * CodeDeploy), target group(s) and listener rules, and service auto scaling. Everything it needs
 * from the cluster comes from the cluster stack's state outputs.
 */
import { AppautoscalingPolicy } from '@cdktf/provider-aws/lib/appautoscaling-policy';
import { AppautoscalingScheduledAction } from '@cdktf/provider-aws/lib/appautoscaling-scheduled-action';
import { AppautoscalingTarget } from '@cdktf/provider-aws/lib/appautoscaling-target';
import { CloudwatchLogGroup } from '@cdktf/provider-aws/lib/cloudwatch-log-group';
import { CloudwatchMetricAlarm } from '@cdktf/provider-aws/lib/cloudwatch-metric-alarm';
import { CodedeployApp } from '@cdktf/provider-aws/lib/codedeploy-app';
import { CodedeployDeploymentConfig } from '@cdktf/provider-aws/lib/codedeploy-deployment-config';
import { CodedeployDeploymentGroup } from '@cdktf/provider-aws/lib/codedeploy-deployment-group';
import { DataAwsEcrRepository } from '@cdktf/provider-aws/lib/data-aws-ecr-repository';
import { EcsService, type EcsServiceConfig } from '@cdktf/provider-aws/lib/ecs-service';
import { EcsTaskDefinition, type EcsTaskDefinitionVolume } from '@cdktf/provider-aws/lib/ecs-task-definition';
import { IamRole } from '@cdktf/provider-aws/lib/iam-role';
import { IamRolePolicy } from '@cdktf/provider-aws/lib/iam-role-policy';
import { IamRolePolicyAttachment } from '@cdktf/provider-aws/lib/iam-role-policy-attachment';
import { LbListenerRule } from '@cdktf/provider-aws/lib/lb-listener-rule';
import { LbTargetGroup } from '@cdktf/provider-aws/lib/lb-target-group';
import { SecurityGroup } from '@cdktf/provider-aws/lib/security-group';
import { VpcSecurityGroupEgressRule } from '@cdktf/provider-aws/lib/vpc-security-group-egress-rule';
import { VpcSecurityGroupIngressRule } from '@cdktf/provider-aws/lib/vpc-security-group-ingress-rule';
import { DataAwsCallerIdentity } from '@cdktf/provider-aws/lib/data-aws-caller-identity';
import { ServiceDiscoveryHttpNamespace } from '@cdktf/provider-aws/lib/service-discovery-http-namespace';
import { DataTerraformRemoteStateLocal, DataTerraformRemoteStateS3, TerraformOutput, TerraformResource, type TerraformRemoteState, type TerraformStack } from 'cdktf';
import type { Construct } from 'constructs';
import { EcsdeployStack, assumeRole, awsName, policy, stableJson, stateKey } from './base';
import type { ContainerProps, LogProps, OverrideProps, ServiceStackProps, StateBackendProps, VolumeProps } from './props';

const PREDEFINED_SHIFTS: Record<string, string> = {
  'canary:10:5': 'CodeDeployDefault.ECSCanary10Percent5Minutes',
  'canary:10:15': 'CodeDeployDefault.ECSCanary10Percent15Minutes',
  'linear:10:1': 'CodeDeployDefault.ECSLinear10PercentEvery1Minutes',
  'linear:10:3': 'CodeDeployDefault.ECSLinear10PercentEvery3Minutes',
};

export class ServiceStack extends EcsdeployStack {
  private accountId?: string;

  constructor(scope: Construct, id: string, props: ServiceStackProps) {
    super(scope, id, props);
    const prefix = awsName([props.project, props.environment, props.service]);
    const cluster = remoteState(this, props.clusterState);
    const clusterName = cluster.getString('cluster_name');
    const fargate = props.launchType === 'fargate';
    const awsvpc = props.networkMode === 'awsvpc';
    const codeDeploy = props.deployment.strategy !== 'rolling';

    // --- Image and logs.
    const ownRepository = props.externalImage === undefined ? new DataAwsEcrRepository(this, 'Repository', { name: props.repositoryName }) : undefined;
    const image =
      props.externalImage ??
      (props.imageVersion.startsWith('sha256:') ? `${ownRepository!.repositoryUrl}@${props.imageVersion}` : `${ownRepository!.repositoryUrl}:${props.imageVersion}`);
    const logGroupName = `/ecs/${props.project}/${props.environment}/${props.service}`;
    const logGroup = new CloudwatchLogGroup(this, 'Logs', { name: logGroupName, retentionInDays: props.logRetentionDays });
    const containers: ContainerProps[] = [{ ...props.main, image }, ...props.sidecars];
    const logGroups = new Map<string, CloudwatchLogGroup>(
      containers
        .filter((c) => c.log.logDriver === 'awslogs' && c.log.ownLogGroup)
        .map((c) => [c.name, new CloudwatchLogGroup(this, `Logs-${c.name}`, { name: `${logGroupName}/${c.name}`, retentionInDays: props.logRetentionDays })]),
    );
    // The Service Connect proxy may have a group of its own too.
    if (props.serviceConnect?.log.logDriver === 'awslogs' && props.serviceConnect.log.ownLogGroup) {
      logGroups.set(SERVICE_CONNECT, new CloudwatchLogGroup(this, `Logs-${SERVICE_CONNECT}`, { name: `${logGroupName}/${SERVICE_CONNECT}`, retentionInDays: props.logRetentionDays }));
    }
    const groupOf = (container: string) => (logGroups.get(container) ?? logGroup).name;

    // --- Roles: the execution role may pull exactly these images and read exactly these secrets
    // and files; the task role may do what the file grants, and what exec and EFS need.
    const executionRole = new IamRole(this, 'ExecutionRole', { name: awsName([prefix, 'exec'], 64), assumeRolePolicy: assumeRole('ecs-tasks.amazonaws.com') });
    new IamRolePolicy(this, 'ExecutionPolicy', {
      role: executionRole.id,
      name: 'execution',
      policy: policy(this.executionStatements(props, containers, ownRepository, [logGroup, ...logGroups.values()])),
    });
    const taskRoleArn = this.taskRole(props, prefix);

    const taskDefinition = new EcsTaskDefinition(this, 'TaskDefinition', {
      family: prefix,
      networkMode: props.networkMode,
      requiresCompatibilities: [fargate ? 'FARGATE' : 'EC2'],
      cpu: String(props.cpu),
      memory: String(props.memory),
      executionRoleArn: executionRole.arn,
      taskRoleArn,
      containerDefinitions: stableJson(containers.map((c) => containerDefinition(c, groupOf(c.name), props.region, containerOverrides(props.overrides, c.name)))),
      ...(props.runtimePlatform ? { runtimePlatform: { ...props.runtimePlatform } } : {}),
      ...(props.ephemeralStorageGiB !== undefined ? { ephemeralStorage: { sizeInGib: props.ephemeralStorageGiB } } : {}),
      ...(props.volumes.length ? { volume: props.volumes.map(volume) } : {}),
      ...(props.pidMode ? { pidMode: props.pidMode } : {}),
      ...(props.ipcMode ? { ipcMode: props.ipcMode } : {}),
      // Earlier revisions stay ACTIVE, so a rollback never points at a deregistered one.
      skipDestroy: true,
    });

    // --- Load balancing.
    const targetGroups: LbTargetGroup[] = [];
    if (props.http !== undefined) {
      const http = props.http;
      const makeTargetGroup = (id: string, suffix: string) =>
        new LbTargetGroup(this, id, {
          name: awsName([props.project, props.environment, props.service, suffix], 32),
          port: http.containerPort,
          protocol: 'HTTP',
          targetType: awsvpc ? 'ip' : 'instance',
          vpcId: cluster.getString('vpc_id'),
          deregistrationDelay: String(http.deregistrationDelay),
          healthCheck: {
            enabled: true,
            path: http.healthCheck.path,
            interval: http.healthCheck.interval,
            timeout: http.healthCheck.timeout,
            healthyThreshold: http.healthCheck.healthyThreshold,
            unhealthyThreshold: http.healthCheck.unhealthyThreshold,
            matcher: http.healthCheck.matcher,
            port: 'traffic-port',
          },
          lifecycle: { createBeforeDestroy: false },
        });
      targetGroups.push(makeTargetGroup('TargetGroup', codeDeploy ? 'blue' : ''));
      if (codeDeploy) targetGroups.push(makeTargetGroup('GreenTargetGroup', 'green'));

      const conditions = [
        ...(http.paths ? [{ pathPattern: { values: [...http.paths] } }] : []),
        ...(http.hosts ? [{ hostHeader: { values: [...http.hosts] } }] : []),
        ...(http.header ? [{ httpHeader: { httpHeaderName: http.header.name, values: [...http.header.values] } }] : []),
      ];
      // Under CodeDeploy the forward target flips between blue and green at every deployment:
      // CodeDeploy owns the action, Terraform the conditions.
      const ruleLifecycle = codeDeploy ? { lifecycle: { ignoreChanges: ['action'] } } : {};
      new LbListenerRule(this, 'ListenerRule', {
        listenerArn: cluster.getString('listener_arn'),
        priority: http.priority,
        condition: conditions,
        action: [{ type: 'forward', targetGroupArn: targetGroups[0]!.arn }],
        ...ruleLifecycle,
      });
      if (codeDeploy) {
        new LbListenerRule(this, 'TestListenerRule', {
          listenerArn: cluster.getString('test_listener_arn'),
          priority: http.priority,
          condition: conditions,
          action: [{ type: 'forward', targetGroupArn: targetGroups[0]!.arn }],
          ...ruleLifecycle,
        });
      }
    }
    const securityGroups = awsvpc ? [this.taskSecurityGroup(props, prefix, cluster), ...(props.network?.securityGroups ?? [])] : [];

    // --- The service.
    const strategy = (props.capacityProviderStrategy ?? (fargate ? [{ provider: 'fargate' as const, weight: 1, base: 0 }] : [{ provider: 'ec2' as const, weight: 1, base: 0 }])).map((s) => ({
      capacityProvider: s.provider === 'ec2' ? cluster.getString('capacity_provider_name') : s.provider === 'fargate' ? 'FARGATE' : 'FARGATE_SPOT',
      weight: s.weight,
      base: s.base,
    }));
    // One owner per attribute: auto scaling owns desired_count; CodeDeploy owns the task definition
    // and load balancer of a blue/green service between deployments.
    const ignore = [...(props.scaling ? ['desired_count'] : []), ...(codeDeploy ? ['task_definition', 'load_balancer'] : [])];
    const serviceConfig: EcsServiceConfig = {
      name: props.serviceName,
      cluster: cluster.getString('cluster_arn'),
      taskDefinition: taskDefinition.arn,
      desiredCount: props.desiredCount,
      capacityProviderStrategy: strategy,
      deploymentMinimumHealthyPercent: props.deployment.minimumHealthyPercent,
      deploymentMaximumPercent: props.deployment.maximumPercent,
      deploymentController: { type: codeDeploy ? 'CODE_DEPLOY' : 'ECS' },
      ...(codeDeploy ? {} : { deploymentCircuitBreaker: { enable: props.deployment.circuitBreaker, rollback: props.deployment.circuitBreaker } }),
      ...(!codeDeploy && props.deployment.alarms.length > 0 ? { alarms: { alarmNames: [...props.deployment.alarms], enable: true, rollback: true } } : {}),
      ...(props.http !== undefined
        ? {
            loadBalancer: [{ targetGroupArn: targetGroups[0]!.arn, containerName: props.http.containerName, containerPort: props.http.containerPort }],
            healthCheckGracePeriodSeconds: props.http.healthCheckGracePeriod,
          }
        : {}),
      ...(awsvpc
        ? {
            networkConfiguration: {
              subnets: props.network?.subnets ? [...props.network.subnets] : cluster.getList('private_subnet_ids'),
              securityGroups,
              assignPublicIp: props.network?.assignPublicIp ?? false,
            },
          }
        : {}),
      ...(fargate
        ? {}
        : {
            ...(props.placementConstraints ? { placementConstraints: props.placementConstraints.map((p) => ({ type: p.type, ...(p.expression ? { expression: p.expression } : {}) })) } : {}),
            orderedPlacementStrategy: props.placementStrategy
              ? props.placementStrategy.map((p) => ({ type: p.type, ...(p.field ? { field: p.field } : {}) }))
              : [{ type: 'spread', field: 'attribute:ecs.availability-zone' }, { type: 'binpack', field: 'memory' }],
          }),
      ...(props.serviceConnect ? { serviceConnectConfiguration: this.serviceConnect(props.serviceConnect, cluster, groupOf(SERVICE_CONNECT), props.region) } : {}),
      enableExecuteCommand: props.enableExecuteCommand,
      propagateTags: props.propagateTags,
      enableEcsManagedTags: props.enableEcsManagedTags,
      waitForSteadyState: false,
      ...(ignore.length ? { lifecycle: { ignoreChanges: ignore } } : {}),
      dependsOn: targetGroups,
    };
    const service = new EcsService(this, 'Service', serviceConfig);

    if (codeDeploy) this.codeDeploy(props, prefix, clusterName, service, targetGroups, cluster);
    if (props.scaling !== undefined) this.scaling(props, prefix, clusterName, service, targetGroups[0], cluster);
    applyOverrides(this, id, props.overrides);

    new TerraformOutput(this, 'service_name', { value: service.name });
    new TerraformOutput(this, 'cluster_name', { value: clusterName });
    new TerraformOutput(this, 'task_definition_arn', { value: taskDefinition.arn });
    new TerraformOutput(this, 'log_group_name', { value: logGroup.name });
    new TerraformOutput(this, 'image', { value: image });
    new TerraformOutput(this, 'deployment_strategy', { value: props.deployment.strategy });
    if (targetGroups.length) new TerraformOutput(this, 'target_group_arns', { value: targetGroups.map((t) => t.arn) });
  }

  /** The account id, read once (data.aws_caller_identity) and only by stacks that build ARNs with it. */
  private account(): string {
    this.accountId ??= new DataAwsCallerIdentity(this, 'Account', {}).accountId;
    return this.accountId;
  }

  private executionStatements(props: ServiceStackProps, containers: readonly ContainerProps[], own: DataAwsEcrRepository | undefined, logGroups: CloudwatchLogGroup[]): Array<Record<string, unknown>> {
    const refs = [
      ...containers.flatMap((c) => [...Object.values(c.secrets), ...Object.values(c.log.secretOptions), ...(c.repositoryCredentials ? [c.repositoryCredentials] : [])]),
      ...Object.values(props.serviceConnect?.log.secretOptions ?? {}),
    ];
    const grants = secretGrants(refs, props.region, props.partition, () => this.account());
    const files = [...new Set(containers.flatMap((c) => c.environmentFiles))].sort();
    const buckets = [...new Set(files.map((f) => f.slice(0, f.indexOf('/'))))].sort();
    const pulls = own !== undefined || props.pullRepositoryArns.length > 0;
    return [
      // GetAuthorizationToken has no resource-level permissions: AWS accepts only "*" for it.
      ...(pulls ? [{ Sid: 'EcrLogin', Effect: 'Allow', Action: 'ecr:GetAuthorizationToken', Resource: '*' }] : []),
      ...(own ? [{ Sid: 'PullOwnImage', Effect: 'Allow', Action: ECR_PULL, Resource: own.arn }] : []),
      ...(props.pullRepositoryArns.length ? [{ Sid: 'PullImages', Effect: 'Allow', Action: ECR_PULL, Resource: [...props.pullRepositoryArns] }] : []),
      { Sid: 'WriteOwnLogs', Effect: 'Allow', Action: ['logs:CreateLogStream', 'logs:PutLogEvents'], Resource: logGroups.length === 1 ? `${logGroups[0]!.arn}:*` : logGroups.map((g) => `${g.arn}:*`) },
      ...(grants.ssm.length ? [{ Sid: 'ReadOwnParameters', Effect: 'Allow', Action: 'ssm:GetParameters', Resource: grants.ssm }] : []),
      ...(grants.secretsManager.length ? [{ Sid: 'ReadOwnSecrets', Effect: 'Allow', Action: 'secretsmanager:GetSecretValue', Resource: grants.secretsManager }] : []),
      ...(files.length
        ? [
            { Sid: 'ReadEnvironmentFiles', Effect: 'Allow', Action: 's3:GetObject', Resource: files },
            { Sid: 'LocateEnvironmentFiles', Effect: 'Allow', Action: 's3:GetBucketLocation', Resource: buckets },
          ]
        : []),
    ];
  }

  /** The task role's ARN: the given one, or one created with exactly the statements the service needs. */
  private taskRole(props: ServiceStackProps, prefix: string): string {
    if (props.taskRole.existingArn !== undefined) return props.taskRole.existingArn;
    const role = new IamRole(this, 'TaskRole', { name: awsName([prefix, 'task'], 64), assumeRolePolicy: assumeRole('ecs-tasks.amazonaws.com') });
    const statements: Array<Record<string, unknown>> = props.taskRole.statements.map((s) => ({
      ...(s.sid ? { Sid: s.sid } : {}),
      Effect: s.effect,
      Action: [...s.actions],
      Resource: [...s.resources],
      ...(s.conditions ? { Condition: s.conditions } : {}),
    }));
    if (props.enableExecuteCommand) {
      // ECS Exec's Session Manager channels: AWS offers no resource narrower than "*" for these.
      statements.push({ Sid: 'EcsExec', Effect: 'Allow', Action: ['ssmmessages:CreateControlChannel', 'ssmmessages:CreateDataChannel', 'ssmmessages:OpenControlChannel', 'ssmmessages:OpenDataChannel'], Resource: '*' });
    }
    props.volumes.forEach((v) => {
      if (v.efs === undefined || v.efs.iam !== 'ENABLED') return;
      const region = props.region;
      statements.push({
        Sid: `EfsClient${statements.length}`,
        Effect: 'Allow',
        Action: v.efs.writable ? ['elasticfilesystem:ClientMount', 'elasticfilesystem:ClientWrite'] : ['elasticfilesystem:ClientMount'],
        Resource: `arn:${props.partition}:elasticfilesystem:${region}:${this.account()}:file-system/${v.efs.fileSystemId}`,
        ...(v.efs.accessPointId
          ? { Condition: { StringEquals: { 'elasticfilesystem:AccessPointArn': `arn:${props.partition}:elasticfilesystem:${region}:${this.account()}:access-point/${v.efs.accessPointId}` } } }
          : {}),
      });
    });
    if (statements.length > 0) new IamRolePolicy(this, 'TaskPolicy', { role: role.id, name: 'task', policy: policy(statements) });
    props.taskRole.managedPolicies.forEach((arn, i) => new IamRolePolicyAttachment(this, `TaskPolicyAttachment${i}`, { role: role.name, policyArn: arn }));
    return role.arn;
  }

  /** awsvpc tasks get their own security group: the load balancer may reach the target port, the VPC the Service Connect ports. */
  private taskSecurityGroup(props: ServiceStackProps, prefix: string, cluster: TerraformRemoteState): string {
    const sg = new SecurityGroup(this, 'TaskSecurityGroup', { name: `${prefix}-tasks`, description: `Tasks of ${prefix}`, vpcId: cluster.getString('vpc_id') });
    if (props.http !== undefined) {
      new VpcSecurityGroupIngressRule(this, 'TaskIngressFromAlb', {
        securityGroupId: sg.id,
        referencedSecurityGroupId: cluster.getString('alb_security_group_id'),
        ipProtocol: 'tcp',
        fromPort: props.http.containerPort,
        toPort: props.http.containerPort,
        description: 'Load balancer to the container port',
      });
    }
    const published = new Set((props.serviceConnect?.services ?? []).map((s) => s.ingressPortOverride ?? portOf([props.main, ...props.sidecars], s.portName)).filter((p): p is number => p !== undefined));
    [...published].sort((a, b) => a - b).forEach((port) => {
      new VpcSecurityGroupIngressRule(this, `TaskIngressServiceConnect${port}`, {
        securityGroupId: sg.id,
        cidrIpv4: cluster.getString('vpc_cidr'),
        ipProtocol: 'tcp',
        fromPort: port,
        toPort: port,
        description: 'Service Connect clients in the VPC',
      });
    });
    new VpcSecurityGroupEgressRule(this, 'TaskEgress', { securityGroupId: sg.id, cidrIpv4: '0.0.0.0/0', ipProtocol: '-1', description: 'Image pulls, logs and dependencies' });
    return sg.id;
  }

  private serviceConnect(sc: NonNullable<ServiceStackProps['serviceConnect']>, cluster: TerraformRemoteState, logGroup: string, region: string): NonNullable<EcsServiceConfig['serviceConnectConfiguration']> {
    const namespace =
      sc.namespace.kind === 'cluster'
        ? cluster.getString('service_connect_namespace_arn')
        : sc.namespace.owns
          ? new ServiceDiscoveryHttpNamespace(this, 'ServiceConnectNamespace', { name: sc.namespace.name, description: 'Service Connect of an environment on demand' }).arn
          : sc.namespace.name;
    const log = sc.log.logDriver === 'none' ? undefined : logConfiguration(sc.log, logGroup, region, SERVICE_CONNECT);
    return {
      enabled: true,
      namespace,
      ...(sc.services.length
        ? {
            service: sc.services.map((s) => ({
              portName: s.portName,
              discoveryName: s.discoveryName,
              // The provider (5.100) takes one client alias per published port.
              ...(s.clientAliases[0] ? { clientAlias: { port: s.clientAliases[0].port, dnsName: s.clientAliases[0].dnsName } } : {}),
              ...(s.ingressPortOverride !== undefined ? { ingressPortOverride: s.ingressPortOverride } : {}),
            })),
          }
        : {}),
      ...(log
        ? {
            logConfiguration: {
              logDriver: log['logDriver'] as string,
              options: log['options'] as Record<string, string>,
              ...(log['secretOptions'] ? { secretOption: (log['secretOptions'] as Array<{ name: string; valueFrom: string }>).map((o) => ({ name: o.name, valueFrom: o.valueFrom })) } : {}),
            },
          }
        : {}),
    };
  }

  private codeDeploy(props: ServiceStackProps, prefix: string, clusterName: string, service: EcsService, targetGroups: LbTargetGroup[], cluster: TerraformRemoteState): void {
    const d = props.deployment;
    const app = new CodedeployApp(this, 'DeployApp', { name: prefix, computePlatform: 'ECS' });
    const role = new IamRole(this, 'DeployRole', { name: awsName([prefix, 'codedeploy'], 64), assumeRolePolicy: assumeRole('codedeploy.amazonaws.com') });
    new IamRolePolicyAttachment(this, 'DeployRolePolicy', { role: role.name, policyArn: 'arn:aws:iam::aws:policy/AWSCodeDeployRoleForECS' });

    let configName = 'CodeDeployDefault.ECSAllAtOnce';
    const shift = d.strategy === 'canary' ? d.canary : d.strategy === 'linear' ? d.linear : undefined;
    if (shift !== undefined) {
      const predefined = PREDEFINED_SHIFTS[`${d.strategy}:${shift.percent}:${shift.minutes}`];
      if (predefined !== undefined) {
        configName = predefined;
      } else {
        const custom = new CodedeployDeploymentConfig(this, 'DeployConfig', {
          deploymentConfigName: `${prefix}-${d.strategy}-${shift.percent}pct-${shift.minutes}m`,
          computePlatform: 'ECS',
          trafficRoutingConfig:
            d.strategy === 'canary'
              ? { type: 'TimeBasedCanary', timeBasedCanary: { percentage: shift.percent, interval: shift.minutes } }
              : { type: 'TimeBasedLinear', timeBasedLinear: { percentage: shift.percent, interval: shift.minutes } },
        });
        configName = custom.deploymentConfigName;
      }
    }
    new CodedeployDeploymentGroup(this, 'DeploymentGroup', {
      appName: app.name,
      deploymentGroupName: props.service,
      serviceRoleArn: role.arn,
      deploymentConfigName: configName,
      deploymentStyle: { deploymentOption: 'WITH_TRAFFIC_CONTROL', deploymentType: 'BLUE_GREEN' },
      blueGreenDeploymentConfig: {
        deploymentReadyOption: { actionOnTimeout: 'CONTINUE_DEPLOYMENT' },
        terminateBlueInstancesOnDeploymentSuccess: { action: 'TERMINATE', terminationWaitTimeInMinutes: d.terminationWait },
      },
      autoRollbackConfiguration: { enabled: true, events: d.alarms.length ? ['DEPLOYMENT_FAILURE', 'DEPLOYMENT_STOP_ON_ALARM'] : ['DEPLOYMENT_FAILURE'] },
      ...(d.alarms.length ? { alarmConfiguration: { enabled: true, alarms: [...d.alarms] } } : {}),
      ecsService: { clusterName, serviceName: service.name },
      loadBalancerInfo: {
        targetGroupPairInfo: {
          prodTrafficRoute: { listenerArns: [cluster.getString('listener_arn')] },
          testTrafficRoute: { listenerArns: [cluster.getString('test_listener_arn')] },
          targetGroup: targetGroups.map((t) => ({ name: t.name })),
        },
      },
    });
  }

  private scaling(props: ServiceStackProps, prefix: string, clusterName: string, service: EcsService, targetGroup: LbTargetGroup | undefined, cluster: TerraformRemoteState): void {
    const s = props.scaling!;
    const target = new AppautoscalingTarget(this, 'ScalingTarget', {
      serviceNamespace: 'ecs',
      resourceId: `service/${clusterName}/${service.name}`,
      scalableDimension: 'ecs:service:DesiredCount',
      minCapacity: s.min,
      maxCapacity: s.max,
    });
    const scope = { serviceNamespace: target.serviceNamespace, resourceId: target.resourceId, scalableDimension: target.scalableDimension };
    const tracking = (id: string, name: string, value: number, metric: string, resourceLabel?: string) =>
      new AppautoscalingPolicy(this, id, {
        name: `${prefix}-${name}`,
        policyType: 'TargetTrackingScaling',
        ...scope,
        targetTrackingScalingPolicyConfiguration: {
          targetValue: value,
          scaleInCooldown: s.scaleInCooldown,
          scaleOutCooldown: s.scaleOutCooldown,
          predefinedMetricSpecification: { predefinedMetricType: metric, ...(resourceLabel ? { resourceLabel } : {}) },
        },
      });
    if (s.cpu !== undefined) tracking('CpuScaling', 'cpu', s.cpu, 'ECSServiceAverageCPUUtilization');
    if (s.memory !== undefined) tracking('MemoryScaling', 'memory', s.memory, 'ECSServiceAverageMemoryUtilization');
    if (s.requestsPerTarget !== undefined && targetGroup !== undefined) {
      tracking('RequestScaling', 'requests', s.requestsPerTarget, 'ALBRequestCountPerTarget', `${cluster.getString('alb_arn_suffix')}/${targetGroup.arnSuffix}`);
    }
    if (s.step !== undefined) {
      const steps = [...s.step.steps].sort((a, b) => a.above - b.above);
      const base = steps[0]!.above;
      const stepPolicy = new AppautoscalingPolicy(this, 'StepScaling', {
        name: `${prefix}-step`,
        policyType: 'StepScaling',
        ...scope,
        stepScalingPolicyConfiguration: {
          adjustmentType: 'ChangeInCapacity',
          cooldown: s.scaleOutCooldown,
          metricAggregationType: s.step.metric.statistic === 'Average' ? 'Average' : s.step.metric.statistic === 'Minimum' ? 'Minimum' : 'Maximum',
          stepAdjustment: steps.map((st, i) => ({
            metricIntervalLowerBound: String(st.above - base),
            ...(i + 1 < steps.length ? { metricIntervalUpperBound: String(steps[i + 1]!.above - base) } : {}),
            scalingAdjustment: st.change,
          })),
        },
      });
      new CloudwatchMetricAlarm(this, 'StepScalingAlarm', {
        alarmName: `${prefix}-step`,
        namespace: s.step.metric.namespace,
        metricName: s.step.metric.name,
        statistic: s.step.metric.statistic,
        dimensions: { ...s.step.metric.dimensions },
        comparisonOperator: 'GreaterThanOrEqualToThreshold',
        threshold: base,
        period: 60,
        evaluationPeriods: 2,
        alarmActions: [stepPolicy.arn],
      });
    }
    s.schedules.forEach((sch) => {
      new AppautoscalingScheduledAction(this, `Schedule-${sch.name}`, {
        name: `${prefix}-${sch.name}`,
        ...scope,
        schedule: sch.schedule,
        timezone: sch.timezone ?? 'Etc/UTC',
        scalableTargetAction: { ...(sch.min !== undefined ? { minCapacity: String(sch.min) } : {}), ...(sch.max !== undefined ? { maxCapacity: String(sch.max) } : {}) },
      });
    });
  }
}

function remoteState(scope: Construct, state: StateBackendProps & { readonly stack: string }): TerraformRemoteState {
  if (state.kind === 'local') return new DataTerraformRemoteStateLocal(scope, 'Cluster', { path: `${state.dir}/${state.stack}.tfstate` });
  return new DataTerraformRemoteStateS3(scope, 'Cluster', {
    bucket: state.bucket,
    key: stateKey(state.prefix, state.stack),
    region: state.region,
    ...(state.endpoint === undefined
      ? {}
      : {
          endpoints: { s3: state.endpoint, sts: state.endpoint },
          usePathStyle: true,
          skipCredentialsValidation: true,
          skipMetadataApiCheck: true,
          skipRegionValidation: true,
          skipRequestingAccountId: true,
        }),
  });
}

/** The Service Connect proxy's log stream prefix (and its own log group's suffix). */
const SERVICE_CONNECT = 'service-connect';

const ECR_PULL = ['ecr:BatchCheckLayerAvailability', 'ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer'];

/**
 * What the execution role must be granted to read these secret references: SSM parameters by ARN
 * (a path becomes the ARN in this region and account), Secrets Manager secrets by the secret's own
 * ARN — without a `:json-key:version-stage:version-id` suffix, and with `-??????` when the ARN is
 * partial (AWS adds six random characters to every secret's name).
 */
export function secretGrants(refs: readonly string[], region: string, partition: string, account: () => string): { ssm: string[]; secretsManager: string[] } {
  const ssm = new Set<string>();
  const sm = new Set<string>();
  for (const ref of refs) {
    if (ref.startsWith('/')) ssm.add(`arn:${partition}:ssm:${region}:${account()}:parameter${ref}`);
    else if (ref.includes(':ssm:')) ssm.add(ref);
    else if (ref.includes(':secretsmanager:')) {
      const secret = ref.split(':').slice(0, 7).join(':');
      sm.add(/-[A-Za-z0-9]{6}$/.test(secret) ? secret : `${secret}-??????`);
    }
  }
  return { ssm: [...ssm].sort(), secretsManager: [...sm].sort() };
}

function portOf(containers: readonly Omit<ContainerProps, 'image'>[], name: string): number | undefined {
  for (const c of containers) for (const m of c.portMappings) if (m.name === name) return m.containerPort;
  return undefined;
}

function volume(v: VolumeProps): EcsTaskDefinitionVolume {
  return {
    name: v.name,
    ...(v.hostPath ? { hostPath: v.hostPath } : {}),
    ...(v.efs
      ? {
          efsVolumeConfiguration: {
            fileSystemId: v.efs.fileSystemId,
            ...(v.efs.rootDirectory ? { rootDirectory: v.efs.rootDirectory } : {}),
            transitEncryption: v.efs.transitEncryption,
            ...(v.efs.transitEncryptionPort ? { transitEncryptionPort: v.efs.transitEncryptionPort } : {}),
            authorizationConfig: { iam: v.efs.iam, ...(v.efs.accessPointId ? { accessPointId: v.efs.accessPointId } : {}) },
          },
        }
      : {}),
    ...(v.docker
      ? {
          dockerVolumeConfiguration: {
            scope: v.docker.scope,
            ...(v.docker.autoprovision !== undefined && v.docker.scope === 'shared' ? { autoprovision: v.docker.autoprovision } : {}),
            ...(v.docker.driver ? { driver: v.docker.driver } : {}),
            ...(Object.keys(v.docker.driverOpts).length ? { driverOpts: { ...v.docker.driverOpts } } : {}),
            ...(Object.keys(v.docker.labels).length ? { labels: { ...v.docker.labels } } : {}),
          },
        }
      : {}),
  };
}

/** A log configuration in ECS's JSON shape; awslogs defaults to the service's (or the container's own) group. */
function logConfiguration(l: LogProps, group: string, region: string, streamPrefix: string): Record<string, unknown> {
  const defaults = l.logDriver === 'awslogs' ? { 'awslogs-group': group, 'awslogs-region': region, 'awslogs-stream-prefix': streamPrefix } : {};
  const secretOptions = Object.entries(l.secretOptions).sort(([a], [b]) => a.localeCompare(b)).map(([name, valueFrom]) => ({ name, valueFrom }));
  return { logDriver: l.logDriver, options: { ...defaults, ...l.options }, ...(secretOptions.length ? { secretOptions } : {}) };
}

/** The `container_definitions.<container>.<path>` overrides of one container, as path → value. */
function containerOverrides(overrides: readonly OverrideProps[], container: string): ReadonlyArray<readonly [string[], unknown]> {
  const prefix = `container_definitions.${container}.`;
  return overrides.filter((o) => o.resource === 'TaskDefinition' && o.path.startsWith(prefix)).map((o) => [o.path.slice(prefix.length).split('.'), o.value] as const);
}

/** `overrides:` through CDKTF's escape hatch; container definition fields are set in containerDefinition. */
function applyOverrides(stack: TerraformStack, id: string, overrides: readonly OverrideProps[]): void {
  for (const o of overrides) {
    if (o.resource === 'TaskDefinition' && o.path.startsWith('container_definitions.')) continue;
    const target = stack.node.tryFindChild(o.resource);
    if (!(target instanceof TerraformResource)) throw new Error(`overrides.${o.resource}: ${id} has no such resource`);
    target.addOverride(o.path, o.value);
  }
}

/** An ECS container definition; secrets only as `valueFrom` references, never values. */
function containerDefinition(c: ContainerProps, logGroup: string, region: string, overrides: ReadonlyArray<readonly [string[], unknown]>): Record<string, unknown> {
  const env = Object.entries(c.variables).sort(([a], [b]) => a.localeCompare(b)).map(([name, value]) => ({ name, value }));
  const secrets = Object.entries(c.secrets).sort(([a], [b]) => a.localeCompare(b)).map(([name, valueFrom]) => ({ name, valueFrom }));
  const def: Record<string, unknown> = {
    name: c.name,
    image: c.image,
    essential: c.essential,
    ...(c.cpu !== undefined ? { cpu: c.cpu } : {}),
    ...(c.memory !== undefined ? { memory: c.memory } : {}),
    ...(c.memoryReservation !== undefined ? { memoryReservation: c.memoryReservation } : {}),
    ...(c.command ? { command: [...c.command] } : {}),
    ...(c.entryPoint ? { entryPoint: [...c.entryPoint] } : {}),
    ...(c.workingDirectory ? { workingDirectory: c.workingDirectory } : {}),
    ...(c.user ? { user: c.user } : {}),
    portMappings: c.portMappings.map((m) => ({ ...m })),
    ...(c.dependsOn ? { dependsOn: c.dependsOn.map((d) => ({ containerName: d.containerName, condition: d.condition })) } : {}),
    environment: env,
    ...(c.environmentFiles.length ? { environmentFiles: c.environmentFiles.map((value) => ({ value, type: 's3' })) } : {}),
    secrets,
    ...(c.ulimits ? { ulimits: c.ulimits.map((u) => ({ ...u })) } : {}),
    ...(c.linuxParameters
      ? {
          linuxParameters: {
            ...(c.linuxParameters.initProcessEnabled !== undefined ? { initProcessEnabled: c.linuxParameters.initProcessEnabled } : {}),
            ...(c.linuxParameters.capabilities ? { capabilities: { add: [...c.linuxParameters.capabilities.add], drop: [...c.linuxParameters.capabilities.drop] } } : {}),
            ...(c.linuxParameters.sharedMemorySize !== undefined ? { sharedMemorySize: c.linuxParameters.sharedMemorySize } : {}),
          },
        }
      : {}),
    ...(c.stopTimeout !== undefined ? { stopTimeout: c.stopTimeout } : {}),
    readonlyRootFilesystem: c.readonlyRootFilesystem,
    mountPoints: c.mountPoints.map((m) => ({ ...m })),
    volumesFrom: c.volumesFrom.map((v) => ({ ...v })),
    ...(c.healthCheck
      ? { healthCheck: { command: [...c.healthCheck.command], interval: c.healthCheck.interval, timeout: c.healthCheck.timeout, retries: c.healthCheck.retries, startPeriod: c.healthCheck.startPeriod } }
      : {}),
    ...(c.log.logDriver === 'none' ? {} : { logConfiguration: logConfiguration(c.log, logGroup, region, c.name) }),
    ...(c.firelensConfiguration ? { firelensConfiguration: { type: c.firelensConfiguration.type, ...(Object.keys(c.firelensConfiguration.options).length ? { options: { ...c.firelensConfiguration.options } } : {}) } } : {}),
    ...(c.repositoryCredentials ? { repositoryCredentials: { credentialsParameter: c.repositoryCredentials } } : {}),
    ...(Object.keys(c.dockerLabels).length ? { dockerLabels: { ...c.dockerLabels } } : {}),
  };
  for (const [path, value] of overrides) setPath(def, path, value);
  return def;
}

function setPath(target: Record<string, unknown>, path: readonly string[], value: unknown): void {
  let cur = target;
  path.slice(0, -1).forEach((seg) => {
    const next = cur[seg];
    if (next === null || typeof next !== 'object' || Array.isArray(next)) cur[seg] = {};
    cur = cur[seg] as Record<string, unknown>;
  });
  cur[path[path.length - 1]!] = value;
}
