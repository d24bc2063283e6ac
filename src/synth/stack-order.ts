/**
 * Which stacks a project has, what each is called, and the order they depend on each other in.
 * Pure: no cdktf here, so commands that only need names (plan order, destroy order) stay fast.
 */
import { join } from 'node:path';
import type { ResolvedEnvironment } from '../config/load';
import { UsageError } from '../errors';
import { closest } from '../config/suggest';
import { serviceConnectOwner } from './task-props';

export const REGISTRY_STACK = 'registry';

export type StackKind = 'registry' | 'cluster' | 'service' | 'job';

export interface StackRef {
  /** Stack name: `registry`, `<env>-cluster`, `<env>-<service>` or `<env>-job-<job>`. */
  readonly name: string;
  readonly kind: StackKind;
  readonly environment?: string;
  readonly service?: string;
  readonly job?: string;
  /** Stacks that must be applied before this one. */
  readonly dependsOn: readonly string[];
}

export function clusterStackName(env: string): string {
  return `${env}-cluster`;
}

export function serviceStackName(env: string, service: string): string {
  return `${env}-${service}`;
}

/** A scheduled job's stack: `<env>-job-<job>` (a job's change has a job's blast radius). */
export function jobStackName(env: string, job: string): string {
  return `${env}-job-${job}`;
}

/** A job's key among the services' in the release store and in ReleasedImages: `jobs/<job>` (a service name has no '/'). */
export function jobLedgerKey(job: string): string {
  return `jobs/${job}`;
}

/** What `--stack` calls a stack: `registry`, `cluster`, the service's name, or `job-<job>`. */
export function stackSelector(ref: Pick<StackRef, 'kind' | 'service' | 'job'>): string {
  return ref.kind === 'service' ? ref.service! : ref.kind === 'job' ? `job-${ref.job!}` : ref.kind;
}

/** The cluster stack an environment's services run on: its own, or its base's for a shared environment on demand. */
export function hostClusterStack(env: ResolvedEnvironment): string {
  return clusterStackName(env.ephemeral !== undefined && !env.ephemeral.isolated ? env.ephemeral.base : env.name);
}

/**
 * The stacks of one environment in dependency order: registry, cluster, its services, then its
 * scheduled jobs (which, like services, read the cluster and use the registry). An
 * environment on demand has no registry (its base's is shared) and, unless isolated, no cluster:
 * its services depend on the base's cluster stack.
 */
export function environmentStacks(env: ResolvedEnvironment): StackRef[] {
  const cluster = clusterStackName(env.name);
  const own = env.ephemeral === undefined || env.ephemeral.isolated;
  const head: StackRef[] =
    env.ephemeral === undefined
      ? [
          { name: REGISTRY_STACK, kind: 'registry', dependsOn: [] },
          // The cluster reads nothing from the registry: both can be applied at once.
          { name: cluster, kind: 'cluster', environment: env.name, dependsOn: [] },
        ]
      : own
        ? [{ name: cluster, kind: 'cluster', environment: env.name, dependsOn: [] }]
        : [];
  const serviceDeps = env.ephemeral === undefined ? [REGISTRY_STACK, cluster] : [hostClusterStack(env)];
  // A shared environment on demand's Service Connect namespace is created by one of its service
  // stacks (src/synth/task-props.ts); the others that use it come after that one.
  const owner = !own ? serviceConnectOwner(env) : undefined;
  return [
    ...head,
    ...env.services.map((s) => ({
      name: serviceStackName(env.name, s.name),
      kind: 'service' as const,
      environment: env.name,
      service: s.name,
      dependsOn:
        owner !== undefined && s.name !== owner && s.serviceConnect?.enabled
          ? [...serviceDeps, serviceStackName(env.name, owner)]
          : serviceDeps,
    })),
    ...(env.jobs ?? []).map((j) => ({
      name: jobStackName(env.name, j.name),
      kind: 'job' as const,
      environment: env.name,
      job: j.name,
      dependsOn: serviceDeps,
    })),
  ];
}

/**
 * The stacks selected by `--stack` (cluster, registry, service names, `job-<job>`) across
 * environments, in dependency order. Without a selection: every stack of those environments, the
 * registry once.
 */
export function selectStacks(envs: readonly ResolvedEnvironment[], selection: readonly string[] = []): StackRef[] {
  const out = new Map<string, StackRef>();
  for (const env of envs) {
    const all = environmentStacks(env);
    const valid = all.map(stackSelector);
    for (const sel of selection) {
      if (!valid.includes(sel)) {
        // A job is selected as job-<job>, so that it never shadows a service of the same name.
        const guess = valid.includes(`job-${sel}`) ? `job-${sel}` : closest(sel, valid);
        throw new UsageError(
          `--stack ${sel}: environment '${env.name}' has no such stack${guess ? `; did you mean '${guess}'?` : ''}`,
          [`Stacks of ${env.name}: ${valid.join(', ')}.`],
        );
      }
    }
    for (const ref of all) {
      const short = stackSelector(ref);
      if (selection.length === 0 || selection.includes(short)) out.set(ref.name, ref);
    }
  }
  return [...out.values()];
}

/** The folder of a stack's cdk.tf.json (its Terraform working directory) under a synth output folder. */
export function stackWorkDir(outDir: string, stack: string): string {
  return join(outDir, 'stacks', stack);
}
