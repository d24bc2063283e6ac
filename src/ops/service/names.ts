/**
 * The AWS names of one service in one environment, from the configuration alone, so status, list,
 * history and logs need neither Terraform state nor the engine. They come from the same functions
 * the stacks name things with (awsName, repositoryName); test/service/names.test.ts compares them
 * with a synthesized stack.
 */
import type { ResolvedEnvironment, ResolvedService } from '../../config/load';
import { awsName, repositoryName } from '../../../stacks/names';
import { serviceStackName } from '../../synth/stack-order';

export interface ServiceNames {
  /** `<env>-<service>`: the Terraform stack. */
  readonly stack: string;
  /** ECS cluster: the environment's, or its base's for a shared environment on demand. */
  readonly cluster: string;
  /** ECS service name (`<env>-<service>` for a shared environment on demand). */
  readonly service: string;
  /** ECR repository name (shared by every environment). */
  readonly repository: string;
  /** CloudWatch Logs group, and the stream prefix of the main container. */
  readonly logGroup: string;
  readonly logStreamPrefix: string;
  /** CodeDeploy application and deployment group (blue-green, canary, linear). */
  readonly codeDeployApplication: string;
  readonly codeDeployGroup: string;
  /** The main container (its awslogs stream prefix is its name). */
  readonly container: string;
}

/**
 * The ECS cluster an environment's services run in: its `cluster.existing`, its own, or its base's
 * for a shared environment on demand (which shares its base's configuration, existing cluster included).
 */
export function clusterName(project: string, env: ResolvedEnvironment): string {
  if (env.config.cluster.existing !== undefined) return env.config.cluster.existing;
  const shared = env.ephemeral !== undefined && !env.ephemeral.isolated;
  return awsName([project, shared ? env.ephemeral!.base : env.name]);
}

export function serviceNames(project: string, env: ResolvedEnvironment, svc: ResolvedService): ServiceNames {
  const mainContainer = svc.containerName ?? svc.name;
  const shared = env.ephemeral !== undefined && !env.ephemeral.isolated;
  return {
    stack: serviceStackName(env.name, svc.name),
    cluster: clusterName(project, env),
    // An adopted service keeps its ECS service name and log group (adopt:).
    service: svc.adopt?.serviceName ?? (shared ? `${env.name}-${svc.name}` : svc.name),
    repository: repositoryName(project, svc.name),
    logGroup: svc.adopt?.logGroup ?? `/ecs/${project}/${env.name}/${svc.name}`,
    logStreamPrefix: `${mainContainer}/${mainContainer}/`,
    codeDeployApplication: awsName([project, env.name, svc.name]),
    codeDeployGroup: svc.name,
    container: mainContainer,
  };
}
