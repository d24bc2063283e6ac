/**
 * The one mapping of adoption, pure: an ECS task definition (and, for `import service`, the live
 * service, its target group, listener rule, scalable target and policies, and log group) → the
 * keys of a service file, and a row per field saying what became of it:
 *
 * - mapped: a key says exactly this;
 * - approximated: a key says nearly this (the note says what differs);
 * - overrides: no key says it, so it goes into `overrides:` on the resource that has it;
 * - replaced: ecsdeploy derives it (the execution role, the family, the namespace);
 * - not imported: nothing can say it; the note says what to do.
 *
 * docs/adoption.md has the same mapping as tables, field by field.
 */
import { LOG_DRIVERS, SECRET_ARN, SSM_PARAMETER_PATH } from '../../config/container';
import type { RuleRead, ScalingRead, ServiceRead, TargetGroupRead } from '../../aws/adopt';
import type { AdoptConfig } from '../../config/adopt';
import { toName } from '../../config/names';
import { UsageError } from '../../errors';
import type { ContainerDefinitionInput, TaskDefinitionInput } from './input';

export type RowStatus = 'mapped' | 'approximated' | 'overrides' | 'replaced' | 'not imported';

export interface MappingRow {
  /** The field as ECS (or ELB, Application Auto Scaling) names it, e.g. `containerDefinitions[web].environment`. */
  readonly field: string;
  readonly status: RowStatus;
  /** The service file key it became (`overrides.TaskDefinition.<path>` for overrides), or what replaces it. */
  readonly becomes: string;
  readonly note?: string;
}

/** Keys of T that become optional (a list ECS answered empty is left out). */
type Optional<T, K extends keyof T> = Omit<T, K> & Partial<Pick<T, K>>;

/**
 * What `import service` read besides the task definition: the service as src/aws/adopt.ts reads it
 * (its cluster by name, empty lists left out), and what it found around it.
 */
export interface LiveService extends Optional<
  Omit<ServiceRead, 'clusterArn' | 'taskDefinition'>,
  'capacityProviderStrategy' | 'placementConstraints' | 'placementStrategy'
> {
  readonly cluster: string;
  readonly serviceConnect?: {
    readonly enabled: boolean;
    readonly namespace?: string;
    readonly services: ReadonlyArray<{
      readonly portName: string;
      readonly discoveryName?: string;
      readonly clientAliases: ReadonlyArray<{ readonly port: number; readonly dnsName?: string }>;
      readonly ingressPortOverride?: number;
    }>;
  };
  readonly targetGroup?: Omit<TargetGroupRead, 'loadBalancerArns'>;
  readonly listenerRule?: Omit<RuleRead, 'priority'> & { readonly priority: number };
  /** The listener that forwards to the target group by its default action (no rule). */
  readonly defaultActionListenerArn?: string;
  readonly scaling?: ScalingRead;
  /** Retention (days; 0: never expire) of log groups the containers' awslogs options name. */
  readonly logGroups: Readonly<Record<string, number>>;
}

export interface MapOptions {
  /** The service file's name (services/<name>.yaml): the main container keeps its name through containerName when it differs. */
  readonly name: string;
  readonly tags?: Readonly<Record<string, string>>;
  /** Present for `import service`: the environment the service runs in, and what was read. */
  readonly live?: { readonly env: string; readonly service: LiveService };
  /** Region and account for SSM parameters given by name (default: from the task definition ARN). */
  readonly arnContext?: { readonly partition: string; readonly region: string; readonly account: string };
}

export interface Mapping {
  /** The service file, keys in the order it is written. */
  readonly file: Record<string, unknown>;
  readonly rows: readonly MappingRow[];
  /** Fields moved into `overrides:` (also in rows), for the summary. */
  readonly overrides: readonly string[];
  /** The main container's name in ECS. */
  readonly mainContainer: string;
}

const NAME = /^[a-z][a-z0-9-]*$/;
/** ECS sets these; they describe a registered revision, not what to register. */
const READ_ONLY_TASK_FIELDS = new Set([
  'taskDefinitionArn',
  'revision',
  'status',
  'requiresAttributes',
  'compatibilities',
  'registeredAt',
  'registeredBy',
  'deregisteredAt',
  'tags',
]);
const TASK_FIELDS_MAPPED = new Set([
  'family',
  'taskRoleArn',
  'executionRoleArn',
  'networkMode',
  'containerDefinitions',
  'volumes',
  'placementConstraints',
  'requiresCompatibilities',
  'cpu',
  'memory',
  'pidMode',
  'ipcMode',
  'ephemeralStorage',
  'runtimePlatform',
]);
/** Task-level fields with no key, and the Terraform argument of aws_ecs_task_definition that says them. */
const TASK_FIELD_TERRAFORM: Readonly<Record<string, (v: unknown) => [string, unknown]>> = {
  enableFaultInjection: (v) => ['enable_fault_injection', v],
  proxyConfiguration: (v) => {
    const p = v as { type?: string; containerName?: string; properties?: Array<{ name: string; value: string }> };
    return [
      'proxy_configuration',
      {
        type: p.type ?? 'APPMESH',
        container_name: p.containerName,
        properties: Object.fromEntries((p.properties ?? []).map((x) => [x.name, x.value])),
      },
    ];
  },
  inferenceAccelerators: (v) => [
    'inference_accelerator',
    (v as Array<{ deviceName: string; deviceType: string }>).map((a) => ({
      device_name: a.deviceName,
      device_type: a.deviceType,
    })),
  ],
};
const CONTAINER_FIELDS_MAPPED = new Set([
  'name',
  'image',
  'cpu',
  'memory',
  'memoryReservation',
  'essential',
  'portMappings',
  'entryPoint',
  'command',
  'workingDirectory',
  'user',
  'environment',
  'environmentFiles',
  'secrets',
  'mountPoints',
  'volumesFrom',
  'dependsOn',
  'healthCheck',
  'ulimits',
  'linuxParameters',
  'stopTimeout',
  'readonlyRootFilesystem',
  'logConfiguration',
  'firelensConfiguration',
  'repositoryCredentials',
  'dockerLabels',
]);
const LINUX_PARAMETERS_MAPPED = new Set(['initProcessEnabled', 'capabilities', 'sharedMemorySize']);

/** `repo:tag`, `repo@sha256:...` or `repo` → image.repository and image.tag / image.digest. */
export function splitImage(ref: string): { repository: string; tag?: string; digest?: string; note?: string } {
  const at = ref.indexOf('@');
  if (at >= 0) {
    const digest = ref.slice(at + 1);
    const name = ref.slice(0, at);
    const colon = name.lastIndexOf(':');
    const hasTag = colon > name.lastIndexOf('/');
    return {
      repository: hasTag ? name.slice(0, colon) : name,
      digest,
      ...(hasTag ? { note: `pinned by digest; the tag ${name.slice(colon + 1)} is dropped` } : {}),
    };
  }
  const colon = ref.lastIndexOf(':');
  if (colon > ref.lastIndexOf('/')) return { repository: ref.slice(0, colon), tag: ref.slice(colon + 1) };
  return {
    repository: ref,
    tag: 'latest',
    note: 'no tag means latest: a tag that moves, which deploy refuses without --allow-mutable-tag',
  };
}

function isEmpty(v: unknown): boolean {
  if (v === undefined || v === null) return true;
  if (Array.isArray(v)) return v.length === 0;
  if (typeof v === 'object') return Object.keys(v).length === 0;
  return false;
}

function sizeOf(v: string | number | undefined): number | undefined {
  if (v === undefined) return undefined;
  return typeof v === 'number' ? v : Number(v);
}

/** partition, region and account of an ARN. */
function arnParts(arn: string | undefined): { partition: string; region: string; account: string } | undefined {
  const m = /^arn:(aws[a-z-]*):[a-z0-9-]+:([a-z0-9-]*):(\d{12}):/.exec(arn ?? '');
  return m && m[2] ? { partition: m[1]!, region: m[2], account: m[3]! } : undefined;
}

class Recorder {
  readonly rows: MappingRow[] = [];
  readonly overrides: Record<string, Record<string, unknown>> = {};
  row(field: string, status: RowStatus, becomes: string, note?: string): void {
    this.rows.push({ field, status, becomes, ...(note !== undefined ? { note } : {}) });
  }
  override(field: string, resource: string, path: string, value: unknown, note?: string): void {
    (this.overrides[resource] ??= {})[path] = value;
    this.row(field, 'overrides', `overrides.${resource}.${path}`, note);
  }
}

/** Picks the main container: the one the load balancer targets, else the first essential one with a port, else the first essential one. */
function pickMain(td: TaskDefinitionInput, live?: LiveService): ContainerDefinitionInput {
  const byLb = live?.loadBalancers.find((lb) => lb.containerName !== undefined)?.containerName;
  const defs = td.containerDefinitions;
  const essential = defs.filter((c) => c.essential !== false);
  return (
    (byLb !== undefined ? defs.find((c) => c.name === byLb) : undefined) ??
    essential.find((c) => (c.portMappings ?? []).length > 0) ??
    essential[0] ??
    defs[0]!
  );
}

export function mapTaskDefinition(td: TaskDefinitionInput, options: MapOptions): Mapping {
  const r = new Recorder();
  const live = options.live?.service;
  const arnContext = options.arnContext ?? arnParts(td.taskDefinitionArn);
  const main = pickMain(td, live);

  // Container names: ecsdeploy's are lowercase with '-'; references follow a rename.
  const names = new Map<string, string>();
  for (const c of td.containerDefinitions) {
    const n = toName(c.name, c === main ? 64 : 32);
    if (n === '')
      throw new UsageError(
        `container '${c.name}': its name has no letter ecsdeploy can keep; rename it in the task definition`,
      );
    if ([...names.values()].includes(n))
      throw new UsageError(
        `containers '${c.name}' and '${[...names.entries()].find(([, v]) => v === n)![0]}' both become '${n}' in ecsdeploy's names; rename one in the task definition`,
      );
    names.set(c.name, n);
    if (n !== c.name)
      r.row(
        `containerDefinitions[${c.name}].name`,
        'approximated',
        c === main ? `containerName: ${n}` : `sidecars.${n}`,
        `renamed: ecsdeploy names are lowercase letters, digits and '-'`,
      );
  }
  const nameOf = (n: string) => names.get(n) ?? n;
  const mainName = nameOf(main.name);

  const launchType = launchTypeOf(td, live, r);
  const networkMode = td.networkMode ?? (launchType === 'fargate' ? 'awsvpc' : 'bridge');

  const file: Record<string, unknown> = {};
  file['description'] = live
    ? `${live.serviceName} (imported from the ECS service ${live.cluster}/${live.serviceName})`
    : `${td.family ?? main.name} (imported from a task definition)`;
  // Image of the main container.
  const image = splitImage(main.image);
  file['image'] = {
    repository: image.repository,
    ...(image.digest !== undefined ? { digest: image.digest } : { tag: image.tag }),
  };
  r.row(
    `containerDefinitions[${main.name}].image`,
    image.note ? 'approximated' : 'mapped',
    'image.repository + image.' + (image.digest !== undefined ? 'digest' : 'tag'),
    image.note,
  );
  file['launchType'] = launchType;
  const cps = capacityProviders(live, r);
  if (cps) file['capacityProviderStrategy'] = cps;
  if (mainName !== options.name) file['containerName'] = mainName;

  const mainFields = containerFields(main, mainName, networkMode, nameOf, r, arnContext, true);
  Object.assign(file, mainFields);

  // Task size.
  const cpu = sizeOf(td.cpu);
  const memory = sizeOf(td.memory);
  const sumCpu = td.containerDefinitions.reduce((n, c) => n + (c.cpu ?? 0), 0);
  const sumMemory = td.containerDefinitions.reduce((n, c) => n + (c.memory ?? c.memoryReservation ?? 0), 0);
  if (cpu !== undefined) r.row('cpu', 'mapped', 'cpu');
  else
    r.row(
      'cpu',
      'approximated',
      'cpu',
      sumCpu > 0
        ? `no task-level cpu: the containers' ${sumCpu} units`
        : 'no task-level cpu: 256 units (ecsdeploy always sizes the task)',
    );
  if (memory !== undefined) r.row('memory', 'mapped', 'memory');
  else
    r.row(
      'memory',
      'approximated',
      'memory',
      sumMemory > 0
        ? `no task-level memory: the containers' ${sumMemory} MiB`
        : 'no task-level memory: 512 MiB (ecsdeploy always sizes the task)',
    );
  file['cpu'] = cpu ?? (sumCpu > 0 ? sumCpu : 256);
  file['memory'] = memory ?? (sumMemory > 0 ? sumMemory : 512);

  // Task-level keys.
  if (td.networkMode !== undefined) {
    if (['awsvpc', 'bridge', 'host'].includes(td.networkMode)) {
      file['networkMode'] = td.networkMode;
      r.row('networkMode', 'mapped', 'networkMode');
    } else
      r.override(
        'networkMode',
        'TaskDefinition',
        'network_mode',
        td.networkMode,
        `ecsdeploy's networkMode has awsvpc, bridge and host`,
      );
  }
  if (td.runtimePlatform !== undefined) {
    file['runtimePlatform'] = {
      cpuArchitecture: td.runtimePlatform.cpuArchitecture ?? 'X86_64',
      operatingSystemFamily: td.runtimePlatform.operatingSystemFamily ?? 'LINUX',
    };
    r.row('runtimePlatform', 'mapped', 'runtimePlatform');
  }
  if (td.ephemeralStorage !== undefined) {
    file['ephemeralStorage'] = { sizeInGiB: td.ephemeralStorage.sizeInGiB };
    r.row('ephemeralStorage', 'mapped', 'ephemeralStorage');
  }
  for (const mode of ['pidMode', 'ipcMode'] as const) {
    const v = td[mode];
    if (v === undefined) continue;
    file[mode] = v;
    r.row(mode, 'mapped', mode);
  }
  if (!isEmpty(td.volumes)) {
    file['volumes'] = td.volumes!.map((v) => volumeOf(v, r));
  }
  if (td.taskRoleArn !== undefined) {
    file['taskRoleArn'] = td.taskRoleArn;
    r.row('taskRoleArn', 'mapped', 'taskRoleArn', 'the existing role is kept by ARN (ecsdeploy creates no task role)');
  }
  if (td.executionRoleArn !== undefined) {
    r.row(
      'executionRoleArn',
      'replaced',
      "ecsdeploy's derived execution role",
      'it may pull exactly these images and read exactly these secrets and log groups; widen it with overrides.ExecutionPolicy if the task needs more',
    );
  }
  if (td.family !== undefined) {
    if (live)
      r.row(
        'family',
        'mapped',
        `environments.${options.live!.env}.adopt.taskDefinitionFamily`,
        'new revisions are registered in the same family',
      );
    else
      r.row(
        'family',
        'replaced',
        "ecsdeploy's family <project>-<env>-<service>",
        '`import service` keeps the family through adopt.taskDefinitionFamily',
      );
  }
  if (!isEmpty(td.placementConstraints)) {
    r.override(
      'placementConstraints',
      'TaskDefinition',
      'placement_constraints',
      td.placementConstraints!.map((p) => ({ type: p.type, ...(p.expression ? { expression: p.expression } : {}) })),
      "ecsdeploy's placementConstraints are the service's",
    );
  }
  for (const [k, v] of Object.entries(td)) {
    if (TASK_FIELDS_MAPPED.has(k) || READ_ONLY_TASK_FIELDS.has(k) || isEmpty(v)) continue;
    const tf = TASK_FIELD_TERRAFORM[k];
    if (tf) {
      const [path, value] = tf(v);
      r.override(k, 'TaskDefinition', path, value);
    } else r.row(k, 'not imported', '—', 'no key and no Terraform argument says it; set it by hand if it matters');
  }

  // Sidecars.
  const sidecars: Record<string, unknown> = {};
  for (const c of td.containerDefinitions) {
    if (c === main) continue;
    const n = nameOf(c.name);
    const sc: Record<string, unknown> = { image: c.image };
    r.row(`containerDefinitions[${c.name}].image`, 'mapped', `sidecars.${n}.image`);
    if (c.cpu !== undefined) {
      sc['cpu'] = c.cpu;
      r.row(`containerDefinitions[${c.name}].cpu`, 'mapped', `sidecars.${n}.cpu`);
    }
    if (c.memory !== undefined) {
      sc['memory'] = c.memory;
      r.row(`containerDefinitions[${c.name}].memory`, 'mapped', `sidecars.${n}.memory`);
    }
    if (c.essential === false) {
      sc['essential'] = false;
      r.row(`containerDefinitions[${c.name}].essential`, 'mapped', `sidecars.${n}.essential`);
    }
    Object.assign(sc, containerFields(c, n, networkMode, nameOf, r, arnContext, false));
    sidecars[n] = sc;
  }
  if (Object.keys(sidecars).length > 0) file['sidecars'] = sidecars;

  const envBlock: Record<string, unknown> = {};
  if (live) mapService(live, options.live!.env, td, main, mainName, file, envBlock, r);

  const tags = { ...(options.tags ?? {}), ...(live?.tags ?? {}) };
  if (Object.keys(tags).length > 0) {
    file['tags'] = tags;
    r.row('tags', 'mapped', 'tags', live ? "the service's tags" : "the task definition's tags");
  }
  if (Object.keys(r.overrides).length > 0) file['overrides'] = sortOverrides(r.overrides);
  if (live) file['environments'] = { [options.live!.env]: envBlock };
  return {
    file,
    rows: r.rows,
    overrides: r.rows.filter((x) => x.status === 'overrides').map((x) => x.becomes),
    mainContainer: main.name,
  };
}

function sortOverrides(o: Record<string, Record<string, unknown>>): Record<string, Record<string, unknown>> {
  return Object.fromEntries(
    Object.keys(o)
      .sort()
      .map((k) => [
        k,
        Object.fromEntries(
          Object.keys(o[k]!)
            .sort()
            .map((p) => [p, o[k]![p]]),
        ),
      ]),
  );
}

function launchTypeOf(td: TaskDefinitionInput, live: LiveService | undefined, r: Recorder): 'ec2' | 'fargate' {
  if (live?.launchType === 'EXTERNAL') {
    throw new UsageError(
      `the ECS service ${live.cluster}/${live.serviceName} uses the EXTERNAL launch type (ECS Anywhere), which ecsdeploy does not run`,
    );
  }
  if (live?.launchType === 'FARGATE' || live?.launchType === 'EC2') {
    r.row('launchType', 'mapped', 'launchType');
    return live.launchType === 'FARGATE' ? 'fargate' : 'ec2';
  }
  if (live?.capacityProviderStrategy?.length) {
    return live.capacityProviderStrategy.every((p) => p.capacityProvider.startsWith('FARGATE')) ? 'fargate' : 'ec2';
  }
  const req = td.requiresCompatibilities ?? [];
  if (req.length > 0) {
    const fargate = req.includes('FARGATE');
    r.row(
      'requiresCompatibilities',
      fargate && req.includes('EC2') ? 'approximated' : 'mapped',
      'launchType',
      fargate && req.includes('EC2') ? 'both EC2 and FARGATE: launchType fargate' : undefined,
    );
    return fargate ? 'fargate' : 'ec2';
  }
  r.row('requiresCompatibilities', 'approximated', 'launchType', 'not given: launchType ec2, as ECS assumes');
  return 'ec2';
}

function capacityProviders(live: LiveService | undefined, r: Recorder): Array<Record<string, unknown>> | undefined {
  const list = live?.capacityProviderStrategy;
  if (!list?.length) return undefined;
  const own = list.filter((p) => !p.capacityProvider.startsWith('FARGATE'));
  r.row(
    'capacityProviderStrategy',
    own.length > 0 ? 'approximated' : 'mapped',
    'capacityProviderStrategy (and launchType)',
    own.length > 0
      ? `${own.map((p) => p.capacityProvider).join(', ')} become 'ec2', the capacity of the environment's cluster`
      : undefined,
  );
  return list.map((p) => ({
    provider:
      p.capacityProvider === 'FARGATE' ? 'fargate' : p.capacityProvider === 'FARGATE_SPOT' ? 'fargate-spot' : 'ec2',
    ...(p.weight !== undefined ? { weight: p.weight } : {}),
    ...(p.base ? { base: p.base } : {}),
  }));
}

function volumeOf(v: NonNullable<TaskDefinitionInput['volumes']>[number], r: Recorder): Record<string, unknown> {
  const out: Record<string, unknown> = { name: v.name };
  const field = `volumes[${v.name}]`;
  if (v.host?.sourcePath) out['host'] = { sourcePath: v.host.sourcePath };
  const efs = v.efsVolumeConfiguration;
  if (efs) {
    out['efsVolumeConfiguration'] = {
      fileSystemId: efs.fileSystemId,
      ...(efs.rootDirectory && efs.rootDirectory !== '/' ? { rootDirectory: efs.rootDirectory } : {}),
      // ECS's default is DISABLED, ecsdeploy's ENABLED: always said.
      transitEncryption: efs.transitEncryption ?? 'DISABLED',
      ...(efs.transitEncryptionPort !== undefined ? { transitEncryptionPort: efs.transitEncryptionPort } : {}),
      authorizationConfig: {
        ...(efs.authorizationConfig?.accessPointId ? { accessPointId: efs.authorizationConfig.accessPointId } : {}),
        iam: efs.authorizationConfig?.iam ?? 'DISABLED',
      },
    };
  }
  const d = v.dockerVolumeConfiguration;
  if (d) {
    out['dockerVolumeConfiguration'] = {
      ...(d.scope ? { scope: d.scope } : {}),
      ...(d.autoprovision !== undefined ? { autoprovision: d.autoprovision } : {}),
      ...(d.driver ? { driver: d.driver } : {}),
      ...(!isEmpty(d.driverOpts) ? { driverOpts: d.driverOpts } : {}),
      ...(!isEmpty(d.labels) ? { labels: d.labels } : {}),
    };
  }
  const other = Object.keys(v).filter(
    (k) =>
      !['name', 'host', 'efsVolumeConfiguration', 'dockerVolumeConfiguration'].includes(k) &&
      !isEmpty((v as Record<string, unknown>)[k]),
  );
  if (other.length > 0)
    r.row(
      `${field}.${other.join(', ')}`,
      'not imported',
      '—',
      'no key says it (FSx for Windows, configuredAtLaunch); add the volume with overrides.TaskDefinition.volume',
    );
  r.row(field, 'mapped', `volumes[${v.name}]`);
  return out;
}

/** The container keys of one container (main or sidecar), in ContainerFields order. */
function containerFields(
  c: ContainerDefinitionInput,
  name: string,
  networkMode: string,
  nameOf: (n: string) => string,
  r: Recorder,
  arnContext: { partition: string; region: string; account: string } | undefined,
  isMain: boolean,
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const at = isMain ? '' : `sidecars.${name}.`;
  const field = (f: string) => `containerDefinitions[${c.name}].${f}`;
  const map = (f: string, key: string, value: unknown, note?: string) => {
    out[key] = value;
    r.row(field(f), note ? 'approximated' : 'mapped', at + key, note);
  };
  const override = (f: string, path: string, value: unknown, note?: string) =>
    r.override(field(f), 'TaskDefinition', `container_definitions.${name}.${path}`, value, note);

  if (c.command?.length) map('command', 'command', c.command);
  if (c.entryPoint?.length) map('entryPoint', 'entryPoint', c.entryPoint);
  if (c.workingDirectory) map('workingDirectory', 'workingDirectory', c.workingDirectory);
  if (c.user) map('user', 'user', c.user);
  if (c.portMappings?.length) {
    const ranged = c.portMappings.some((m) => m.containerPortRange !== undefined || m.containerPort === undefined);
    if (ranged) override('portMappings', 'portMappings', c.portMappings, 'containerPortRange has no key');
    else {
      const mappings = c.portMappings.map((m) => {
        const hostPort = networkMode === 'bridge' ? (m.hostPort === 0 ? undefined : m.hostPort) : undefined;
        return {
          ...(m.name ? { name: m.name } : {}),
          containerPort: m.containerPort!,
          ...(hostPort !== undefined ? { hostPort } : {}),
          ...(m.protocol && m.protocol !== 'tcp' ? { protocol: m.protocol } : {}),
          ...(m.appProtocol ? { appProtocol: m.appProtocol } : {}),
        };
      });
      const one = mappings.length === 1 ? mappings[0]! : undefined;
      if (one && Object.keys(one).every((k) => k === 'containerPort' || k === 'hostPort')) {
        out['port'] = one.containerPort;
        if (one.hostPort !== undefined) out['hostPort'] = one.hostPort;
        r.row(field('portMappings'), 'mapped', at + (one.hostPort !== undefined ? 'port + hostPort' : 'port'));
      } else map('portMappings', 'portMappings', mappings);
    }
  }
  if (c.memoryReservation !== undefined) map('memoryReservation', 'memoryReservation', c.memoryReservation);
  if (isMain && c.cpu !== undefined && c.cpu !== 0)
    override('cpu', 'cpu', c.cpu, "the main container's own reservation: cpu is the task's");
  if (isMain && c.memory !== undefined)
    override('memory', 'memory', c.memory, "the main container's hard limit: memory is the task's");
  if (c.dependsOn?.length)
    map(
      'dependsOn',
      'dependsOn',
      c.dependsOn.map((d) => ({ containerName: nameOf(d.containerName), condition: d.condition })),
    );
  if (c.healthCheck) {
    const h = c.healthCheck;
    map('healthCheck', 'healthCheck', {
      command: h.command,
      ...(h.interval !== undefined && h.interval !== 30 ? { interval: h.interval } : {}),
      ...(h.timeout !== undefined && h.timeout !== 5 ? { timeout: h.timeout } : {}),
      ...(h.retries !== undefined && h.retries !== 3 ? { retries: h.retries } : {}),
      ...(h.startPeriod !== undefined && h.startPeriod !== 0 ? { startPeriod: h.startPeriod } : {}),
    });
  }
  if (c.environment?.length)
    map('environment', 'variables', Object.fromEntries(c.environment.map((e) => [e.name, e.value ?? ''])));
  if (c.environmentFiles?.length)
    map(
      'environmentFiles',
      'environmentFiles',
      c.environmentFiles.map((f) => f.value),
    );
  if (c.secrets?.length) {
    const byName = c.secrets
      .filter((s) => !SECRET_ARN.test(s.valueFrom) && !SSM_PARAMETER_PATH.test(s.valueFrom))
      .map((s) => s.name);
    out['secrets'] = Object.fromEntries(
      c.secrets.map((s) => [s.name, secretRef(s.valueFrom, `${field('secrets')}[${s.name}]`, arnContext)]),
    );
    r.row(
      field('secrets'),
      'mapped',
      at + 'secrets',
      byName.length ? `SSM parameters given by name (${byName.join(', ')}) are written as their ARNs` : undefined,
    );
  }
  if (c.ulimits?.length)
    map(
      'ulimits',
      'ulimits',
      c.ulimits.map((u) => ({ name: u.name, softLimit: u.softLimit, hardLimit: u.hardLimit })),
    );
  if (c.linuxParameters) {
    const lp = c.linuxParameters;
    const kept = {
      ...(lp.initProcessEnabled !== undefined ? { initProcessEnabled: lp.initProcessEnabled } : {}),
      ...(lp.capabilities && (!isEmpty(lp.capabilities.add) || !isEmpty(lp.capabilities.drop))
        ? {
            capabilities: {
              ...(lp.capabilities.add?.length ? { add: lp.capabilities.add } : {}),
              ...(lp.capabilities.drop?.length ? { drop: lp.capabilities.drop } : {}),
            },
          }
        : {}),
      ...(lp.sharedMemorySize !== undefined ? { sharedMemorySize: lp.sharedMemorySize } : {}),
    };
    if (!isEmpty(kept)) map('linuxParameters', 'linuxParameters', kept);
    for (const [k, v] of Object.entries(lp)) {
      if (LINUX_PARAMETERS_MAPPED.has(k) || isEmpty(v)) continue;
      override(`linuxParameters.${k}`, `linuxParameters.${k}`, v);
    }
  }
  if (c.stopTimeout !== undefined) {
    if (c.stopTimeout >= 2 && c.stopTimeout <= 120) map('stopTimeout', 'stopTimeout', c.stopTimeout);
    else override('stopTimeout', 'stopTimeout', c.stopTimeout, 'stopTimeout takes 2 to 120 seconds');
  }
  if (c.readonlyRootFilesystem === true) map('readonlyRootFilesystem', 'readonlyRootFilesystem', true);
  if (c.mountPoints?.length) {
    map(
      'mountPoints',
      'mountPoints',
      c.mountPoints.map((m) => ({
        sourceVolume: m.sourceVolume,
        containerPath: m.containerPath,
        ...(m.readOnly ? { readOnly: true } : {}),
      })),
    );
  }
  if (c.volumesFrom?.length) {
    map(
      'volumesFrom',
      'volumesFrom',
      c.volumesFrom.map((v) => ({
        sourceContainer: nameOf(v.sourceContainer ?? ''),
        ...(v.readOnly ? { readOnly: true } : {}),
      })),
    );
  }
  const log = c.logConfiguration;
  if (log === undefined) {
    out['logConfiguration'] = { logDriver: 'none' };
    r.row(
      field('logConfiguration'),
      'mapped',
      `${at}logConfiguration.logDriver: none`,
      'none given: the output stays dropped (ecsdeploy would default to awslogs)',
    );
  } else if ((LOG_DRIVERS as readonly string[]).includes(log.logDriver)) {
    map('logConfiguration', 'logConfiguration', {
      logDriver: log.logDriver,
      ...(!isEmpty(log.options) ? { options: log.options } : {}),
      ...(log.secretOptions?.length
        ? {
            secretOptions: Object.fromEntries(
              log.secretOptions.map((s) => [
                s.name,
                secretRef(s.valueFrom, `${field('logConfiguration.secretOptions')}[${s.name}]`, arnContext),
              ]),
            ),
          }
        : {}),
    });
  } else override('logConfiguration', 'logConfiguration', log, `log driver ${log.logDriver} has no key`);
  if (c.firelensConfiguration) {
    map('firelensConfiguration', 'firelensConfiguration', {
      type: c.firelensConfiguration.type,
      ...(!isEmpty(c.firelensConfiguration.options) ? { options: c.firelensConfiguration.options } : {}),
    });
  }
  if (c.repositoryCredentials)
    map('repositoryCredentials', 'repositoryCredentials', {
      credentialsParameter: c.repositoryCredentials.credentialsParameter,
    });
  if (!isEmpty(c.dockerLabels)) map('dockerLabels', 'dockerLabels', c.dockerLabels);
  for (const [k, v] of Object.entries(c)) {
    if (CONTAINER_FIELDS_MAPPED.has(k) || isEmpty(v)) continue;
    if (k === 'essential' || (k === 'readonlyRootFilesystem' && v === false)) continue;
    override(k, k, v);
  }
  return out;
}

/** An SSM parameter or a Secrets Manager secret as ecsdeploy takes it: an ARN or an SSM path. */
function secretRef(
  valueFrom: string,
  where: string,
  ctx: { partition: string; region: string; account: string } | undefined,
): string {
  if (SECRET_ARN.test(valueFrom) || SSM_PARAMETER_PATH.test(valueFrom)) return valueFrom;
  if (/^[A-Za-z0-9_.-]+$/.test(valueFrom) && ctx !== undefined)
    return `arn:${ctx.partition}:ssm:${ctx.region}:${ctx.account}:parameter/${valueFrom}`;
  throw new UsageError(
    `${where}: '${valueFrom}' names an SSM parameter by name, and ecsdeploy needs its ARN or a path starting with /; the task definition has no ARN to take the region and account from`,
    [
      'Import the output of `aws ecs describe-task-definition` (it carries the task definition ARN), or write the parameter ARN into the JSON.',
    ],
  );
}

function mapService(
  live: LiveService,
  env: string,
  td: TaskDefinitionInput,
  main: ContainerDefinitionInput,
  mainName: string,
  file: Record<string, unknown>,
  envBlock: Record<string, unknown>,
  r: Recorder,
): void {
  const svc = (f: string) => `service.${f}`;
  const adopt: Record<string, unknown> = { serviceName: live.serviceName, cluster: live.cluster };
  r.row(svc('serviceName'), 'mapped', `environments.${env}.adopt.serviceName`, 'the service keeps its name');
  r.row(
    svc('clusterArn'),
    'mapped',
    `environments.${env}.adopt.cluster`,
    'set cluster.existing in the environment file to the same cluster',
  );
  if (live.launchType === 'EC2' || live.launchType === 'FARGATE') adopt['launchType'] = live.launchType;
  if (td.family !== undefined) adopt['taskDefinitionFamily'] = td.family;

  envBlock['count'] = live.desiredCount;
  r.row(svc('desiredCount'), 'mapped', `environments.${env}.count`);

  // Routing.
  const lb = live.loadBalancers[0];
  if (live.loadBalancers.length > 1)
    r.row(
      svc('loadBalancers[1..]'),
      'not imported',
      '—',
      'ecsdeploy registers a service in one target group; the others are left out',
    );
  if (lb !== undefined && live.targetGroup !== undefined) {
    const tg = live.targetGroup;
    const rule = live.listenerRule;
    const http: Record<string, unknown> = {};
    if (lb.containerName !== undefined && lb.containerName !== main.name) http['containerName'] = lb.containerName;
    if (lb.containerPort !== undefined) http['containerPort'] = lb.containerPort;
    r.row(svc('loadBalancers[0]'), 'mapped', 'http.containerName / http.containerPort');
    if (rule !== undefined) {
      if (rule.paths.length) http['paths'] = [...rule.paths];
      if (rule.hosts.length) http['hosts'] = [...rule.hosts];
      if (!rule.paths.length && !rule.hosts.length) http['paths'] = ['/*'];
      r.row(
        'listenerRule.conditions',
        rule.paths.length || rule.hosts.length ? 'mapped' : 'approximated',
        'http.paths / http.hosts',
        rule.paths.length || rule.hosts.length ? undefined : 'no path or host condition: /*',
      );
      for (const c of rule.otherConditions)
        r.row(
          `listenerRule.conditions.${c}`,
          'not imported',
          '—',
          'only path-pattern and host-header conditions have keys; the rule loses this condition on the first apply unless added with overrides.ListenerRule.condition',
        );
      r.row(
        'listenerRule.priority',
        'mapped',
        `environments.${env}.adopt.listenerRule.priority`,
        'the rule keeps its place',
      );
      adopt['listenerRule'] = { arn: rule.arn, priority: rule.priority };
    } else {
      http['paths'] = ['/*'];
      r.row(
        'listener default action',
        'approximated',
        'http.paths: [/*]',
        "the listener's default action forwards to the target group; ecsdeploy adds a rule for /* instead",
      );
    }
    const hc: Record<string, unknown> = {};
    if (tg.healthCheckPath !== undefined) hc['path'] = tg.healthCheckPath;
    if (tg.healthCheckIntervalSeconds !== undefined) hc['interval'] = tg.healthCheckIntervalSeconds;
    if (tg.healthCheckTimeoutSeconds !== undefined) hc['timeout'] = tg.healthCheckTimeoutSeconds;
    if (tg.healthyThresholdCount !== undefined) hc['healthyThreshold'] = tg.healthyThresholdCount;
    if (tg.unhealthyThresholdCount !== undefined) hc['unhealthyThreshold'] = tg.unhealthyThresholdCount;
    if (tg.matcher !== undefined) hc['matcher'] = tg.matcher;
    http['healthCheck'] = hc;
    r.row('targetGroup.healthCheck', 'mapped', 'http.healthCheck');
    if (tg.deregistrationDelay !== undefined) {
      http['deregistrationDelay'] = tg.deregistrationDelay;
      r.row('targetGroup.deregistration_delay.timeout_seconds', 'mapped', 'http.deregistrationDelay');
    }
    if (live.healthCheckGracePeriodSeconds !== undefined) {
      http['healthCheckGracePeriod'] = live.healthCheckGracePeriodSeconds;
      r.row(svc('healthCheckGracePeriodSeconds'), 'mapped', 'http.healthCheckGracePeriod');
    }
    if (tg.protocol !== undefined && tg.protocol !== 'HTTP')
      r.override('targetGroup.protocol', 'TargetGroup', 'protocol', tg.protocol);
    file['http'] = http;
    adopt['targetGroup'] = { arn: tg.arn, name: tg.name, ...(tg.port !== undefined ? { port: tg.port } : {}) };
    r.row('targetGroup', 'mapped', `environments.${env}.adopt.targetGroup`, 'imported; keeps its name and port');
  }

  if (file['http'] === undefined && live.healthCheckGracePeriodSeconds) {
    r.row(
      svc('healthCheckGracePeriodSeconds'),
      'not imported',
      '—',
      'ecsdeploy sets it only for a service behind a load balancer (http.healthCheckGracePeriod)',
    );
  }

  // Deployment.
  const deployment: Record<string, unknown> = {};
  const controller = live.deploymentController ?? 'ECS';
  if (controller === 'EXTERNAL')
    throw new UsageError(
      `the ECS service ${live.cluster}/${live.serviceName} uses the EXTERNAL deployment controller, which ecsdeploy does not drive`,
    );
  if (controller === 'CODE_DEPLOY') {
    deployment['strategy'] = 'blue-green';
    r.row(
      svc('deploymentController'),
      'approximated',
      'deployment.strategy: blue-green',
      'its CodeDeploy application and deployment group are not imported: ecsdeploy creates its own',
    );
  } else {
    deployment['strategy'] = 'rolling';
    r.row(svc('deploymentController'), 'mapped', 'deployment.strategy: rolling');
  }
  const dc = live.deploymentConfiguration;
  if (dc?.minimumHealthyPercent !== undefined) {
    const v = Math.min(100, Math.max(0, dc.minimumHealthyPercent));
    deployment['minimumHealthyPercent'] = v;
    r.row(
      svc('deploymentConfiguration.minimumHealthyPercent'),
      v === dc.minimumHealthyPercent ? 'mapped' : 'approximated',
      'deployment.minimumHealthyPercent',
      v === dc.minimumHealthyPercent ? undefined : `${dc.minimumHealthyPercent} is outside 0-100`,
    );
  }
  if (dc?.maximumPercent !== undefined) {
    const v = Math.min(200, Math.max(100, dc.maximumPercent));
    deployment['maximumPercent'] = v;
    r.row(
      svc('deploymentConfiguration.maximumPercent'),
      v === dc.maximumPercent ? 'mapped' : 'approximated',
      'deployment.maximumPercent',
      v === dc.maximumPercent ? undefined : `${dc.maximumPercent} is outside 100-200`,
    );
  }
  if (controller === 'ECS' && dc?.deploymentCircuitBreaker !== undefined) {
    const cb = dc.deploymentCircuitBreaker;
    deployment['circuitBreaker'] = cb.enable;
    r.row(
      svc('deploymentConfiguration.deploymentCircuitBreaker'),
      cb.enable && !cb.rollback ? 'approximated' : 'mapped',
      'deployment.circuitBreaker',
      cb.enable && !cb.rollback ? "rollback was off: ecsdeploy's circuit breaker rolls back" : undefined,
    );
  }
  if (dc?.alarms?.enable && dc.alarms.alarmNames.length > 0) {
    deployment['alarms'] = [...dc.alarms.alarmNames];
    r.row(
      svc('deploymentConfiguration.alarms'),
      dc.alarms.rollback ? 'mapped' : 'approximated',
      'deployment.alarms',
      dc.alarms.rollback ? undefined : 'rollback was off: ecsdeploy rolls back on these alarms',
    );
  }
  file['deployment'] = deployment;

  // Service-level keys.
  if (live.enableExecuteCommand !== undefined) {
    file['enableExecuteCommand'] = live.enableExecuteCommand;
    r.row(svc('enableExecuteCommand'), 'mapped', 'enableExecuteCommand');
  }
  file['propagateTags'] = live.propagateTags ?? 'NONE';
  r.row(svc('propagateTags'), 'mapped', 'propagateTags');
  file['enableECSManagedTags'] = live.enableECSManagedTags ?? false;
  r.row(svc('enableECSManagedTags'), 'mapped', 'enableECSManagedTags');
  if (live.placementConstraints?.length) {
    file['placementConstraints'] = live.placementConstraints.map((p) => ({
      type: p.type,
      ...(p.expression ? { expression: p.expression } : {}),
    }));
    r.row(svc('placementConstraints'), 'mapped', 'placementConstraints');
  }
  if (live.placementStrategy?.length) {
    file['placementStrategy'] = live.placementStrategy.map((p) => ({
      type: p.type,
      ...(p.field ? { field: p.field } : {}),
    }));
    r.row(svc('placementStrategy'), 'mapped', 'placementStrategy');
  }
  if (live.networkConfiguration) {
    const n = live.networkConfiguration;
    envBlock['networkConfiguration'] = {
      subnets: [...n.subnets],
      ...(n.securityGroups.length ? { securityGroups: [...n.securityGroups] } : {}),
      ...(n.assignPublicIp ? { assignPublicIp: true } : {}),
    };
    r.row(
      svc('networkConfiguration.awsvpcConfiguration'),
      n.securityGroups.length ? 'approximated' : 'mapped',
      `environments.${env}.networkConfiguration`,
      n.securityGroups.length
        ? 'its security groups are added to the one ecsdeploy creates for the service'
        : undefined,
    );
  }
  if (live.serviceConnect?.enabled) {
    const sc = live.serviceConnect;
    file['serviceConnect'] = {
      services: sc.services.map((s) => ({
        portName: s.portName,
        ...(s.discoveryName ? { discoveryName: s.discoveryName } : {}),
        ...(s.clientAliases.length
          ? {
              clientAliases: s.clientAliases.map((a) => ({
                port: a.port,
                ...(a.dnsName ? { dnsName: a.dnsName } : {}),
              })),
            }
          : {}),
        ...(s.ingressPortOverride !== undefined ? { ingressPortOverride: s.ingressPortOverride } : {}),
      })),
    };
    r.row(svc('serviceConnectConfiguration.services'), 'mapped', 'serviceConnect.services');
    if (sc.namespace)
      r.row(svc('serviceConnectConfiguration.namespace'), 'replaced', "the environment's Service Connect namespace");
  }

  // Scaling.
  if (live.scaling) {
    const s = live.scaling;
    const scaling: Record<string, unknown> = { min: s.min, max: Math.max(1, s.max) };
    r.row('scalableTarget.minCapacity / maxCapacity', 'mapped', `environments.${env}.scaling.min / max`);
    const policies: Record<string, string> = {};
    const byMetric: Record<string, [string, 'cpu' | 'memory' | 'requests']> = {
      ECSServiceAverageCPUUtilization: ['cpu', 'cpu'],
      ECSServiceAverageMemoryUtilization: ['memory', 'memory'],
      ALBRequestCountPerTarget: ['requestsPerTarget', 'requests'],
    };
    let cooldowns = false;
    for (const p of s.policies) {
      const known = p.type === 'TargetTrackingScaling' && p.metric !== undefined ? byMetric[p.metric] : undefined;
      if (known === undefined || p.target === undefined || policies[known[1]] !== undefined) {
        r.row(
          `scalingPolicy[${p.name}]`,
          'not imported',
          '—',
          p.type === 'StepScaling'
            ? 'step scaling: write scaling.step by hand (its alarm is not read); the policy stays outside ecsdeploy'
            : 'no key says this policy; it stays outside ecsdeploy',
        );
        continue;
      }
      const target = Math.round(p.target);
      scaling[known[0]] = target;
      policies[known[1]] = p.name;
      r.row(
        `scalingPolicy[${p.name}]`,
        target === p.target ? 'mapped' : 'approximated',
        `environments.${env}.scaling.${known[0]}`,
        target === p.target ? 'imported; keeps its name' : `target ${p.target} rounded to ${target}`,
      );
      if (!cooldowns) {
        if (p.scaleInCooldown !== undefined) scaling['scaleInCooldown'] = p.scaleInCooldown;
        if (p.scaleOutCooldown !== undefined) scaling['scaleOutCooldown'] = p.scaleOutCooldown;
        cooldowns = true;
      }
    }
    if (s.policies.filter((p) => p.type === 'TargetTrackingScaling').length > 1)
      r.row(
        'scalingPolicy cooldowns',
        'approximated',
        `environments.${env}.scaling.scaleInCooldown / scaleOutCooldown`,
        "one pair for every policy: the first policy's",
      );
    envBlock['scaling'] = scaling;
    adopt['scaling'] = { policies };
  }

  // The main container's log group.
  const group =
    main.logConfiguration?.logDriver === 'awslogs' ? main.logConfiguration.options?.['awslogs-group'] : undefined;
  if (group !== undefined) {
    adopt['logGroup'] = group;
    r.row(`logGroup[${group}]`, 'mapped', `environments.${env}.adopt.logGroup`, 'imported; keeps its name');
    const days = live.logGroups[group];
    if (days !== undefined) {
      file['logs'] = { retention: days };
      r.row(`logGroup[${group}].retentionInDays`, 'mapped', 'logs.retention');
    }
  }
  void mainName;
  envBlock['adopt'] = adopt satisfies Partial<AdoptConfig>;
}

/** The default service file name for an ECS name, or undefined when none can be made. */
export function defaultName(raw: string, max: number): string | undefined {
  const n = toName(raw, max);
  return NAME.test(n) ? n : undefined;
}
