/**
 * One container model for the main container (the service file's top-level keys) and every sidecar
 * (`sidecars.<name>`): the keys and words of ECS's ContainerDefinition, so a task definition moves
 * into a service file field by field. The task-level and service-level keys are in ./schema.ts; the
 * rules that need the whole task (dependsOn targets, FireLens routers, volumes) in ./service-rules.ts.
 */
import { z } from 'zod';

const envVarName = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'must be a valid environment variable name');
const port = z.number().int().min(1).max(65535);

/** `arn:<partition>:ssm:...:parameter/...` or `arn:<partition>:secretsmanager:...:secret:...`. */
export const SECRET_ARN = /^arn:aws[a-z-]*:(ssm|secretsmanager):[a-z0-9-]+:\d{12}:(parameter\/|secret:).+$/;
/** An SSM parameter by its path, in the task's region and account: `/shop/orders/database-url`. */
export const SSM_PARAMETER_PATH = /^\/[A-Za-z0-9_.\-/]+$/;

export const secretRef = z.string().refine((v) => SECRET_ARN.test(v) || SSM_PARAMETER_PATH.test(v), {
  message:
    'must be the ARN of an SSM parameter or a Secrets Manager secret (arn:aws:ssm:REGION:ACCOUNT:parameter/NAME), or an SSM parameter path starting with /; secret values never go in these files',
});

const secretsManagerArn = z
  .string()
  .regex(
    /^arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:\d{12}:secret:.+$/,
    'must be the ARN of a Secrets Manager secret (arn:aws:secretsmanager:REGION:ACCOUNT:secret:NAME)',
  );

const s3ObjectArn = z
  .string()
  .regex(
    /^arn:aws[a-z-]*:s3:::[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]\/.+\.env$/,
    'must be the ARN of an S3 object ending in .env, e.g. arn:aws:s3:::my-bucket/orders/prod.env',
  );

export const HealthCheckSchema = z.strictObject({
  command: z.array(z.string()).min(1),
  interval: z.number().int().min(5).max(300).default(30),
  timeout: z.number().int().min(2).max(120).default(5),
  retries: z.number().int().min(1).max(10).default(3),
  startPeriod: z.number().int().min(0).max(300).default(0),
});

export const PortMappingSchema = z.strictObject({
  name: z
    .string()
    .regex(
      /^[a-z0-9]([a-z0-9-]{0,62})$/,
      "must be lowercase letters, digits and '-', at most 64 characters (Service Connect refers to it)",
    )
    .optional()
    .describe('Name of the mapping; Service Connect publishes ports by name.'),
  containerPort: port,
  hostPort: z
    .number()
    .int()
    .min(0)
    .max(65535)
    .optional()
    .describe('bridge: 0 or unset for a dynamic port; awsvpc and host: equal to containerPort.'),
  protocol: z.enum(['tcp', 'udp']).default('tcp'),
  appProtocol: z
    .enum(['http', 'http2', 'grpc'])
    .optional()
    .describe('Service Connect: the protocol its proxy speaks for this port.'),
});

/** The ulimit names ECS's containerDefinitions[].ulimits accepts. */
export const ULIMIT_NAMES = [
  'core',
  'cpu',
  'data',
  'fsize',
  'locks',
  'memlock',
  'msgqueue',
  'nice',
  'nofile',
  'nproc',
  'rss',
  'rtprio',
  'rttime',
  'sigpending',
  'stack',
] as const;
/** The Linux capabilities ECS's linuxParameters.capabilities accepts. */
export const CAPABILITIES = [
  'ALL',
  'AUDIT_CONTROL',
  'AUDIT_WRITE',
  'BLOCK_SUSPEND',
  'CHOWN',
  'DAC_OVERRIDE',
  'DAC_READ_SEARCH',
  'FOWNER',
  'FSETID',
  'IPC_LOCK',
  'IPC_OWNER',
  'KILL',
  'LEASE',
  'LINUX_IMMUTABLE',
  'MAC_ADMIN',
  'MAC_OVERRIDE',
  'MKNOD',
  'NET_ADMIN',
  'NET_BIND_SERVICE',
  'NET_BROADCAST',
  'NET_RAW',
  'SETFCAP',
  'SETGID',
  'SETPCAP',
  'SETUID',
  'SYS_ADMIN',
  'SYS_BOOT',
  'SYS_CHROOT',
  'SYS_MODULE',
  'SYS_NICE',
  'SYS_PACCT',
  'SYS_PTRACE',
  'SYS_RAWIO',
  'SYS_RESOURCE',
  'SYS_TIME',
  'SYS_TTY_CONFIG',
  'SYSLOG',
  'WAKE_ALARM',
] as const;

/** The log drivers ECS accepts, plus `none` (no logConfiguration: the container's output is dropped). */
export const LOG_DRIVERS = [
  'awslogs',
  'awsfirelens',
  'splunk',
  'fluentd',
  'gelf',
  'json-file',
  'journald',
  'syslog',
  'none',
] as const;
export const FARGATE_LOG_DRIVERS: readonly string[] = ['awslogs', 'awsfirelens', 'splunk', 'none'];

export const LogConfigurationSchema = z.strictObject({
  logDriver: z.enum(LOG_DRIVERS).default('awslogs'),
  options: z
    .record(z.string().min(1), z.string())
    .default({})
    .describe(
      'Driver options; for awslogs, ecsdeploy sets awslogs-group, awslogs-region and awslogs-stream-prefix unless given here.',
    ),
  secretOptions: z
    .record(z.string().min(1), secretRef)
    .default({})
    .describe('Driver options read from SSM or Secrets Manager (e.g. a Splunk token).'),
  ownLogGroup: z
    .boolean()
    .default(false)
    .describe("awslogs: a log group of this container's own, /ecs/<project>/<env>/<service>/<container>."),
});

export const DEPENDENCY_CONDITIONS = ['START', 'COMPLETE', 'SUCCESS', 'HEALTHY'] as const;

/** Keys every container has: the main one (at the top of the service file) and each sidecar. */
export const ContainerFields = {
  command: z.array(z.string()).optional().describe("Overrides the image's CMD."),
  entryPoint: z.array(z.string()).optional().describe("Overrides the image's ENTRYPOINT."),
  workingDirectory: z.string().startsWith('/', 'must be an absolute path').optional(),
  user: z.string().min(1).optional().describe('user, uid, user:group or uid:gid.'),
  port: port.optional().describe('Shorthand for one tcp port mapping: portMappings: [{containerPort: <port>}].'),
  hostPort: z
    .number()
    .int()
    .min(0)
    .max(65535)
    .optional()
    .describe('With port: the host port (bridge: 0 for a dynamic port).'),
  portMappings: z.array(PortMappingSchema).optional(),
  memoryReservation: z.number().int().min(4).optional().describe('Soft memory limit of the container, MiB.'),
  dependsOn: z
    .array(z.strictObject({ containerName: z.string().min(1), condition: z.enum(DEPENDENCY_CONDITIONS) }))
    .optional()
    .describe('Containers that must reach a state before this one starts.'),
  healthCheck: HealthCheckSchema.optional(),
  variables: z.record(envVarName, z.string()).default({}).describe('Plain environment variables (ECS: environment).'),
  environmentFiles: z
    .array(s3ObjectArn)
    .default([])
    .describe('S3 objects of KEY=value lines, read at start; the execution role may read exactly these.'),
  secrets: z.record(envVarName, secretRef).default({}),
  ulimits: z
    .array(
      z.strictObject({
        name: z.enum(ULIMIT_NAMES),
        softLimit: z.number().int().min(-1),
        hardLimit: z.number().int().min(-1),
      }),
    )
    .optional()
    .describe('-1: unlimited.'),
  linuxParameters: z
    .strictObject({
      initProcessEnabled: z
        .boolean()
        .optional()
        .describe('Run an init process (tini) as PID 1 that reaps zombies; needed by ECS Exec.'),
      capabilities: z
        .strictObject({
          add: z.array(z.enum(CAPABILITIES)).default([]),
          drop: z.array(z.enum(CAPABILITIES)).default([]),
        })
        .optional(),
      sharedMemorySize: z.number().int().min(1).optional().describe('EC2 only: size of /dev/shm, MiB.'),
    })
    .optional(),
  stopTimeout: z.number().int().min(2).max(120).optional().describe('Seconds between SIGTERM and SIGKILL.'),
  readonlyRootFilesystem: z.boolean().default(false),
  mountPoints: z
    .array(
      z.strictObject({
        sourceVolume: z.string().min(1),
        containerPath: z.string().startsWith('/', 'must be an absolute path'),
        readOnly: z.boolean().default(false),
      }),
    )
    .default([]),
  volumesFrom: z
    .array(z.strictObject({ sourceContainer: z.string().min(1), readOnly: z.boolean().default(false) }))
    .default([]),
  logConfiguration: LogConfigurationSchema.default(LogConfigurationSchema.parse({})),
  firelensConfiguration: z
    .strictObject({ type: z.enum(['fluentbit', 'fluentd']), options: z.record(z.string(), z.string()).default({}) })
    .optional()
    .describe('Makes this container the FireLens log router of the task.'),
  repositoryCredentials: z
    .strictObject({ credentialsParameter: secretsManagerArn })
    .optional()
    .describe('A private registry outside ECR: the Secrets Manager secret holding its username and password.'),
  dockerLabels: z.record(z.string().min(1), z.string()).default({}),
};

/** A sidecar: the container model with its own image, size and name (the key it is under). */
export const SidecarSchema = z.strictObject({
  image: z.string().min(1).describe('Full image reference of the sidecar.'),
  cpu: z.number().int().min(0).optional().describe('CPU units reserved for this container.'),
  memory: z.number().int().min(4).optional().describe('Hard memory limit of this container, MiB.'),
  essential: z.boolean().default(true).describe('Stop the task when this container stops (ECS default: true).'),
  ...ContainerFields,
});

/** The container keys alone, as the main container and every sidecar have them. */
export const ContainerSchema = z.strictObject(ContainerFields);
export type ContainerConfig = z.infer<typeof ContainerSchema>;
export type SidecarConfig = z.infer<typeof SidecarSchema>;
export type PortMapping = z.infer<typeof PortMappingSchema>;
export type LogConfiguration = z.infer<typeof LogConfigurationSchema>;

/** A container's port mappings: `portMappings`, or the one `port` (+ `hostPort`) stands for. */
export function portMappingsOf(c: Pick<ContainerConfig, 'port' | 'hostPort' | 'portMappings'>): PortMapping[] {
  if (c.portMappings !== undefined) return c.portMappings;
  if (c.port === undefined) return [];
  return [{ containerPort: c.port, ...(c.hostPort !== undefined ? { hostPort: c.hostPort } : {}), protocol: 'tcp' }];
}
