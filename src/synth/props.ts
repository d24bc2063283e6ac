/**
 * Resolved configuration → plain stack props. The only place that knows both the config model and
 * the stacks' props, so stacks never see zod types and config never sees cdktf.
 */
import { relative, resolve } from 'node:path';
import { drainLambdaSource } from '../paths';
import type { ResolvedEnvironment, ResolvedJob, ResolvedProject, ResolvedService } from '../config/load';
import { toAwsCron, toAwsRate } from '../config/cron';
import { flexibleWindowMinutes } from '../config/job';
import type {
  AdoptProps,
  ClusterStackProps,
  JobStackProps,
  RegistryStackProps,
  ServiceStackProps,
  StackBaseProps,
  StateBackendProps,
} from '../../stacks/props';
import { importIds, type AdoptConfig } from '../config/adopt';
import { jobRepositoryName, repositoryName } from '../../stacks/names';
import { AUTO_PRIORITY_START, ENV_HEADER, SLOT_SIZE } from '../config/ephemeral';
import { clusterStackName, hostClusterStack, stackWorkDir } from './stack-order';
import { flattenOverrides } from '../config/overrides';
import {
  loadBalancerTarget,
  partitionOf,
  serviceConnectNamespaceName,
  taskProps,
  usesServiceConnect,
} from './task-props';

export { stackWorkDir } from './stack-order';

/** `env`: the environment whose role reaches the state when `state.role` is not set; none: the registry's. */
function backendFor(
  project: ResolvedProject,
  stackDir: string,
  endpoint: string | undefined,
  env: ResolvedEnvironment | undefined,
): StateBackendProps {
  const state = project.config.state;
  if (state.backend === 'local') {
    return { kind: 'local', dir: relative(stackDir, resolve(project.root, state.path)) || '.' };
  }
  const roleArn = state.role ?? (env ? env.config.role : project.config.registry?.role);
  return {
    kind: 's3',
    bucket: state.bucket,
    prefix: state.prefix,
    region: state.region ?? project.config.region,
    ...(state.lockTable ? { lockTable: state.lockTable } : {}),
    ...(endpoint ? { endpoint } : {}),
    ...(roleArn ? { roleArn } : {}),
  };
}

/** The provider's role and allowed account: the environment's `account:`/`role:`, or the registry's. */
function accountProps(
  keys:
    | {
        account?: string | undefined;
        role?: string | undefined;
        externalId?: string | undefined;
        sessionName?: string | undefined;
      }
    | undefined,
): Pick<StackBaseProps, 'assumeRole' | 'allowedAccountIds'> {
  if (keys === undefined) return {};
  return {
    ...(keys.role
      ? {
          assumeRole: {
            roleArn: keys.role,
            ...(keys.externalId ? { externalId: keys.externalId } : {}),
            ...(keys.sessionName ? { sessionName: keys.sessionName } : {}),
          },
        }
      : {}),
    ...(keys.account ? { allowedAccountIds: [keys.account] } : {}),
  };
}

/** Where the service's own repository is when the registry names its account (else it is looked up by name). */
function registryOf(
  project: ResolvedProject,
): { registry: { account: string; region: string } } | Record<string, never> {
  const account = project.config.registry?.account;
  return account ? { registry: { account, region: project.config.region } } : {};
}

function baseProps(
  project: ResolvedProject,
  env: ResolvedEnvironment | undefined,
  stack: string,
  outDir: string,
  extraTags: Record<string, string> = {},
): StackBaseProps {
  const endpoint = env?.endpoint;
  return {
    project: project.config.project,
    environment: env?.name ?? 'shared',
    region: env?.region ?? project.config.region,
    ...(endpoint ? { endpoint } : {}),
    backend: backendFor(project, stackWorkDir(outDir, stack), endpoint, env),
    ...accountProps(env ? env.config : project.config.registry),
    tags: sortedTags({
      ...project.config.tags,
      ...(env?.tags ?? {}),
      'project': project.config.project,
      ...(env ? { environment: env.name } : {}),
      ...extraTags,
      'managed-by': 'ecsdeploy',
    }),
  };
}

function sortedTags(tags: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(tags).sort(([a], [b]) => a.localeCompare(b)));
}

export function registryProps(project: ResolvedProject, outDir: string, stack: string): RegistryStackProps {
  const { environment: _env, ...base } = baseProps(project, undefined, stack, outDir);
  // The registry is shared: it goes to the project's endpoint, else to the one endpoint every
  // loaded environment uses (a project run entirely against moto or LocalStack).
  const endpoints = new Set(project.environments.map((e) => e.endpoint));
  const endpoint = project.config.endpoint ?? (endpoints.size === 1 ? [...endpoints][0] : undefined);
  // Every environment's account but the registry's own (there, the execution roles' IAM grants suffice).
  const pullAccounts = (project.accounts ?? []).filter((a) => a !== project.config.registry?.account);
  const encryption = project.config.registry?.encryptionConfiguration;
  return {
    ...base,
    ...(endpoint ? { endpoint, backend: backendFor(project, stackWorkDir(outDir, stack), endpoint, undefined) } : {}),
    ...(pullAccounts.length ? { pullAccounts, partition: partitionOf(project.config.region) } : {}),
    ...(encryption ? { encryption } : {}),
    repositories: [...project.repositories].sort((a, b) => a.service.localeCompare(b.service)),
    ...(project.jobRepositories?.length
      ? { jobRepositories: [...project.jobRepositories].sort((a, b) => a.job.localeCompare(b.job)) }
      : {}),
  };
}

export function clusterProps(project: ResolvedProject, env: ResolvedEnvironment, outDir: string): ClusterStackProps {
  const c = env.config;
  const ec2 = c.cluster.ec2;
  const needsTestListener = env.services.some((s) => s.deployment.strategy !== 'rolling');
  const stack = clusterStackName(env.name);
  return {
    ...baseProps(project, env, stack, outDir),
    ...(c.network.egress ? { egress: c.network.egress } : {}),
    network:
      'create' in c.network
        ? { kind: 'create', ...c.network.create }
        : {
            kind: 'existing',
            vpcId: c.network.vpcId,
            publicSubnets: c.network.publicSubnets,
            privateSubnets: c.network.privateSubnets,
          },
    ...(c.cluster.existing !== undefined ? { existingCluster: c.cluster.existing } : {}),
    loadBalancer: {
      ...(c.loadBalancer.existing
        ? {
            existing: {
              listenerArn: c.loadBalancer.existing.listenerArn,
              ...(c.loadBalancer.existing.securityGroupId
                ? { securityGroupId: c.loadBalancer.existing.securityGroupId }
                : {}),
            },
          }
        : {}),
      ...(c.loadBalancer.certificateArn ? { certificateArn: c.loadBalancer.certificateArn } : {}),
      internal: c.loadBalancer.internal,
      idleTimeout: c.loadBalancer.idleTimeout,
      ...(needsTestListener ? { testListenerPort: c.loadBalancer.testListenerPort } : {}),
      deletionProtection: c.loadBalancer.deletionProtection ?? c.protected,
      ...(c.loadBalancer.accessLogs ? { accessLogs: { ...c.loadBalancer.accessLogs } } : {}),
    },
    containerInsights: c.cluster.containerInsights,
    ...(ec2
      ? {
          ec2: {
            instanceTypes: ec2.instanceTypes,
            amiParameter: ec2.ami,
            minSize: ec2.minSize,
            maxSize: ec2.maxSize,
            ...(ec2.desiredCapacity !== undefined ? { desiredCapacity: ec2.desiredCapacity } : {}),
            targetCapacity: ec2.targetCapacity,
            rootVolumeSize: ec2.rootVolumeSize,
            ...(ec2.spot ? { spot: ec2.spot } : {}),
            draining: ec2.draining,
            schedules: ec2.schedules,
          },
        }
      : {}),
    fargate: c.cluster.fargate,
    fargateSpot: c.cluster.fargateSpot,
    ...(usesServiceConnect(env)
      ? { serviceConnectNamespace: serviceConnectNamespaceName(project.config.project, env.name) }
      : {}),
    overrides: flattenOverrides(c.overrides),
    drainLambdaSource: drainLambdaSource(),
  };
}

/**
 * Listener-rule priorities: explicit ones stay; the rest go most specific first (hosts, then the
 * longest path), from AUTO_PRIORITY_START in steps of 10. A shared environment on demand numbers
 * its rules inside its slot (1 + slot*100, +1 each), below every base environment's rule.
 */
export function rulePriorities(env: Pick<ResolvedEnvironment, 'services' | 'ephemeral'>): Map<string, number> {
  const services = env.services;
  const shared = env.ephemeral !== undefined && !env.ephemeral.isolated;
  const [start, step] = shared ? [1 + env.ephemeral!.slot * SLOT_SIZE, 1] : [AUTO_PRIORITY_START, 10];
  const out = new Map<string, number>();
  const taken = new Set<number>();
  // An adopted service's rule keeps its priority (adopt.listenerRule), in every environment.
  const fixed = (s: ResolvedService) => s.adopt?.listenerRule?.priority ?? (shared ? undefined : s.http?.priority);
  for (const s of services) {
    const p = fixed(s);
    if (p !== undefined && s.http !== undefined) {
      out.set(s.name, p);
      taken.add(p);
    }
  }
  const specificity = (s: ResolvedService) =>
    Math.max(0, ...(s.http?.paths ?? []).map((p) => p.replace(/\*.*$/, '').length));
  const auto = services
    .filter((s) => s.http !== undefined && fixed(s) === undefined)
    .sort(
      (a, b) =>
        Number(b.http!.hosts !== undefined) - Number(a.http!.hosts !== undefined) ||
        specificity(b) - specificity(a) ||
        a.name.localeCompare(b.name),
    );
  let next = start;
  for (const s of auto) {
    while (taken.has(next)) next += step;
    out.set(s.name, next);
    taken.add(next);
    next += step;
  }
  return out;
}

/**
 * The image a task runs: the released one (a `sha256:` digest in the own repository, or a full
 * reference), else the config's image.tag / image.digest; `external` when it is outside the own
 * repository.
 */
function imageOf(
  image: ResolvedService['image'],
  released: string | undefined,
): { imageVersion: string; external?: string } {
  const fullReference = released !== undefined && !released.startsWith('sha256:');
  const digest = fullReference ? undefined : (released ?? image.digest);
  const imageVersion = fullReference ? released.slice(released.lastIndexOf('@') + 1) : (digest ?? image.tag!);
  const external = fullReference
    ? released
    : image.repository === undefined
      ? undefined
      : digest
        ? `${image.repository}@${digest}`
        : `${image.repository}:${image.tag}`;
  return { imageVersion, ...(external !== undefined ? { external } : {}) };
}

/**
 * A scheduled job's stack: its task exactly as a service's (./task-props), its schedule in
 * EventBridge Scheduler's words. `released` as for serviceProps.
 */
export function jobProps(
  project: ResolvedProject,
  env: ResolvedEnvironment,
  job: ResolvedJob,
  stack: string,
  outDir: string,
  released?: string,
): JobStackProps {
  const base = baseProps(project, env, stack, outDir, { job: job.name });
  const { imageVersion, external } = imageOf(job.image, released);
  const s = job.schedule;
  const window = s.flexibleWindow === 'off' ? undefined : flexibleWindowMinutes(s.flexibleWindow);
  const dlq = job.deadLetterQueue;
  return {
    ...base,
    job: job.name,
    clusterState: {
      ...backendFor(project, stackWorkDir(outDir, stack), env.endpoint, env),
      stack: hostClusterStack(env),
    },
    repositoryName: jobRepositoryName(project.config.project, job.name),
    ...(external ? { externalImage: external } : registryOf(project)),
    imageVersion,
    launchType: job.launchType,
    ...(job.capacityProviderStrategy ? { capacityProviderStrategy: job.capacityProviderStrategy } : {}),
    cpu: job.cpu,
    memory: job.memory,
    ...taskProps(env, job, base.region, project.config.project, external),
    logRetentionDays: job.logs.retention,
    ...(job.logs.kmsKeyId !== undefined ? { logKmsKeyId: job.logs.kmsKeyId } : {}),
    scheduleExpression: s.cron !== undefined ? toAwsCron(s.cron) : toAwsRate(s.rate!),
    timezone: s.timezone,
    ...(window !== undefined ? { flexibleWindowMinutes: window } : {}),
    ...(s.startDate !== undefined ? { startDate: new Date(s.startDate).toISOString().replace(/\.000Z$/, 'Z') } : {}),
    ...(s.endDate !== undefined ? { endDate: new Date(s.endDate).toISOString().replace(/\.000Z$/, 'Z') } : {}),
    retryPolicy: {
      maximumRetryAttempts: job.retryPolicy.maximumRetryAttempts,
      maximumEventAgeSeconds: job.retryPolicy.maximumEventAge,
    },
    ...(dlq === true
      ? { deadLetterQueue: { kind: 'create' as const } }
      : typeof dlq === 'object'
        ? { deadLetterQueue: { kind: 'existing' as const, arn: dlq.arn } }
        : {}),
    enabled: job.enabled,
  };
}

/**
 * `released`: the image the release store says runs here, a `sha256:` digest in the service's
 * repository (or in its image.repository) or a full `repo@sha256:...` reference; without one, the
 * config's image.tag / image.digest. `held`: the task definition the ECS service stays on while a
 * release's deployment.before commands run.
 */
export function serviceProps(
  project: ResolvedProject,
  env: ResolvedEnvironment,
  svc: ResolvedService,
  stack: string,
  outDir: string,
  priority: number | undefined,
  released?: string,
  held?: string,
  adopted?: AdoptionRecord,
): ServiceStackProps {
  const base = baseProps(project, env, stack, outDir, { service: svc.name });
  const clusterStack = hostClusterStack(env);
  const shared = env.ephemeral !== undefined && !env.ephemeral.isolated;
  // On a shared cluster and load balancer, an environment on demand is told apart by its host name
  // (or a header, without a domain), and its ECS service by its name.
  const domain = env.config.loadBalancer.domain;
  const route = !shared
    ? {}
    : domain
      ? { hosts: [`${env.name}.${domain}`] }
      : { header: { name: ENV_HEADER, values: [env.name] } };
  const { imageVersion, external } = imageOf(svc.image, released);
  const lb = loadBalancerTarget(svc);
  const adopt = svc.adopt;
  return {
    ...base,
    service: svc.name,
    serviceName: adopt !== undefined ? adopt.serviceName : shared ? `${env.name}-${svc.name}` : svc.name,
    ...(adopt !== undefined ? { adopt: adoptProps(adopt, adopted) } : {}),
    clusterState: { ...backendFor(project, stackWorkDir(outDir, stack), env.endpoint, env), stack: clusterStack },
    repositoryName: repositoryName(project.config.project, svc.name),
    ...(external ? { externalImage: external } : registryOf(project)),
    imageVersion,
    ...(held !== undefined ? { heldTaskDefinitionArn: held } : {}),
    launchType: svc.launchType,
    ...(svc.capacityProviderStrategy ? { capacityProviderStrategy: svc.capacityProviderStrategy } : {}),
    cpu: svc.cpu,
    memory: svc.memory,
    desiredCount: svc.count,
    ...taskProps(env, svc, base.region, project.config.project, external),
    logRetentionDays: svc.logs.retention,
    ...(svc.logs.kmsKeyId !== undefined ? { logKmsKeyId: svc.logs.kmsKeyId } : {}),
    ...(svc.http && lb
      ? {
          http: {
            ...lb,
            ...(svc.http.paths ? { paths: svc.http.paths } : {}),
            ...(svc.http.hosts ? { hosts: svc.http.hosts } : {}),
            ...route,
            priority: adopt?.listenerRule?.priority ?? priority ?? AUTO_PRIORITY_START,
            healthCheck: svc.http.healthCheck,
            deregistrationDelay: svc.http.deregistrationDelay,
            healthCheckGracePeriod: svc.http.healthCheckGracePeriod,
          },
        }
      : {}),
    deployment: {
      strategy: svc.deployment.strategy,
      minimumHealthyPercent: svc.deployment.minimumHealthyPercent,
      maximumPercent: svc.deployment.maximumPercent,
      circuitBreaker: svc.deployment.circuitBreaker ?? svc.deployment.strategy === 'rolling',
      alarms: svc.deployment.alarms,
      ...(svc.deployment.canary ? { canary: svc.deployment.canary } : {}),
      ...(svc.deployment.linear ? { linear: svc.deployment.linear } : {}),
      terminationWait: svc.deployment.terminationWait,
    },
    ...(svc.scaling
      ? {
          scaling: {
            min: svc.scaling.min,
            max: svc.scaling.max,
            ...(svc.scaling.cpu !== undefined ? { cpu: svc.scaling.cpu } : {}),
            ...(svc.scaling.memory !== undefined ? { memory: svc.scaling.memory } : {}),
            ...(svc.scaling.requestsPerTarget !== undefined
              ? { requestsPerTarget: svc.scaling.requestsPerTarget }
              : {}),
            scaleInCooldown: svc.scaling.scaleInCooldown,
            scaleOutCooldown: svc.scaling.scaleOutCooldown,
            ...(svc.scaling.step ? { step: svc.scaling.step } : {}),
            schedules: svc.scaling.schedules.map((s) => ({
              name: s.name,
              schedule: toAwsCron(s.cron),
              ...(s.timezone ? { timezone: s.timezone } : {}),
              ...(s.min !== undefined ? { min: s.min } : {}),
              ...(s.max !== undefined ? { max: s.max } : {}),
            })),
          },
        }
      : {}),
  };
}

/** What the release store says of a service's adoption: the ECS service an apply imported. */
export interface AdoptionRecord {
  readonly serviceName: string;
  readonly cluster: string;
}

/**
 * An adopted service's names, and its import blocks until the release store records that an apply
 * imported this same ECS service (another service named in `adopt` is imported again).
 */
export function adoptProps(adopt: AdoptConfig, adopted: AdoptionRecord | undefined): AdoptProps {
  const done = adopted !== undefined && adopted.serviceName === adopt.serviceName && adopted.cluster === adopt.cluster;
  const policies = adopt.scaling?.policies ?? {};
  return {
    ...(done ? {} : { imports: importIds(adopt) }),
    ...(adopt.targetGroup ? { targetGroupName: adopt.targetGroup.name } : {}),
    ...(adopt.targetGroup?.port !== undefined ? { targetGroupPort: adopt.targetGroup.port } : {}),
    ...(adopt.logGroup !== undefined ? { logGroupName: adopt.logGroup } : {}),
    ...(adopt.taskDefinitionFamily !== undefined ? { taskFamily: adopt.taskDefinitionFamily } : {}),
    ...(adopt.launchType === 'EC2' || adopt.launchType === 'FARGATE' ? { launchType: adopt.launchType } : {}),
    policyNames: Object.fromEntries(Object.entries(policies).filter(([, n]) => n !== undefined)),
  };
}
