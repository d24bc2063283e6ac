/**
 * Task-level and service-level keys of a service file beyond size, routing and deployment: the task
 * role, runtime platform, volumes, networking, placement, ECS Exec, tags, Service Connect and the
 * `overrides` escape hatch. Named as in ECS's RegisterTaskDefinition and CreateService.
 */
import { z } from 'zod';
import { LogConfigurationSchema } from './container';

const absolutePath = z.string().startsWith('/', 'must be an absolute path');

export const RuntimePlatformSchema = z.strictObject({
  cpuArchitecture: z.enum(['X86_64', 'ARM64']).default('X86_64'),
  operatingSystemFamily: z
    .enum([
      'LINUX',
      'WINDOWS_SERVER_2019_FULL',
      'WINDOWS_SERVER_2019_CORE',
      'WINDOWS_SERVER_2022_FULL',
      'WINDOWS_SERVER_2022_CORE',
      'WINDOWS_SERVER_2025_FULL',
      'WINDOWS_SERVER_2025_CORE',
    ])
    .default('LINUX'),
});

export const VolumeSchema = z.strictObject({
  name: z
    .string()
    .regex(/^[A-Za-z0-9][A-Za-z0-9_-]{0,254}$/, "must be letters, digits, '-' and '_' (mountPoints refer to it)"),
  host: z
    .strictObject({ sourcePath: absolutePath.describe('EC2 only: a folder of the instance.') })
    .optional()
    .describe('A bind mount; without host (and without the other two), a volume that lives as long as the task.'),
  efsVolumeConfiguration: z
    .strictObject({
      fileSystemId: z
        .string()
        .regex(/^fs-[0-9a-f]{8,40}$/, 'must be an EFS file system id such as fs-0123456789abcdef0'),
      rootDirectory: absolutePath.optional(),
      transitEncryption: z.enum(['ENABLED', 'DISABLED']).default('ENABLED'),
      transitEncryptionPort: z.number().int().min(1).max(65535).optional(),
      authorizationConfig: z
        .strictObject({
          accessPointId: z
            .string()
            .regex(/^fsap-[0-9a-f]{8,40}$/, 'must be an EFS access point id such as fsap-0123456789abcdef0')
            .optional(),
          iam: z.enum(['ENABLED', 'DISABLED']).default('ENABLED'),
        })
        .default({ iam: 'ENABLED' })
        .describe(
          'With iam ENABLED (the default) the task role mounts the file system, and ecsdeploy grants it ClientMount (and ClientWrite unless every mount is readOnly).',
        ),
    })
    .optional(),
  dockerVolumeConfiguration: z
    .strictObject({
      scope: z.enum(['task', 'shared']).default('task'),
      autoprovision: z.boolean().optional(),
      driver: z.string().min(1).optional(),
      driverOpts: z.record(z.string(), z.string()).default({}),
      labels: z.record(z.string(), z.string()).default({}),
    })
    .optional()
    .describe('EC2 only: a Docker volume.'),
});

const IAM_ACTION = /^[a-z0-9-]+:[A-Za-z0-9*?]+$/;
export const PolicyStatementSchema = z.strictObject({
  sid: z
    .string()
    .regex(/^[A-Za-z0-9]+$/, 'must be letters and digits only (IAM Sid)')
    .optional(),
  effect: z.enum(['Allow', 'Deny']).default('Allow'),
  actions: z
    .array(
      z
        .string()
        .regex(
          IAM_ACTION,
          "must be an IAM action such as s3:GetObject or sqs:Receive*; '*' alone would grant everything",
        ),
    )
    .min(1),
  resources: z
    .array(z.string().min(1))
    .min(1)
    .describe("ARNs (wildcards allowed); '*' only for actions that AWS allows on nothing narrower."),
  conditions: z
    .record(z.string().min(1), z.record(z.string().min(1), z.union([z.string(), z.array(z.string()).min(1)])))
    .optional()
    .describe('IAM conditions: operator → key → value(s), e.g. StringEquals: { "aws:ResourceTag/team": orders }.'),
});

export const ServiceConnectSchema = z.strictObject({
  enabled: z.boolean().default(true),
  services: z
    .array(
      z.strictObject({
        portName: z.string().min(1).describe('The name of a port mapping of a container of this task.'),
        discoveryName: z
          .string()
          .regex(/^[a-z0-9]([a-z0-9-]{0,62})$/, "must be lowercase letters, digits and '-'")
          .optional()
          .describe('Name in the namespace (default: portName).'),
        clientAliases: z
          .array(
            z.strictObject({
              port: z.number().int().min(1).max(65535),
              dnsName: z
                .string()
                .regex(/^[a-zA-Z0-9]([a-zA-Z0-9.-]{0,253})$/, 'must be a DNS name')
                .optional()
                .describe('Default: discoveryName.'),
            }),
          )
          .max(1, 'one client alias per published port (what the AWS provider takes)')
          .default([]),
        ingressPortOverride: z.number().int().min(1).max(65535).optional(),
      }),
    )
    .default([])
    .describe('Ports this service publishes to the namespace; none for a service that only calls others.'),
  logConfiguration: LogConfigurationSchema.optional().describe(
    "The Service Connect proxy's logs (default: awslogs to the service's log group, stream prefix service-connect).",
  ),
});

export const ServiceLevelFields = {
  permissions: z
    .array(PolicyStatementSchema)
    .default([])
    .describe('IAM statements of the task role: what the application may do. Nothing else is granted.'),
  managedPolicies: z
    .array(
      z
        .string()
        .regex(
          /^arn:aws[a-z-]*:iam::(aws|\d{12}):policy\/.+$/,
          'must be an IAM policy ARN such as arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess',
        ),
    )
    .default([])
    .describe('AWS managed or customer managed policies attached to the task role.'),
  taskRoleArn: z
    .string()
    .regex(/^arn:aws[a-z-]*:iam::\d{12}:role\/.+$/, 'must be an IAM role ARN (arn:aws:iam::ACCOUNT:role/NAME)')
    .optional()
    .describe('Use this existing role as the task role instead of one ecsdeploy creates.'),
  runtimePlatform: RuntimePlatformSchema.optional(),
  ephemeralStorage: z
    .strictObject({ sizeInGiB: z.number().int().min(21).max(200) })
    .optional()
    .describe('Fargate only: task storage beyond the default 20 GiB.'),
  volumes: z.array(VolumeSchema).default([]),
  pidMode: z.enum(['host', 'task']).optional(),
  ipcMode: z.enum(['host', 'task', 'none']).optional(),
  networkMode: z.enum(['awsvpc', 'bridge', 'host']).optional().describe('Default: awsvpc on Fargate, bridge on EC2.'),
  networkConfiguration: z
    .strictObject({
      subnets: z
        .array(z.string().regex(/^subnet-[0-9a-f]+$/, 'must be a subnet id'))
        .min(1)
        .optional()
        .describe("Default: the environment's private subnets."),
      securityGroups: z
        .array(z.string().regex(/^sg-[0-9a-f]+$/, 'must be a security group id'))
        .default([])
        .describe("Added to the service's own security group."),
      assignPublicIp: z.boolean().default(false),
    })
    .optional()
    .describe('awsvpc only.'),
  placementConstraints: z
    .array(
      z.strictObject({
        type: z.enum(['distinctInstance', 'memberOf']),
        expression: z.string().min(1).optional().describe('memberOf: a cluster query language expression.'),
      }),
    )
    .max(10)
    .optional()
    .describe('EC2 only.'),
  placementStrategy: z
    .array(z.strictObject({ type: z.enum(['binpack', 'random', 'spread']), field: z.string().min(1).optional() }))
    .max(5)
    .optional()
    .describe('EC2 only. Default: spread over availability zones, then binpack on memory.'),
  enableExecuteCommand: z
    .boolean()
    .default(false)
    .describe('ECS Exec: grants the task role the ssmmessages actions and turns on initProcessEnabled.'),
  propagateTags: z.enum(['SERVICE', 'TASK_DEFINITION', 'NONE']).default('SERVICE'),
  enableECSManagedTags: z.boolean().default(true),
  serviceConnect: ServiceConnectSchema.optional(),
  overrides: z
    .record(z.string(), z.record(z.string().min(1), z.unknown()))
    .default({})
    .describe('Last resort: set any argument of a resource of the service stack, by resource and Terraform path.'),
};

export type PolicyStatement = z.infer<typeof PolicyStatementSchema>;
export type Volume = z.infer<typeof VolumeSchema>;
export type ServiceConnectConfig = z.infer<typeof ServiceConnectSchema>;
