/** ECS: task definitions, clusters and services (Checkov's ECS* checks). */
import { block, blocks, containers, isTrue, type Rule } from '../types';

const TD = ['aws_ecs_task_definition'] as const;

/** Names of containers failing a test, as one message per container. */
function each(td: Record<string, unknown>, fails: (c: Record<string, unknown>) => boolean, what: string): string[] {
  return containers(td)
    .filter(fails)
    .map((c) => `container ${String(c['name'])}: ${what}`);
}

export const ecsRules: readonly Rule[] = [
  {
    id: 'ecs-not-privileged',
    checkovId: 'CKV_AWS_334',
    title: 'ECS containers run as non-privileged',
    resourceTypes: TD,
    // Checkov reads the key `privilege`; ECS's field is `privileged`: both are refused.
    check: (td) => each(td, (c) => isTrue(c['privileged']) || isTrue(c['privilege']), 'privileged is true'),
  },
  {
    id: 'ecs-readonly-root',
    checkovId: 'CKV_AWS_336',
    title: 'ECS containers are limited to read-only access to root filesystems',
    resourceTypes: TD,
    check: (td) => each(td, (c) => !isTrue(c['readonlyRootFilesystem']), 'readonlyRootFilesystem is not true'),
  },
  {
    id: 'ecs-no-host-pid',
    checkovId: 'CKV_AWS_335',
    title: "ECS task definitions do not share the host's process namespace",
    resourceTypes: TD,
    // Checkov looks for pidMode in the containers; ECS sets it on the task (pid_mode): both.
    check: (td) => [
      ...(td['pid_mode'] === 'host' ? ['pid_mode is host'] : []),
      ...each(td, (c) => c['pidMode'] === 'host', 'pidMode is host'),
    ],
  },
  {
    id: 'ecs-distinct-roles',
    checkovId: 'CKV_AWS_249',
    title: 'The execution role and the task role of an ECS task definition are different',
    resourceTypes: TD,
    check: (td) =>
      td['execution_role_arn'] !== undefined && td['execution_role_arn'] === td['task_role_arn']
        ? [`execution_role_arn and task_role_arn are both ${String(td['execution_role_arn'])}`]
        : [],
  },
  {
    id: 'ecs-efs-transit-encryption',
    checkovId: 'CKV_AWS_97',
    title: 'Encryption in transit is enabled for EFS volumes in ECS task definitions',
    resourceTypes: TD,
    check: (td) =>
      blocks(td['volume'])
        .filter((v) => v['efs_volume_configuration'] !== undefined)
        .filter((v) => block(v['efs_volume_configuration'])?.['transit_encryption'] !== 'ENABLED')
        .map((v) => `volume ${String(v['name'])}: efs_volume_configuration.transit_encryption is not ENABLED`),
  },
  {
    id: 'ecs-exec-logging',
    checkovId: 'CKV_AWS_223',
    title: 'ECS clusters log ECS Exec sessions',
    resourceTypes: ['aws_ecs_cluster'],
    check: (cluster) =>
      block(block(block(cluster['configuration'])?.['execute_command_configuration']))?.['logging'] === 'NONE'
        ? ['configuration.execute_command_configuration.logging is NONE']
        : [],
  },
  {
    id: 'ecs-container-insights',
    checkovId: 'CKV_AWS_65',
    title: 'Container Insights is enabled on ECS clusters',
    resourceTypes: ['aws_ecs_cluster'],
    check: (cluster) =>
      blocks(cluster['setting']).some(
        (s) => s['name'] === 'containerInsights' && (s['value'] === 'enabled' || s['value'] === 'enhanced'),
      )
        ? []
        : ['setting containerInsights is not enabled'],
  },
  {
    id: 'ecs-no-public-ip',
    checkovId: 'CKV_AWS_333',
    title: 'ECS services are not assigned public IP addresses automatically',
    resourceTypes: ['aws_ecs_service'],
    check: (svc) =>
      isTrue(block(svc['network_configuration'])?.['assign_public_ip'])
        ? ['network_configuration.assign_public_ip is true']
        : [],
  },
];
