/**
 * Plain, typed props for the stacks. `src/synth` builds them from the resolved configuration;
 * stacks never read files, environment variables or AWS, and never see zod types.
 */

/** Where a stack keeps its Terraform state. */
export type StateBackendProps =
  | {
      readonly kind: 'local';
      /** Folder of the state files, relative to the stack's working directory. */
      readonly dir: string;
    }
  | {
      readonly kind: 's3';
      readonly bucket: string;
      readonly prefix: string;
      readonly region: string;
      /** DynamoDB lock table for older engines; without it the S3 lock file (`use_lockfile`) is used. */
      readonly lockTable?: string;
      /** Custom S3 endpoint (LocalStack, moto). */
      readonly endpoint?: string;
      /** IAM role the engine assumes to read and write the state (`state.role`, else the environment's). */
      readonly roleArn?: string;
    };

/** An IAM role the engine's provider assumes (environment or registry `role:`). */
export interface AssumeRoleProps {
  readonly roleArn: string;
  readonly externalId?: string;
  readonly sessionName?: string;
}

/** What every stack shares: naming, provider, backend, tags. */
export interface StackBaseProps {
  readonly project: string;
  readonly environment: string;
  readonly region: string;
  /** A custom endpoint for every AWS API (LocalStack, moto). @default AWS */
  readonly endpoint?: string;
  readonly backend: StateBackendProps;
  /** The role the provider assumes. @default the engine's own credentials */
  readonly assumeRole?: AssumeRoleProps;
  /** The only account the provider may work in (`account:`): any other stops the engine before it changes anything. */
  readonly allowedAccountIds?: readonly string[];
  /** project, environment, managed-by and the user's extra tags; service stacks add `service`. */
  readonly tags: Readonly<Record<string, string>>;
}

export interface ScheduleProps {
  readonly name: string;
  /** 5-field cron. */
  readonly cron: string;
  readonly timezone?: string;
  readonly min?: number;
  readonly max?: number;
  readonly desired?: number;
}

export type NetworkProps =
  | {
      readonly kind: 'existing';
      readonly vpcId: string;
      readonly publicSubnets: readonly string[];
      readonly privateSubnets: readonly string[];
    }
  | {
      readonly kind: 'create';
      readonly cidr: string;
      readonly availabilityZones: number;
      readonly natGateways: 'none' | 'single' | 'per-az';
    };

export interface Ec2CapacityProps {
  readonly instanceTypes: readonly string[];
  /** SSM parameter holding the ECS-optimized AMI id. */
  readonly amiParameter: string;
  readonly minSize: number;
  readonly maxSize: number;
  /** @default minSize */
  readonly desiredCapacity?: number;
  /** Managed scaling target, percent. */
  readonly targetCapacity: number;
  readonly rootVolumeSize: number;
  /** @default On-Demand only */
  readonly spot?: {
    readonly onDemandBaseCapacity: number;
    readonly onDemandPercentage: number;
    readonly allocationStrategy: string;
  };
  /** managed: the capacity provider drains; lifecycle-hook: a hook and a Lambda drain. */
  readonly draining: 'managed' | 'lifecycle-hook';
  readonly schedules: readonly ScheduleProps[];
}

export interface ClusterStackProps extends StackBaseProps {
  readonly network: NetworkProps;
  /** Outbound rules of the container instances' security group (`network.egress`). @default all traffic to anywhere */
  readonly egress?: readonly EgressRuleProps[];
  /** An existing ECS cluster's name: the stack creates no cluster or capacity and outputs this one's. @default create one */
  readonly existingCluster?: string;
  readonly loadBalancer: {
    /** An existing Application Load Balancer's listener (and the load balancer's security group): nothing is created for the load balancer. @default create one */
    readonly existing?: { readonly listenerArn: string; readonly securityGroupId?: string };
    readonly certificateArn?: string;
    readonly internal: boolean;
    readonly idleTimeout: number;
    /** Port of the CodeDeploy test listener. @default none (no blue/green service) */
    readonly testListenerPort?: number;
    /** enable_deletion_protection of the created load balancer. */
    readonly deletionProtection: boolean;
    /** Access logs to this S3 bucket (and key prefix). @default none */
    readonly accessLogs?: { readonly bucket: string; readonly prefix?: string };
  };
  readonly containerInsights: boolean;
  /** @default no EC2 capacity */
  readonly ec2?: Ec2CapacityProps;
  readonly fargate: boolean;
  readonly fargateSpot: boolean;
  /** Name of the Cloud Map HTTP namespace for Service Connect. @default none (no service uses it) */
  readonly serviceConnectNamespace?: string;
  /** `overrides:` of the environment file. */
  readonly overrides: readonly OverrideProps[];
  /** Absolute path of the draining Lambda's source folder (zipped as a Terraform asset). */
  readonly drainLambdaSource: string;
}

/** How the registry's repositories are encrypted (`registry.encryptionConfiguration`). */
export interface RepositoryEncryptionProps {
  readonly encryptionType: 'AES256' | 'KMS';
  /** KMS only. @default the AWS-managed key aws/ecr */
  readonly kmsKey?: string;
}

/**
 * One outbound rule of the tasks' and instances' security groups (`network.egress`): a protocol,
 * a port range (tcp, udp) or ICMP type and code, and one destination.
 */
export interface EgressRuleProps {
  readonly ipProtocol: string;
  readonly fromPort?: number;
  readonly toPort?: number;
  readonly cidrIpv4?: string;
  readonly cidrIpv6?: string;
  readonly prefixListId?: string;
  readonly referencedGroupId?: string;
  readonly description?: string;
}

export interface RegistryStackProps extends Omit<StackBaseProps, 'environment'> {
  /** @default AES256 */
  readonly encryption?: RepositoryEncryptionProps;
  readonly repositories: ReadonlyArray<{ readonly service: string; readonly keepImages: number }>;
  /** One repository per scheduled job, `<project>/jobs/<job>`. @default none */
  readonly jobRepositories?: ReadonlyArray<{ readonly job: string; readonly keepImages: number }>;
  /** Accounts (other than the registry's) whose principals may pull every repository: the environments' `account:`s. @default none: no repository policy */
  readonly pullAccounts?: readonly string[];
  /** The AWS partition of the region, for the accounts' principal ARNs. @default aws */
  readonly partition?: string;
}

export interface PortMappingProps {
  readonly name?: string;
  readonly containerPort: number;
  /** Resolved: 0 (dynamic) in bridge mode unless fixed; the container port in awsvpc and host mode. */
  readonly hostPort: number;
  readonly protocol: 'tcp' | 'udp';
  readonly appProtocol?: 'http' | 'http2' | 'grpc';
}

/** A container's log configuration; `none` synthesizes none. */
export interface LogProps {
  readonly logDriver: string;
  readonly options: Readonly<Record<string, string>>;
  /** option name → SSM parameter or Secrets Manager reference. */
  readonly secretOptions: Readonly<Record<string, string>>;
  /** awslogs: a log group of the container's own instead of the service's. */
  readonly ownLogGroup: boolean;
}

/** One container of the task, in ECS's words. */
export interface ContainerProps {
  readonly name: string;
  /** Full image reference. */
  readonly image: string;
  readonly essential: boolean;
  readonly cpu?: number;
  /** Hard limit, MiB. */
  readonly memory?: number;
  readonly memoryReservation?: number;
  readonly command?: readonly string[];
  readonly entryPoint?: readonly string[];
  readonly workingDirectory?: string;
  readonly user?: string;
  readonly portMappings: readonly PortMappingProps[];
  readonly dependsOn?: ReadonlyArray<{ readonly containerName: string; readonly condition: string }>;
  readonly healthCheck?: {
    readonly command: readonly string[];
    readonly interval: number;
    readonly timeout: number;
    readonly retries: number;
    readonly startPeriod: number;
  };
  readonly variables: Readonly<Record<string, string>>;
  /** S3 object ARNs. */
  readonly environmentFiles: readonly string[];
  /** env var name → SSM parameter (ARN or path) or Secrets Manager ARN, as `valueFrom`. */
  readonly secrets: Readonly<Record<string, string>>;
  readonly ulimits?: ReadonlyArray<{ readonly name: string; readonly softLimit: number; readonly hardLimit: number }>;
  readonly linuxParameters?: {
    readonly initProcessEnabled?: boolean;
    readonly capabilities?: { readonly add: readonly string[]; readonly drop: readonly string[] };
    readonly sharedMemorySize?: number;
  };
  readonly stopTimeout?: number;
  readonly readonlyRootFilesystem: boolean;
  readonly mountPoints: ReadonlyArray<{
    readonly sourceVolume: string;
    readonly containerPath: string;
    readonly readOnly: boolean;
  }>;
  readonly volumesFrom: ReadonlyArray<{ readonly sourceContainer: string; readonly readOnly: boolean }>;
  readonly log: LogProps;
  readonly firelensConfiguration?: { readonly type: string; readonly options: Readonly<Record<string, string>> };
  /** Secrets Manager ARN with the private registry's credentials. */
  readonly repositoryCredentials?: string;
  readonly dockerLabels: Readonly<Record<string, string>>;
}

export interface VolumeProps {
  readonly name: string;
  readonly hostPath?: string;
  readonly efs?: {
    readonly fileSystemId: string;
    readonly rootDirectory?: string;
    readonly transitEncryption: 'ENABLED' | 'DISABLED';
    readonly transitEncryptionPort?: number;
    readonly accessPointId?: string;
    readonly iam: 'ENABLED' | 'DISABLED';
    /** Whether any container mounts it writable (the task role then gets ClientWrite). */
    readonly writable: boolean;
  };
  readonly docker?: {
    readonly scope: 'task' | 'shared';
    readonly autoprovision?: boolean;
    readonly driver?: string;
    readonly driverOpts: Readonly<Record<string, string>>;
    readonly labels: Readonly<Record<string, string>>;
  };
}

/** An IAM statement of the task role, as the user wrote it. */
export interface StatementProps {
  readonly sid?: string;
  readonly effect: 'Allow' | 'Deny';
  readonly actions: readonly string[];
  readonly resources: readonly string[];
  readonly conditions?: Readonly<Record<string, Readonly<Record<string, string | readonly string[]>>>>;
}

/** `overrides:` entries: a resource of the stack by its id, a dotted Terraform path, a value. */
export interface OverrideProps {
  readonly resource: string;
  readonly path: string;
  readonly value: unknown;
}

export interface TrafficShiftProps {
  readonly percent: number;
  readonly minutes: number;
}

/**
 * The task of a service or a scheduled job: what stacks/task-definition.ts builds (container
 * definitions, log groups, roles, volumes), and how its tasks are placed and networked.
 */
export interface TaskProps extends StackBaseProps {
  /** State of the cluster stack the task runs on (possibly another environment's). */
  readonly clusterState: StateBackendProps & { readonly stack: string };
  /** ECR repository name of this service or job (owned by the registry stack). */
  readonly repositoryName: string;
  /**
   * Where the registry's repositories are, when it names its account (`registry.account`): the
   * repository's URL and ARN are then built from it, not looked up (the environment's role may be
   * in another account). @default looked up by name in the environment's account
   */
  readonly registry?: { readonly account: string; readonly region: string };
  /** Image reference when it lives outside the service's ECR repository. @default the ECR repository */
  readonly externalImage?: string;
  /** Tag or `sha256:` digest within the service's ECR repository. */
  readonly imageVersion: string;
  /**
   * The task definition the ECS service stays on while the stack registers the new one (a release's
   * deployment.before commands run between the two applies).
   * @default the stack's own task definition
   */
  readonly heldTaskDefinitionArn?: string;
  readonly launchType: 'ec2' | 'fargate';
  readonly capacityProviderStrategy?: ReadonlyArray<{
    readonly provider: 'ec2' | 'fargate' | 'fargate-spot';
    readonly weight: number;
    readonly base: number;
  }>;
  readonly cpu: number;
  readonly memory: number;
  /** The main container; its `image` is replaced by the release's when it is the service's own repository. */
  readonly main: Omit<ContainerProps, 'image'>;
  readonly sidecars: readonly ContainerProps[];
  readonly logRetentionDays: number;
  /** KMS key ARN of the task's log groups (`logs.kmsKeyId`). @default CloudWatch Logs' own encryption */
  readonly logKmsKeyId?: string;
  readonly networkMode: 'awsvpc' | 'bridge' | 'host';
  readonly runtimePlatform?: { readonly cpuArchitecture: string; readonly operatingSystemFamily: string };
  readonly ephemeralStorageGiB?: number;
  readonly volumes: readonly VolumeProps[];
  readonly pidMode?: string;
  readonly ipcMode?: string;
  /** ARNs of the ECR repositories (other than the service's own) that the execution role may pull from. */
  readonly pullRepositoryArns: readonly string[];
  /** The AWS partition of the region (aws, aws-cn, aws-us-gov), for ARNs the stack builds. */
  readonly partition: string;
  readonly taskRole: {
    /** Use this role instead of creating one. */
    readonly existingArn?: string;
    readonly statements: readonly StatementProps[];
    readonly managedPolicies: readonly string[];
  };
  readonly network?: {
    /** @default the cluster's private subnets */
    readonly subnets?: readonly string[];
    readonly securityGroups: readonly string[];
    readonly assignPublicIp: boolean;
    /** Outbound rules of the task's security group (`network.egress`). @default all traffic to anywhere */
    readonly egress?: readonly EgressRuleProps[];
  };
  readonly placementConstraints?: ReadonlyArray<{ readonly type: string; readonly expression?: string }>;
  readonly placementStrategy?: ReadonlyArray<{ readonly type: string; readonly field?: string }>;
  readonly enableExecuteCommand: boolean;
  readonly propagateTags: string;
  readonly enableEcsManagedTags: boolean;
  /** Services only: the Service Connect proxy, whose log configuration is part of the task's. */
  readonly serviceConnect?: { readonly log: LogProps };
  readonly overrides: readonly OverrideProps[];
}

/** Terraform import IDs of an adopted service's existing resources (src/config/adopt.ts importIds). */
export interface AdoptImportProps {
  readonly service: string;
  readonly targetGroup?: string;
  readonly listenerRule?: string;
  readonly logGroup?: string;
  readonly scalingTarget?: string;
  readonly scalingPolicies: Readonly<Partial<Record<'cpu' | 'memory' | 'requests' | 'step', string>>>;
}

/**
 * An ECS service created outside ecsdeploy that the stack takes over: the names it keeps (a change
 * would make Terraform replace the resource), and the import blocks of the first apply.
 */
export interface AdoptProps {
  /** `import` blocks, until the release store records that an apply imported them. @default none */
  readonly imports?: AdoptImportProps;
  /** @default `<project>-<env>-<service>` */
  readonly targetGroupName?: string;
  /** @default the container port */
  readonly targetGroupPort?: number;
  /** The main log group's name. @default `/ecs/<project>/<env>/<service>` */
  readonly logGroupName?: string;
  /** @default `<project>-<env>-<service>` */
  readonly taskFamily?: string;
  /** The service's launch type, kept instead of a capacity provider strategy. @default a capacity provider strategy */
  readonly launchType?: 'EC2' | 'FARGATE';
  /** Names of the scaling policies, by the scaling key they implement. @default `<prefix>-cpu` and so on */
  readonly policyNames: Readonly<Partial<Record<'cpu' | 'memory' | 'requests' | 'step', string>>>;
}

export interface ServiceStackProps extends TaskProps {
  readonly service: string;
  /** @default not adopted: every resource is ecsdeploy's own */
  readonly adopt?: AdoptProps;
  /** Name of the ECS service (unique in its cluster). */
  readonly serviceName: string;
  readonly desiredCount: number;
  readonly serviceConnect?: {
    /**
     * The namespace: the cluster stack's (its `service_connect_namespace_arn` output), or, for a
     * shared environment on demand, one of its own by name, created by the stack that `owns` it.
     */
    readonly namespace:
      { readonly kind: 'cluster' } | { readonly kind: 'own'; readonly name: string; readonly owns: boolean };
    readonly services: ReadonlyArray<{
      readonly portName: string;
      readonly discoveryName: string;
      readonly clientAliases: ReadonlyArray<{ readonly port: number; readonly dnsName: string }>;
      readonly ingressPortOverride?: number;
    }>;
    readonly log: LogProps;
  };
  readonly http?: {
    /** The container and port the load balancer sends requests to. */
    readonly containerName: string;
    readonly containerPort: number;
    readonly paths?: readonly string[];
    readonly hosts?: readonly string[];
    /** An HTTP header the requests must carry (environments on demand without a domain). */
    readonly header?: { readonly name: string; readonly values: readonly string[] };
    readonly priority: number;
    readonly healthCheck: {
      readonly path: string;
      readonly interval: number;
      readonly timeout: number;
      readonly healthyThreshold: number;
      readonly unhealthyThreshold: number;
      readonly matcher: string;
    };
    readonly deregistrationDelay: number;
    readonly healthCheckGracePeriod: number;
  };
  readonly deployment: {
    readonly strategy: 'rolling' | 'blue-green' | 'canary' | 'linear';
    readonly minimumHealthyPercent: number;
    readonly maximumPercent: number;
    readonly circuitBreaker: boolean;
    readonly alarms: readonly string[];
    readonly canary?: TrafficShiftProps;
    readonly linear?: TrafficShiftProps;
    readonly terminationWait: number;
  };
  /** @default no auto scaling */
  readonly scaling?: {
    readonly min: number;
    readonly max: number;
    readonly cpu?: number;
    readonly memory?: number;
    readonly requestsPerTarget?: number;
    readonly scaleInCooldown: number;
    readonly scaleOutCooldown: number;
    readonly step?: {
      readonly metric: {
        readonly namespace: string;
        readonly name: string;
        readonly statistic: string;
        readonly dimensions: Readonly<Record<string, string>>;
      };
      readonly steps: ReadonlyArray<{ readonly above: number; readonly change: number }>;
    };
    /** Scheduled actions; `schedule` in Application Auto Scaling's `cron(...)` form. */
    readonly schedules: ReadonlyArray<{
      readonly name: string;
      readonly schedule: string;
      readonly timezone?: string;
      readonly min?: number;
      readonly max?: number;
    }>;
  };
}

/** What stacks/task-definition.ts takes: the task part of a service's or a job's props. */
export type TaskDefinitionProps = TaskProps;

export interface JobStackProps extends TaskProps {
  readonly job: string;
  /** EventBridge Scheduler expression: `cron(min hour dom month dow year)` or `rate(N unit)`. */
  readonly scheduleExpression: string;
  /** IANA time zone of the expression. */
  readonly timezone: string;
  /** Flexible time window, minutes. @default off */
  readonly flexibleWindowMinutes?: number;
  /** RFC 3339; no run before. @default none */
  readonly startDate?: string;
  /** RFC 3339; no run after. @default none */
  readonly endDate?: string;
  readonly retryPolicy: { readonly maximumRetryAttempts: number; readonly maximumEventAgeSeconds: number };
  /** `create`: an SQS queue of the stack's own; `existing`: that queue. @default none */
  readonly deadLetterQueue?: { readonly kind: 'create' } | { readonly kind: 'existing'; readonly arn: string };
  /** false: the schedule exists, DISABLED. */
  readonly enabled: boolean;
}
