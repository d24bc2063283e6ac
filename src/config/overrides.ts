/**
 * The `overrides` escape hatch: the resources of a service stack (and of a cluster stack) that a
 * user may address, by the names the stacks give them. `overrides.<Resource>.<path>: value` sets
 * the Terraform argument at that dotted path through CDKTF's addOverride; for the task definition,
 * `container_definitions.<container>.<field>` sets a field of one container definition. The
 * synth tests check that every name listed here is a resource of a synthesized stack.
 */

/** Service-stack resources, and when a service has them. */
type Resources = Readonly<Record<string, { readonly type: string; readonly when: string }>>;

/** What services and jobs both have: the task definition and what stacks/task-definition.ts builds around it. */
const TASK_RESOURCES: Resources = {
  TaskDefinition: { type: 'aws_ecs_task_definition', when: 'always' },
  Logs: { type: 'aws_cloudwatch_log_group', when: 'always' },
  ExecutionRole: { type: 'aws_iam_role', when: 'always' },
  ExecutionPolicy: { type: 'aws_iam_role_policy', when: 'always' },
  TaskRole: { type: 'aws_iam_role', when: 'without taskRoleArn' },
  TaskPolicy: { type: 'aws_iam_role_policy', when: 'when the task role is granted anything (permissions, exec, EFS)' },
  TaskSecurityGroup: { type: 'aws_security_group', when: 'awsvpc network mode' },
  TaskEgress: { type: 'aws_vpc_security_group_egress_rule', when: 'awsvpc network mode' },
};

export const SERVICE_RESOURCES: Resources = {
  ...TASK_RESOURCES,
  Service: { type: 'aws_ecs_service', when: 'always' },
  TaskIngressFromAlb: { type: 'aws_vpc_security_group_ingress_rule', when: 'awsvpc network mode with http' },
  TargetGroup: { type: 'aws_lb_target_group', when: 'with http' },
  ListenerRule: { type: 'aws_lb_listener_rule', when: 'with http' },
  GreenTargetGroup: { type: 'aws_lb_target_group', when: 'blue-green, canary, linear' },
  TestListenerRule: { type: 'aws_lb_listener_rule', when: 'blue-green, canary, linear' },
  DeployApp: { type: 'aws_codedeploy_app', when: 'blue-green, canary, linear' },
  DeploymentGroup: { type: 'aws_codedeploy_deployment_group', when: 'blue-green, canary, linear' },
  ScalingTarget: { type: 'aws_appautoscaling_target', when: 'with scaling' },
};

/** Job-stack resources (`overrides:` of a job file), and when a job has them. */
export const JOB_RESOURCES: Resources = {
  ...TASK_RESOURCES,
  Schedule: { type: 'aws_scheduler_schedule', when: 'always' },
  SchedulerRole: { type: 'aws_iam_role', when: 'always' },
  SchedulerPolicy: { type: 'aws_iam_role_policy', when: 'always' },
  DeadLetterQueue: { type: 'aws_sqs_queue', when: 'with deadLetterQueue: true' },
};

/** Cluster-stack resources (environment files' `overrides`), and when an environment has them. */
export const CLUSTER_RESOURCES: Resources = {
  Cluster: { type: 'aws_ecs_cluster', when: 'without cluster.existing' },
  CapacityProviders: { type: 'aws_ecs_cluster_capacity_providers', when: 'without cluster.existing' },
  LoadBalancer: { type: 'aws_lb', when: 'without loadBalancer.existing' },
  AlbSecurityGroup: { type: 'aws_security_group', when: 'without loadBalancer.existing' },
  HttpListener: { type: 'aws_lb_listener', when: 'without loadBalancer.existing' },
  HttpsListener: { type: 'aws_lb_listener', when: 'with loadBalancer.certificateArn' },
  TestListener: { type: 'aws_lb_listener', when: 'when a service uses blue-green, canary or linear' },
  ServiceConnectNamespace: {
    type: 'aws_service_discovery_http_namespace',
    when: 'when a service uses Service Connect',
  },
  LaunchTemplate: { type: 'aws_launch_template', when: 'with cluster.ec2' },
  AutoScalingGroup: { type: 'aws_autoscaling_group', when: 'with cluster.ec2' },
  CapacityProvider: { type: 'aws_ecs_capacity_provider', when: 'with cluster.ec2' },
  InstanceRole: { type: 'aws_iam_role', when: 'with cluster.ec2' },
  InstanceSecurityGroup: { type: 'aws_security_group', when: 'with cluster.ec2' },
  Vpc: { type: 'aws_vpc', when: 'with network.create' },
};

/** One override as the stacks take it. */
export interface ResourceOverride {
  readonly resource: string;
  /** Dotted Terraform path, e.g. `health_check_grace_period_seconds` or `container_definitions.web.linuxParameters.maxSwap`. */
  readonly path: string;
  readonly value: unknown;
}

/** `overrides:` as a flat, sorted list (deterministic synth). */
export function flattenOverrides(
  overrides: Readonly<Record<string, Readonly<Record<string, unknown>>>>,
): ResourceOverride[] {
  return Object.keys(overrides)
    .sort()
    .flatMap((resource) =>
      Object.keys(overrides[resource]!)
        .sort()
        .map((path) => ({ resource, path, value: overrides[resource]![path] })),
    );
}
