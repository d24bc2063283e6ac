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
    };

/** What every stack shares: naming, provider, backend, tags. */
export interface StackBaseProps {
  readonly project: string;
  readonly environment: string;
  readonly region: string;
  /** A custom endpoint for every AWS API (LocalStack, moto). @default AWS */
  readonly endpoint?: string;
  readonly backend: StateBackendProps;
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
  readonly loadBalancer: {
    readonly certificateArn?: string;
    readonly internal: boolean;
    readonly idleTimeout: number;
    /** Port of the CodeDeploy test listener. @default none (no blue/green service) */
    readonly testListenerPort?: number;
  };
  readonly containerInsights: boolean;
  /** @default no EC2 capacity */
  readonly ec2?: Ec2CapacityProps;
  readonly fargate: boolean;
  readonly fargateSpot: boolean;
  /** Absolute path of the draining Lambda's source folder (zipped as a Terraform asset). */
  readonly drainLambdaSource: string;
}

export interface RegistryStackProps extends Omit<StackBaseProps, 'environment'> {
  readonly repositories: ReadonlyArray<{ readonly service: string; readonly keepImages: number }>;
}

export interface ContainerProps {
  readonly name: string;
  /** Full image reference. */
  readonly image: string;
  readonly cpu?: number;
  readonly memory?: number;
  readonly port?: number;
  readonly hostPort?: number;
  readonly essential: boolean;
  readonly variables: Readonly<Record<string, string>>;
  /** env var name → SSM parameter or Secrets Manager ARN. */
  readonly secrets: Readonly<Record<string, string>>;
  readonly command?: readonly string[];
  readonly healthCheck?: {
    readonly command: readonly string[];
    readonly interval: number;
    readonly timeout: number;
    readonly retries: number;
    readonly startPeriod: number;
  };
  readonly readonlyRootFilesystem: boolean;
}

export interface TrafficShiftProps {
  readonly percent: number;
  readonly minutes: number;
}

export interface ServiceStackProps extends StackBaseProps {
  readonly service: string;
  /** Name of the ECS service (unique in its cluster). */
  readonly serviceName: string;
  /** State of the cluster stack this service runs on (possibly another environment's). */
  readonly clusterState: StateBackendProps & { readonly stack: string };
  /** ECR repository name of this service (owned by the registry stack). */
  readonly repositoryName: string;
  /** Image reference when it lives outside the service's ECR repository. @default the ECR repository */
  readonly externalImage?: string;
  /** Tag or `sha256:` digest within the service's ECR repository. */
  readonly imageVersion: string;
  readonly launchType: 'ec2' | 'fargate';
  readonly capacityProviderStrategy?: ReadonlyArray<{ readonly provider: 'ec2' | 'fargate' | 'fargate-spot'; readonly weight: number; readonly base: number }>;
  readonly cpu: number;
  readonly memory: number;
  readonly desiredCount: number;
  readonly main: Omit<ContainerProps, 'name' | 'image' | 'essential'>;
  readonly sidecars: readonly ContainerProps[];
  readonly logRetentionDays: number;
  readonly http?: {
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
    readonly schedules: ReadonlyArray<{ readonly name: string; readonly schedule: string; readonly timezone?: string; readonly min?: number; readonly max?: number }>;
  };
}
