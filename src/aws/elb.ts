/* eslint-disable @typescript-eslint/no-require-imports -- the SDK module loads on first use (start-up time, see clients.ts). */
/** The health of a target group's targets, as the load balancer sees it. */
import type { ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import { awsError, type AwsClients } from './clients';

export interface TargetHealth {
  /** Instance id or IP address. */
  readonly id: string;
  readonly port?: number;
  /** initial, healthy, unhealthy, unused, draining, unavailable */
  readonly state: string;
  /** e.g. Target.ResponseCodeMismatch */
  readonly reason?: string;
  readonly description?: string;
}

export interface ElbApi {
  targetHealth(targetGroupArn: string): Promise<TargetHealth[]>;
}

export function elbApi(clients: AwsClients): ElbApi {
  const sdk =
    require('@aws-sdk/client-elastic-load-balancing-v2') as typeof import('@aws-sdk/client-elastic-load-balancing-v2');
  const client = (): ElasticLoadBalancingV2Client => clients.elbv2();
  return {
    async targetHealth(arn) {
      try {
        const out = await client().send(new sdk.DescribeTargetHealthCommand({ TargetGroupArn: arn }));
        return (out.TargetHealthDescriptions ?? []).map((t) => ({
          id: t.Target?.Id ?? '',
          ...(t.Target?.Port !== undefined ? { port: t.Target.Port } : {}),
          state: t.TargetHealth?.State ?? 'unknown',
          ...(t.TargetHealth?.Reason ? { reason: t.TargetHealth.Reason } : {}),
          ...(t.TargetHealth?.Description ? { description: t.TargetHealth.Description } : {}),
        }));
      } catch (err) {
        throw awsError(err, `reading the target health of ${arn}`);
      }
    },
  };
}
