/**
 * `ecsdeploy import task-definition` and `ecsdeploy import service`: read a task definition (a
 * file or a registered revision) or a running ECS service with what goes with it, map it to a
 * service file (./map.ts), check it as the loader would (./validate.ts), and write it to
 * services/<name>.yaml, never over an existing file without `force`.
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { adoptReadApi, type AdoptReadApi, type RuleRead } from '../../aws/adopt';
import { AwsClients, type AwsTarget } from '../../aws/clients';
import { MAX_SERVICE_NAME, PROJECT_FILE } from '../../config/load';
import { UsageError } from '../../errors';
import { openProject } from '../project';
import { parseTaskDefinitionJson, readTaskDefinitionFile, type ParsedTaskDefinition } from './input';
import { defaultName, mapTaskDefinition, type LiveService, type Mapping, type MappingRow } from './map';
import { renderServiceFile } from './render';
import { assertValid, projectProblems, schemaProblems, type EnvironmentPatch } from './validate';

export { mapTaskDefinition, type LiveService, type Mapping, type MappingRow } from './map';
export { parseTaskDefinitionJson, readTaskDefinitionFile } from './input';
export { renderServiceFile, renderTable } from './render';

export interface ImportResult {
  /** services/<name>.yaml, relative to the project folder. */
  readonly file: string;
  /** False with dryRun. */
  readonly written: boolean;
  readonly content: string;
  readonly rows: readonly MappingRow[];
  /** The `overrides:` entries the file needed (also among rows). */
  readonly overrides: readonly string[];
  /** What to do next, in order. */
  readonly nextSteps: readonly string[];
}

export interface ImportCommon {
  readonly dir: string;
  /** The service file's name (services/<name>.yaml). @default from the family or the ECS service name */
  readonly name?: string;
  readonly force: boolean;
  readonly dryRun: boolean;
  /** Progress of AWS reads. */
  readonly onProgress?: (line: string) => void;
}

export interface ImportDeps {
  readonly read: (target: AwsTarget) => AdoptReadApi;
}

export const liveImportDeps: ImportDeps = { read: (target) => adoptReadApi(new AwsClients(target)) };

const TASK_DEFINITION_ARN = /^arn:aws[a-z-]*:ecs:[a-z0-9-]+:\d{12}:task-definition\/[A-Za-z0-9_-]+(:\d+)?$/;

function serviceName(flag: string | undefined, from: string, what: string): string {
  if (flag !== undefined) {
    if (!/^[a-z][a-z0-9-]*$/.test(flag) || flag.length > MAX_SERVICE_NAME) {
      throw new UsageError(
        `--name ${flag}: a service name must start with a letter, use only lowercase letters, digits and '-', and be at most ${MAX_SERVICE_NAME} characters (it is part of AWS resource names)`,
      );
    }
    return flag;
  }
  const name = defaultName(from, MAX_SERVICE_NAME);
  if (name === undefined)
    throw new UsageError(`the ${what} '${from}' gives no service name ecsdeploy accepts; give one with --name`);
  return name;
}

function targetOf(
  dir: string,
  env: string,
): { target: AwsTarget; envConfig: ReturnType<typeof openProject>['envs'][number] } {
  const { envs } = openProject(dir, [env]);
  const e = envs[0]!;
  return { target: { region: e.region, ...(e.endpoint ? { endpoint: e.endpoint } : {}) }, envConfig: e };
}

/** Validates and writes (or, with dryRun, only renders) the mapped file. */
function finish(
  common: ImportCommon,
  name: string,
  mapping: Mapping,
  source: string,
  command: string,
  nextSteps: string[],
  patch?: EnvironmentPatch,
): ImportResult {
  const root = resolve(common.dir);
  const file = join('services', `${name}.yaml`);
  const path = join(root, file);
  if (existsSync(path) && !common.force && !common.dryRun) {
    throw new UsageError(`${file} exists; it was not changed`, [
      'Give --force to overwrite it, --name for another file, or --dry-run to print the import.',
    ]);
  }
  const content = renderServiceFile(mapping, { source, command });
  assertValid(schemaProblems(content, name), source);
  assertValid(projectProblems(root, content, name, patch), source);
  if (!common.dryRun) {
    mkdirSync(join(root, 'services'), { recursive: true });
    writeFileSync(path, content);
  }
  if (!existsSync(join(root, PROJECT_FILE)))
    nextSteps.unshift(`There is no ${PROJECT_FILE} in ${root}: move ${file} into your project's services/ folder.`);
  return { file, written: !common.dryRun, content, rows: mapping.rows, overrides: mapping.overrides, nextSteps };
}

export interface ImportTaskDefinitionOptions extends ImportCommon {
  /** A JSON file, or a task definition ARN (read with DescribeTaskDefinition in env's region). */
  readonly source: string;
  /** Needed for an ARN: the environment whose region, endpoint and credentials read it. */
  readonly env?: string;
}

/** `ecsdeploy import task-definition FILE.json|ARN`. */
export async function importTaskDefinition(
  o: ImportTaskDefinitionOptions,
  deps: ImportDeps = liveImportDeps,
): Promise<ImportResult> {
  let parsed: ParsedTaskDefinition;
  if (o.source.startsWith('arn:')) {
    if (!TASK_DEFINITION_ARN.test(o.source))
      throw new UsageError(
        `${o.source} is not a task definition ARN (arn:aws:ecs:REGION:ACCOUNT:task-definition/FAMILY:REVISION)`,
      );
    if (o.env === undefined)
      throw new UsageError(
        `reading ${o.source} needs --env: the environment whose region, endpoint and credentials to use`,
        ['Or save it first: aws ecs describe-task-definition --task-definition ARN --include TAGS > FILE.json'],
      );
    const { target } = targetOf(o.dir, o.env);
    o.onProgress?.(`Reading ${o.source}`);
    const read = await deps.read(target).describeTaskDefinition(o.source);
    parsed = parseTaskDefinitionJson(JSON.stringify(read), o.source);
  } else {
    parsed = readTaskDefinitionFile(resolve(o.source), o.source);
  }
  const td = parsed.taskDefinition;
  const name = serviceName(
    o.name,
    td.family ?? td.containerDefinitions[0]!.name,
    td.family !== undefined ? 'family' : 'container name',
  );
  const { mapping, source, command } = taskDefinitionImport(parsed, name, o.source);
  return finish(o, name, mapping, source, command, [
    `Review services/${name}.yaml, then: ecsdeploy plan --env ENV (it creates the service anew; to take over a running one, use ecsdeploy import service).`,
  ]);
}

/** The mapping of a parsed task definition and how the file names where it came from (the goldens use this too). */
export function taskDefinitionImport(
  parsed: ParsedTaskDefinition,
  name: string,
  given: string,
): { mapping: Mapping; source: string; command: string } {
  const mapping = mapTaskDefinition(parsed.taskDefinition, { name, tags: parsed.tags });
  const arn = given.startsWith('arn:');
  return {
    mapping,
    source: arn ? given : `${given} (${parsed.shape})`,
    command: `ecsdeploy import task-definition ${given}`,
  };
}

export interface ImportServiceOptions extends ImportCommon {
  readonly cluster: string;
  readonly service: string;
  readonly env: string;
}

function clusterName(arnOrName: string): string {
  return arnOrName.includes('/') ? arnOrName.slice(arnOrName.lastIndexOf('/') + 1) : arnOrName;
}

/** `ecsdeploy import service --cluster C --service S --env ENV`. */
export async function importService(o: ImportServiceOptions, deps: ImportDeps = liveImportDeps): Promise<ImportResult> {
  const { target, envConfig } = targetOf(o.dir, o.env);
  const api = deps.read(target);
  const say = (s: string) => o.onProgress?.(s);
  say(`Reading the ECS service ${o.cluster}/${o.service} (${target.region})`);
  const svc = await api.describeService(o.cluster, o.service);
  const cluster = clusterName(svc.clusterArn);
  say(`Reading its task definition ${svc.taskDefinition}`);
  const read = await api.describeTaskDefinition(svc.taskDefinition);
  const parsed = parseTaskDefinitionJson(JSON.stringify(read), svc.taskDefinition);

  const lbs = svc.loadBalancers;
  let targetGroup: LiveService['targetGroup'];
  let rule: RuleRead | undefined;
  let defaultListener: string | undefined;
  const tgArn = lbs[0]?.targetGroupArn;
  if (tgArn !== undefined) {
    say(`Reading the target group ${tgArn} and the rules that forward to it`);
    const tg = await api.targetGroup(tgArn);
    const { loadBalancerArns: _lbs, ...rest } = tg;
    targetGroup = rest;
    const rules = await api.rulesForwardingTo(tgArn, tg.loadBalancerArns);
    const wanted = envConfig.config.loadBalancer.existing?.listenerArn;
    const numbered = rules.filter((x) => x.priority !== 'default');
    rule = numbered.find((x) => x.listenerArn === wanted) ?? numbered[0];
    if (rule === undefined) defaultListener = rules.find((x) => x.priority === 'default')?.listenerArn;
  }
  say(`Reading the Application Auto Scaling target service/${cluster}/${svc.serviceName}`);
  const scaling = await api.scaling(cluster, svc.serviceName);
  const groups = [
    ...new Set(
      parsed.taskDefinition.containerDefinitions.flatMap((c) =>
        c.logConfiguration?.logDriver === 'awslogs' && c.logConfiguration.options?.['awslogs-group']
          ? [c.logConfiguration.options['awslogs-group']]
          : [],
      ),
    ),
  ];
  if (groups.length) say(`Reading the log groups ${groups.join(', ')}`);
  const logGroups = groups.length ? await api.logRetention(groups) : {};

  const live: LiveService = {
    serviceName: svc.serviceName,
    cluster,
    desiredCount: svc.desiredCount,
    ...(svc.launchType ? { launchType: svc.launchType } : {}),
    ...(svc.capacityProviderStrategy.length ? { capacityProviderStrategy: svc.capacityProviderStrategy } : {}),
    ...(svc.deploymentController ? { deploymentController: svc.deploymentController } : {}),
    ...(svc.deploymentConfiguration ? { deploymentConfiguration: svc.deploymentConfiguration } : {}),
    ...(svc.networkConfiguration ? { networkConfiguration: svc.networkConfiguration } : {}),
    ...(svc.placementConstraints.length ? { placementConstraints: svc.placementConstraints } : {}),
    ...(svc.placementStrategy.length ? { placementStrategy: svc.placementStrategy } : {}),
    ...(svc.enableExecuteCommand !== undefined ? { enableExecuteCommand: svc.enableExecuteCommand } : {}),
    ...(svc.propagateTags ? { propagateTags: svc.propagateTags } : {}),
    ...(svc.enableECSManagedTags !== undefined ? { enableECSManagedTags: svc.enableECSManagedTags } : {}),
    ...(svc.healthCheckGracePeriodSeconds !== undefined
      ? { healthCheckGracePeriodSeconds: svc.healthCheckGracePeriodSeconds }
      : {}),
    loadBalancers: lbs,
    tags: svc.tags,
    ...(targetGroup ? { targetGroup } : {}),
    ...(rule && rule.priority !== 'default'
      ? {
          listenerRule: {
            arn: rule.arn,
            listenerArn: rule.listenerArn,
            priority: rule.priority,
            paths: rule.paths,
            hosts: rule.hosts,
            otherConditions: rule.otherConditions,
          },
        }
      : {}),
    ...(defaultListener ? { defaultActionListenerArn: defaultListener } : {}),
    ...(scaling ? { scaling } : {}),
    logGroups,
  };
  const name = serviceName(o.name, svc.serviceName, 'ECS service name');
  const mapping = mapTaskDefinition(parsed.taskDefinition, {
    name,
    tags: parsed.tags,
    live: { env: o.env, service: live },
  });

  const steps: string[] = [];
  const set: Array<readonly [readonly string[], unknown]> = [];
  const envFile = `environments/${o.env}.yaml`;
  const existingCluster = envConfig.config.cluster.existing;
  if (existingCluster !== cluster) {
    set.push([['cluster', 'existing'], cluster]);
    steps.push(
      existingCluster === undefined
        ? `In ${envFile}, set cluster.existing: ${cluster} (the service stays on its cluster).`
        : `${envFile} has cluster.existing: ${existingCluster}, but the service runs on ${cluster}: set cluster.existing: ${cluster}.`,
    );
  }
  if (envConfig.config.cluster.ec2 !== undefined) {
    set.push([['cluster', 'ec2'], undefined]);
    steps.push(`In ${envFile}, remove cluster.ec2: an existing cluster keeps the capacity it has.`);
  }
  const listener = live.listenerRule?.listenerArn ?? live.defaultActionListenerArn;
  const existingListener = envConfig.config.loadBalancer.existing?.listenerArn;
  if (listener !== undefined && existingListener !== listener) {
    set.push([['loadBalancer', 'existing', 'listenerArn'], listener]);
    steps.push(`In ${envFile}, set loadBalancer.existing.listenerArn: ${listener} (the rule stays on its listener).`);
  }
  if (envConfig.config.services !== undefined && !envConfig.config.services.includes(name)) {
    set.push([['services'], [...envConfig.config.services, name]]);
    steps.push(`In ${envFile}, add ${name} to services:.`);
  }
  steps.push(
    `ecsdeploy plan --env ${o.env}: it shows the imports and in-place updates, and no replacement of the running service.`,
  );
  steps.push(
    `ecsdeploy apply --env ${o.env} to take it over; keep environments.${o.env}.adopt in the file afterwards.`,
  );
  const source = `the ECS service ${cluster}/${svc.serviceName} (${target.region})`;
  const command = `ecsdeploy import service --cluster ${cluster} --service ${svc.serviceName} --env ${o.env}`;
  return finish(o, name, mapping, source, command, steps, { env: o.env, set });
}
