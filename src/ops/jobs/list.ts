/**
 * `job list`: the jobs of an environment as AWS sees them: each schedule (expression, time zone,
 * state) and its next run time, the outcome of the last runs (the ECS tasks of the job's task
 * definition family, started by the schedule or by `job run`; ECS keeps stopped tasks about an
 * hour), and the depth of its dead-letter queue (runs the scheduler could not start).
 */
import { nextCronRun } from '../../config/cron';
import type { ResolvedJob } from '../../config/load';
import type { ScheduleInfo } from '../../aws/scheduler';
import type { TaskState } from '../../aws/ecs-tasks';
import { currentRelease, shortDigest } from '../releases';
import { STARTED_BY, taskId } from '../task/one-off';
import { openEnvironment } from '../service/context';
import { clusterName } from '../service/names';
import { pickJob, type JobContext, type JobDeps } from './context';
import { jobDeps } from './deploy';

export interface JobRun {
  readonly taskId: string;
  /** `schedule` (EventBridge Scheduler), `job run` (ecsdeploy), or ECS's startedBy. */
  readonly by: string;
  /** ISO times. */
  readonly startedAt?: string;
  readonly stoppedAt?: string;
  readonly status: string;
  /** running | succeeded | failed (exit code ≠ 0) | not started (ECS's reason) */
  readonly outcome: 'running' | 'succeeded' | 'failed' | 'not started';
  readonly exitCode?: number;
  readonly reason?: string;
}

export interface JobSummary {
  readonly job: string;
  /** As the job file says it: `cron 0 2 * * * (Europe/Paris)`, `rate 1 hour`. */
  readonly schedule: string;
  /** ENABLED, DISABLED, or `not deployed` when the schedule does not exist. */
  readonly state: string;
  /** ISO; absent when disabled, not deployed or past its end date. */
  readonly nextRun?: string;
  readonly release?: { readonly id: number; readonly image: string; readonly status: string };
  /** Newest first (at most 5). */
  readonly lastRuns: readonly JobRun[];
  /** Messages in the dead-letter queue; absent without one. */
  readonly deadLetters?: number;
}

export interface JobList {
  readonly environment: string;
  readonly cluster: string;
  readonly jobs: readonly JobSummary[];
}

const LAST_RUNS = 5;

export async function listJobs(
  input: { readonly dir: string; readonly env: string },
  deps: Pick<JobDeps, 'apis' | 'store' | 'jobApis' | 'clock'> = jobDeps(),
): Promise<JobList> {
  const envCtx = await openEnvironment(input.dir, input.env, deps);
  const jobs = envCtx.env.jobs ?? [];
  const summaries = await Promise.all(jobs.map((j) => summarize(pickJob(envCtx, j.name, deps), deps.clock.now())));
  return {
    environment: envCtx.env.name,
    cluster: clusterName(envCtx.project.config.project, envCtx.env),
    jobs: summaries,
  };
}

async function summarize(ctx: JobContext, now: number): Promise<JobSummary> {
  const { job, names } = ctx;
  const [schedule, runs, ledger] = await Promise.all([
    ctx.jobs.scheduler.getSchedule(names.scheduleGroup, names.schedule),
    lastRuns(ctx),
    ctx.store.read(ctx.env.name, names.ledger),
  ]);
  const release = currentRelease(ledger.ledger);
  const dlq = schedule?.target.deadLetterArn;
  const deadLetters = dlq !== undefined ? await ctx.jobs.queues.depth(dlq) : undefined;
  const next = schedule !== undefined ? nextRun(job, schedule, now) : undefined;
  return {
    job: job.name,
    schedule: describeSchedule(job),
    state: schedule?.state ?? 'not deployed',
    ...(next !== undefined ? { nextRun: new Date(next).toISOString() } : {}),
    ...(release
      ? {
          release: {
            id: release.id,
            image: release.image.tag
              ? `${release.image.tag} (${shortDigest(release.image.digest)})`
              : shortDigest(release.image.digest),
            status: release.rollout.status,
          },
        }
      : {}),
    lastRuns: runs,
    ...(deadLetters !== undefined ? { deadLetters } : {}),
  };
}

export function describeSchedule(job: Pick<ResolvedJob, 'schedule'>): string {
  const s = job.schedule;
  return s.cron !== undefined ? `cron ${s.cron} (${s.timezone})` : `rate ${s.rate}`;
}

/** The next time the schedule fires after `now`: from the job's cron in its time zone, or every `rate` from its start. */
export function nextRun(
  job: Pick<ResolvedJob, 'schedule'>,
  schedule: Pick<ScheduleInfo, 'state' | 'createdAt' | 'startDate' | 'endDate'>,
  now: number,
): number | undefined {
  if (schedule.state !== 'ENABLED') return undefined;
  const after = Math.max(now, (schedule.startDate ?? 0) - 1);
  let next: number | undefined;
  if (job.schedule.cron !== undefined) next = nextCronRun(job.schedule.cron, job.schedule.timezone, after);
  else {
    const [value, unit] = job.schedule.rate!.split(' ') as [string, string];
    const period =
      Number(value) * (unit.startsWith('minute') ? 60_000 : unit.startsWith('hour') ? 3_600_000 : 86_400_000);
    const origin = schedule.startDate ?? schedule.createdAt ?? now;
    next = origin > after ? origin : origin + Math.ceil((after - origin + 1) / period) * period;
  }
  return next !== undefined && (schedule.endDate === undefined || next <= schedule.endDate) ? next : undefined;
}

async function lastRuns(ctx: JobContext): Promise<JobRun[]> {
  const tasks = ctx.aws.tasks;
  if (tasks === undefined) return [];
  const [running, stopped] = await Promise.all([
    tasks.listTasks(ctx.names.cluster, { family: ctx.names.family, desiredStatus: 'RUNNING' }),
    tasks.listTasks(ctx.names.cluster, { family: ctx.names.family, desiredStatus: 'STOPPED' }),
  ]);
  const arns = [...new Set([...running, ...stopped])];
  if (arns.length === 0) return [];
  const described = await tasks.describeTasks(ctx.names.cluster, arns);
  return described
    .sort((a, b) => (b.createdAt ?? 0) - (a.createdAt ?? 0))
    .slice(0, LAST_RUNS)
    .map((t) => runOf(t, ctx.names.container));
}

/** One task of the job, as an outcome. */
export function runOf(t: TaskState, container: string): JobRun {
  const main = t.containers.find((c) => c.name === container) ?? t.containers[0];
  const iso = (ms: number | undefined) => (ms === undefined ? undefined : new Date(ms).toISOString());
  const by =
    t.startedBy === undefined
      ? 'unknown'
      : t.startedBy === STARTED_BY
        ? 'job run'
        : /^chronos-|scheduler/i.test(t.startedBy)
          ? 'schedule'
          : t.startedBy;
  const base = {
    taskId: taskId(t.arn),
    by,
    ...(iso(t.startedAt ?? t.createdAt) ? { startedAt: iso(t.startedAt ?? t.createdAt)! } : {}),
    ...(iso(t.stoppedAt) ? { stoppedAt: iso(t.stoppedAt)! } : {}),
    status: t.lastStatus,
  };
  if (t.lastStatus !== 'STOPPED') return { ...base, outcome: 'running' };
  if (main?.exitCode !== undefined)
    return {
      ...base,
      outcome: main.exitCode === 0 ? 'succeeded' : 'failed',
      exitCode: main.exitCode,
      ...(main.exitCode !== 0 && main.reason ? { reason: main.reason } : {}),
    };
  return {
    ...base,
    outcome: 'not started',
    reason: t.stoppedReason ?? t.stopCode ?? 'stopped before the container ran',
  };
}
