/**
 * What the deployer role must be allowed, as tables: for each resource (and data source) type the
 * stacks declare, the IAM actions Terraform's AWS provider calls to create, read, update, tag and
 * delete it; for each AWS API call of the CLI (src/aws), its IAM action. Each grant names its
 * resources as templates scoped to the project's names (`<project>-*`, `<project>/*`); `*` only
 * where AWS accepts nothing narrower, and then the grant says why.
 *
 * Placeholders: {partition} {region} {account} {project} (the region and account of the
 * environment; the registry's for ECR).
 *
 * test/iam/policy.test.ts fails when a stack imports a resource type, or src/aws sends a command,
 * that these tables lack.
 */

export interface Grant {
  /** The statement it joins (grants with one Sid are merged). */
  readonly sid: string;
  readonly actions: readonly string[];
  /** ARN templates; ['*'] only with `why`. */
  readonly resources: readonly string[];
  /** Why nothing narrower than `*`: AWS's own limit. */
  readonly why?: string;
  /** ECR lives in the registry's account and region. */
  readonly registry?: boolean;
}

const A = 'arn:{partition}';
const ANY = ['*'];

const WHY = {
  describe: 'Describe*, List* and Get* calls of this service accept no resource ARN (AWS allows only "*")',
  ec2: "EC2 networking resources are named by generated ids, not by the project: scoped to the environment's region and account",
  ec2Create: 'EC2 create calls authorize against resource ARNs with generated ids, not known before they exist',
  taskDefinition: 'ECS RegisterTaskDefinition, DescribeTaskDefinition and DeregisterTaskDefinition accept only "*"',
  taskDefinitionRead: 'ecs:DescribeTaskDefinition accepts only "*"',
  namespace:
    'Cloud Map HTTP namespaces are named by generated ids: CreateHttpNamespace and the namespace reads accept only "*"',
  ecrLogin: 'ecr:GetAuthorizationToken accepts only "*"',
  sts: 'sts:GetCallerIdentity needs no permission and accepts only "*"',
  scaling: 'Application Auto Scaling scalable targets and policies are named by generated ids',
  codedeployConfig: 'CodeDeploy deployment configurations are read by their names, which AWS scopes to the account',
  ssmPublic: 'the ECS-optimized AMI is a public AWS parameter',
  instanceTypes: 'ec2:DescribeInstanceTypes accepts only "*"',
  verifyIam: 'iam:SimulatePrincipalPolicy is checked against the roles the checks simulate',
} as const;

const ec2Network = (actions: string[]): Grant[] => [
  { sid: 'Ec2Network', actions, resources: [`${A}:ec2:{region}:{account}:*`], why: WHY.ec2 },
  {
    sid: 'Ec2Describe',
    actions: [
      'ec2:DescribeVpcs',
      'ec2:DescribeSubnets',
      'ec2:DescribeRouteTables',
      'ec2:DescribeInternetGateways',
      'ec2:DescribeNatGateways',
      'ec2:DescribeAddresses',
      'ec2:DescribeAddressesAttribute',
      'ec2:DescribeSecurityGroups',
      'ec2:DescribeSecurityGroupRules',
      'ec2:DescribeVpcAttribute',
      'ec2:DescribeNetworkInterfaces',
      'ec2:DescribeAvailabilityZones',
      'ec2:DescribeAccountAttributes',
      'ec2:DescribeLaunchTemplates',
      'ec2:DescribeLaunchTemplateVersions',
      'ec2:DescribeTags',
    ],
    resources: ANY,
    why: WHY.describe,
  },
];
const ec2Tags = ['ec2:CreateTags', 'ec2:DeleteTags'];
const elbDescribe: Grant = {
  sid: 'ElbDescribe',
  actions: [
    'elasticloadbalancing:DescribeLoadBalancers',
    'elasticloadbalancing:DescribeLoadBalancerAttributes',
    'elasticloadbalancing:DescribeListeners',
    'elasticloadbalancing:DescribeListenerAttributes',
    'elasticloadbalancing:DescribeRules',
    'elasticloadbalancing:DescribeTargetGroups',
    'elasticloadbalancing:DescribeTargetGroupAttributes',
    'elasticloadbalancing:DescribeTags',
    'elasticloadbalancing:DescribeTargetHealth',
  ],
  resources: ANY,
  why: WHY.describe,
};
const elb = (actions: string[]): Grant[] => [
  {
    sid: 'LoadBalancers',
    actions: [...actions, 'elasticloadbalancing:AddTags', 'elasticloadbalancing:RemoveTags'],
    resources: [
      `${A}:elasticloadbalancing:{region}:{account}:loadbalancer/app/{project}-*/*`,
      `${A}:elasticloadbalancing:{region}:{account}:listener/app/{project}-*/*`,
      `${A}:elasticloadbalancing:{region}:{account}:listener-rule/app/{project}-*/*`,
      `${A}:elasticloadbalancing:{region}:{account}:targetgroup/{project}-*/*`,
    ],
  },
  elbDescribe,
];
const iamRoles = (actions: string[]): Grant[] => [
  {
    sid: 'IamRoles',
    actions: [
      ...actions,
      'iam:GetRole',
      'iam:TagRole',
      'iam:UntagRole',
      'iam:ListRolePolicies',
      'iam:ListAttachedRolePolicies',
      'iam:ListInstanceProfilesForRole',
    ],
    resources: [`${A}:iam::{account}:role/{project}-*`],
  },
];
const passRole: Grant = {
  sid: 'PassProjectRoles',
  actions: ['iam:PassRole'],
  resources: [`${A}:iam::{account}:role/{project}-*`],
};
const ecsDescribe: Grant = {
  sid: 'EcsDescribe',
  actions: ['ecs:DescribeClusters', 'ecs:DescribeCapacityProviders', 'ecs:ListClusters', 'ecs:ListTagsForResource'],
  resources: ANY,
  why: WHY.describe,
};
const logs = (actions: string[]): Grant[] => [
  {
    sid: 'LogGroups',
    actions: [
      ...actions,
      'logs:TagResource',
      'logs:UntagResource',
      'logs:ListTagsForResource',
      'logs:PutRetentionPolicy',
      'logs:DeleteRetentionPolicy',
    ],
    resources: [
      `${A}:logs:{region}:{account}:log-group:/ecs/{project}/*`,
      `${A}:logs:{region}:{account}:log-group:/aws/lambda/{project}-*`,
    ],
  },
  { sid: 'LogsDescribe', actions: ['logs:DescribeLogGroups'], resources: ANY, why: WHY.describe },
];

/** Terraform type → what the provider needs for it. */
export const RESOURCE_GRANTS: Readonly<Record<string, readonly Grant[]>> = {
  // Network (cluster stack)
  aws_vpc: ec2Network(['ec2:CreateVpc', 'ec2:DeleteVpc', 'ec2:ModifyVpcAttribute', ...ec2Tags]),
  aws_subnet: ec2Network(['ec2:CreateSubnet', 'ec2:DeleteSubnet', 'ec2:ModifySubnetAttribute', ...ec2Tags]),
  aws_internet_gateway: ec2Network([
    'ec2:CreateInternetGateway',
    'ec2:DeleteInternetGateway',
    'ec2:AttachInternetGateway',
    'ec2:DetachInternetGateway',
    ...ec2Tags,
  ]),
  aws_eip: ec2Network(['ec2:AllocateAddress', 'ec2:ReleaseAddress', 'ec2:DisassociateAddress', ...ec2Tags]),
  aws_nat_gateway: ec2Network(['ec2:CreateNatGateway', 'ec2:DeleteNatGateway', ...ec2Tags]),
  aws_route_table: ec2Network(['ec2:CreateRouteTable', 'ec2:DeleteRouteTable', ...ec2Tags]),
  aws_route: ec2Network(['ec2:CreateRoute', 'ec2:DeleteRoute', 'ec2:ReplaceRoute']),
  aws_route_table_association: ec2Network([
    'ec2:AssociateRouteTable',
    'ec2:DisassociateRouteTable',
    'ec2:ReplaceRouteTableAssociation',
  ]),
  aws_security_group: ec2Network([
    'ec2:CreateSecurityGroup',
    'ec2:DeleteSecurityGroup',
    'ec2:RevokeSecurityGroupEgress',
    'ec2:AuthorizeSecurityGroupEgress',
    ...ec2Tags,
  ]),
  aws_vpc_security_group_ingress_rule: ec2Network([
    'ec2:AuthorizeSecurityGroupIngress',
    'ec2:RevokeSecurityGroupIngress',
    'ec2:ModifySecurityGroupRules',
    'ec2:UpdateSecurityGroupRuleDescriptionsIngress',
    ...ec2Tags,
  ]),
  aws_vpc_security_group_egress_rule: ec2Network([
    'ec2:AuthorizeSecurityGroupEgress',
    'ec2:RevokeSecurityGroupEgress',
    'ec2:ModifySecurityGroupRules',
    'ec2:UpdateSecurityGroupRuleDescriptionsEgress',
    ...ec2Tags,
  ]),
  aws_launch_template: [
    ...ec2Network([
      'ec2:CreateLaunchTemplate',
      'ec2:CreateLaunchTemplateVersion',
      'ec2:ModifyLaunchTemplate',
      'ec2:DeleteLaunchTemplate',
      'ec2:RunInstances',
      ...ec2Tags,
    ]),
    { sid: 'Ec2LaunchImages', actions: ['ec2:DescribeImages'], resources: ANY, why: WHY.describe },
  ],
  data_aws_vpc: ec2Network([]),
  // An environment's existing cluster and listener (cluster.existing, loadBalancer.existing), read not created.
  data_aws_ecs_cluster: [ecsDescribe],
  data_aws_lb: [elbDescribe],
  data_aws_lb_listener: [elbDescribe],
  data_aws_availability_zones: ec2Network([]),
  // Load balancer
  aws_lb: elb([
    'elasticloadbalancing:CreateLoadBalancer',
    'elasticloadbalancing:DeleteLoadBalancer',
    'elasticloadbalancing:ModifyLoadBalancerAttributes',
    'elasticloadbalancing:SetSecurityGroups',
    'elasticloadbalancing:SetSubnets',
  ]),
  aws_lb_listener: elb([
    'elasticloadbalancing:CreateListener',
    'elasticloadbalancing:DeleteListener',
    'elasticloadbalancing:ModifyListener',
    'elasticloadbalancing:ModifyListenerAttributes',
  ]),
  aws_lb_listener_rule: elb([
    'elasticloadbalancing:CreateRule',
    'elasticloadbalancing:DeleteRule',
    'elasticloadbalancing:ModifyRule',
    'elasticloadbalancing:SetRulePriorities',
  ]),
  aws_lb_target_group: elb([
    'elasticloadbalancing:CreateTargetGroup',
    'elasticloadbalancing:DeleteTargetGroup',
    'elasticloadbalancing:ModifyTargetGroup',
    'elasticloadbalancing:ModifyTargetGroupAttributes',
  ]),
  // ECS
  aws_ecs_cluster: [
    {
      sid: 'EcsClusters',
      actions: [
        'ecs:CreateCluster',
        'ecs:DeleteCluster',
        'ecs:UpdateCluster',
        'ecs:UpdateClusterSettings',
        'ecs:PutClusterCapacityProviders',
        'ecs:TagResource',
        'ecs:UntagResource',
      ],
      resources: [`${A}:ecs:{region}:{account}:cluster/{project}-*`],
    },
    ecsDescribe,
  ],
  aws_ecs_cluster_capacity_providers: [
    {
      sid: 'EcsClusters',
      actions: ['ecs:PutClusterCapacityProviders'],
      resources: [`${A}:ecs:{region}:{account}:cluster/{project}-*`],
    },
    ecsDescribe,
  ],
  aws_ecs_capacity_provider: [
    {
      sid: 'EcsCapacityProviders',
      actions: [
        'ecs:CreateCapacityProvider',
        'ecs:DeleteCapacityProvider',
        'ecs:UpdateCapacityProvider',
        'ecs:TagResource',
        'ecs:UntagResource',
      ],
      resources: [`${A}:ecs:{region}:{account}:capacity-provider/{project}-*`],
    },
    ecsDescribe,
  ],
  aws_ecs_service: [
    {
      sid: 'EcsServices',
      actions: [
        'ecs:CreateService',
        'ecs:UpdateService',
        'ecs:DeleteService',
        'ecs:DescribeServices',
        'ecs:TagResource',
        'ecs:UntagResource',
      ],
      resources: [`${A}:ecs:{region}:{account}:service/{project}-*/*`],
    },
    passRole,
    ecsDescribe,
  ],
  aws_ecs_task_definition: [
    {
      sid: 'EcsTaskDefinitions',
      actions: [
        'ecs:RegisterTaskDefinition',
        'ecs:DescribeTaskDefinition',
        'ecs:DeregisterTaskDefinition',
        'ecs:ListTaskDefinitions',
      ],
      resources: ANY,
      why: WHY.taskDefinition,
    },
    {
      sid: 'EcsTagTaskDefinitions',
      actions: ['ecs:TagResource', 'ecs:UntagResource'],
      resources: [`${A}:ecs:{region}:{account}:task-definition/{project}-*:*`],
    },
    passRole,
  ],
  aws_service_discovery_http_namespace: [
    {
      sid: 'CloudMapNamespaces',
      actions: [
        'servicediscovery:CreateHttpNamespace',
        'servicediscovery:DeleteNamespace',
        'servicediscovery:GetNamespace',
        'servicediscovery:GetOperation',
        'servicediscovery:ListNamespaces',
        'servicediscovery:TagResource',
        'servicediscovery:UntagResource',
        'servicediscovery:ListTagsForResource',
        'servicediscovery:UpdateHttpNamespace',
      ],
      resources: ANY,
      why: WHY.namespace,
    },
  ],
  // EC2 capacity
  aws_autoscaling_group: [
    {
      sid: 'AutoScalingGroups',
      actions: [
        'autoscaling:CreateAutoScalingGroup',
        'autoscaling:UpdateAutoScalingGroup',
        'autoscaling:DeleteAutoScalingGroup',
        'autoscaling:CreateOrUpdateTags',
        'autoscaling:DeleteTags',
        'autoscaling:SetInstanceProtection',
        'autoscaling:PutWarmPool',
        'autoscaling:DeleteWarmPool',
      ],
      resources: [`${A}:autoscaling:{region}:{account}:autoScalingGroup:*:autoScalingGroupName/{project}-*`],
    },
    {
      sid: 'AutoScalingDescribe',
      actions: [
        'autoscaling:DescribeAutoScalingGroups',
        'autoscaling:DescribeScalingActivities',
        'autoscaling:DescribeLifecycleHooks',
        'autoscaling:DescribeScheduledActions',
        'autoscaling:DescribeWarmPool',
        'autoscaling:DescribeInstanceRefreshes',
        'autoscaling:DescribeTags',
      ],
      resources: ANY,
      why: WHY.describe,
    },
    passRole,
    {
      sid: 'AutoScalingServiceRole',
      actions: ['iam:CreateServiceLinkedRole'],
      resources: [
        `${A}:iam::{account}:role/aws-service-role/autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling`,
        `${A}:iam::{account}:role/aws-service-role/ecs.amazonaws.com/AWSServiceRoleForECS`,
      ],
    },
  ],
  aws_autoscaling_lifecycle_hook: [
    {
      sid: 'AutoScalingGroups',
      actions: ['autoscaling:PutLifecycleHook', 'autoscaling:DeleteLifecycleHook'],
      resources: [`${A}:autoscaling:{region}:{account}:autoScalingGroup:*:autoScalingGroupName/{project}-*`],
    },
    passRole,
  ],
  aws_autoscaling_schedule: [
    {
      sid: 'AutoScalingGroups',
      actions: [
        'autoscaling:PutScheduledUpdateGroupAction',
        'autoscaling:DeleteScheduledAction',
        'autoscaling:BatchDeleteScheduledAction',
      ],
      resources: [`${A}:autoscaling:{region}:{account}:autoScalingGroup:*:autoScalingGroupName/{project}-*`],
    },
  ],
  aws_iam_instance_profile: [
    {
      sid: 'IamInstanceProfiles',
      actions: [
        'iam:CreateInstanceProfile',
        'iam:DeleteInstanceProfile',
        'iam:GetInstanceProfile',
        'iam:AddRoleToInstanceProfile',
        'iam:RemoveRoleFromInstanceProfile',
        'iam:TagInstanceProfile',
        'iam:UntagInstanceProfile',
      ],
      resources: [`${A}:iam::{account}:instance-profile/{project}-*`],
    },
    passRole,
  ],
  data_aws_ssm_parameter: [
    {
      sid: 'ReadEcsAmiParameter',
      actions: ['ssm:GetParameter', 'ssm:GetParameters'],
      resources: [`${A}:ssm:{region}::parameter/aws/service/ecs/*`],
      why: WHY.ssmPublic,
    },
  ],
  // Service scaling, alarms, events
  aws_appautoscaling_target: [
    {
      sid: 'ApplicationAutoScaling',
      actions: [
        'application-autoscaling:RegisterScalableTarget',
        'application-autoscaling:DeregisterScalableTarget',
        'application-autoscaling:DescribeScalableTargets',
        'application-autoscaling:TagResource',
        'application-autoscaling:UntagResource',
        'application-autoscaling:ListTagsForResource',
      ],
      resources: ANY,
      why: WHY.scaling,
    },
    {
      sid: 'AutoScalingServiceRole',
      actions: ['iam:CreateServiceLinkedRole'],
      resources: [
        `${A}:iam::{account}:role/aws-service-role/ecs.application-autoscaling.amazonaws.com/AWSServiceRoleForApplicationAutoScaling_ECSService`,
      ],
    },
  ],
  aws_appautoscaling_policy: [
    {
      sid: 'ApplicationAutoScaling',
      actions: [
        'application-autoscaling:PutScalingPolicy',
        'application-autoscaling:DeleteScalingPolicy',
        'application-autoscaling:DescribeScalingPolicies',
      ],
      resources: ANY,
      why: WHY.scaling,
    },
  ],
  aws_appautoscaling_scheduled_action: [
    {
      sid: 'ApplicationAutoScaling',
      actions: [
        'application-autoscaling:PutScheduledAction',
        'application-autoscaling:DeleteScheduledAction',
        'application-autoscaling:DescribeScheduledActions',
      ],
      resources: ANY,
      why: WHY.scaling,
    },
  ],
  aws_cloudwatch_metric_alarm: [
    {
      sid: 'Alarms',
      actions: [
        'cloudwatch:PutMetricAlarm',
        'cloudwatch:DeleteAlarms',
        'cloudwatch:TagResource',
        'cloudwatch:UntagResource',
        'cloudwatch:ListTagsForResource',
      ],
      resources: [`${A}:cloudwatch:{region}:{account}:alarm:{project}-*`],
    },
    { sid: 'AlarmsDescribe', actions: ['cloudwatch:DescribeAlarms'], resources: ANY, why: WHY.describe },
  ],
  aws_cloudwatch_event_rule: [
    {
      sid: 'EventRules',
      actions: [
        'events:PutRule',
        'events:DeleteRule',
        'events:DescribeRule',
        'events:EnableRule',
        'events:DisableRule',
        'events:TagResource',
        'events:UntagResource',
        'events:ListTagsForResource',
        'events:ListTargetsByRule',
      ],
      resources: [`${A}:events:{region}:{account}:rule/{project}-*`],
    },
  ],
  aws_cloudwatch_event_target: [
    {
      sid: 'EventRules',
      actions: ['events:PutTargets', 'events:RemoveTargets', 'events:ListTargetsByRule'],
      resources: [`${A}:events:{region}:{account}:rule/{project}-*`],
    },
  ],
  aws_cloudwatch_log_group: logs(['logs:CreateLogGroup', 'logs:DeleteLogGroup']),
  // Lambda (lifecycle-hook draining)
  aws_lambda_function: [
    {
      sid: 'LambdaFunctions',
      actions: [
        'lambda:CreateFunction',
        'lambda:DeleteFunction',
        'lambda:GetFunction',
        'lambda:GetFunctionConfiguration',
        'lambda:GetFunctionCodeSigningConfig',
        'lambda:ListVersionsByFunction',
        'lambda:UpdateFunctionCode',
        'lambda:UpdateFunctionConfiguration',
        'lambda:TagResource',
        'lambda:UntagResource',
        'lambda:ListTags',
      ],
      resources: [`${A}:lambda:{region}:{account}:function:{project}-*`],
    },
    passRole,
  ],
  aws_lambda_permission: [
    {
      sid: 'LambdaFunctions',
      actions: ['lambda:AddPermission', 'lambda:RemovePermission', 'lambda:GetPolicy'],
      resources: [`${A}:lambda:{region}:{account}:function:{project}-*`],
    },
  ],
  // CodeDeploy (blue/green, canary, linear)
  aws_codedeploy_app: [
    {
      sid: 'CodeDeploy',
      actions: [
        'codedeploy:CreateApplication',
        'codedeploy:DeleteApplication',
        'codedeploy:GetApplication',
        'codedeploy:TagResource',
        'codedeploy:UntagResource',
        'codedeploy:ListTagsForResource',
      ],
      resources: [`${A}:codedeploy:{region}:{account}:application:{project}-*`],
    },
  ],
  aws_codedeploy_deployment_group: [
    {
      sid: 'CodeDeploy',
      actions: [
        'codedeploy:CreateDeploymentGroup',
        'codedeploy:UpdateDeploymentGroup',
        'codedeploy:DeleteDeploymentGroup',
        'codedeploy:GetDeploymentGroup',
        'codedeploy:TagResource',
        'codedeploy:UntagResource',
        'codedeploy:ListTagsForResource',
      ],
      resources: [`${A}:codedeploy:{region}:{account}:deploymentgroup:{project}-*/*`],
    },
    passRole,
  ],
  aws_codedeploy_deployment_config: [
    {
      sid: 'CodeDeployConfigs',
      actions: [
        'codedeploy:CreateDeploymentConfig',
        'codedeploy:DeleteDeploymentConfig',
        'codedeploy:GetDeploymentConfig',
      ],
      resources: [`${A}:codedeploy:{region}:{account}:deploymentconfig:*`],
      why: WHY.codedeployConfig,
    },
  ],
  // IAM roles of tasks, instances, the scheduler and Lambda
  aws_iam_role: iamRoles(['iam:CreateRole', 'iam:DeleteRole', 'iam:UpdateRole', 'iam:UpdateAssumeRolePolicy']),
  aws_iam_role_policy: iamRoles(['iam:PutRolePolicy', 'iam:GetRolePolicy', 'iam:DeleteRolePolicy']),
  aws_iam_role_policy_attachment: iamRoles(['iam:AttachRolePolicy', 'iam:DetachRolePolicy']),
  data_aws_caller_identity: [{ sid: 'WhoAmI', actions: ['sts:GetCallerIdentity'], resources: ANY, why: WHY.sts }],
  // Scheduled jobs
  aws_scheduler_schedule: [
    {
      sid: 'Schedules',
      actions: [
        'scheduler:CreateSchedule',
        'scheduler:UpdateSchedule',
        'scheduler:DeleteSchedule',
        'scheduler:GetSchedule',
      ],
      resources: [`${A}:scheduler:{region}:{account}:schedule/default/{project}-*`],
    },
    passRole,
  ],
  aws_sqs_queue: [
    {
      sid: 'Queues',
      actions: [
        'sqs:CreateQueue',
        'sqs:DeleteQueue',
        'sqs:GetQueueAttributes',
        'sqs:SetQueueAttributes',
        'sqs:GetQueueUrl',
        'sqs:TagQueue',
        'sqs:UntagQueue',
        'sqs:ListQueueTags',
      ],
      resources: [`${A}:sqs:{region}:{account}:{project}-*`],
    },
  ],
  // Registry (ECR, in the registry's account)
  aws_ecr_repository: [
    {
      sid: 'EcrRepositories',
      actions: [
        'ecr:CreateRepository',
        'ecr:DeleteRepository',
        'ecr:DescribeRepositories',
        'ecr:PutImageScanningConfiguration',
        'ecr:PutImageTagMutability',
        'ecr:TagResource',
        'ecr:UntagResource',
        'ecr:ListTagsForResource',
      ],
      resources: [`${A}:ecr:{region}:{account}:repository/{project}/*`],
      registry: true,
    },
  ],
  aws_ecr_lifecycle_policy: [
    {
      sid: 'EcrRepositories',
      actions: ['ecr:PutLifecyclePolicy', 'ecr:GetLifecyclePolicy', 'ecr:DeleteLifecyclePolicy'],
      resources: [`${A}:ecr:{region}:{account}:repository/{project}/*`],
      registry: true,
    },
  ],
  aws_ecr_repository_policy: [
    {
      sid: 'EcrRepositories',
      actions: ['ecr:SetRepositoryPolicy', 'ecr:GetRepositoryPolicy', 'ecr:DeleteRepositoryPolicy'],
      resources: [`${A}:ecr:{region}:{account}:repository/{project}/*`],
      registry: true,
    },
  ],
  data_aws_ecr_repository: [
    {
      sid: 'EcrRepositories',
      actions: ['ecr:DescribeRepositories', 'ecr:ListTagsForResource'],
      resources: [`${A}:ecr:{region}:{account}:repository/{project}/*`],
      registry: true,
    },
  ],
};

/** cdktf constructs that are no AWS resource (Terraform's own, or the provider itself). */
export const NOT_AWS = ['provider'] as const;

const ecs = (actions: string[], resources: string[]): Grant => ({ sid: 'CliEcs', actions, resources });
const cliEcsAny = (actions: string[]): Grant => ({
  sid: 'CliEcsDescribe',
  actions,
  resources: ANY,
  why: WHY.taskDefinitionRead,
});
const stateAndReleases = (actions: string[]): Grant => ({
  sid: 'CliStateAndReleases',
  actions,
  resources: ['{buckets}'],
});

/** An AWS SDK command the CLI sends (src/aws) → the grant it needs. */
export const CLI_GRANTS: Readonly<Record<string, Grant>> = {
  // ECS: watchers, status, task run, cluster roll
  DescribeServices: ecs(['ecs:DescribeServices'], [`${A}:ecs:{region}:{account}:service/{project}-*/*`]),
  ListServices: ecs(['ecs:ListServices'], [`${A}:ecs:{region}:{account}:cluster/{project}-*`]),
  DescribeTasks: ecs(['ecs:DescribeTasks'], [`${A}:ecs:{region}:{account}:task/{project}-*/*`]),
  ListTasks: ecs(
    ['ecs:ListTasks'],
    [`${A}:ecs:{region}:{account}:container-instance/{project}-*/*`, `${A}:ecs:{region}:{account}:cluster/{project}-*`],
  ),
  RunTask: ecs(['ecs:RunTask'], [`${A}:ecs:{region}:{account}:task-definition/{project}-*:*`]),
  StopTask: ecs(['ecs:StopTask'], [`${A}:ecs:{region}:{account}:task/{project}-*/*`]),
  ExecuteCommand: ecs(
    ['ecs:ExecuteCommand'],
    [`${A}:ecs:{region}:{account}:task/{project}-*/*`, `${A}:ecs:{region}:{account}:cluster/{project}-*`],
  ),
  DescribeTaskDefinition: cliEcsAny(['ecs:DescribeTaskDefinition']),
  DescribeContainerInstances: ecs(
    ['ecs:DescribeContainerInstances'],
    [`${A}:ecs:{region}:{account}:container-instance/{project}-*/*`],
  ),
  ListContainerInstances: ecs(['ecs:ListContainerInstances'], [`${A}:ecs:{region}:{account}:cluster/{project}-*`]),
  UpdateContainerInstancesState: ecs(
    ['ecs:UpdateContainerInstancesState'],
    [`${A}:ecs:{region}:{account}:container-instance/{project}-*/*`],
  ),
  // EC2 capacity (cluster roll)
  DescribeAutoScalingGroups: {
    sid: 'CliAutoScalingDescribe',
    actions: ['autoscaling:DescribeAutoScalingGroups'],
    resources: ANY,
    why: WHY.describe,
  },
  DescribeInstanceRefreshes: {
    sid: 'CliAutoScalingDescribe',
    actions: ['autoscaling:DescribeInstanceRefreshes'],
    resources: ANY,
    why: WHY.describe,
  },
  DescribeLaunchTemplateVersions: {
    sid: 'CliAutoScalingDescribe',
    actions: ['ec2:DescribeLaunchTemplateVersions'],
    resources: ANY,
    why: WHY.describe,
  },
  DescribeInstanceTypes: {
    sid: 'CliAutoScalingDescribe',
    actions: ['ec2:DescribeInstanceTypes'],
    resources: ANY,
    why: WHY.instanceTypes,
  },
  SetDesiredCapacity: {
    sid: 'CliAutoScaling',
    actions: ['autoscaling:SetDesiredCapacity'],
    resources: [`${A}:autoscaling:{region}:{account}:autoScalingGroup:*:autoScalingGroupName/{project}-*`],
  },
  UpdateAutoScalingGroup: {
    sid: 'CliAutoScaling',
    actions: ['autoscaling:UpdateAutoScalingGroup'],
    resources: [`${A}:autoscaling:{region}:{account}:autoScalingGroup:*:autoScalingGroupName/{project}-*`],
  },
  TerminateInstanceInAutoScalingGroup: {
    sid: 'CliAutoScaling',
    actions: ['autoscaling:TerminateInstanceInAutoScalingGroup'],
    resources: [`${A}:autoscaling:{region}:{account}:autoScalingGroup:*:autoScalingGroupName/{project}-*`],
  },
  CreateOrUpdateTags: {
    sid: 'CliAutoScaling',
    actions: ['autoscaling:CreateOrUpdateTags'],
    resources: [`${A}:autoscaling:{region}:{account}:autoScalingGroup:*:autoScalingGroupName/{project}-*`],
  },
  DeleteTags: {
    sid: 'CliAutoScaling',
    actions: ['autoscaling:DeleteTags'],
    resources: [`${A}:autoscaling:{region}:{account}:autoScalingGroup:*:autoScalingGroupName/{project}-*`],
  },
  StartInstanceRefresh: {
    sid: 'CliAutoScaling',
    actions: ['autoscaling:StartInstanceRefresh'],
    resources: [`${A}:autoscaling:{region}:{account}:autoScalingGroup:*:autoScalingGroupName/{project}-*`],
  },
  // CodeDeploy (blue/green, canary, linear rollouts)
  CreateDeployment: {
    sid: 'CliCodeDeploy',
    actions: ['codedeploy:CreateDeployment'],
    resources: [`${A}:codedeploy:{region}:{account}:deploymentgroup:{project}-*/*`],
  },
  GetDeployment: {
    sid: 'CliCodeDeploy',
    actions: ['codedeploy:GetDeployment'],
    resources: [`${A}:codedeploy:{region}:{account}:deploymentgroup:{project}-*/*`],
  },
  ListDeployments: {
    sid: 'CliCodeDeploy',
    actions: ['codedeploy:ListDeployments'],
    resources: [`${A}:codedeploy:{region}:{account}:deploymentgroup:{project}-*/*`],
  },
  StopDeployment: {
    sid: 'CliCodeDeploy',
    actions: ['codedeploy:StopDeployment'],
    resources: [`${A}:codedeploy:{region}:{account}:deploymentgroup:{project}-*/*`],
  },
  ListDeploymentTargets: {
    sid: 'CliCodeDeploy',
    actions: ['codedeploy:ListDeploymentTargets'],
    resources: [`${A}:codedeploy:{region}:{account}:deploymentgroup:{project}-*/*`],
  },
  BatchGetDeploymentTargets: {
    sid: 'CliCodeDeploy',
    actions: ['codedeploy:BatchGetDeploymentTargets'],
    resources: [`${A}:codedeploy:{region}:{account}:deploymentgroup:{project}-*/*`],
  },
  // Logs (service logs, task run)
  FilterLogEvents: {
    sid: 'CliLogs',
    actions: ['logs:FilterLogEvents'],
    resources: [`${A}:logs:{region}:{account}:log-group:/ecs/{project}/*`],
  },
  GetLogEvents: {
    sid: 'CliLogs',
    actions: ['logs:GetLogEvents'],
    resources: [`${A}:logs:{region}:{account}:log-group:/ecs/{project}/*:log-stream:*`],
  },
  // Load balancer health (rollouts)
  DescribeTargetHealth: elbDescribe,
  DescribeTargetGroups: elbDescribe,
  // `ecsdeploy import service`: what a running service has around it
  DescribeListeners: elbDescribe,
  DescribeScalingPolicies: {
    sid: 'CliImportDescribe',
    actions: ['application-autoscaling:DescribeScalingPolicies'],
    resources: ANY,
    why: WHY.describe,
  },
  DescribeLogGroups: {
    sid: 'CliImportDescribe',
    actions: ['logs:DescribeLogGroups'],
    resources: ANY,
    why: WHY.describe,
  },
  // ECR (in the registry's account): tags to digests, image checks
  DescribeImages: {
    sid: 'CliEcr',
    actions: ['ecr:DescribeImages'],
    resources: [`${A}:ecr:{region}:{account}:repository/{project}/*`],
    registry: true,
  },
  DescribeRepositories: {
    sid: 'CliEcr',
    actions: ['ecr:DescribeRepositories'],
    resources: [`${A}:ecr:{region}:{account}:repository/{project}/*`],
    registry: true,
  },
  BatchGetImage: {
    sid: 'CliEcr',
    actions: ['ecr:BatchGetImage'],
    resources: [`${A}:ecr:{region}:{account}:repository/{project}/*`],
    registry: true,
  },
  GetDownloadUrlForLayer: {
    sid: 'CliEcr',
    actions: ['ecr:GetDownloadUrlForLayer'],
    resources: [`${A}:ecr:{region}:{account}:repository/{project}/*`],
    registry: true,
  },
  // Scheduled jobs
  GetSchedule: {
    sid: 'CliJobs',
    actions: ['scheduler:GetSchedule'],
    resources: [`${A}:scheduler:{region}:{account}:schedule/default/{project}-*`],
  },
  GetQueueUrl: { sid: 'CliJobs', actions: ['sqs:GetQueueUrl'], resources: [`${A}:sqs:{region}:{account}:{project}-*`] },
  GetQueueAttributes: {
    sid: 'CliJobs',
    actions: ['sqs:GetQueueAttributes'],
    resources: [`${A}:sqs:{region}:{account}:{project}-*`],
  },
  // State, release records and environments on demand (S3)
  GetObject: stateAndReleases(['s3:GetObject']),
  HeadObject: stateAndReleases(['s3:GetObject']),
  PutObject: stateAndReleases(['s3:PutObject']),
  DeleteObject: stateAndReleases(['s3:DeleteObject']),
  ListObjectsV2: { sid: 'CliListStateAndReleases', actions: ['s3:ListBucket'], resources: ['{bucketArns}'] },
  // Who am I (the account check)
  GetCallerIdentity: { sid: 'WhoAmI', actions: ['sts:GetCallerIdentity'], resources: ANY, why: WHY.sts },
  // `ecsdeploy verify`: what the tasks' roles may read
  GetRole: {
    sid: 'CliVerifyRoles',
    actions: ['iam:GetRole'],
    resources: [`${A}:iam::{account}:role/*`],
    why: "verify reads the task roles a service names (taskRoleArn), which need not follow the project's names",
  },
  SimulatePrincipalPolicy: {
    sid: 'CliVerifyRoles',
    actions: ['iam:SimulatePrincipalPolicy'],
    resources: [`${A}:iam::{account}:role/*`],
    why: WHY.verifyIam,
  },
  DescribeParameters: {
    sid: 'CliVerifyReferences',
    actions: ['ssm:DescribeParameters'],
    resources: ANY,
    why: WHY.describe,
  },
  DescribeSecret: {
    sid: 'CliVerifySecrets',
    actions: ['secretsmanager:DescribeSecret'],
    resources: [`${A}:secretsmanager:{region}:{account}:secret:*`],
    why: "verify checks the secrets a service references by ARN, which need not follow the project's names",
  },
};
