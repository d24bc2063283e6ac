/* eslint-disable @typescript-eslint/no-require-imports -- each SDK module loads on first use (start-up time, see clients.ts). */
/**
 * What `ecsdeploy import` reads of a running service, as plain data: the task definition (as ECS
 * prints it, JSON-safe), the ECS service, its target group and the listener rule that forwards to
 * it, its Application Auto Scaling target and policies, and log group retention. Read-only; every
 * list is paginated by the SDK's paginators.
 */
import { EcsdeployError, UsageError } from '../errors';
import { awsError, type AwsClients } from './clients';
import { describeServices, describeTaskDefinition } from './ecs-sdk';

export interface ServiceRead {
  readonly serviceName: string;
  readonly clusterArn: string;
  readonly taskDefinition: string;
  readonly desiredCount: number;
  readonly launchType?: string;
  readonly capacityProviderStrategy: ReadonlyArray<{
    readonly capacityProvider: string;
    readonly weight?: number;
    readonly base?: number;
  }>;
  readonly deploymentController?: string;
  readonly deploymentConfiguration?: {
    readonly minimumHealthyPercent?: number;
    readonly maximumPercent?: number;
    readonly deploymentCircuitBreaker?: { readonly enable: boolean; readonly rollback: boolean };
    readonly alarms?: { readonly alarmNames: readonly string[]; readonly enable: boolean; readonly rollback: boolean };
  };
  readonly networkConfiguration?: {
    readonly subnets: readonly string[];
    readonly securityGroups: readonly string[];
    readonly assignPublicIp: boolean;
  };
  readonly placementConstraints: ReadonlyArray<{ readonly type: string; readonly expression?: string }>;
  readonly placementStrategy: ReadonlyArray<{ readonly type: string; readonly field?: string }>;
  readonly enableExecuteCommand?: boolean;
  readonly propagateTags?: string;
  readonly enableECSManagedTags?: boolean;
  readonly healthCheckGracePeriodSeconds?: number;
  readonly loadBalancers: ReadonlyArray<{
    readonly targetGroupArn?: string;
    readonly containerName?: string;
    readonly containerPort?: number;
  }>;
  readonly tags: Readonly<Record<string, string>>;
}

export interface TargetGroupRead {
  readonly arn: string;
  readonly name: string;
  readonly port?: number;
  readonly protocol?: string;
  readonly loadBalancerArns: readonly string[];
  readonly healthCheckPath?: string;
  readonly healthCheckIntervalSeconds?: number;
  readonly healthCheckTimeoutSeconds?: number;
  readonly healthyThresholdCount?: number;
  readonly unhealthyThresholdCount?: number;
  readonly matcher?: string;
  readonly deregistrationDelay?: number;
}

export interface RuleRead {
  readonly arn: string;
  readonly listenerArn: string;
  /** A number, or 'default' for the listener's default action. */
  readonly priority: number | 'default';
  readonly paths: readonly string[];
  readonly hosts: readonly string[];
  readonly otherConditions: readonly string[];
}

export interface ScalingRead {
  readonly min: number;
  readonly max: number;
  readonly policies: ReadonlyArray<{
    readonly name: string;
    readonly type: string;
    readonly metric?: string;
    readonly target?: number;
    readonly scaleInCooldown?: number;
    readonly scaleOutCooldown?: number;
  }>;
}

export interface AdoptReadApi {
  /** DescribeTaskDefinition (with tags), as JSON the input schema parses. */
  describeTaskDefinition(taskDefinition: string): Promise<{ taskDefinition: unknown; tags: unknown }>;
  describeService(cluster: string, service: string): Promise<ServiceRead>;
  targetGroup(arn: string): Promise<TargetGroupRead>;
  /** The rules (and default actions) of the load balancers' listeners that forward to the target group. */
  rulesForwardingTo(targetGroupArn: string, loadBalancerArns: readonly string[]): Promise<RuleRead[]>;
  /** The scalable target of ecs:service:DesiredCount for the service, and its policies; undefined when it has none. */
  scaling(cluster: string, service: string): Promise<ScalingRead | undefined>;
  /** Retention in days (0: never expire) of the named log groups that exist. */
  logRetention(groups: readonly string[]): Promise<Record<string, number>>;
}

/** A JSON round trip: SDK output (Dates, undefined) as describe-task-definition prints it. */
function plain(v: unknown): unknown {
  return JSON.parse(JSON.stringify(v)) as unknown;
}

export function adoptReadApi(clients: AwsClients): AdoptReadApi {
  const region = clients.target.region;
  return {
    async describeTaskDefinition(taskDefinition) {
      try {
        const out = await describeTaskDefinition(clients.ecs(), taskDefinition, ['TAGS']);
        return { taskDefinition: plain(out.taskDefinition), tags: plain(out.tags ?? []) };
      } catch (err) {
        const e = err as { name?: string; message?: string };
        if (e.name === 'ClientException' || e.name === 'InvalidParameterException') {
          throw new UsageError(`no task definition ${taskDefinition} in ${region}: ${e.message ?? e.name}`, [
            'Check the ARN (or family:revision), and the region and account of --env.',
          ]);
        }
        throw awsError(err, `reading task definition ${taskDefinition}`);
      }
    },

    async describeService(cluster, service) {
      let out;
      try {
        out = await describeServices(clients.ecs(), cluster, [service], ['TAGS']);
      } catch (err) {
        const e = err as { name?: string; message?: string };
        if (e.name === 'ClusterNotFoundException')
          throw new UsageError(`--cluster ${cluster}: no ECS cluster '${cluster}' in ${region}`, [
            'Check the cluster name and the region of --env (aws ecs list-clusters).',
          ]);
        throw awsError(err, `reading the ECS service ${cluster}/${service}`);
      }
      const s = (out.services ?? []).find((x) => x.status !== 'INACTIVE');
      if (s === undefined) {
        const missing = out.failures[0]?.reason ?? (out.services.length ? 'INACTIVE' : 'MISSING');
        throw new UsageError(
          `--service ${service}: no ECS service '${service}' in the cluster ${cluster} (${region}): ${missing}`,
          [`List the cluster's services with: aws ecs list-services --cluster ${cluster}`],
        );
      }
      const dc = s.deploymentConfiguration;
      const net = s.networkConfiguration?.awsvpcConfiguration;
      return {
        serviceName: s.serviceName!,
        clusterArn: s.clusterArn!,
        taskDefinition: s.taskDefinition!,
        desiredCount: s.desiredCount ?? 0,
        ...(s.launchType ? { launchType: s.launchType } : {}),
        capacityProviderStrategy: (s.capacityProviderStrategy ?? []).map((p) => ({
          capacityProvider: p.capacityProvider!,
          ...(p.weight !== undefined ? { weight: p.weight } : {}),
          ...(p.base !== undefined ? { base: p.base } : {}),
        })),
        ...(s.deploymentController?.type ? { deploymentController: s.deploymentController.type } : {}),
        ...(dc
          ? {
              deploymentConfiguration: {
                ...(dc.minimumHealthyPercent !== undefined ? { minimumHealthyPercent: dc.minimumHealthyPercent } : {}),
                ...(dc.maximumPercent !== undefined ? { maximumPercent: dc.maximumPercent } : {}),
                ...(dc.deploymentCircuitBreaker
                  ? {
                      deploymentCircuitBreaker: {
                        enable: dc.deploymentCircuitBreaker.enable ?? false,
                        rollback: dc.deploymentCircuitBreaker.rollback ?? false,
                      },
                    }
                  : {}),
                ...(dc.alarms
                  ? {
                      alarms: {
                        alarmNames: dc.alarms.alarmNames ?? [],
                        enable: dc.alarms.enable ?? false,
                        rollback: dc.alarms.rollback ?? false,
                      },
                    }
                  : {}),
              },
            }
          : {}),
        ...(net
          ? {
              networkConfiguration: {
                subnets: net.subnets ?? [],
                securityGroups: net.securityGroups ?? [],
                assignPublicIp: net.assignPublicIp === 'ENABLED',
              },
            }
          : {}),
        placementConstraints: (s.placementConstraints ?? []).map((p) => ({
          type: p.type!,
          ...(p.expression ? { expression: p.expression } : {}),
        })),
        placementStrategy: (s.placementStrategy ?? []).map((p) => ({
          type: p.type!,
          ...(p.field ? { field: p.field } : {}),
        })),
        ...(s.enableExecuteCommand !== undefined ? { enableExecuteCommand: s.enableExecuteCommand } : {}),
        ...(s.propagateTags ? { propagateTags: s.propagateTags } : {}),
        ...(s.enableECSManagedTags !== undefined ? { enableECSManagedTags: s.enableECSManagedTags } : {}),
        ...(s.healthCheckGracePeriodSeconds !== undefined
          ? { healthCheckGracePeriodSeconds: s.healthCheckGracePeriodSeconds }
          : {}),
        loadBalancers: (s.loadBalancers ?? []).map((lb) => ({
          ...(lb.targetGroupArn ? { targetGroupArn: lb.targetGroupArn } : {}),
          ...(lb.containerName ? { containerName: lb.containerName } : {}),
          ...(lb.containerPort !== undefined ? { containerPort: lb.containerPort } : {}),
        })),
        tags: Object.fromEntries(
          (s.tags ?? []).filter((t) => t.key && !t.key.startsWith('aws:')).map((t) => [t.key!, t.value ?? '']),
        ),
      };
    },

    async targetGroup(arn) {
      const elb =
        require('@aws-sdk/client-elastic-load-balancing-v2') as typeof import('@aws-sdk/client-elastic-load-balancing-v2');
      try {
        const out = await clients.elbv2().send(new elb.DescribeTargetGroupsCommand({ TargetGroupArns: [arn] }));
        const tg = out.TargetGroups?.[0];
        if (tg === undefined) throw new EcsdeployError(`the target group ${arn} does not exist`);
        const attrs = await clients.elbv2().send(new elb.DescribeTargetGroupAttributesCommand({ TargetGroupArn: arn }));
        const delay = attrs.Attributes?.find((a) => a.Key === 'deregistration_delay.timeout_seconds')?.Value;
        return {
          arn,
          name: tg.TargetGroupName!,
          ...(tg.Port !== undefined ? { port: tg.Port } : {}),
          ...(tg.Protocol ? { protocol: tg.Protocol } : {}),
          loadBalancerArns: tg.LoadBalancerArns ?? [],
          ...(tg.HealthCheckPath ? { healthCheckPath: tg.HealthCheckPath } : {}),
          ...(tg.HealthCheckIntervalSeconds !== undefined
            ? { healthCheckIntervalSeconds: tg.HealthCheckIntervalSeconds }
            : {}),
          ...(tg.HealthCheckTimeoutSeconds !== undefined
            ? { healthCheckTimeoutSeconds: tg.HealthCheckTimeoutSeconds }
            : {}),
          ...(tg.HealthyThresholdCount !== undefined ? { healthyThresholdCount: tg.HealthyThresholdCount } : {}),
          ...(tg.UnhealthyThresholdCount !== undefined ? { unhealthyThresholdCount: tg.UnhealthyThresholdCount } : {}),
          ...(tg.Matcher?.HttpCode ? { matcher: tg.Matcher.HttpCode } : {}),
          ...(delay !== undefined ? { deregistrationDelay: Number(delay) } : {}),
        };
      } catch (err) {
        if (err instanceof EcsdeployError) throw err;
        throw awsError(err, `reading the target group ${arn}`);
      }
    },

    async rulesForwardingTo(targetGroupArn, loadBalancerArns) {
      const elb =
        require('@aws-sdk/client-elastic-load-balancing-v2') as typeof import('@aws-sdk/client-elastic-load-balancing-v2');
      const forwards = (
        actions: ReadonlyArray<import('@aws-sdk/client-elastic-load-balancing-v2').Action> | undefined,
      ) =>
        (actions ?? []).some(
          (a) =>
            a.Type === 'forward' &&
            (a.TargetGroupArn === targetGroupArn ||
              (a.ForwardConfig?.TargetGroups ?? []).some((t) => t.TargetGroupArn === targetGroupArn)),
        );
      const found: RuleRead[] = [];
      try {
        for (const lbArn of loadBalancerArns) {
          for await (const page of elb.paginateDescribeListeners(
            { client: clients.elbv2() },
            { LoadBalancerArn: lbArn },
          )) {
            for (const listener of page.Listeners ?? []) {
              let marker: string | undefined;
              do {
                const rules = await clients.elbv2().send(
                  new elb.DescribeRulesCommand({
                    ListenerArn: listener.ListenerArn!,
                    ...(marker ? { Marker: marker } : {}),
                  }),
                );
                for (const rule of rules.Rules ?? []) {
                  if (!forwards(rule.Actions)) continue;
                  const conditions = rule.Conditions ?? [];
                  const values = (field: string, of: (c: (typeof conditions)[number]) => string[] | undefined) =>
                    conditions.filter((c) => c.Field === field).flatMap((c) => of(c) ?? c.Values ?? []);
                  found.push({
                    arn: rule.RuleArn!,
                    listenerArn: listener.ListenerArn!,
                    priority: rule.IsDefault || rule.Priority === 'default' ? 'default' : Number(rule.Priority),
                    paths: values('path-pattern', (c) => c.PathPatternConfig?.Values),
                    hosts: values('host-header', (c) => c.HostHeaderConfig?.Values),
                    otherConditions: conditions
                      .map((c) => c.Field ?? '')
                      .filter((f) => f !== 'path-pattern' && f !== 'host-header'),
                  });
                }
                marker = rules.NextMarker;
              } while (marker);
            }
          }
        }
      } catch (err) {
        throw awsError(err, `reading the listener rules that forward to ${targetGroupArn}`);
      }
      return found;
    },

    async scaling(cluster, service) {
      const aas =
        require('@aws-sdk/client-application-auto-scaling') as typeof import('@aws-sdk/client-application-auto-scaling');
      const resourceId = `service/${cluster}/${service}`;
      try {
        const targets = await clients.applicationAutoScaling().send(
          new aas.DescribeScalableTargetsCommand({
            ServiceNamespace: 'ecs',
            ResourceIds: [resourceId],
            ScalableDimension: 'ecs:service:DesiredCount',
          }),
        );
        const target = targets.ScalableTargets?.[0];
        if (target === undefined) return undefined;
        const policies: ScalingRead['policies'][number][] = [];
        for await (const page of aas.paginateDescribeScalingPolicies(
          { client: clients.applicationAutoScaling() },
          { ServiceNamespace: 'ecs', ResourceId: resourceId, ScalableDimension: 'ecs:service:DesiredCount' },
        )) {
          for (const p of page.ScalingPolicies ?? []) {
            const tt = p.TargetTrackingScalingPolicyConfiguration;
            policies.push({
              name: p.PolicyName!,
              type: p.PolicyType ?? 'TargetTrackingScaling',
              ...(tt?.PredefinedMetricSpecification?.PredefinedMetricType
                ? { metric: tt.PredefinedMetricSpecification.PredefinedMetricType }
                : {}),
              ...(tt?.TargetValue !== undefined ? { target: tt.TargetValue } : {}),
              ...(tt?.ScaleInCooldown !== undefined ? { scaleInCooldown: tt.ScaleInCooldown } : {}),
              ...(tt?.ScaleOutCooldown !== undefined ? { scaleOutCooldown: tt.ScaleOutCooldown } : {}),
            });
          }
        }
        return { min: target.MinCapacity ?? 0, max: target.MaxCapacity ?? 1, policies };
      } catch (err) {
        throw awsError(err, `reading the Application Auto Scaling target ${resourceId}`);
      }
    },

    async logRetention(groups) {
      const logs = require('@aws-sdk/client-cloudwatch-logs') as typeof import('@aws-sdk/client-cloudwatch-logs');
      const out: Record<string, number> = {};
      try {
        for (const name of groups) {
          for await (const page of logs.paginateDescribeLogGroups(
            { client: clients.logs() },
            { logGroupNamePrefix: name },
          )) {
            const g = (page.logGroups ?? []).find((x) => x.logGroupName === name);
            if (g !== undefined) out[name] = g.retentionInDays ?? 0;
          }
        }
      } catch (err) {
        throw awsError(err, `reading the log groups ${groups.join(', ')}`);
      }
      return out;
    },
  };
}
