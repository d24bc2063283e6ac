/* eslint-disable @typescript-eslint/no-require-imports -- the SDK modules load on first use (start-up time, see clients.ts). */
/**
 * EventBridge Scheduler and SQS as `job list` and `job run` read them: a job's schedule (its
 * expression, state and ECS target) and the depth of its dead-letter queue. Plain data, so src/ops
 * runs against AWS, moto or a double alike.
 */
import { awsError, type AwsClients } from './clients';
import type { TaskPlacement } from './ecs';

export interface ScheduleInfo {
  readonly name: string;
  readonly group: string;
  readonly state: string;
  readonly expression: string;
  readonly timezone: string;
  /** Epoch ms. */
  readonly createdAt?: number;
  readonly startDate?: number;
  readonly endDate?: number;
  readonly flexibleWindowMinutes?: number;
  /** The ECS task the schedule runs, placed as a service's tasks are (./ecs.ts TaskPlacement). */
  readonly target: TaskPlacement & {
    readonly arn: string;
    readonly taskDefinition?: string;
    readonly deadLetterArn?: string;
    readonly retry?: { readonly maximumRetryAttempts?: number; readonly maximumEventAgeSeconds?: number };
  };
}

export interface SchedulerApi {
  /** The schedule, or undefined when it does not exist (the job's stack is not applied). */
  getSchedule(group: string, name: string): Promise<ScheduleInfo | undefined>;
}

export interface QueueApi {
  /** Messages in the queue (visible + in flight), or undefined when it does not exist. */
  depth(queueArn: string): Promise<number | undefined>;
}

const ms = (d: Date | undefined): number | undefined => (d === undefined ? undefined : d.getTime());

export function schedulerApi(clients: AwsClients): SchedulerApi {
  const sdk = require('@aws-sdk/client-scheduler') as typeof import('@aws-sdk/client-scheduler');
  return {
    async getSchedule(group, name) {
      try {
        const s = await clients.scheduler().send(new sdk.GetScheduleCommand({ GroupName: group, Name: name }));
        const ecs = s.Target?.EcsParameters;
        const vpc = ecs?.NetworkConfiguration?.awsvpcConfiguration;
        return {
          name: s.Name ?? name,
          group: s.GroupName ?? group,
          state: s.State ?? 'ENABLED',
          expression: s.ScheduleExpression ?? '',
          timezone: s.ScheduleExpressionTimezone ?? 'UTC',
          ...(s.CreationDate ? { createdAt: ms(s.CreationDate)! } : {}),
          ...(s.StartDate ? { startDate: ms(s.StartDate)! } : {}),
          ...(s.EndDate ? { endDate: ms(s.EndDate)! } : {}),
          ...(s.FlexibleTimeWindow?.Mode === 'FLEXIBLE' && s.FlexibleTimeWindow.MaximumWindowInMinutes
            ? { flexibleWindowMinutes: s.FlexibleTimeWindow.MaximumWindowInMinutes }
            : {}),
          target: {
            arn: s.Target?.Arn ?? '',
            ...(ecs?.TaskDefinitionArn ? { taskDefinition: ecs.TaskDefinitionArn } : {}),
            ...(ecs?.LaunchType ? { launchType: ecs.LaunchType } : {}),
            ...(ecs?.CapacityProviderStrategy?.length
              ? {
                  capacityProviderStrategy: ecs.CapacityProviderStrategy.map((p) => ({
                    capacityProvider: p.capacityProvider ?? '',
                    weight: p.weight ?? 0,
                    base: p.base ?? 0,
                  })),
                }
              : {}),
            ...(vpc?.Subnets?.length
              ? {
                  network: {
                    subnets: [...vpc.Subnets],
                    securityGroups: [...(vpc.SecurityGroups ?? [])],
                    assignPublicIp: vpc.AssignPublicIp === 'ENABLED',
                  },
                }
              : {}),
            ...(s.Target?.DeadLetterConfig?.Arn ? { deadLetterArn: s.Target.DeadLetterConfig.Arn } : {}),
            ...(s.Target?.RetryPolicy
              ? {
                  retry: {
                    ...(s.Target.RetryPolicy.MaximumRetryAttempts !== undefined
                      ? { maximumRetryAttempts: s.Target.RetryPolicy.MaximumRetryAttempts }
                      : {}),
                    ...(s.Target.RetryPolicy.MaximumEventAgeInSeconds !== undefined
                      ? { maximumEventAgeSeconds: s.Target.RetryPolicy.MaximumEventAgeInSeconds }
                      : {}),
                  },
                }
              : {}),
          },
        };
      } catch (err) {
        if ((err as { name?: string }).name === 'ResourceNotFoundException') return undefined;
        throw awsError(err, `reading schedule ${group}/${name}`);
      }
    },
  };
}

/** `arn:aws:sqs:eu-west-1:123456789012:name` → its queue URL, asked of SQS. */
export function queueApi(clients: AwsClients): QueueApi {
  const sdk = require('@aws-sdk/client-sqs') as typeof import('@aws-sdk/client-sqs');
  return {
    async depth(queueArn) {
      const [, , , , account, name] = queueArn.split(':');
      try {
        const { QueueUrl } = await clients
          .sqs()
          .send(
            new sdk.GetQueueUrlCommand({ QueueName: name, ...(account ? { QueueOwnerAWSAccountId: account } : {}) }),
          );
        const { Attributes } = await clients.sqs().send(
          new sdk.GetQueueAttributesCommand({
            QueueUrl,
            AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
          }),
        );
        return (
          Number(Attributes?.['ApproximateNumberOfMessages'] ?? 0) +
          Number(Attributes?.['ApproximateNumberOfMessagesNotVisible'] ?? 0)
        );
      } catch (err) {
        const n = (err as { name?: string }).name ?? '';
        if (n === 'QueueDoesNotExist' || n === 'AWS.SimpleQueueService.NonExistentQueue') return undefined;
        throw awsError(err, `reading the depth of queue ${name}`);
      }
    },
  };
}
