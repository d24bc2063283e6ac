/**
 * `<env>-<service>`: the task definition, its log group and roles, the ECS service with its
 * deployment settings (rolling with circuit breaker, or blue/green, canary, linear through
 * CodeDeploy), target group(s) and listener rules, and service auto scaling. Everything it needs
 * from the cluster comes from the cluster stack's state outputs.
 */
import { AppautoscalingPolicy } from '@cdktf/provider-aws/lib/appautoscaling-policy';
import { AppautoscalingScheduledAction } from '@cdktf/provider-aws/lib/appautoscaling-scheduled-action';
import { AppautoscalingTarget } from '@cdktf/provider-aws/lib/appautoscaling-target';
import { CloudwatchMetricAlarm } from '@cdktf/provider-aws/lib/cloudwatch-metric-alarm';
import { CodedeployApp } from '@cdktf/provider-aws/lib/codedeploy-app';
import { CodedeployDeploymentConfig } from '@cdktf/provider-aws/lib/codedeploy-deployment-config';
import { CodedeployDeploymentGroup } from '@cdktf/provider-aws/lib/codedeploy-deployment-group';
import { EcsService, type EcsServiceConfig } from '@cdktf/provider-aws/lib/ecs-service';
import { IamRole } from '@cdktf/provider-aws/lib/iam-role';
import { IamRolePolicyAttachment } from '@cdktf/provider-aws/lib/iam-role-policy-attachment';
import { LbListenerRule } from '@cdktf/provider-aws/lib/lb-listener-rule';
import { LbTargetGroup } from '@cdktf/provider-aws/lib/lb-target-group';
import { SecurityGroup } from '@cdktf/provider-aws/lib/security-group';
import { VpcSecurityGroupIngressRule } from '@cdktf/provider-aws/lib/vpc-security-group-ingress-rule';
import { ServiceDiscoveryHttpNamespace } from '@cdktf/provider-aws/lib/service-discovery-http-namespace';
import { TerraformOutput, type TerraformRemoteState, type TerraformResource } from 'cdktf';
import type { Construct } from 'constructs';
import { EcsdeployStack, assumeRole, awsName } from './base';
import { addEgress } from './egress';
import type { ContainerProps, ServiceStackProps } from './props';
import {
  addTaskDefinition,
  applyOverrides,
  clusterRemoteState,
  logConfiguration,
  runsOn,
  SERVICE_CONNECT,
} from './task-definition';

export { secretGrants } from './task-definition';

const PREDEFINED_SHIFTS: Record<string, string> = {
  'canary:10:5': 'CodeDeployDefault.ECSCanary10Percent5Minutes',
  'canary:10:15': 'CodeDeployDefault.ECSCanary10Percent15Minutes',
  'linear:10:1': 'CodeDeployDefault.ECSLinear10PercentEvery1Minutes',
  'linear:10:3': 'CodeDeployDefault.ECSLinear10PercentEvery3Minutes',
};

type ClusterState = ReturnType<typeof clusterRemoteState>;
type TaskDefinitionParts = ReturnType<typeof addTaskDefinition>;

export class ServiceStack extends EcsdeployStack {
  /** `import` blocks of an adopted service's existing resources (props.adopt.imports). */
  private readonly imports: Array<{ to: string; id: string }> = [];

  constructor(scope: Construct, id: string, props: ServiceStackProps) {
    super(scope, id, props);
    const adopt = props.adopt;
    const prefix = awsName([props.project, props.environment, props.service]);
    const cluster = clusterRemoteState(this, props.clusterState);
    const clusterName = cluster.getString('cluster_name');
    const awsvpc = props.networkMode === 'awsvpc';
    const codeDeploy = props.deployment.strategy !== 'rolling';

    // --- The task definition, its log groups and roles (./task-definition, shared with job stacks).
    const { taskDefinition, image, logGroup, groupOf } = addTaskDefinition(
      this,
      props,
      prefix,
      adopt?.logGroupName ?? `/ecs/${props.project}/${props.environment}/${props.service}`,
      adopt?.taskFamily,
    );
    this.importFrom(logGroup, adopt?.imports?.logGroup);

    // --- Load balancing.
    const targetGroups = this.loadBalancing(props, cluster);
    const securityGroups = awsvpc
      ? [this.taskSecurityGroup(props, prefix, cluster), ...(props.network?.securityGroups ?? [])]
      : [];

    // --- The service.
    const serviceConfig = this.serviceConfig(props, cluster, taskDefinition.arn, targetGroups, securityGroups, groupOf);
    const service = new EcsService(this, 'Service', serviceConfig);
    this.importFrom(service, adopt?.imports?.service);

    if (codeDeploy) this.codeDeploy(props, prefix, clusterName, service, targetGroups, cluster);
    if (props.scaling !== undefined) this.scaling(props, prefix, clusterName, service, targetGroups[0], cluster);
    applyOverrides(this, id, props.overrides);
    // Top-level `import` blocks (Terraform and OpenTofu 1.5+), as cdktf's importFrom writes them;
    // not importFrom itself: it adds a validation that runs `terraform version` at synth, which
    // fails without that binary (OpenTofu) and costs a process per stack.
    if (this.imports.length > 0) this.addOverride('import', this.imports);

    this.outputs(props, service, clusterName, taskDefinition.arn, logGroup.name, image, targetGroups);
  }

  /** The target groups (blue and green under CodeDeploy) and the listener rules that forward to them. */
  private loadBalancing(props: ServiceStackProps, cluster: ClusterState): LbTargetGroup[] {
    const adopt = props.adopt;
    const awsvpc = props.networkMode === 'awsvpc';
    const codeDeploy = props.deployment.strategy !== 'rolling';
    const targetGroups: LbTargetGroup[] = [];
    if (props.http !== undefined) {
      const http = props.http;
      const makeTargetGroup = (id: string, suffix: string) =>
        new LbTargetGroup(this, id, {
          name:
            (suffix === '' || suffix === 'blue' ? adopt?.targetGroupName : undefined) ??
            awsName([props.project, props.environment, props.service, suffix], 32),
          port: adopt?.targetGroupPort ?? http.containerPort,
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
      this.importFrom(targetGroups[0]!, adopt?.imports?.targetGroup);
      if (codeDeploy) targetGroups.push(makeTargetGroup('GreenTargetGroup', 'green'));

      const conditions = [
        ...(http.paths ? [{ pathPattern: { values: [...http.paths] } }] : []),
        ...(http.hosts ? [{ hostHeader: { values: [...http.hosts] } }] : []),
        ...(http.header ? [{ httpHeader: { httpHeaderName: http.header.name, values: [...http.header.values] } }] : []),
      ];
      // Under CodeDeploy the forward target flips between blue and green at every deployment:
      // CodeDeploy owns the action, Terraform the conditions.
      const ruleLifecycle = codeDeploy ? { lifecycle: { ignoreChanges: ['action'] } } : {};
      const rule = new LbListenerRule(this, 'ListenerRule', {
        listenerArn: cluster.getString('listener_arn'),
        priority: http.priority,
        condition: conditions,
        action: [{ type: 'forward', targetGroupArn: targetGroups[0]!.arn }],
        ...ruleLifecycle,
      });
      this.importFrom(rule, adopt?.imports?.listenerRule);
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
    return targetGroups;
  }

  /** The ECS service's arguments: where it runs, how it deploys, its load balancer and Service Connect. */
  private serviceConfig(
    props: ServiceStackProps,
    cluster: ClusterState,
    taskDefinitionArn: string,
    targetGroups: readonly LbTargetGroup[],
    securityGroups: string[],
    groupOf: TaskDefinitionParts['groupOf'],
  ): EcsServiceConfig {
    const adopt = props.adopt;
    const codeDeploy = props.deployment.strategy !== 'rolling';
    const where = runsOn(props, cluster, securityGroups);
    // One owner per attribute: auto scaling owns desired_count; CodeDeploy owns the task definition
    // and load balancer of a blue/green service between deployments.
    const ignore = [
      ...(props.scaling ? ['desired_count'] : []),
      ...(codeDeploy ? ['task_definition', 'load_balancer'] : []),
    ];
    const serviceConfig: EcsServiceConfig = {
      name: props.serviceName,
      cluster: cluster.getString('cluster_arn'),
      taskDefinition: props.heldTaskDefinitionArn ?? taskDefinitionArn,
      desiredCount: props.desiredCount,
      // An adopted service keeps its launch type: moving between a launch type and a capacity
      // provider strategy replaces the service, and so does changing a strategy without a new deployment.
      ...(adopt?.launchType !== undefined
        ? { launchType: adopt.launchType }
        : { capacityProviderStrategy: where.capacityProviderStrategy }),
      ...(adopt !== undefined && adopt.launchType === undefined ? { forceNewDeployment: true } : {}),
      deploymentMinimumHealthyPercent: props.deployment.minimumHealthyPercent,
      deploymentMaximumPercent: props.deployment.maximumPercent,
      deploymentController: { type: codeDeploy ? 'CODE_DEPLOY' : 'ECS' },
      ...(codeDeploy
        ? {}
        : {
            deploymentCircuitBreaker: {
              enable: props.deployment.circuitBreaker,
              rollback: props.deployment.circuitBreaker,
            },
          }),
      ...(!codeDeploy && props.deployment.alarms.length > 0
        ? { alarms: { alarmNames: [...props.deployment.alarms], enable: true, rollback: true } }
        : {}),
      ...(props.http !== undefined
        ? {
            loadBalancer: [
              {
                targetGroupArn: targetGroups[0]!.arn,
                containerName: props.http.containerName,
                containerPort: props.http.containerPort,
              },
            ],
            healthCheckGracePeriodSeconds: props.http.healthCheckGracePeriod,
          }
        : {}),
      ...(where.networkConfiguration ? { networkConfiguration: where.networkConfiguration } : {}),
      ...(where.placementConstraints ? { placementConstraints: where.placementConstraints } : {}),
      ...(where.placementStrategy ? { orderedPlacementStrategy: where.placementStrategy } : {}),
      ...(props.serviceConnect
        ? {
            serviceConnectConfiguration: this.serviceConnect(
              props.serviceConnect,
              cluster,
              groupOf(SERVICE_CONNECT),
              props.region,
            ),
          }
        : {}),
      enableExecuteCommand: props.enableExecuteCommand,
      propagateTags: props.propagateTags,
      enableEcsManagedTags: props.enableEcsManagedTags,
      waitForSteadyState: false,
      ...(ignore.length ? { lifecycle: { ignoreChanges: ignore } } : {}),
      dependsOn: [...targetGroups],
    };
    return serviceConfig;
  }

  /** What `service deploy`, `status` and the watchers read after an apply. */
  private outputs(
    props: ServiceStackProps,
    service: EcsService,
    clusterName: string,
    taskDefinitionArn: string,
    logGroupName: string,
    image: string,
    targetGroups: readonly LbTargetGroup[],
  ): void {
    new TerraformOutput(this, 'service_name', { value: service.name });
    new TerraformOutput(this, 'cluster_name', { value: clusterName });
    new TerraformOutput(this, 'task_definition_arn', { value: taskDefinitionArn });
    new TerraformOutput(this, 'log_group_name', { value: logGroupName });
    new TerraformOutput(this, 'image', { value: image });
    new TerraformOutput(this, 'deployment_strategy', { value: props.deployment.strategy });
    if (targetGroups.length) new TerraformOutput(this, 'target_group_arns', { value: targetGroups.map((t) => t.arn) });
  }

  /** Imports `resource` from the existing resource `id` (no-op without one). */
  private importFrom(resource: TerraformResource, id: string | undefined): void {
    if (id !== undefined)
      this.imports.push({ to: `${resource.terraformResourceType}.${resource.friendlyUniqueId}`, id });
  }

  /** awsvpc tasks get their own security group: the load balancer may reach the target port, the VPC the Service Connect ports. */
  private taskSecurityGroup(props: ServiceStackProps, prefix: string, cluster: TerraformRemoteState): string {
    const sg = new SecurityGroup(this, 'TaskSecurityGroup', {
      name: `${prefix}-tasks`,
      description: `Tasks of ${prefix}`,
      vpcId: cluster.getString('vpc_id'),
    });
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
    const published = new Set(
      (props.serviceConnect?.services ?? [])
        .map((s) => s.ingressPortOverride ?? portOf([props.main, ...props.sidecars], s.portName))
        .filter((p): p is number => p !== undefined),
    );
    [...published]
      .sort((a, b) => a - b)
      .forEach((port) => {
        new VpcSecurityGroupIngressRule(this, `TaskIngressServiceConnect${port}`, {
          securityGroupId: sg.id,
          cidrIpv4: cluster.getString('vpc_cidr'),
          ipProtocol: 'tcp',
          fromPort: port,
          toPort: port,
          description: 'Service Connect clients in the VPC',
        });
      });
    addEgress(this, 'TaskEgress', sg.id, props.network?.egress, 'Image pulls, logs and dependencies');
    return sg.id;
  }

  private serviceConnect(
    sc: NonNullable<ServiceStackProps['serviceConnect']>,
    cluster: TerraformRemoteState,
    logGroup: string,
    region: string,
  ): NonNullable<EcsServiceConfig['serviceConnectConfiguration']> {
    const namespace =
      sc.namespace.kind === 'cluster'
        ? cluster.getString('service_connect_namespace_arn')
        : sc.namespace.owns
          ? new ServiceDiscoveryHttpNamespace(this, 'ServiceConnectNamespace', {
              name: sc.namespace.name,
              description: 'Service Connect of an environment on demand',
            }).arn
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
              ...(s.clientAliases[0]
                ? { clientAlias: { port: s.clientAliases[0].port, dnsName: s.clientAliases[0].dnsName } }
                : {}),
              ...(s.ingressPortOverride !== undefined ? { ingressPortOverride: s.ingressPortOverride } : {}),
            })),
          }
        : {}),
      ...(log
        ? {
            logConfiguration: {
              logDriver: log['logDriver'] as string,
              options: log['options'] as Record<string, string>,
              ...(log['secretOptions']
                ? {
                    secretOption: (log['secretOptions'] as Array<{ name: string; valueFrom: string }>).map((o) => ({
                      name: o.name,
                      valueFrom: o.valueFrom,
                    })),
                  }
                : {}),
            },
          }
        : {}),
    };
  }

  private codeDeploy(
    props: ServiceStackProps,
    prefix: string,
    clusterName: string,
    service: EcsService,
    targetGroups: LbTargetGroup[],
    cluster: TerraformRemoteState,
  ): void {
    const d = props.deployment;
    const app = new CodedeployApp(this, 'DeployApp', { name: prefix, computePlatform: 'ECS' });
    const role = new IamRole(this, 'DeployRole', {
      name: awsName([prefix, 'codedeploy'], 64),
      assumeRolePolicy: assumeRole('codedeploy.amazonaws.com'),
    });
    new IamRolePolicyAttachment(this, 'DeployRolePolicy', {
      role: role.name,
      policyArn: 'arn:aws:iam::aws:policy/AWSCodeDeployRoleForECS',
    });

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
        terminateBlueInstancesOnDeploymentSuccess: {
          action: 'TERMINATE',
          terminationWaitTimeInMinutes: d.terminationWait,
        },
      },
      autoRollbackConfiguration: {
        enabled: true,
        events: d.alarms.length ? ['DEPLOYMENT_FAILURE', 'DEPLOYMENT_STOP_ON_ALARM'] : ['DEPLOYMENT_FAILURE'],
      },
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

  private scaling(
    props: ServiceStackProps,
    prefix: string,
    clusterName: string,
    service: EcsService,
    targetGroup: LbTargetGroup | undefined,
    cluster: TerraformRemoteState,
  ): void {
    const s = props.scaling!;
    const adopt = props.adopt;
    const target = new AppautoscalingTarget(this, 'ScalingTarget', {
      serviceNamespace: 'ecs',
      resourceId: `service/${clusterName}/${service.name}`,
      scalableDimension: 'ecs:service:DesiredCount',
      minCapacity: s.min,
      maxCapacity: s.max,
    });
    this.importFrom(target, adopt?.imports?.scalingTarget);
    const scope = {
      serviceNamespace: target.serviceNamespace,
      resourceId: target.resourceId,
      scalableDimension: target.scalableDimension,
    };
    const policyName = (key: 'cpu' | 'memory' | 'requests' | 'step') => adopt?.policyNames[key] ?? `${prefix}-${key}`;
    const imported = <T extends TerraformResource>(key: 'cpu' | 'memory' | 'requests' | 'step', resource: T): T => {
      this.importFrom(resource, adopt?.imports?.scalingPolicies[key]);
      return resource;
    };
    const tracking = (
      id: string,
      name: 'cpu' | 'memory' | 'requests',
      value: number,
      metric: string,
      resourceLabel?: string,
    ) =>
      imported(
        name,
        new AppautoscalingPolicy(this, id, {
          name: policyName(name),
          policyType: 'TargetTrackingScaling',
          ...scope,
          targetTrackingScalingPolicyConfiguration: {
            targetValue: value,
            scaleInCooldown: s.scaleInCooldown,
            scaleOutCooldown: s.scaleOutCooldown,
            predefinedMetricSpecification: {
              predefinedMetricType: metric,
              ...(resourceLabel ? { resourceLabel } : {}),
            },
          },
        }),
      );
    if (s.cpu !== undefined) tracking('CpuScaling', 'cpu', s.cpu, 'ECSServiceAverageCPUUtilization');
    if (s.memory !== undefined) tracking('MemoryScaling', 'memory', s.memory, 'ECSServiceAverageMemoryUtilization');
    if (s.requestsPerTarget !== undefined && targetGroup !== undefined) {
      tracking(
        'RequestScaling',
        'requests',
        s.requestsPerTarget,
        'ALBRequestCountPerTarget',
        `${cluster.getString('alb_arn_suffix')}/${targetGroup.arnSuffix}`,
      );
    }
    if (s.step !== undefined) {
      const steps = [...s.step.steps].sort((a, b) => a.above - b.above);
      const base = steps[0]!.above;
      const stepPolicy = imported(
        'step',
        new AppautoscalingPolicy(this, 'StepScaling', {
          name: policyName('step'),
          policyType: 'StepScaling',
          ...scope,
          stepScalingPolicyConfiguration: {
            adjustmentType: 'ChangeInCapacity',
            cooldown: s.scaleOutCooldown,
            metricAggregationType:
              s.step.metric.statistic === 'Average'
                ? 'Average'
                : s.step.metric.statistic === 'Minimum'
                  ? 'Minimum'
                  : 'Maximum',
            stepAdjustment: steps.map((st, i) => ({
              metricIntervalLowerBound: String(st.above - base),
              ...(i + 1 < steps.length ? { metricIntervalUpperBound: String(steps[i + 1]!.above - base) } : {}),
              scalingAdjustment: st.change,
            })),
          },
        }),
      );
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
        scalableTargetAction: {
          ...(sch.min !== undefined ? { minCapacity: String(sch.min) } : {}),
          ...(sch.max !== undefined ? { maxCapacity: String(sch.max) } : {}),
        },
      });
    });
  }
}

function portOf(containers: readonly Omit<ContainerProps, 'image'>[], name: string): number | undefined {
  for (const c of containers) for (const m of c.portMappings) if (m.name === name) return m.containerPort;
  return undefined;
}
