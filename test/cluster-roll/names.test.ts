/**
 * The names `cluster status` and `cluster roll` look for are the names the cluster stack creates
 * (one helper, src/ops/cluster-roll/names.ts, checked here against a synthesized stack), and an environment
 * without EC2 capacity is a usage error naming its file.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadProject } from '../../src/config/load';
import { UsageError } from '../../src/errors';
import { clusterDeps, clusterNames, clusterRoll, clusterStatus } from '../../src/ops/cluster-roll';
import { synthesize } from '../../src/synth';
import { projectWith } from '../config/fixture-project';
import { ClusterSim } from './sim';
import { TYPES } from './helpers';

const REPO = join(__dirname, '..', '..');

describe('clusterNames', () => {
  it('are the ECS cluster, Auto Scaling group and capacity provider of the synthesized cluster stack', () => {
    const project = loadProject(REPO, { environments: ['dev'] });
    const env = project.environments[0]!;
    const out = mkdtempSync(join(tmpdir(), 'ecsdeploy-names-'));
    try {
      synthesize(project, [env], { outDir: out, stacks: ['cluster'], cache: false });
      const tf = JSON.parse(readFileSync(join(out, 'stacks', 'dev-cluster', 'cdk.tf.json'), 'utf8')) as {
        resource: Record<string, Record<string, { name: string }>>;
      };
      const only = (type: string) => Object.values(tf.resource[type]!)[0]!.name;
      expect(clusterNames(env)).toEqual({
        cluster: only('aws_ecs_cluster'),
        autoScalingGroup: only('aws_autoscaling_group'),
        capacityProvider: only('aws_ecs_capacity_provider'),
      });
      expect(clusterNames(env)).toEqual({
        cluster: 'shop-dev',
        autoScalingGroup: 'shop-dev-ecs',
        capacityProvider: 'shop-dev-ec2',
      });
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });
});

describe('environments without EC2 capacity', () => {
  const fargateOnly = () =>
    projectWith({ 'environments/dev.yaml': 'network:\n  create:\n    cidr: 10.0.0.0/16\ncluster:\n  fargate: true\n' });
  const sim = new ClusterSim({ types: TYPES, instances: [], template: { version: 1, type: 'm5.large' }, services: [] });
  const api = sim.api;

  it.each([
    ['cluster status', (dir: string) => clusterStatus({ dir, env: 'dev' }, { api: () => api })],
    [
      'cluster roll',
      (dir: string) => clusterRoll({ dir, env: 'dev', flags: { dryRun: true } }, { ...clusterDeps(), api: () => api }),
    ],
  ])('%s: a usage error naming the file, before any AWS call', async (_name, call) => {
    const { dir, cleanup } = fargateOnly();
    try {
      const err = await call(dir).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(UsageError);
      expect((err as Error).message).toBe(
        "Environment 'dev' has no EC2 capacity (no cluster.ec2 in environments/dev.yaml): there are no instances to show or roll.",
      );
      expect(sim.calls).toEqual([]);
    } finally {
      cleanup();
    }
  });

  it('a flag that is not valid is a usage error before the project is even read', async () => {
    const err = await clusterRoll({ dir: '/nonexistent', env: 'dev', flags: { batch: '120%' } }).catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(UsageError);
    expect((err as Error).message).toBe("--batch: a percentage is at most 100% (got '120%')");
  });
});
