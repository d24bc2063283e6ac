/**
 * What every job operation starts from: the project, the environment, the job and its AWS names
 * (from the configuration alone, by the functions the stacks name things with), the release store,
 * and the AWS APIs. A job's ledger sits next to its environment's services' under the key
 * `jobs/<job>` (jobLedgerKey), which no service name can be.
 */
import type { ResolvedJob } from '../../config/load';
import { closest } from '../../config/suggest';
import { AwsClients, type AwsTarget } from '../../aws/clients';
import { queueApi, schedulerApi, type QueueApi, type SchedulerApi } from '../../aws/scheduler';
import { UsageError } from '../../errors';
import { environmentTarget } from '../accounts';
import { jobPrefix, jobRepositoryName, SCHEDULE_GROUP } from '../../../stacks/names';
import { jobLedgerKey, jobStackName, stackSelector } from '../../synth/stack-order';
import { openEnvironment, type EnvironmentContext } from '../service/context';
import { clusterName } from '../service/names';
import type { ServiceDeps } from '../service';

export interface JobNames {
  /** `<env>-job-<job>`: the Terraform stack; `job-<job>` selects it (--stack). */
  readonly stack: string;
  readonly selector: string;
  readonly cluster: string;
  /** Task definition family, and the schedule's name. */
  readonly family: string;
  readonly schedule: string;
  readonly scheduleGroup: string;
  /** ECR repository (shared by every environment). */
  readonly repository: string;
  readonly logGroup: string;
  /** The main container. */
  readonly container: string;
  /** The job's key in the release store. */
  readonly ledger: string;
  /** The dead-letter queue ecsdeploy creates (deadLetterQueue: true). */
  readonly deadLetterQueue: string;
}

export function jobNames(project: string, env: EnvironmentContext['env'], job: ResolvedJob): JobNames {
  const family = jobPrefix(project, env.name, job.name);
  return {
    stack: jobStackName(env.name, job.name),
    selector: stackSelector({ kind: 'job', job: job.name }),
    cluster: clusterName(project, env),
    family,
    schedule: family.slice(0, 64),
    scheduleGroup: SCHEDULE_GROUP,
    repository: jobRepositoryName(project, job.name),
    logGroup: `/ecs/${project}/${env.name}/jobs/${job.name}`,
    container: job.containerName ?? job.name,
    ledger: jobLedgerKey(job.name),
    deadLetterQueue: `${family}-dlq`,
  };
}

/** EventBridge Scheduler and SQS, for job list and job run. */
export interface JobApis {
  readonly scheduler: SchedulerApi;
  readonly queues: QueueApi;
}

export function awsJobApis(target: AwsTarget): JobApis {
  const clients = new AwsClients(target);
  let scheduler: SchedulerApi | undefined, queues: QueueApi | undefined;
  return {
    get scheduler() {
      return (scheduler ??= schedulerApi(clients));
    },
    get queues() {
      return (queues ??= queueApi(clients));
    },
  };
}

/** Job operations take the service operations' dependencies, and the scheduler's and SQS's APIs. */
export type JobDeps = ServiceDeps & { jobApis?(target: AwsTarget): JobApis };

export interface JobContext extends EnvironmentContext {
  readonly job: ResolvedJob;
  readonly names: JobNames;
  readonly jobs: JobApis;
}

export async function openJob(
  dir: string,
  envName: string,
  jobName: string,
  deps: Pick<JobDeps, 'apis' | 'store' | 'jobApis'>,
): Promise<JobContext> {
  return pickJob(await openEnvironment(dir, envName, deps), jobName, deps);
}

/** The job of an opened environment, or a usage error naming the jobs there are. */
export function pickJob(ctx: EnvironmentContext, jobName: string, deps: Pick<JobDeps, 'jobApis'>): JobContext {
  const jobs = ctx.env.jobs ?? [];
  const job = jobs.find((j) => j.name === jobName);
  if (job === undefined) {
    const known = jobs.map((j) => j.name);
    const guess = closest(jobName, known);
    throw new UsageError(
      `Environment '${ctx.env.name}' has no job '${jobName}'${guess ? `; did you mean '${guess}'?` : '.'}`,
      [
        known.length
          ? `Jobs of ${ctx.env.name}: ${known.join(', ')}.`
          : `Environment ${ctx.env.name} has no scheduled jobs${ctx.env.ephemeral ? ' (environments on demand have none)' : ''}.`,
        `A job is a file jobs/${jobName}.yaml, listed in environments/${ctx.env.name}.yaml jobs: (or all when that key is omitted).`,
      ],
    );
  }
  const target = environmentTarget(ctx.env);
  return {
    ...ctx,
    job,
    names: jobNames(ctx.project.config.project, ctx.env, job),
    jobs: (deps.jobApis ?? awsJobApis)(target),
  };
}
