/**
 * The files `ecsdeploy init` writes, as text: YAML with comments that teach, like the bundled
 * example project. Every value comes from checked answers (./questions.ts); strings are written
 * through the yaml library, so they are quoted exactly when YAML needs it.
 */
import { stringify } from 'yaml';
import type { InitAnswers, LaunchType } from './questions';

/** A YAML scalar as it appears after `key: ` (quoted when needed: `"1.0"`, `"on"`). */
function y(value: string | number | boolean): string {
  return stringify(value).trimEnd();
}

/** `key: value` with an aligned end-of-line comment. */
function line(indent: number, key: string, value: string, comment?: string): string {
  const text = `${' '.repeat(indent)}${key}: ${value}`;
  return comment === undefined ? text : `${text.padEnd(30)}# ${comment}`;
}

/** The `# yaml-language-server: $schema=...` line for a file `depth` folders below the project folder. */
function schemaLine(schemas: string, kind: string, depth: number): string {
  return `# yaml-language-server: $schema=${depth === 0 ? './' : '../'.repeat(depth)}${schemas}/${kind}.schema.json`;
}

export function projectFile(a: InitAnswers, schemas: string): string {
  const state =
    a.state.backend === 'local'
      ? [
          line(0, 'state', ''),
          line(2, 'backend', 'local', 'Terraform state under .ecsdeploy/state/, one file per stack'),
          line(0, 'releases', ''),
          line(2, 'store', 'local', 'release records (which image digest runs where) under .ecsdeploy/releases/'),
        ]
      : [
          '# Terraform state of each stack and the release records are kept in this bucket (it must exist,',
          '# versioned); the state is locked with a lock file next to it.',
          line(0, 'state', ''),
          line(2, 'backend', 's3'),
          line(2, 'bucket', y(a.state.bucket)),
          line(2, 'prefix', 'ecsdeploy', 'state of stack S at <prefix>/S.tfstate'),
          line(0, 'releases', ''),
          line(2, 'store', 's3', 'release records (which image digest runs where)'),
          line(2, 'bucket', y(a.state.bucket)),
          line(2, 'prefix', 'ecsdeploy/releases'),
        ];
  return [
    schemaLine(schemas, 'project', 0),
    '# The project file: one per repository, next to environments/ and services/.',
    '# `npx ecsdeploy config schema project` prints every key; editors complete them through the schema above.',
    line(0, 'project', y(a.project), 'the first part of every AWS resource name'),
    line(0, 'region', y(a.region), 'the region of every environment that names none'),
    ...state.map((l) => l.replace(/: $/, ':')),
    line(0, 'engine', 'auto', 'terraform, then tofu, on PATH'),
    line(0, 'defaultEnvironment', 'dev', 'commands run without --env work on dev (ECSDEPLOY_ENV overrides)'),
    'ephemeral:',
    line(2, 'defaultBase', 'dev', '`ecsdeploy env create NAME` makes environments on demand from dev'),
    '',
  ].join('\n');
}

/** An environment file; EC2 capacity when a service runs on EC2 (`launchTypes`), Fargate always. */
export function environmentFile(env: 'dev' | 'prod', schemas: string, launchTypes: ReadonlySet<LaunchType>): string {
  const prod = env === 'prod';
  const ec2 = launchTypes.has('ec2');
  return [
    schemaLine(schemas, 'environment', 1),
    prod
      ? '# Production: protected (a command that changes it needs --env prod typed, never a default), its own'
      : '# Development: its own small VPC and cluster. Commands run without --env work here (defaultEnvironment).',
    ...(prod ? ['# VPC across three availability zones, a NAT gateway in each, Container Insights on.'] : []),
    '# `npx ecsdeploy config schema environment` prints every key.',
    ...(prod ? [line(0, 'protected', 'true')] : []),
    '# A VPC created with the environment. To use an existing one instead:',
    '#   network: { vpcId: vpc-..., publicSubnets: [subnet-..., subnet-...], privateSubnets: [subnet-...] }',
    'network:',
    '  create:',
    line(4, 'cidr', prod ? '10.20.0.0/16' : '10.10.0.0/16'),
    line(4, 'availabilityZones', prod ? '3' : '2'),
    line(
      4,
      'natGateways',
      prod ? 'per-az' : 'single',
      prod
        ? 'one per availability zone: no zone depends on another'
        : 'one NAT gateway for the private subnets (per-az costs more)',
    ),
    '# The load balancer listens on HTTP (80) until you give it an ACM certificate:',
    '#   certificateArn: arn:aws:acm:<region>:<account>:certificate/<id>   (HTTPS on 443, and 80 redirects)',
    'loadBalancer:',
    line(2, 'idleTimeout', '60', 'seconds'),
    'cluster:',
    line(
      2,
      'containerInsights',
      prod ? 'true' : 'false',
      prod ? 'CloudWatch Container Insights metrics' : 'Container Insights is billed per metric: on in prod',
    ),
    ...(ec2
      ? [
          '  # EC2 capacity: an Auto Scaling group of ECS-optimized instances, scaled by a capacity provider.',
          '  ec2:',
          line(4, 'instanceTypes', prod ? '[t3.medium]' : '[t3.small]'),
          line(4, 'minSize', prod ? '2' : '1'),
          line(4, 'maxSize', prod ? '6' : '2'),
        ]
      : []),
    line(2, 'fargate', 'true', 'services with launchType: fargate run here, with no instances to manage'),
    '# Every file in services/ is deployed here; list some to choose:  services: [api, web]',
    '',
  ].join('\n');
}

export function serviceFile(a: InitAnswers, schemas: string): string {
  const s = a.service!;
  const image = s.image;
  const ownRepository = image.repository === undefined;
  return [
    schemaLine(schemas, 'service', 1),
    `# The service ${s.name}: one task definition and ECS service per environment, behind the load balancer.`,
    '# `npx ecsdeploy config schema service` prints every key; a key under environments.<env> overrides',
    '# it in that environment only (see the end of this file).',
    ...(ownRepository
      ? [
          `# The image: a tag of the service's own ECR repository ${a.project}/${s.name}, which the registry stack`,
          `# creates (\`npx ecsdeploy apply --stack registry\`). Push an image there, then deploy it by tag:`,
          `#   npx ecsdeploy service deploy ${s.name} --image <tag>        (pinned to its digest in a release)`,
        ]
      : ["# The image, from outside the project's ECR registry. A deploy pins it to its digest."]),
    'image:',
    ...(ownRepository ? [] : [line(2, 'repository', y(image.repository!))]),
    'tag' in image
      ? line(2, 'tag', JSON.stringify(image.tag), 'quoted: a tag such as 1.10 is text, not a number')
      : line(2, 'digest', y(image.digest)),
    line(
      0,
      'launchType',
      s.launchType,
      s.launchType === 'fargate' ? 'Fargate: no instances to run' : 'the EC2 instances of the cluster',
    ),
    line(0, 'port', String(s.port), 'the container port; the load balancer sends requests here'),
    line(0, 'cpu', '256', 'CPU units of the task (1024 = 1 vCPU)'),
    line(0, 'memory', '512', 'MiB'),
    line(0, 'count', '1', 'tasks running'),
    '# Environment variables; secrets go under `secrets:` (SSM parameter names or Secrets Manager ARNs).',
    'variables:',
    line(2, 'LOG_LEVEL', 'info'),
    '# Requests to every path of the load balancer go to this service; a target is healthy when',
    '# GET healthCheck.path answers 200-399.',
    'http:',
    line(2, 'paths', '["/*"]'),
    '  healthCheck:',
    line(4, 'path', '/'),
    '# Rolling deployments with the circuit breaker: a release that fails to start is rolled back.',
    'deployment:',
    line(2, 'strategy', 'rolling', 'or blue-green, canary, linear (through CodeDeploy)'),
    line(2, 'minimumHealthyPercent', '100'),
    line(2, 'maximumPercent', '200'),
    'logs:',
    line(2, 'retention', '30', 'days in CloudWatch Logs'),
    ...(a.prod
      ? [
          '# What differs in prod:',
          'environments:',
          '  prod:',
          line(4, 'count', '2'),
          '    variables:',
          line(6, 'LOG_LEVEL', 'warn'),
        ]
      : ['# Per-environment differences, e.g.:', '# environments:', '#   prod:', '#     count: 2']),
    '',
  ].join('\n');
}

/** The lines init adds to .gitignore: ecsdeploy's local state and records, and synthesized stacks. */
export const GITIGNORE_LINES = ['.ecsdeploy/', 'cdktf.out/'] as const;

/**
 * The .gitignore after init: the existing text with each of GITIGNORE_LINES added unless a line
 * already ignores it (`.ecsdeploy`, `/.ecsdeploy/`, ...); undefined when nothing is to add.
 */
export function mergeGitignore(existing: string | undefined): string | undefined {
  const present = new Set((existing ?? '').split(/\r?\n/).map((l) => l.trim().replace(/^\//, '').replace(/\/$/, '')));
  const missing = GITIGNORE_LINES.filter((l) => !present.has(l.replace(/\/$/, '')));
  if (missing.length === 0) return undefined;
  const base = existing === undefined || existing === '' ? '' : existing.endsWith('\n') ? existing : `${existing}\n`;
  return `${base}${base ? '\n' : ''}# ecsdeploy: local state and release records, synthesized stacks\n${missing.join('\n')}\n`;
}
