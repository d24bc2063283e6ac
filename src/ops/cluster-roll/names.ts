/**
 * The AWS names of an environment's EC2 capacity, as stacks/cluster-stack.ts creates them:
 * cluster `<project>-<env>`, Auto Scaling group `<project>-<env>-ecs`, capacity provider
 * `<project>-<env>-ec2`. (test/cluster-roll/names.test.ts checks these against a synthesized cluster stack.)
 */
import type { ResolvedEnvironment } from '../../config/load';
import type { ClusterNames } from './types';

export function clusterNames(env: Pick<ResolvedEnvironment, 'project' | 'name'>): ClusterNames {
  const cluster = `${env.project}-${env.name}`;
  return { cluster, autoScalingGroup: `${cluster}-ecs`, capacityProvider: `${cluster}-ec2` };
}
