/**
 * Loads a project: ecsdeploy.yaml, environments/*.yaml, services/*.yaml. Parses with positions,
 * validates with zod, resolves each environment's services (service file + its per-environment
 * override) and validates the merged result again. Every problem of every file is collected and
 * thrown at once as a ConfigError.
 */
import { existsSync, readdirSync } from 'node:fs';
import { join, resolve as resolvePath } from 'node:path';
import type { z } from 'zod';
import { ConfigError, UsageError, type ConfigProblem } from '../errors';
import { toProblems, type Path } from './issues';
import { mergeOverride } from './merge';
import {
  ACCOUNT_ID,
  EnvironmentSchema,
  ProjectSchema,
  ServiceFileSchema,
  ServiceOverrideSchema,
  ServiceSchema,
  type EnvironmentConfig,
  type ProjectConfig,
  type ServiceConfig,
} from './schema';
import { checkDefaults } from './defaults';
import { JobFileSchema, JobOverrideSchema, JobSchema, type JobConfig } from './job';
import type { EphemeralInfo } from './ephemeral';
import { CLUSTER_RESOURCES } from './overrides';
import { closest } from './suggest';
import { YamlFile } from './yaml-file';

export const PROJECT_FILE = 'ecsdeploy.yaml';
const NAME = /^[a-z][a-z0-9-]*$/;
/** Environment and service names become parts of AWS names such as target groups (32 chars). */
export const MAX_ENV_NAME = 12;
export const MAX_SERVICE_NAME = 16;

export interface ResolvedService extends ServiceConfig {
  readonly name: string;
  /** The file it came from, for messages. */
  readonly file: string;
}

/** Job names become parts of AWS names (`<project>-<env>-job-<job>`, IAM roles of 64 characters). */
export const MAX_JOB_NAME = 24;

export interface ResolvedJob extends JobConfig {
  readonly name: string;
  /** The file it came from, for messages. */
  readonly file: string;
}

export interface ResolvedEnvironment {
  readonly name: string;
  readonly file: string;
  readonly project: string;
  readonly region: string;
  /** Custom AWS endpoint: the environment's, else the project's. @default AWS */
  readonly endpoint?: string;
  readonly config: EnvironmentConfig;
  /** Project tags, then environment tags. */
  readonly tags: Readonly<Record<string, string>>;
  readonly services: readonly ResolvedService[];
  /** Scheduled jobs (jobs/*.yaml) of the environment. @default none (environments on demand have none) */
  readonly jobs?: readonly ResolvedJob[];
  /** Set for an environment on demand (see ./ephemeral). */
  readonly ephemeral?: EphemeralInfo;
}

export interface ResolvedProject {
  readonly root: string;
  readonly config: ProjectConfig;
  /** The loaded environments: all of them, or those of the LoadScope. */
  readonly environments: readonly ResolvedEnvironment[];
  /** One ECR repository per service file, shared by every environment (the registry stack). */
  readonly repositories: ReadonlyArray<{ readonly service: string; readonly keepImages: number }>;
  /** One ECR repository per job file without image.repository (`<project>/jobs/<job>`). @default none */
  readonly jobRepositories?: ReadonlyArray<{ readonly job: string; readonly keepImages: number }>;
  /**
   * The `account:` of every environment file (loaded or not), sorted: the accounts the registry
   * lets pull. @default none
   */
  readonly accounts?: readonly string[];
}

interface Parsed<T> {
  readonly name: string;
  readonly yaml: YamlFile;
  readonly value?: T;
}

function listYaml(root: string, dir: string): string[] {
  const full = join(root, dir);
  if (!existsSync(full)) return [];
  return readdirSync(full)
    .filter((f) => /\.ya?ml$/.test(f))
    .sort();
}

function validate<S extends z.ZodType>(
  schema: S,
  yaml: YamlFile,
  problems: ConfigProblem[],
  data: unknown = yaml.data,
  prefix: Path = [],
): z.infer<S> | undefined {
  const result = schema.safeParse(data);
  if (result.success) return result.data;
  for (const issue of result.error.issues) {
    for (const raw of toProblems(issue, schema, data)) problems.push(yaml.problem(raw, prefix));
  }
  return undefined;
}

function readDir<S extends z.ZodType>(
  root: string,
  dir: string,
  schema: S,
  kind: string,
  maxName: number,
  problems: ConfigProblem[],
  only?: readonly string[],
): Parsed<z.infer<S>>[] {
  const files = listYaml(root, dir).filter((f) => only === undefined || only.includes(f.replace(/\.ya?ml$/, '')));
  return files.map((f) => {
    const display = `${dir}/${f}`;
    const name = f.replace(/\.ya?ml$/, '');
    const yaml = YamlFile.read(join(root, dir, f), display);
    problems.push(...yaml.syntaxProblems);
    if (!NAME.test(name) || name.length > maxName) {
      problems.push({
        file: display,
        key: '',
        message: `the ${kind} name '${name}' (from the file name) must start with a letter, use only lowercase letters, digits and '-', and be at most ${maxName} characters, because it is part of AWS resource names; rename the file`,
      });
    }
    if (yaml.data === undefined) return { name, yaml };
    return { name, yaml, value: validate(schema, yaml, problems) };
  });
}

export interface LoadScope {
  /**
   * Read and resolve only these environments (the others are still known by name, for messages).
   * Commands that touch one environment use this, so their cost does not grow with the number of
   * environments in the project. @default every environment
   */
  readonly environments?: readonly string[];
}

/** The environment names of a project: its environments/*.yaml files. */
export function environmentNames(rootDir: string): string[] {
  return listYaml(resolvePath(rootDir), 'environments').map((f) => f.replace(/\.ya?ml$/, ''));
}

/** Load and resolve the project at `root` (or the scoped part of it), or throw a ConfigError listing every problem. */
export function loadProject(rootDir: string, scope: LoadScope = {}): ResolvedProject {
  const root = resolvePath(rootDir);
  const problems: ConfigProblem[] = [];
  if (!existsSync(join(root, PROJECT_FILE))) {
    throw new ConfigError(
      [{ file: PROJECT_FILE, key: '', message: `no ${PROJECT_FILE} in ${root}` }],
      ['Run ecsdeploy in the folder that holds ecsdeploy.yaml, or point --dir at it.'],
    );
  }
  const projectYaml = YamlFile.read(join(root, PROJECT_FILE), PROJECT_FILE);
  problems.push(...projectYaml.syntaxProblems);
  const project = projectYaml.data === undefined ? undefined : validate(ProjectSchema, projectYaml, problems);

  const envNames = environmentNames(root);
  if (scope.environments !== undefined) selectNames(envNames, scope.environments);
  const envs = readDir(
    root,
    'environments',
    EnvironmentSchema,
    'environment',
    MAX_ENV_NAME,
    problems,
    scope.environments,
  );
  const services = readDir(root, 'services', ServiceFileSchema, 'service', MAX_SERVICE_NAME, problems);
  const jobs = readDir(root, 'jobs', JobFileSchema, 'job', MAX_JOB_NAME, problems);
  if (envNames.length === 0) {
    problems.push({
      file: 'environments/',
      key: '',
      message: 'no environment files; add environments/<name>.yaml (see docs/configuration.md)',
    });
  } else if (project !== undefined) {
    problems.push(...checkDefaults(root, project, projectYaml, envNames));
  }
  const serviceNames = services.map((s) => s.name);
  const jobNames = jobs.map((j) => j.name);
  // A job's stack is <env>-job-<job>: a service named job-<job> would have the same stack name.
  for (const svc of services) {
    if (svc.name.startsWith('job-') && jobNames.includes(svc.name.slice(4))) {
      problems.push({
        file: svc.yaml.file,
        key: '',
        message: `the service name '${svc.name}' gives the same stack name as jobs/${svc.name.slice(4)}.yaml (<env>-job-${svc.name.slice(4)}); rename one of the files`,
      });
    }
  }

  // Per-environment override blocks: known environment, valid keys.
  // Checked even when the base file has problems of its own, so every problem shows in one run.
  const workloads: Array<{ name: string; yaml: YamlFile; overrideSchema: z.ZodType }> = [
    ...services.map((s) => ({ name: s.name, yaml: s.yaml, overrideSchema: ServiceOverrideSchema })),
    ...jobs.map((j) => ({ name: j.name, yaml: j.yaml, overrideSchema: JobOverrideSchema })),
  ];
  for (const svc of workloads) {
    const overrideSchema = svc.overrideSchema;
    const blocks = (svc.yaml.data as { environments?: unknown } | undefined)?.environments;
    if (blocks === null || typeof blocks !== 'object' || Array.isArray(blocks)) continue;
    for (const [envName, override] of Object.entries(blocks as Record<string, unknown>)) {
      const path = ['environments', envName];
      if (!envNames.includes(envName)) {
        const guess = closest(envName, envNames);
        problems.push(
          svc.yaml.problem({
            path,
            atKey: true,
            message: `no environment '${envName}' (environments/${envName}.yaml does not exist)${guess ? `; did you mean '${guess}'?` : `; environments: ${envNames.join(', ')}`}`,
          }),
        );
        continue;
      }
      const check = overrideSchema.safeParse(override ?? {});
      if (!check.success) {
        for (const issue of check.error.issues) {
          for (const raw of toProblems(issue, overrideSchema, override)) problems.push(svc.yaml.problem(raw, path));
        }
      }
    }
  }

  const resolved: ResolvedEnvironment[] = [];
  for (const env of envs) {
    if (env.value === undefined || project === undefined) continue;
    const wanted = env.value.services ?? serviceNames;
    const list: ResolvedService[] = [];
    wanted.forEach((svcName, index) => {
      const svc = services.find((s) => s.name === svcName);
      if (svc === undefined) {
        const guess = closest(svcName, serviceNames);
        problems.push(
          env.yaml.problem({
            path: ['services', index],
            message: `no service '${svcName}' (services/${svcName}.yaml does not exist)${guess ? `; did you mean '${guess}'?` : serviceNames.length ? `; services: ${serviceNames.join(', ')}` : ''}`,
          }),
        );
        return;
      }
      if (svc.value === undefined) return; // already reported
      const merged = resolveService(svc.yaml, svc.name, env.name, problems);
      if (merged !== undefined) {
        checkAdoptedCluster(svc.yaml, env.name, env.value!, project.project, merged, problems);
        list.push({ ...merged, name: svc.name, file: svc.yaml.file });
      }
    });
    const jobList: ResolvedJob[] = [];
    (env.value.jobs ?? jobNames).forEach((jobName, index) => {
      const job = jobs.find((j) => j.name === jobName);
      if (job === undefined) {
        const guess = closest(jobName, jobNames);
        problems.push(
          env.yaml.problem({
            path: ['jobs', index],
            message: `no job '${jobName}' (jobs/${jobName}.yaml does not exist)${guess ? `; did you mean '${guess}'?` : jobNames.length ? `; jobs: ${jobNames.join(', ')}` : ''}`,
          }),
        );
        return;
      }
      if (job.value === undefined) return; // already reported
      const merged = resolveWorkload(JobSchema, job.yaml, job.name, env.name, problems);
      if (merged !== undefined) jobList.push({ ...merged, name: job.name, file: job.yaml.file });
    });
    resolved.push({
      name: env.name,
      file: env.yaml.file,
      project: project.project,
      region: env.value.region ?? project.region,
      ...((env.value.endpoint ?? project.endpoint) ? { endpoint: env.value.endpoint ?? project.endpoint } : {}),
      config: env.value,
      tags: { ...project.tags, ...env.value.tags },
      services: list,
      ...(jobList.length > 0 ? { jobs: jobList } : {}),
    });
  }
  for (const env of envs)
    if (env.value !== undefined)
      checkExisting(env.yaml, env.value, resolved.find((r) => r.name === env.name)?.services ?? [], problems);
  for (const env of envs)
    if (env.value !== undefined)
      checkClusterOverrides(env.yaml, env.value, resolved.find((r) => r.name === env.name)?.services ?? [], problems);
  const accounts = environmentAccounts(root, envNames, envs);
  if (accounts.length > 1 && project !== undefined && project.registry?.account === undefined) {
    // Each environment's stacks would look for the repositories in their own account.
    problems.push(
      projectYaml.problem({
        path: project.registry === undefined ? [] : ['registry'],
        atKey: true,
        message: `the environments are in ${accounts.length} accounts (${accounts.join(', ')}): set registry.account (and registry.role) to the account of the shared registry, which every environment pulls its images from`,
      }),
    );
  }
  if (problems.length > 0) throw new ConfigError(dedupe(problems));
  const repositories = services.flatMap((svc) =>
    svc.value ? [{ service: svc.name, keepImages: svc.value.ecr.keepImages }] : [],
  );
  const jobRepositories = jobs.flatMap((j) =>
    j.value && j.value.image.repository === undefined ? [{ job: j.name, keepImages: j.value.ecr.keepImages }] : [],
  );
  return {
    root,
    config: project!,
    environments: resolved,
    repositories,
    ...(jobRepositories.length > 0 ? { jobRepositories } : {}),
    ...(accounts.length > 0 ? { accounts } : {}),
  };
}

/**
 * The `account:` of every environment file: those loaded from their validated value, the others
 * read for that key only (the registry grants pull to all of them, whichever environment a command
 * works on, so its policy never depends on --env).
 */
function environmentAccounts(
  root: string,
  envNames: readonly string[],
  loaded: ReadonlyArray<Parsed<EnvironmentConfig>>,
): string[] {
  const found = new Set<string>();
  for (const name of envNames) {
    const parsed = loaded.find((e) => e.name === name);
    const account = parsed
      ? parsed.value?.account
      : (() => {
          const file = listYaml(root, 'environments').find((f) => f.replace(/\.ya?ml$/, '') === name);
          const data =
            file === undefined
              ? undefined
              : YamlFile.read(join(root, 'environments', file), `environments/${file}`).data;
          const value =
            data !== null && typeof data === 'object' ? (data as Record<string, unknown>)['account'] : undefined;
          return typeof value === 'string' && ACCOUNT_ID.test(value) ? value : undefined;
        })();
    if (account !== undefined) found.add(account);
  }
  return [...found].sort();
}

/** Service file + `environments.<env>` block, validated as a whole and reported where each key came from. */
function resolveService(
  yaml: YamlFile,
  serviceName: string,
  envName: string,
  problems: ConfigProblem[],
): ServiceConfig | undefined {
  return resolveWorkload(ServiceSchema, yaml, serviceName, envName, problems);
}

/** A service or job file + its `environments.<env>` block, validated as a whole with `schema`. */
function resolveWorkload<S extends z.ZodType>(
  schema: S,
  yaml: YamlFile,
  serviceName: string,
  envName: string,
  problems: ConfigProblem[],
): z.infer<S> | undefined {
  const raw = yaml.data as Record<string, unknown>;
  const { environments, $schema: _schema, ...base } = raw;
  const override = (environments as Record<string, unknown> | undefined)?.[envName];
  const merged = mergeOverride(base, override);
  // The main container is named after the service unless the file names it.
  // (A service name that is not a valid name is reported once, for the file name.)
  if (
    NAME.test(serviceName) &&
    merged !== null &&
    typeof merged === 'object' &&
    !Array.isArray(merged) &&
    (merged as Record<string, unknown>)['containerName'] === undefined
  ) {
    (merged as Record<string, unknown>)['containerName'] = serviceName;
  }
  const result = schema.safeParse(merged);
  if (result.success) return result.data;
  for (const issue of result.error.issues) {
    for (const p of toProblems(issue, schema, merged)) {
      const overridePath = ['environments', envName, ...p.path];
      const fromOverride = override !== undefined && yaml.has(overridePath);
      const problem = yaml.problem(p, fromOverride ? ['environments', envName] : []);
      problems.push(
        fromOverride ? problem : { ...problem, message: `${problem.message} (in environment '${envName}')` },
      );
    }
  }
  return undefined;
}

/** A base-file problem repeats once per environment; report it once, naming every environment. */
function dedupe(problems: ConfigProblem[]): ConfigProblem[] {
  const seen = new Map<string, ConfigProblem>();
  const envs = new Map<string, string[]>();
  for (const p of problems) {
    const m = /^(.*) \(in environment '([^']+)'\)$/.exec(p.message);
    const message = m ? m[1]! : p.message;
    const key = `${p.file}:${p.line}:${p.column}:${p.key}:${message}`;
    if (!seen.has(key)) seen.set(key, { ...p, message });
    if (m) envs.set(key, [...(envs.get(key) ?? []), m[2]!]);
  }
  return [...seen.entries()].map(([key, p]) => {
    const names = envs.get(key);
    return names
      ? { ...p, message: `${p.message} (in environment${names.length > 1 ? 's' : ''} ${names.join(', ')})` }
      : p;
  });
}

/** Pick environments by name, with a clear error naming the known ones. */
export function selectEnvironments(project: ResolvedProject, names: readonly string[]): ResolvedEnvironment[] {
  if (names.length === 0) return [...project.environments];
  selectNames(
    project.environments.map((e) => e.name),
    names,
  );
  return names.map((n) => project.environments.find((e) => e.name === n)!);
}

function selectNames(known: readonly string[], names: readonly string[]): void {
  for (const n of names) {
    if (known.includes(n)) continue;
    const guess = closest(n, known);
    throw new UsageError(
      `--env ${n}: no environment '${n}'${guess ? `; did you mean '${guess}'?` : ''} (there is no environments/${n}.yaml)`,
      [`Known environments: ${known.join(', ')}. Add environments/${n}.yaml to create one.`],
    );
  }
}

/** `overrides:` of an environment file name resources its cluster stack has. */
function checkClusterOverrides(
  yaml: YamlFile,
  env: EnvironmentConfig,
  services: readonly ResolvedService[],
  problems: ConfigProblem[],
): void {
  const ownLoadBalancer = env.loadBalancer.existing === undefined;
  const present: Record<string, boolean> = {
    Cluster: env.cluster.existing === undefined,
    CapacityProviders: env.cluster.existing === undefined,
    LoadBalancer: ownLoadBalancer,
    AlbSecurityGroup: ownLoadBalancer,
    HttpListener: ownLoadBalancer,
    HttpsListener: ownLoadBalancer && env.loadBalancer.certificateArn !== undefined,
    TestListener: ownLoadBalancer && services.some((s) => s.deployment.strategy !== 'rolling'),
    ServiceConnectNamespace: services.some((s) => s.serviceConnect?.enabled === true),
    LaunchTemplate: env.cluster.ec2 !== undefined,
    AutoScalingGroup: env.cluster.ec2 !== undefined,
    CapacityProvider: env.cluster.ec2 !== undefined,
    InstanceRole: env.cluster.ec2 !== undefined,
    InstanceSecurityGroup: env.cluster.ec2 !== undefined,
    Vpc: 'create' in env.network,
  };
  const names = Object.keys(CLUSTER_RESOURCES).filter((n) => present[n] ?? true);
  for (const [resource, paths] of Object.entries(env.overrides)) {
    const known = CLUSTER_RESOURCES[resource];
    if (!names.includes(resource)) {
      const guess = closest(resource, names);
      problems.push(
        yaml.problem({
          path: ['overrides', resource],
          atKey: true,
          message: known
            ? `this environment's cluster stack has no ${resource} (${known.type}, ${known.when})`
            : `no resource '${resource}' in the cluster stack${guess ? `; did you mean '${guess}'?` : ''} (resources: ${names.join(', ')})`,
        }),
      );
      continue;
    }
    for (const path of Object.keys(paths)) {
      if (path.split('.').some((seg) => seg === ''))
        problems.push(
          yaml.problem({
            path: ['overrides', resource, path],
            atKey: true,
            message: 'must be a dotted Terraform argument path such as deletion_protection',
          }),
        );
    }
  }
}

/**
 * An adopted service stays on its cluster: `adopt.cluster` must be the cluster this environment's
 * services run on (its `cluster.existing`, or the one ecsdeploy creates, `<project>-<env>`).
 */
function checkAdoptedCluster(
  yaml: YamlFile,
  envName: string,
  env: EnvironmentConfig,
  project: string,
  svc: ServiceConfig,
  problems: ConfigProblem[],
): void {
  const adopt = svc.adopt;
  if (adopt === undefined) return;
  const cluster = env.cluster.existing ?? `${project}-${envName}`;
  if (adopt.cluster === cluster) return;
  const at = yaml.has(['environments', envName, 'adopt', 'cluster'])
    ? ['environments', envName, 'adopt', 'cluster']
    : ['adopt', 'cluster'];
  problems.push(
    yaml.problem({
      path: at,
      message: `the service runs on cluster '${adopt.cluster}', but environment '${envName}' runs its services on ${
        env.cluster.existing !== undefined
          ? `'${cluster}' (cluster.existing in environments/${envName}.yaml)`
          : `the cluster ecsdeploy creates, '${cluster}'; set cluster.existing: ${adopt.cluster} in environments/${envName}.yaml to keep the service where it is`
      }`,
    }),
  );
}

/** `cluster.existing` and `loadBalancer.existing`: what ecsdeploy would otherwise create for them cannot be set. */
function checkExisting(
  yaml: YamlFile,
  env: EnvironmentConfig,
  services: readonly ResolvedService[],
  problems: ConfigProblem[],
): void {
  if (env.cluster.existing !== undefined) {
    const own: Array<[string, boolean]> = [
      ['ec2', env.cluster.ec2 !== undefined],
      ['fargate', env.cluster.fargate],
      ['fargateSpot', env.cluster.fargateSpot],
    ];
    for (const [key, set] of own) {
      if (set) {
        problems.push(
          yaml.problem({
            path: ['cluster', key],
            atKey: true,
            message: `cluster.existing '${env.cluster.existing}' keeps the capacity it has: ecsdeploy adds capacity only to a cluster it creates; remove cluster.${key}, or cluster.existing to create a cluster`,
          }),
        );
      }
    }
  }
  const lb = env.loadBalancer.existing;
  if (lb === undefined) return;
  if (env.loadBalancer.certificateArn !== undefined) {
    problems.push(
      yaml.problem({
        path: ['loadBalancer', 'certificateArn'],
        atKey: true,
        message:
          'loadBalancer.existing keeps its listeners as they are: the certificate of an existing listener is set on that listener; remove loadBalancer.certificateArn',
      }),
    );
  }
  const codeDeploy = services.filter((s) => s.deployment.strategy !== 'rolling');
  if (codeDeploy.length > 0) {
    problems.push(
      yaml.problem({
        path: ['loadBalancer', 'existing'],
        atKey: true,
        message: `${codeDeploy.map((s) => `services/${s.name}.yaml`).join(', ')} deploy${codeDeploy.length === 1 ? 's' : ''} with ${codeDeploy[0]!.deployment.strategy}, which needs a test listener; ecsdeploy adds one only to a load balancer it creates: use deployment.strategy rolling in this environment`,
      }),
    );
  }
}
