/**
 * The checks of a whole service (its file with one environment's overrides merged in) that no
 * single key can make: combinations that ECS, Fargate or the load balancer would reject at apply or
 * run time become configuration errors with the key path of the value to change. The checks of the
 * task (containers, ports, volumes, logging, platform, placement, role, overrides) apply to
 * scheduled jobs as well (./job.ts): one task model, one set of rules.
 */
import type { z } from 'zod';
import { checkAdopt } from './adopt';
import { FARGATE_LOG_DRIVERS, portMappingsOf, type ContainerConfig, type PortMapping } from './container';
import { SERVICE_RESOURCES } from './overrides';
import type { ServiceShape } from './schema';
import { closest } from './suggest';

type Ctx = z.RefinementCtx;
type Path = Array<string | number>;

/**
 * The keys of a task that services and scheduled jobs share: a job has no http, count, deployment,
 * scaling or Service Connect, and its own propagateTags.
 */
export type TaskShape = Omit<
  ServiceShape,
  'count' | 'http' | 'deployment' | 'scaling' | 'serviceConnect' | 'propagateTags'
> &
  Partial<Pick<ServiceShape, 'http' | 'serviceConnect'>>;

/** What the messages call the workload: 'service' or 'job'. */
export type TaskKind = 'service' | 'job';

/** A container of the task with where its keys are in the file. */
export interface TaskContainer {
  readonly name: string;
  /** [] for the main container (top-level keys), ['sidecars', name] for a sidecar. */
  readonly at: Path;
  readonly config: ContainerConfig;
  readonly essential: boolean;
  readonly main: boolean;
}

/** The main container's name: `containerName`, else the service's name (filled in when a service is resolved). */
export function mainContainerName(s: Pick<TaskShape, 'containerName'>): string {
  return s.containerName ?? 'main';
}

export function taskContainers(s: TaskShape): TaskContainer[] {
  return [
    { name: mainContainerName(s), at: [], config: s, essential: true, main: true },
    ...Object.entries(s.sidecars).map(([name, c]) => ({
      name,
      at: ['sidecars', name],
      config: c,
      essential: c.essential,
      main: false,
    })),
  ];
}

/** The network mode a service's tasks use. */
export function networkModeOf(s: Pick<TaskShape, 'networkMode' | 'launchType'>): 'awsvpc' | 'bridge' | 'host' {
  return s.networkMode ?? (s.launchType === 'fargate' ? 'awsvpc' : 'bridge');
}

/** The container and port the load balancer targets, if the service has an http block and they exist. */
export function loadBalancedPort(s: TaskShape): { container: string; mapping: PortMapping } | undefined {
  if (s.http === undefined) return undefined;
  const name = s.http.containerName ?? mainContainerName(s);
  const c = taskContainers(s).find((x) => x.name === name);
  if (c === undefined) return undefined;
  const mappings = portMappingsOf(c.config);
  const mapping =
    s.http.containerPort === undefined ? mappings[0] : mappings.find((m) => m.containerPort === s.http!.containerPort);
  return mapping === undefined ? undefined : { container: name, mapping };
}

export function checkService(
  s: ServiceShape,
  ctx: Ctx,
  fargateSizes: ReadonlyArray<readonly [number, readonly number[]]>,
): void {
  const issue = (path: Path, message: string) => ctx.addIssue({ code: 'custom', path, message });
  checkDeployment(s, issue);
  const containers = checkTask(s, issue, fargateSizes, 'service');
  checkServiceConnect(s, containers, issue);
  s.deployment.before.forEach((b, i) => {
    if (b.container !== undefined && !containers.some((c) => c.name === b.container))
      issue(
        ['deployment', 'before', i, 'container'],
        unknownContainer(
          b.container,
          containers.map((c) => c.name),
        ),
      );
  });
  checkRole(s, issue);
  checkOverrides(s, containers, issue, serviceResourceNames(s), SERVICE_RESOURCES, 'service');
  checkAdopt(s, issue);
}

/**
 * The checks of the task itself, for services and jobs: size and capacity, containers, ports,
 * volumes, logging, platform, networking and placement. Returns the task's containers.
 */
export function checkTask(
  s: TaskShape,
  issue: Issue,
  fargateSizes: ReadonlyArray<readonly [number, readonly number[]]>,
  kind: TaskKind,
): TaskContainer[] {
  checkCapacity(s, issue, fargateSizes, kind);
  const containers = taskContainers(s);
  checkContainers(s, containers, issue);
  checkPorts(s, containers, issue);
  checkVolumes(s, containers, issue);
  checkLogging(s, containers, issue);
  checkPlatform(s, containers, issue);
  checkPlacement(s, issue, kind);
  return containers;
}

export type Issue = (path: Path, message: string) => void;

function checkDeployment(s: ServiceShape, issue: Issue): void {
  const strategy = s.deployment.strategy;
  const codeDeploy = strategy !== 'rolling';
  if (codeDeploy && s.http === undefined)
    issue(['deployment', 'strategy'], `${strategy} shifts load-balancer traffic, so the service needs an http block`);
  if (codeDeploy && s.deployment.circuitBreaker === true) {
    issue(
      ['deployment', 'circuitBreaker'],
      `the ECS circuit breaker works only with rolling deployments; ${strategy} rolls back through CodeDeploy (use deployment.alarms)`,
    );
  }
  if (strategy === 'canary' && s.deployment.canary === undefined)
    issue(['deployment', 'canary'], 'the canary strategy needs deployment.canary { percent, minutes }');
  if (strategy === 'linear' && s.deployment.linear === undefined)
    issue(['deployment', 'linear'], 'the linear strategy needs deployment.linear { percent, minutes }');
  if (s.deployment.canary !== undefined && strategy !== 'canary')
    issue(['deployment', 'canary'], `deployment.canary applies only to strategy 'canary' (this is '${strategy}')`);
  if (s.deployment.linear !== undefined && strategy !== 'linear')
    issue(['deployment', 'linear'], `deployment.linear applies only to strategy 'linear' (this is '${strategy}')`);
  if (s.scaling !== undefined) {
    if (s.scaling.min > s.scaling.max) issue(['scaling', 'min'], `must not exceed scaling.max (${s.scaling.max})`);
    if (s.scaling.requestsPerTarget !== undefined && s.http === undefined)
      issue(['scaling', 'requestsPerTarget'], 'needs an http block: requests are counted by the load balancer');
  }
}

function checkCapacity(
  s: TaskShape,
  issue: Issue,
  fargateSizes: ReadonlyArray<readonly [number, readonly number[]]>,
  kind: TaskKind,
): void {
  if (s.launchType === 'fargate') {
    if (!fargateSizes.some(([c, m]) => c === s.cpu && m.includes(s.memory))) {
      issue(
        ['memory'],
        `cpu ${s.cpu} with memory ${s.memory} is not a Fargate task size (e.g. 256/512, 512/1024, 1024/2048, 2048/4096, 4096/8192)`,
      );
    }
    if (s.capacityProviderStrategy?.some((p) => p.provider === 'ec2'))
      issue(['capacityProviderStrategy'], `a Fargate ${kind} can use only 'fargate' and 'fargate-spot'`);
  } else if (s.capacityProviderStrategy?.some((p) => p.provider !== 'ec2')) {
    issue(
      ['capacityProviderStrategy'],
      `an EC2 ${kind} can use only the cluster's 'ec2' capacity provider; set launchType: fargate for Fargate`,
    );
  }
  if (s.capacityProviderStrategy !== undefined && !s.capacityProviderStrategy.some((p) => p.weight > 0))
    issue(['capacityProviderStrategy'], 'at least one provider needs a weight above 0');
  const sidecars = Object.values(s.sidecars);
  const sidecarCpu = sidecars.reduce((n, c) => n + (c.cpu ?? 0), 0);
  const sidecarMemory = sidecars.reduce((n, c) => n + (c.memory ?? c.memoryReservation ?? 0), 0);
  if (sidecarCpu >= s.cpu)
    issue(
      ['sidecars'],
      `sidecars reserve ${sidecarCpu} CPU units of the task's ${s.cpu}; leave some for the main container`,
    );
  if (sidecarMemory >= s.memory)
    issue(
      ['sidecars'],
      `sidecars reserve ${sidecarMemory} MiB of the task's ${s.memory}; leave some for the main container`,
    );
  Object.entries(s.sidecars).forEach(([name, c]) => {
    if (c.memory !== undefined && c.memoryReservation !== undefined && c.memoryReservation > c.memory) {
      issue(['sidecars', name, 'memoryReservation'], `must not exceed the container's memory (${c.memory} MiB)`);
    }
  });
}

function checkContainers(s: TaskShape, containers: TaskContainer[], issue: Issue): void {
  const names = containers.map((c) => c.name);
  const main = mainContainerName(s);
  if (s.sidecars[main] !== undefined)
    issue(
      ['sidecars', main],
      `a sidecar may not have the main container's name '${main}'; rename it or set containerName`,
    );
  for (const c of containers) {
    (c.config.dependsOn ?? []).forEach((d, i) => {
      const at = [...c.at, 'dependsOn', i, 'containerName'];
      const target = containers.find((x) => x.name === d.containerName);
      if (target === undefined) return issue(at, unknownContainer(d.containerName, names));
      if (target.name === c.name) return issue(at, 'a container cannot depend on itself');
      if (d.condition === 'HEALTHY' && target.config.healthCheck === undefined) {
        issue([...c.at, 'dependsOn', i, 'condition'], `HEALTHY needs a healthCheck on container '${target.name}'`);
      }
      if ((d.condition === 'COMPLETE' || d.condition === 'SUCCESS') && target.essential) {
        issue(
          [...c.at, 'dependsOn', i, 'condition'],
          `${d.condition} waits for '${target.name}' to exit, so it must not be essential (set sidecars.${target.name}.essential: false)`,
        );
      }
    });
    c.config.volumesFrom.forEach((v, i) => {
      const at = [...c.at, 'volumesFrom', i, 'sourceContainer'];
      if (!names.includes(v.sourceContainer)) issue(at, unknownContainer(v.sourceContainer, names));
      else if (v.sourceContainer === c.name) issue(at, 'a container cannot take volumes from itself');
    });
  }
}

function unknownContainer(name: string, names: string[]): string {
  const guess = closest(name, names);
  return `no container '${name}' in this task${guess ? `; did you mean '${guess}'?` : ''} (containers: ${names.join(', ')})`;
}

function checkPorts(s: TaskShape, containers: TaskContainer[], issue: Issue): void {
  const mode = networkModeOf(s);
  const portNames = new Map<string, string>();
  for (const c of containers) {
    if (c.config.port !== undefined && c.config.portMappings !== undefined)
      issue([...c.at, 'port'], 'give port (one tcp port) or portMappings, not both');
    if (c.config.hostPort !== undefined && c.config.port === undefined)
      issue([...c.at, 'hostPort'], 'hostPort goes with port; in portMappings, set hostPort on the mapping');
    const shorthand = c.config.portMappings === undefined;
    const seen = new Set<string>();
    portMappingsOf(c.config).forEach((m, i) => {
      const at = shorthand ? [...c.at] : [...c.at, 'portMappings', i];
      if (mode !== 'bridge' && m.hostPort !== undefined && m.hostPort !== m.containerPort) {
        issue(
          [...at, 'hostPort'],
          mode === 'awsvpc' && s.launchType === 'fargate'
            ? `Fargate (awsvpc) requires hostPort to equal the container port (${m.containerPort}); remove hostPort`
            : `${mode} network mode requires hostPort to equal the container port (${m.containerPort}); remove hostPort`,
        );
      }
      const key = `${m.containerPort}/${m.protocol}`;
      if (seen.has(key)) issue(at, `port ${key} is mapped twice in container '${c.name}'`);
      seen.add(key);
      if (m.name !== undefined) {
        const other = portNames.get(m.name);
        if (other !== undefined)
          issue(
            [...at, 'name'],
            `port name '${m.name}' is already used in container '${other}': names are unique in a task`,
          );
        portNames.set(m.name, c.name);
      }
      if (m.appProtocol !== undefined && m.protocol === 'udp')
        issue([...at, 'appProtocol'], 'appProtocol applies to tcp ports only');
    });
  }
  if (s.http !== undefined) {
    const target = s.http.containerName ?? mainContainerName(s);
    const c = containers.find((x) => x.name === target);
    if (c === undefined)
      return issue(
        ['http', 'containerName'],
        unknownContainer(
          target,
          containers.map((x) => x.name),
        ),
      );
    const mappings = portMappingsOf(c.config);
    if (mappings.length === 0) {
      return issue(
        c.main ? ['port'] : ['http', 'containerName'],
        c.main
          ? 'a service with an http block needs the container port it listens on'
          : `container '${target}' has no port mapping for the load balancer`,
      );
    }
    const lb = loadBalancedPort(s);
    if (lb === undefined)
      return issue(
        ['http', 'containerPort'],
        `container '${target}' maps no port ${s.http.containerPort}; its ports: ${mappings.map((m) => m.containerPort).join(', ')}`,
      );
    if (lb.mapping.protocol !== 'tcp')
      issue(
        ['http', 'containerPort'],
        `port ${lb.mapping.containerPort} is udp, and the load balancer speaks HTTP over tcp; target a tcp port`,
      );
  }
}

function checkVolumes(s: TaskShape, containers: TaskContainer[], issue: Issue): void {
  const fargate = s.launchType === 'fargate';
  const names = s.volumes.map((v) => v.name);
  s.volumes.forEach((v, i) => {
    const at: Path = ['volumes', i];
    if (names.indexOf(v.name) !== i) issue([...at, 'name'], `volume '${v.name}' is defined twice`);
    const kinds = [
      v.host && 'host',
      v.efsVolumeConfiguration && 'efsVolumeConfiguration',
      v.dockerVolumeConfiguration && 'dockerVolumeConfiguration',
    ].filter(Boolean);
    if (kinds.length > 1) issue(at, `a volume is one kind: give only one of ${kinds.join(', ')}`);
    if (fargate && v.host !== undefined)
      issue(
        [...at, 'host'],
        'Fargate has no host folders to bind: remove host (a volume with only a name lives as long as the task)',
      );
    if (fargate && v.dockerVolumeConfiguration !== undefined)
      issue(
        [...at, 'dockerVolumeConfiguration'],
        'Docker volumes are EC2 only; on Fargate use EFS or a task volume (name only)',
      );
    const efs = v.efsVolumeConfiguration;
    if (efs !== undefined) {
      if (
        efs.transitEncryption === 'DISABLED' &&
        (efs.authorizationConfig.iam === 'ENABLED' || efs.authorizationConfig.accessPointId !== undefined)
      ) {
        issue(
          [...at, 'efsVolumeConfiguration', 'transitEncryption'],
          'IAM authorization and access points need transitEncryption: ENABLED',
        );
      }
      if (
        efs.authorizationConfig.accessPointId !== undefined &&
        efs.rootDirectory !== undefined &&
        efs.rootDirectory !== '/'
      ) {
        issue(
          [...at, 'efsVolumeConfiguration', 'rootDirectory'],
          "with an access point the root directory is the access point's: remove rootDirectory",
        );
      }
    }
  });
  for (const c of containers) {
    c.config.mountPoints.forEach((m, i) => {
      if (!names.includes(m.sourceVolume)) {
        const guess = closest(m.sourceVolume, names);
        issue(
          [...c.at, 'mountPoints', i, 'sourceVolume'],
          `no volume '${m.sourceVolume}' in volumes${guess ? `; did you mean '${guess}'?` : names.length ? ` (volumes: ${names.join(', ')})` : '; add it under volumes'}`,
        );
      }
    });
  }
}

function checkLogging(s: TaskShape, containers: TaskContainer[], issue: Issue): void {
  const routers = containers.filter((c) => c.config.firelensConfiguration !== undefined);
  routers
    .slice(1)
    .forEach((c) =>
      issue(
        [...c.at, 'firelensConfiguration'],
        `the task already has a FireLens log router ('${routers[0]!.name}'); a task has one`,
      ),
    );
  for (const c of containers) {
    const log = c.config.logConfiguration;
    const at = [...c.at, 'logConfiguration'];
    if (log.logDriver === 'awsfirelens') {
      if (routers.length === 0)
        issue(
          [...at, 'logDriver'],
          'awsfirelens sends logs through a FireLens log router, and this task has none: add a sidecar with firelensConfiguration (e.g. public.ecr.aws/aws-observability/aws-for-fluent-bit)',
        );
      else if (c.config.firelensConfiguration !== undefined)
        issue([...at, 'logDriver'], 'the log router cannot send its own logs through itself: use awslogs');
    }
    if (s.launchType === 'fargate' && !FARGATE_LOG_DRIVERS.includes(log.logDriver))
      issue([...at, 'logDriver'], `Fargate supports the log drivers ${FARGATE_LOG_DRIVERS.join(', ')}`);
    if (log.ownLogGroup && log.logDriver !== 'awslogs')
      issue([...at, 'ownLogGroup'], 'ownLogGroup applies to the awslogs driver');
    if (log.logDriver === 'none' && (Object.keys(log.options).length > 0 || Object.keys(log.secretOptions).length > 0))
      issue([...at, 'options'], "logDriver 'none' takes no options");
  }
}

function checkPlatform(s: TaskShape, containers: TaskContainer[], issue: Issue): void {
  const fargate = s.launchType === 'fargate';
  const mode = networkModeOf(s);
  const arm = s.runtimePlatform?.cpuArchitecture === 'ARM64';
  const windows = (s.runtimePlatform?.operatingSystemFamily ?? 'LINUX') !== 'LINUX';
  if (fargate && s.networkMode !== undefined && s.networkMode !== 'awsvpc')
    issue(['networkMode'], 'Fargate tasks use awsvpc networking only');
  if (arm && s.capacityProviderStrategy?.some((p) => p.provider === 'fargate-spot')) {
    issue(
      ['runtimePlatform', 'cpuArchitecture'],
      'Fargate Spot runs X86_64 tasks only: use the fargate provider alone for ARM64, or X86_64 images',
    );
  }
  if (!fargate && s.ephemeralStorage !== undefined)
    issue(
      ['ephemeralStorage'],
      "Fargate only: on EC2 the task's storage is the instance's volume (cluster.ec2.rootVolumeSize)",
    );
  if (fargate && s.ipcMode !== undefined) issue(['ipcMode'], 'Fargate does not support ipcMode');
  if (fargate && s.pidMode === 'host') issue(['pidMode'], "Fargate supports pidMode 'task' only");
  if (windows) {
    s.volumes.forEach(
      (v, i) =>
        v.efsVolumeConfiguration &&
        issue(['volumes', i, 'efsVolumeConfiguration'], 'EFS volumes are not supported on Windows tasks'),
    );
    if (s.pidMode !== undefined) issue(['pidMode'], 'pidMode is not supported on Windows tasks');
    if (s.ipcMode !== undefined) issue(['ipcMode'], 'ipcMode is not supported on Windows tasks');
    if (mode === 'host') issue(['networkMode'], 'Windows tasks use awsvpc (or default) networking, not host');
  }
  for (const c of containers) {
    const lp = c.config.linuxParameters;
    if (lp === undefined) continue;
    const at = [...c.at, 'linuxParameters'];
    if (windows) issue(at, 'linuxParameters apply to Linux tasks only');
    if (fargate && lp.sharedMemorySize !== undefined)
      issue([...at, 'sharedMemorySize'], 'Fargate does not support sharedMemorySize');
    const added = lp.capabilities?.add ?? [];
    if (fargate && added.some((x) => x !== 'SYS_PTRACE'))
      issue([...at, 'capabilities', 'add'], 'Fargate can add only the SYS_PTRACE capability');
  }
}

function checkPlacement(s: TaskShape, issue: Issue, kind: TaskKind): void {
  const fargate = s.launchType === 'fargate';
  const mode = networkModeOf(s);
  if (s.networkConfiguration !== undefined && mode !== 'awsvpc')
    issue(
      ['networkConfiguration'],
      `networkConfiguration applies to awsvpc tasks; this ${kind} uses ${mode} (set networkMode: awsvpc)`,
    );
  if (fargate && s.placementConstraints !== undefined)
    issue(['placementConstraints'], 'Fargate places tasks itself: placementConstraints are EC2 only');
  if (fargate && s.placementStrategy !== undefined)
    issue(['placementStrategy'], 'Fargate places tasks itself: placementStrategy is EC2 only');
  (s.placementConstraints ?? []).forEach((p, i) => {
    if (p.type === 'memberOf' && p.expression === undefined)
      issue(
        ['placementConstraints', i, 'expression'],
        'memberOf needs an expression, e.g. attribute:ecs.instance-type =~ t3.*',
      );
    if (p.type === 'distinctInstance' && p.expression !== undefined)
      issue(['placementConstraints', i, 'expression'], 'distinctInstance takes no expression');
  });
  (s.placementStrategy ?? []).forEach((p, i) => {
    if (p.type === 'random' && p.field !== undefined) issue(['placementStrategy', i, 'field'], 'random takes no field');
    if (p.type === 'binpack' && p.field !== 'cpu' && p.field !== 'memory')
      issue(['placementStrategy', i, 'field'], 'binpack needs field: cpu or memory');
    if (p.type === 'spread' && p.field === undefined)
      issue(
        ['placementStrategy', i, 'field'],
        'spread needs a field, e.g. attribute:ecs.availability-zone or instanceId',
      );
  });
}

function checkServiceConnect(s: ServiceShape, containers: TaskContainer[], issue: Issue): void {
  const mode = networkModeOf(s);
  const sc = s.serviceConnect;
  if (sc !== undefined && sc.enabled) {
    if (mode === 'host') issue(['serviceConnect'], 'Service Connect works with awsvpc and bridge networking, not host');
    if (s.deployment.strategy !== 'rolling')
      issue(
        ['serviceConnect'],
        `Service Connect works with the ECS deployment controller (rolling), not with CodeDeploy's ${s.deployment.strategy}`,
      );
    const named = new Map<string, PortMapping>();
    for (const c of containers)
      for (const m of portMappingsOf(c.config)) if (m.name !== undefined) named.set(m.name, m);
    const discovery = new Set<string>();
    sc.services.forEach((svc, i) => {
      const mapping = named.get(svc.portName);
      if (mapping === undefined) {
        const guess = closest(svc.portName, [...named.keys()]);
        issue(
          ['serviceConnect', 'services', i, 'portName'],
          `no port mapping named '${svc.portName}'${guess ? `; did you mean '${guess}'?` : named.size ? ` (named ports: ${[...named.keys()].join(', ')})` : ': name one in portMappings (name: ...)'}`,
        );
      } else if (mapping.protocol !== 'tcp') {
        issue(['serviceConnect', 'services', i, 'portName'], 'Service Connect publishes tcp ports only');
      }
      const d = svc.discoveryName ?? svc.portName;
      if (discovery.has(d))
        issue(['serviceConnect', 'services', i, 'discoveryName'], `discovery name '${d}' is used twice`);
      discovery.add(d);
    });
  }
}

export function checkRole(s: Pick<TaskShape, 'taskRoleArn' | 'permissions' | 'managedPolicies'>, issue: Issue): void {
  if (s.taskRoleArn === undefined) return;
  if (s.permissions.length > 0)
    issue(['permissions'], 'with taskRoleArn the task role is yours: grant these in that role, or remove taskRoleArn');
  if (s.managedPolicies.length > 0)
    issue(['managedPolicies'], 'with taskRoleArn the task role is yours: attach these to it, or remove taskRoleArn');
}

/** Which of SERVICE_RESOURCES this service's stack has. */
export function serviceResourceNames(s: ServiceShape): string[] {
  const codeDeploy = s.deployment.strategy !== 'rolling';
  const awsvpc = networkModeOf(s) === 'awsvpc';
  const grants =
    s.permissions.length > 0 ||
    s.enableExecuteCommand ||
    s.volumes.some((v) => v.efsVolumeConfiguration?.authorizationConfig.iam === 'ENABLED');
  const present: Record<string, boolean> = {
    TaskRole: s.taskRoleArn === undefined,
    TaskPolicy: s.taskRoleArn === undefined && grants,
    TaskSecurityGroup: awsvpc,
    TaskEgress: awsvpc,
    TaskIngressFromAlb: awsvpc && s.http !== undefined,
    TargetGroup: s.http !== undefined,
    ListenerRule: s.http !== undefined,
    GreenTargetGroup: codeDeploy,
    TestListenerRule: codeDeploy,
    DeployApp: codeDeploy,
    DeploymentGroup: codeDeploy,
    ScalingTarget: s.scaling !== undefined,
  };
  return Object.keys(SERVICE_RESOURCES).filter((name) => present[name] ?? true);
}

/**
 * `overrides:` name resources the stack has (`present`, out of `catalog`), and container fields of
 * containers the task has.
 */
export function checkOverrides(
  s: Pick<TaskShape, 'overrides'>,
  containers: TaskContainer[],
  issue: Issue,
  present: readonly string[],
  catalog: Readonly<Record<string, { readonly type: string; readonly when: string }>>,
  kind: TaskKind,
): void {
  for (const [resource, paths] of Object.entries(s.overrides)) {
    if (!present.includes(resource)) {
      const known = catalog[resource];
      const guess = closest(resource, present);
      issue(
        ['overrides', resource],
        known
          ? `this ${kind} has no ${resource} (${known.type}, ${known.when})`
          : `no resource '${resource}' in the ${kind} stack${guess ? `; did you mean '${guess}'?` : ''} (resources: ${present.join(', ')})`,
      );
      continue;
    }
    for (const path of Object.keys(paths)) {
      if (path.split('.').some((seg) => seg === '')) {
        issue(
          ['overrides', resource, path],
          'must be a dotted Terraform argument path such as health_check_grace_period_seconds or deployment_circuit_breaker.enable',
        );
        continue;
      }
      if (resource === 'TaskDefinition' && path.startsWith('container_definitions.')) {
        const name = path.split('.')[1]!;
        if (!containers.some((c) => c.name === name))
          issue(
            ['overrides', resource, path],
            unknownContainer(
              name,
              containers.map((c) => c.name),
            ),
          );
        else if (path.split('.').length < 3)
          issue(
            ['overrides', resource, path],
            'name a field of the container definition: container_definitions.<container>.<field>',
          );
      }
    }
  }
}
