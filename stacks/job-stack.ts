/**
 * `<env>-job-<job>`: a scheduled job. Its task definition, log group and roles are built exactly as
 * a service's (./task-definition); an EventBridge Scheduler schedule runs it (ECS RunTask) with a
 * role that may run only this task definition family in this cluster and pass only its two roles;
 * optionally a dead-letter queue for runs the scheduler could not start. A job's change touches
 * this stack only.
 */
import { IamRole } from '@cdktf/provider-aws/lib/iam-role';
import { IamRolePolicy } from '@cdktf/provider-aws/lib/iam-role-policy';
import { SchedulerSchedule } from '@cdktf/provider-aws/lib/scheduler-schedule';
import { SecurityGroup } from '@cdktf/provider-aws/lib/security-group';
import { SqsQueue } from '@cdktf/provider-aws/lib/sqs-queue';
import { TerraformOutput } from 'cdktf';
import type { Construct } from 'constructs';
import { EcsdeployStack, assumeRole, awsName, policy } from './base';
import { addEgress } from './egress';
import { jobPrefix, SCHEDULE_GROUP } from './names';
import type { JobStackProps } from './props';
import { accountId, addTaskDefinition, applyOverrides, clusterRemoteState, runsOn } from './task-definition';

export { jobPrefix, SCHEDULE_GROUP } from './names';

export class JobStack extends EcsdeployStack {
  constructor(scope: Construct, id: string, props: JobStackProps) {
    super(scope, id, props);
    const prefix = jobPrefix(props.project, props.environment, props.job);
    const cluster = clusterRemoteState(this, props.clusterState);
    const awsvpc = props.networkMode === 'awsvpc';

    // --- The task definition, its log groups and roles: the same code as a service's.
    const { taskDefinition, image, logGroup, executionRole, taskRoleArn } = addTaskDefinition(
      this,
      props,
      prefix,
      `/ecs/${props.project}/${props.environment}/jobs/${props.job}`,
    );

    const securityGroups: string[] = [];
    if (awsvpc) {
      const sg = new SecurityGroup(this, 'TaskSecurityGroup', {
        name: `${prefix}-tasks`,
        description: `Tasks of ${prefix}`,
        vpcId: cluster.getString('vpc_id'),
      });
      addEgress(this, 'TaskEgress', sg.id, props.network?.egress, 'Image pulls, logs and dependencies');
      securityGroups.push(sg.id, ...(props.network?.securityGroups ?? []));
    }

    // --- Runs the scheduler could not start (after its retries) go to the dead-letter queue.
    const dlq =
      props.deadLetterQueue?.kind === 'create'
        ? new SqsQueue(this, 'DeadLetterQueue', {
            name: awsName([prefix, 'dlq'], 80),
            messageRetentionSeconds: 1_209_600,
            sqsManagedSseEnabled: true,
          })
        : undefined;
    const dlqArn = dlq?.arn ?? (props.deadLetterQueue?.kind === 'existing' ? props.deadLetterQueue.arn : undefined);

    // --- The scheduler's role: RunTask of this family in this cluster, PassRole of its two roles.
    const clusterArn = cluster.getString('cluster_arn');
    const family = `arn:${props.partition}:ecs:${props.region}:${accountId(this)}:task-definition/${prefix}`;
    const schedulerRole = new IamRole(this, 'SchedulerRole', {
      name: awsName([prefix, 'scheduler'], 64),
      assumeRolePolicy: assumeRole('scheduler.amazonaws.com'),
    });
    new IamRolePolicy(this, 'SchedulerPolicy', {
      role: schedulerRole.id,
      name: 'run-task',
      policy: policy([
        {
          Sid: 'RunTask',
          Effect: 'Allow',
          Action: 'ecs:RunTask',
          Resource: `${family}:*`,
          Condition: { ArnEquals: { 'ecs:cluster': clusterArn } },
        },
        // Tags on the tasks it starts (managed tags, propagated tags) need TagResource on RunTask.
        {
          Sid: 'TagTasks',
          Effect: 'Allow',
          Action: 'ecs:TagResource',
          Resource: `arn:${props.partition}:ecs:${props.region}:${accountId(this)}:task/${cluster.getString('cluster_name')}/*`,
          Condition: { StringEquals: { 'ecs:CreateAction': 'RunTask' } },
        },
        {
          Sid: 'PassTaskRoles',
          Effect: 'Allow',
          Action: 'iam:PassRole',
          Resource: [executionRole.arn, taskRoleArn],
          Condition: { StringLike: { 'iam:PassedToService': 'ecs-tasks.amazonaws.com' } },
        },
        ...(dlqArn !== undefined
          ? [{ Sid: 'DeadLetters', Effect: 'Allow', Action: 'sqs:SendMessage', Resource: dlqArn }]
          : []),
      ]),
    });

    // --- The schedule.
    const schedule = new SchedulerSchedule(this, 'Schedule', {
      name: awsName([prefix], 64),
      groupName: SCHEDULE_GROUP,
      description: `ecsdeploy job ${props.job} of ${props.environment}`,
      scheduleExpression: props.scheduleExpression,
      scheduleExpressionTimezone: props.timezone,
      state: props.enabled ? 'ENABLED' : 'DISABLED',
      flexibleTimeWindow:
        props.flexibleWindowMinutes === undefined
          ? { mode: 'OFF' }
          : { mode: 'FLEXIBLE', maximumWindowInMinutes: props.flexibleWindowMinutes },
      ...(props.startDate !== undefined ? { startDate: props.startDate } : {}),
      ...(props.endDate !== undefined ? { endDate: props.endDate } : {}),
      target: {
        arn: clusterArn,
        roleArn: schedulerRole.arn,
        ecsParameters: {
          taskDefinitionArn: taskDefinition.arn,
          taskCount: 1,
          group: `job:${props.job}`,
          ...runsOn(props, cluster, securityGroups),
          enableEcsManagedTags: props.enableEcsManagedTags,
          enableExecuteCommand: props.enableExecuteCommand,
          ...(props.propagateTags === 'TASK_DEFINITION' ? { propagateTags: 'TASK_DEFINITION' } : {}),
        },
        retryPolicy: {
          maximumRetryAttempts: props.retryPolicy.maximumRetryAttempts,
          maximumEventAgeInSeconds: props.retryPolicy.maximumEventAgeSeconds,
        },
        ...(dlqArn !== undefined ? { deadLetterConfig: { arn: dlqArn } } : {}),
      },
    });
    applyOverrides(this, id, props.overrides);

    new TerraformOutput(this, 'schedule_name', { value: schedule.name });
    new TerraformOutput(this, 'schedule_group', { value: SCHEDULE_GROUP });
    new TerraformOutput(this, 'cluster_name', { value: cluster.getString('cluster_name') });
    new TerraformOutput(this, 'task_definition_arn', { value: taskDefinition.arn });
    new TerraformOutput(this, 'task_definition_family', { value: prefix });
    new TerraformOutput(this, 'log_group_name', { value: logGroup.name });
    new TerraformOutput(this, 'image', { value: image });
    if (dlqArn !== undefined) new TerraformOutput(this, 'dead_letter_queue_arn', { value: dlqArn });
    if (dlq !== undefined) new TerraformOutput(this, 'dead_letter_queue_url', { value: dlq.url });
  }
}
