/**
 * Resolved configuration → plain stack props. The only place that knows both the config model and
 * the stacks' props, so stacks never see zod types and config never sees cdktf.
 */
import { relative, resolve } from 'node:path';
import { drainLambdaSource } from '../paths';
import type { ResolvedEnvironment, ResolvedProject, ResolvedService } from '../config/load';
import { toAwsCron } from '../config/cron';
import type { ClusterStackProps, RegistryStackProps, ServiceStackProps, StackBaseProps, StateBackendProps } from '../../stacks/props';
import { repositoryName } from '../../stacks/registry-stack';
import { AUTO_PRIORITY_START, ENV_HEADER, SLOT_SIZE } from '../config/ephemeral';
import { clusterStackName, hostClusterStack, stackWorkDir } from './plan';
import { flattenOverrides } from '../config/overrides';
import { loadBalancerTarget, serviceConnectNamespaceName, taskProps, usesServiceConnect } from './task-props';

export { stackWorkDir } from './plan';


function backendFor(project: ResolvedProject, stackDir: string, endpoint: string | undefined): StateBackendProps {
  const state = project.config.state;
  if (state.backend === 'local') {
    return { kind: 'local', dir: relative(stackDir, resolve(project.root, state.path)) || '.' };
  }
  return {
    kind: 's3',
    bucket: state.bucket,
    prefix: state.prefix,
    region: state.region ?? project.config.region,
    ...(state.lockTable ? { lockTable: state.lockTable } : {}),
    ...(endpoint ? { endpoint } : {}),
  };
}

function baseProps(project: ResolvedProject, env: ResolvedEnvironment | undefined, stack: string, outDir: string, extraTags: Record<string, string> = {}): StackBaseProps {
  const endpoint = env?.endpoint;
  return {
    project: project.config.project,
    environment: env?.name ?? 'shared',
    region: env?.region ?? project.config.region,
    ...(endpoint ? { endpoint } : {}),
    backend: backendFor(project, stackWorkDir(outDir, stack), endpoint),
    tags: sortedTags({
      ...project.config.tags,
      ...(env?.tags ?? {}),
      project: project.config.project,
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
  return {
    ...base,
    ...(endpoint ? { endpoint, backend: backendFor(project, stackWorkDir(outDir, stack), endpoint) } : {}),
    repositories: [...project.repositories].sort((a, b) => a.service.localeCompare(b.service)),
  };
}

export function clusterProps(project: ResolvedProject, env: ResolvedEnvironment, outDir: string): ClusterStackProps {
  const c = env.config;
  const ec2 = c.cluster.ec2;
  const needsTestListener = env.services.some((s) => s.deployment.strategy !== 'rolling');
  const stack = clusterStackName(env.name);
  return {
    ...baseProps(project, env, stack, outDir),
    network:
      'create' in c.network
        ? { kind: 'create', ...c.network.create }
        : { kind: 'existing', vpcId: c.network.vpcId, publicSubnets: c.network.publicSubnets, privateSubnets: c.network.privateSubnets },
    loadBalancer: {
      ...(c.loadBalancer.certificateArn ? { certificateArn: c.loadBalancer.certificateArn } : {}),
      internal: c.loadBalancer.internal,
      idleTimeout: c.loadBalancer.idleTimeout,
      ...(needsTestListener ? { testListenerPort: c.loadBalancer.testListenerPort } : {}),
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
    ...(usesServiceConnect(env) ? { serviceConnectNamespace: serviceConnectNamespaceName(project.config.project, env.name) } : {}),
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
  for (const s of services) {
    if (s.http?.priority !== undefined && !shared) {
      out.set(s.name, s.http.priority);
      taken.add(s.http.priority);
    }
  }
  const specificity = (s: ResolvedService) => Math.max(0, ...(s.http?.paths ?? []).map((p) => p.replace(/\*.*$/, '').length));
  const auto = services
    .filter((s) => s.http !== undefined && (shared || s.http.priority === undefined))
    .sort((a, b) => Number(b.http!.hosts !== undefined) - Number(a.http!.hosts !== undefined) || specificity(b) - specificity(a) || a.name.localeCompare(b.name));
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
 * `released`: the image the release store says runs here, a `sha256:` digest in the service's
 * repository (or in its image.repository) or a full `repo@sha256:...` reference; without one, the
 * config's image.tag / image.digest.
 */
export function serviceProps(project: ResolvedProject, env: ResolvedEnvironment, svc: ResolvedService, stack: string, outDir: string, priority: number | undefined, released?: string): ServiceStackProps {
  const base = baseProps(project, env, stack, outDir, { service: svc.name });
  const clusterStack = hostClusterStack(env);
  const shared = env.ephemeral !== undefined && !env.ephemeral.isolated;
  // On a shared cluster and load balancer, an environment on demand is told apart by its host name
  // (or a header, without a domain), and its ECS service by its name.
  const domain = env.config.loadBalancer.domain;
  const route = !shared ? {} : domain ? { hosts: [`${env.name}.${domain}`] } : { header: { name: ENV_HEADER, values: [env.name] } };
  const fullReference = released !== undefined && !released.startsWith('sha256:');
  const digest = fullReference ? undefined : (released ?? svc.image.digest);
  const imageVersion = fullReference ? released.slice(released.lastIndexOf('@') + 1) : (digest ?? svc.image.tag!);
  const external = fullReference
    ? released
    : svc.image.repository === undefined
      ? undefined
      : digest
        ? `${svc.image.repository}@${digest}`
        : `${svc.image.repository}:${svc.image.tag}`;
  const lb = loadBalancerTarget(svc);
  return {
    ...base,
    service: svc.name,
    serviceName: shared ? `${env.name}-${svc.name}` : svc.name,
    clusterState: { ...backendFor(project, stackWorkDir(outDir, stack), env.endpoint), stack: clusterStack },
    repositoryName: repositoryName(project.config.project, svc.name),
    ...(external ? { externalImage: external } : {}),
    imageVersion,
    launchType: svc.launchType,
    ...(svc.capacityProviderStrategy ? { capacityProviderStrategy: svc.capacityProviderStrategy } : {}),
    cpu: svc.cpu,
    memory: svc.memory,
    desiredCount: svc.count,
    ...taskProps(env, svc, base.region, project.config.project, external),
    logRetentionDays: svc.logs.retention,
    ...(svc.http && lb
      ? {
          http: {
            ...lb,
            ...(svc.http.paths ? { paths: svc.http.paths } : {}),
            ...(svc.http.hosts ? { hosts: svc.http.hosts } : {}),
            ...route,
            priority: priority ?? AUTO_PRIORITY_START,
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
            ...(svc.scaling.requestsPerTarget !== undefined ? { requestsPerTarget: svc.scaling.requestsPerTarget } : {}),
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
