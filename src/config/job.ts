/**
 * Job files: `jobs/<job>.yaml`, a task run on a schedule by EventBridge Scheduler. The task is the
 * service model's (./schema.ts ServiceBody, the same keys and the same whole-task checks of
 * ./service-rules.ts) without what only a long-running service has (http, count, deployment,
 * scaling, Service Connect), plus the schedule, its retry policy, dead-letter queue and `enabled`.
 */
import { z } from 'zod';
import { awsCronProblem, isTimeZone, isValidCron, RATE, timeZoneNames } from './cron';
import { JOB_RESOURCES } from './overrides';
import { DURATION, parseDuration } from '../duration';
import { FARGATE_SIZES, ServiceBody } from './schema';
import { checkOverrides, checkRole, checkTask, networkModeOf, type Issue, type TaskShape } from './service-rules';
import { closest } from './suggest';

const between = (min: number, max: number, unit = '') =>
  z
    .number()
    .int(`must be a whole number between ${min} and ${max}${unit}`)
    .min(min, `must be between ${min} and ${max}${unit}`)
    .max(max, `must be between ${min} and ${max}${unit}`);

const timeZone = z.string().superRefine((tz, ctx) => {
  if (isTimeZone(tz)) return;
  const guess = closest(tz, timeZoneNames());
  ctx.addIssue({
    code: 'custom',
    message: `must be an IANA time zone such as Europe/Paris, America/New_York or UTC${guess ? `; did you mean '${guess}'?` : ''}`,
  });
});

/** Longest flexible time window EventBridge Scheduler takes, minutes. */
export const MAX_FLEXIBLE_WINDOW = 1440;

export const JobScheduleSchema = z.strictObject({
  cron: z
    .string()
    .refine(isValidCron, {
      message: "must be a 5-field cron expression 'minute hour day-of-month month day-of-week', e.g. '0 2 * * *'",
    })
    .optional()
    .describe('When, as 5-field cron (minute hour day-of-month month day-of-week) in `timezone`.'),
  rate: z
    .string()
    .regex(RATE, "must be a rate such as '1 hour', '15 minutes' or '2 days'")
    .optional()
    .describe("Every so often instead of cron: '15 minutes', '1 hour', '2 days'."),
  timezone: timeZone.default('UTC').describe('IANA time zone of the cron expression (daylight saving time included).'),
  flexibleWindow: z
    .union([z.literal('off'), z.string().regex(DURATION, "must be 'off' or a duration such as 15m or 1h")])
    .default('off')
    .describe(
      `Let the scheduler start the job up to this long after its time (spreads load): 'off', or up to ${MAX_FLEXIBLE_WINDOW}m (24h).`,
    ),
  startDate: z.iso
    .datetime({ offset: true, message: 'must be an ISO 8601 date and time such as 2027-01-01T00:00:00Z' })
    .optional()
    .describe('No run before this time.'),
  endDate: z.iso
    .datetime({ offset: true, message: 'must be an ISO 8601 date and time such as 2027-12-31T23:59:59Z' })
    .optional()
    .describe('No run after this time.'),
});

export const RetryPolicySchema = z.strictObject({
  maximumRetryAttempts: between(0, 185)
    .default(185)
    .describe('Times the scheduler retries a RunTask call that failed (e.g. no capacity).'),
  maximumEventAge: between(60, 86400, ' seconds')
    .default(86400)
    .describe('Seconds after its time that a run is still retried, then given up (and sent to the dead-letter queue).'),
});

const SQS_ARN = /^arn:aws[a-z-]*:sqs:[a-z0-9-]+:\d{12}:[A-Za-z0-9_-]{1,80}(\.fifo)?$/;

/** The keys a service has and a job does not. */
const {
  count: _count,
  http: _http,
  deployment: _deployment,
  scaling: _scaling,
  serviceConnect: _sc,
  propagateTags: _propagate,
  adopt: _adopt,
  ...TaskBody
} = ServiceBody;

const JobBody = {
  ...TaskBody,
  propagateTags: z
    .enum(['TASK_DEFINITION', 'NONE'])
    .default('TASK_DEFINITION')
    .describe("Copy the task definition's tags to each task."),
  schedule: JobScheduleSchema.describe('When the job runs: cron or rate, in a time zone.'),
  retryPolicy: RetryPolicySchema.default({ maximumRetryAttempts: 185, maximumEventAge: 86400 }).describe(
    'How the scheduler retries a run it could not start.',
  ),
  deadLetterQueue: z
    .union([
      z.boolean(),
      z.strictObject({
        arn: z.string().regex(SQS_ARN, 'must be an SQS queue ARN such as arn:aws:sqs:eu-west-1:123456789012:my-dlq'),
      }),
    ])
    .default(false)
    .describe(
      'Where runs that could not be started go: true creates an SQS queue in the job stack; { arn } uses an existing one.',
    ),
  enabled: z.boolean().default(true).describe('false pauses the schedule (the job can still be run with `job run`).'),
};

/** The keys a job may override per environment: all but `environments` and `ecr` (the repository is shared). */
const { ecr: _ecr, ...OverridableJobBody } = JobBody;
export const JobOverrideSchema = z.strictObject(
  Object.fromEntries(Object.entries(OverridableJobBody).map(([k, v]) => [k, (v as z.ZodType).optional()])) as {
    [K in keyof typeof OverridableJobBody]: z.ZodOptional<(typeof OverridableJobBody)[K]>;
  },
);

export const JobFileSchema = z.strictObject({
  $schema: z.string().optional(),
  ...JobBody,
  environments: z
    .record(z.string(), z.unknown())
    .default({})
    .describe('Per-environment overrides: environments.<env>.<key> replaces <key> in that environment.'),
});

const JobObject = z.strictObject({ ...JobBody });
export type JobShape = z.infer<typeof JobObject>;

/** A job after its environment's overrides were merged in, checked as a whole. */
export const JobSchema = JobObject.superRefine((j, ctx) =>
  checkJob(j, (path, message) => ctx.addIssue({ code: 'custom', path, message })),
);
export type JobConfig = z.infer<typeof JobSchema>;

function checkJob(j: JobShape, issue: Issue): void {
  const task: TaskShape = j;
  const containers = checkTask(task, issue, FARGATE_SIZES, 'job');
  checkRole(j, issue);
  checkOverrides(j, containers, issue, jobResourceNames(j), JOB_RESOURCES, 'job');
  const s = j.schedule;
  if ((s.cron === undefined) === (s.rate === undefined))
    issue(
      ['schedule'],
      s.cron === undefined ? 'give schedule.cron or schedule.rate' : 'give schedule.cron or schedule.rate, not both',
    );
  if (s.cron !== undefined && isValidCron(s.cron)) {
    const problem = awsCronProblem(s.cron);
    if (problem !== undefined) issue(['schedule', 'cron'], problem);
  }
  if (s.flexibleWindow !== 'off') {
    const minutes = flexibleWindowMinutes(s.flexibleWindow);
    if (minutes !== undefined && (minutes < 1 || minutes > MAX_FLEXIBLE_WINDOW))
      issue(['schedule', 'flexibleWindow'], `must be between 1m and ${MAX_FLEXIBLE_WINDOW}m (24h)`);
  }
  if (s.startDate !== undefined && s.endDate !== undefined && Date.parse(s.endDate) <= Date.parse(s.startDate))
    issue(['schedule', 'endDate'], `must be after schedule.startDate (${s.startDate})`);
}

/** `15m` → 15, `1h` → 60, `1d` → 1440 (whole minutes, what the scheduler takes); undefined for 'off'. */
export function flexibleWindowMinutes(window: string): number | undefined {
  const ms = parseDuration(window);
  return ms === undefined ? undefined : Math.floor(ms / 60_000);
}

/** Which of JOB_RESOURCES this job's stack has. */
export function jobResourceNames(j: JobShape): string[] {
  const awsvpc = networkModeOf(j) === 'awsvpc';
  const grants =
    j.permissions.length > 0 ||
    j.enableExecuteCommand ||
    j.volumes.some((v) => v.efsVolumeConfiguration?.authorizationConfig.iam === 'ENABLED');
  const present: Record<string, boolean> = {
    TaskRole: j.taskRoleArn === undefined,
    TaskPolicy: j.taskRoleArn === undefined && grants,
    TaskSecurityGroup: awsvpc,
    TaskEgress: awsvpc,
    DeadLetterQueue: j.deadLetterQueue === true,
  };
  return Object.keys(JOB_RESOURCES).filter((name) => present[name] ?? true);
}
