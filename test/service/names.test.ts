/**
 * The names status, list, logs and CodeDeploy deployments use for a service (from the config
 * alone) are the names its synthesized stacks give the AWS resources: cluster, ECS service, ECR
 * repository, log group and stream prefix, CodeDeploy application and group. Also for an
 * environment on demand on its base's cluster.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { resolveEphemeral } from '../../src/config/ephemeral';
import { loadProject, type ResolvedEnvironment } from '../../src/config/load';
import { serviceNames } from '../../src/ops/service';
import { synthesize } from '../../src/synth';
import { REPO } from './helpers';

type Json = {
  resource: Record<string, Record<string, Record<string, unknown>>>;
  data: Record<string, Record<string, Record<string, unknown>>>;
};

describe('serviceNames', () => {
  const out = mkdtempSync(join(tmpdir(), 'ecsdeploy-names-'));
  const project = loadProject(REPO, { environments: ['dev'] });
  const dev = project.environments[0]!;
  const pr: ResolvedEnvironment = resolveEphemeral(dev, {
    version: 1,
    name: 'pr-7',
    base: 'dev',
    owner: 'ci',
    createdAt: '2026-11-24T10:00:00.000Z',
    expiresAt: '2026-11-26T10:00:00.000Z',
    isolated: false,
    services: ['orders', 'payments'],
    slot: 3,
    images: {},
    status: 'ready',
  });
  beforeAll(() => synthesize(project, [dev, pr], { outDir: out, cache: false }));
  afterAll(() => rmSync(out, { recursive: true, force: true }));
  const json = (stack: string) => JSON.parse(readFileSync(join(out, 'stacks', stack, 'cdk.tf.json'), 'utf8')) as Json;
  const one = (j: Json, type: string) => Object.values(j.resource[type] ?? {})[0]!;

  it.each([
    ['dev', 'orders'],
    ['dev', 'payments'],
    ['pr-7', 'orders'],
    ['pr-7', 'payments'],
  ])('%s %s', (envName, service) => {
    const env = envName === 'dev' ? dev : pr;
    const names = serviceNames(
      project.config.project,
      env,
      env.services.find((s) => s.name === service)!,
    );
    const stack = json(names.stack);
    const cluster = json('dev-cluster');

    expect(one(cluster, 'aws_ecs_cluster')['name']).toBe(names.cluster);
    expect(one(stack, 'aws_ecs_service')['name']).toBe(names.service);
    expect(Object.values(stack.data['aws_ecr_repository']!)[0]!['name']).toBe(names.repository);
    expect(one(stack, 'aws_cloudwatch_log_group')['name']).toBe(names.logGroup);
    const container = (
      JSON.parse(one(stack, 'aws_ecs_task_definition')['container_definitions'] as string) as Array<{
        name: string;
        logConfiguration: { options: Record<string, string> };
      }>
    )[0]!;
    expect(container.name).toBe(names.container);
    // payments logs through FireLens; the others to the service's log group under their stream prefix.
    if (service !== 'payments')
      expect(`${container.logConfiguration.options['awslogs-stream-prefix']}/${container.name}/`).toBe(
        names.logStreamPrefix,
      );
    if (service === 'payments') {
      expect(one(stack, 'aws_codedeploy_app')['name']).toBe(names.codeDeployApplication);
      expect(one(stack, 'aws_codedeploy_deployment_group')['deployment_group_name']).toBe(names.codeDeployGroup);
    }
  });
});
