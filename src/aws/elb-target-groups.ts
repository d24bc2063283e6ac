/* eslint-disable @typescript-eslint/no-require-imports -- the SDK module loads on first use (start-up time, see clients.ts). */
/** A target group by name (DescribeTargetGroups): its port, protocol and health check. */
import type { ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import { awsError, type AwsClients } from './clients';

export interface TargetGroupInfo {
  readonly arn: string;
  readonly name: string;
  readonly port?: number;
  /** HTTP, HTTPS, TCP, ... */
  readonly protocol?: string;
  /** ip or instance */
  readonly targetType?: string;
  readonly healthCheckPath?: string;
  readonly healthCheckEnabled?: boolean;
}

export interface TargetGroupsApi {
  /** undefined when there is no target group of that name. */
  byName(name: string): Promise<TargetGroupInfo | undefined>;
}

export function targetGroupsApi(clients: AwsClients): TargetGroupsApi {
  const sdk =
    require('@aws-sdk/client-elastic-load-balancing-v2') as typeof import('@aws-sdk/client-elastic-load-balancing-v2');
  const client = (): ElasticLoadBalancingV2Client => clients.elbv2();
  return {
    async byName(name) {
      try {
        const t = (await client().send(new sdk.DescribeTargetGroupsCommand({ Names: [name] }))).TargetGroups?.[0];
        if (t === undefined) return undefined;
        return {
          arn: t.TargetGroupArn ?? '',
          name: t.TargetGroupName ?? name,
          ...(t.Port !== undefined ? { port: t.Port } : {}),
          ...(t.Protocol ? { protocol: t.Protocol } : {}),
          ...(t.TargetType ? { targetType: t.TargetType } : {}),
          ...(t.HealthCheckPath ? { healthCheckPath: t.HealthCheckPath } : {}),
          ...(t.HealthCheckEnabled !== undefined ? { healthCheckEnabled: t.HealthCheckEnabled } : {}),
        };
      } catch (err) {
        if ((err as { name?: string }).name === 'TargetGroupNotFoundException') return undefined;
        throw awsError(err, `describing the target group ${name}`);
      }
    },
  };
}
