/**
 * A task definition as ECS writes it, read from a file: what `aws ecs describe-task-definition`
 * prints ({ taskDefinition, tags }), a bare task definition, or the input of
 * `aws ecs register-task-definition` (--cli-input-json). Parsed with zod: the fields ecsdeploy maps
 * are typed, every other field is kept (loose objects) so the mapping can carry it into
 * `overrides:` or list it, never drop it silently. Errors name the file and the JSON path.
 */
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { UsageError } from '../../errors';

const num = z.number();
/** ECS returns task cpu/memory as strings ("256"); register input may give numbers. */
const sizeString = z.union([z.string().regex(/^\d+$/, 'must be a whole number such as "512"'), z.number().int()]);
const nameValue = z.looseObject({ name: z.string().min(1), value: z.string().optional() });
const nameValueFrom = z.looseObject({ name: z.string().min(1), valueFrom: z.string().min(1) });
const keyValueTag = z.looseObject({ key: z.string(), value: z.string().optional() });

export const PortMappingInput = z.looseObject({
  containerPort: num.int().optional(),
  hostPort: num.int().optional(),
  protocol: z.string().optional(),
  name: z.string().optional(),
  appProtocol: z.string().optional(),
  containerPortRange: z.string().optional(),
});

export const ContainerDefinitionInput = z.looseObject({
  name: z.string().min(1),
  image: z.string().min(1),
  cpu: num.int().optional(),
  memory: num.int().optional(),
  memoryReservation: num.int().optional(),
  essential: z.boolean().optional(),
  portMappings: z.array(PortMappingInput).optional(),
  entryPoint: z.array(z.string()).optional(),
  command: z.array(z.string()).optional(),
  workingDirectory: z.string().optional(),
  user: z.string().optional(),
  environment: z.array(nameValue).optional(),
  environmentFiles: z.array(z.looseObject({ value: z.string(), type: z.string() })).optional(),
  secrets: z.array(nameValueFrom).optional(),
  mountPoints: z
    .array(
      z.looseObject({
        sourceVolume: z.string().optional(),
        containerPath: z.string().optional(),
        readOnly: z.boolean().optional(),
      }),
    )
    .optional(),
  volumesFrom: z
    .array(z.looseObject({ sourceContainer: z.string().optional(), readOnly: z.boolean().optional() }))
    .optional(),
  dependsOn: z.array(z.looseObject({ containerName: z.string(), condition: z.string() })).optional(),
  healthCheck: z
    .looseObject({
      command: z.array(z.string()),
      interval: num.int().optional(),
      timeout: num.int().optional(),
      retries: num.int().optional(),
      startPeriod: num.int().optional(),
    })
    .optional(),
  ulimits: z.array(z.looseObject({ name: z.string(), softLimit: num.int(), hardLimit: num.int() })).optional(),
  linuxParameters: z
    .looseObject({
      initProcessEnabled: z.boolean().optional(),
      capabilities: z
        .looseObject({ add: z.array(z.string()).optional(), drop: z.array(z.string()).optional() })
        .optional(),
      sharedMemorySize: num.int().optional(),
    })
    .optional(),
  stopTimeout: num.int().optional(),
  readonlyRootFilesystem: z.boolean().optional(),
  logConfiguration: z
    .looseObject({
      logDriver: z.string(),
      options: z.record(z.string(), z.string()).optional(),
      secretOptions: z.array(nameValueFrom).optional(),
    })
    .optional(),
  firelensConfiguration: z
    .looseObject({ type: z.string(), options: z.record(z.string(), z.string()).optional() })
    .optional(),
  repositoryCredentials: z.looseObject({ credentialsParameter: z.string() }).optional(),
  dockerLabels: z.record(z.string(), z.string()).optional(),
});
export type ContainerDefinitionInput = z.infer<typeof ContainerDefinitionInput>;

export const TaskDefinitionInput = z.looseObject({
  taskDefinitionArn: z.string().optional(),
  family: z.string().min(1).optional(),
  revision: num.int().optional(),
  taskRoleArn: z.string().optional(),
  executionRoleArn: z.string().optional(),
  networkMode: z.string().optional(),
  containerDefinitions: z.array(ContainerDefinitionInput).min(1, 'a task definition has at least one container'),
  volumes: z
    .array(
      z.looseObject({
        name: z.string(),
        host: z.looseObject({ sourcePath: z.string().optional() }).optional(),
        efsVolumeConfiguration: z
          .looseObject({
            fileSystemId: z.string(),
            rootDirectory: z.string().optional(),
            transitEncryption: z.string().optional(),
            transitEncryptionPort: num.int().optional(),
            authorizationConfig: z
              .looseObject({ accessPointId: z.string().optional(), iam: z.string().optional() })
              .optional(),
          })
          .optional(),
        dockerVolumeConfiguration: z
          .looseObject({
            scope: z.string().optional(),
            autoprovision: z.boolean().optional(),
            driver: z.string().optional(),
            driverOpts: z.record(z.string(), z.string()).optional(),
            labels: z.record(z.string(), z.string()).optional(),
          })
          .optional(),
      }),
    )
    .optional(),
  placementConstraints: z.array(z.looseObject({ type: z.string(), expression: z.string().optional() })).optional(),
  requiresCompatibilities: z.array(z.string()).optional(),
  cpu: sizeString.optional(),
  memory: sizeString.optional(),
  pidMode: z.string().optional(),
  ipcMode: z.string().optional(),
  ephemeralStorage: z.looseObject({ sizeInGiB: num.int() }).optional(),
  runtimePlatform: z
    .looseObject({ cpuArchitecture: z.string().optional(), operatingSystemFamily: z.string().optional() })
    .optional(),
  tags: z.array(keyValueTag).optional(),
});
export type TaskDefinitionInput = z.infer<typeof TaskDefinitionInput>;

/** `aws ecs describe-task-definition` output. */
const DescribeOutput = z.looseObject({ taskDefinition: TaskDefinitionInput, tags: z.array(keyValueTag).optional() });

export interface ParsedTaskDefinition {
  readonly taskDefinition: TaskDefinitionInput;
  /** Tags of the task definition (describe output's `tags`, or register input's `tags`). */
  readonly tags: Readonly<Record<string, string>>;
  /** Which of the three shapes the file had. */
  readonly shape: 'describe-task-definition' | 'task definition' | 'register-task-definition input';
}

/** `$.a.b[0].c`: a zod issue path as a JSON path. */
export function jsonPath(path: ReadonlyArray<PropertyKey>): string {
  return '$' + path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`)).join('');
}

/** Parses the JSON text of `file` (shown in messages as given) into a task definition. */
export function parseTaskDefinitionJson(text: string, file: string): ParsedTaskDefinition {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (err) {
    throw new UsageError(`${file}: not valid JSON: ${(err as Error).message}`, [
      'Give the output of `aws ecs describe-task-definition --task-definition FAMILY:REVISION`, a task definition, or register-task-definition input JSON.',
    ]);
  }
  if (data === null || typeof data !== 'object' || Array.isArray(data)) {
    throw new UsageError(
      `${file}: expected a JSON object (a task definition, or {"taskDefinition": ...} as describe-task-definition prints it)`,
    );
  }
  const described = 'taskDefinition' in data;
  const schema = described ? DescribeOutput : TaskDefinitionInput;
  const result = schema.safeParse(data);
  if (!result.success) {
    const lines = result.error.issues.slice(0, 10).map((i) => `  ${jsonPath(i.path)}: ${i.message}`);
    throw new UsageError(`${file} is not a task definition ECS accepts:\n${lines.join('\n')}`, [
      'Give the output of `aws ecs describe-task-definition --task-definition FAMILY:REVISION`, a task definition, or register-task-definition input JSON.',
    ]);
  }
  const tagList = described
    ? (result.data as z.infer<typeof DescribeOutput>).tags
    : (result.data as TaskDefinitionInput).tags;
  const td = described
    ? (result.data as z.infer<typeof DescribeOutput>).taskDefinition
    : (result.data as TaskDefinitionInput);
  const tags = Object.fromEntries(
    (tagList ?? []).filter((t) => !t.key.startsWith('aws:')).map((t) => [t.key, t.value ?? '']),
  );
  const shape = described
    ? 'describe-task-definition'
    : td.taskDefinitionArn !== undefined || td.revision !== undefined
      ? 'task definition'
      : 'register-task-definition input';
  return { taskDefinition: td, tags, shape };
}

/** Reads and parses a task definition file. */
export function readTaskDefinitionFile(path: string, display = path): ParsedTaskDefinition {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new UsageError(
      `${display}: ${code === 'ENOENT' ? 'no such file' : `cannot be read (${code ?? (err as Error).message})`}`,
      [
        'Give a JSON file (aws ecs describe-task-definition --task-definition FAMILY > FILE.json) or a task definition ARN.',
      ],
    );
  }
  return parseTaskDefinitionJson(text, display);
}
