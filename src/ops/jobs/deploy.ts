/**
 * `job deploy`, `job promote`, `job history`: jobs are released like services. An image is resolved
 * to its digest, recorded as a release in the job's ledger (compare-and-swap: of two deploys that
 * start together one records), and the `<env>-job-<job>` stack is applied with it: the schedule
 * then runs the new task definition. There is no rollout to watch: the release is completed once
 * the stack is applied (what a run does is `job list`'s and `job run`'s business).
 */
import { EcsdeployError, UsageError } from '../../errors';
import { environmentNames } from '../../config/load';
import {
  appendRelease,
  imageUri,
  latestRelease,
  ReleaseConflictError,
  resolveImage,
  updateLedger,
  withRollout,
  type NewRelease,
  type Release,
  type ReleaseImage,
} from '../releases';
import type { DeployEvent } from '../service';
import { liveDeps } from '../service/context';
import { imageFromFile } from '../service/deploy';
import { historyOf, type ReleaseHistory } from '../service/status';
import { awsJobApis, openJob, type JobContext, type JobDeps } from './context';

export interface JobDeliveryOptions {
  readonly onEvent?: (event: DeployEvent) => void;
  /** Aborts the engine gracefully (Ctrl-C during apply). */
  readonly signal?: AbortSignal;
}

export interface JobDeployInput extends JobDeliveryOptions {
  readonly dir: string;
  readonly env: string;
  readonly job: string;
  /** A tag of the job's repository, a digest, or a full reference. @default the job file's image.digest, else image.tag, for the environment */
  readonly image?: string;
  readonly message?: string;
  readonly allowMutableTag?: boolean;
}

export interface JobDeployResult {
  readonly environment: string;
  readonly job: string;
  readonly release: Release;
  readonly image: string;
  readonly taskDefinition: string;
  readonly schedule: string;
  readonly enabled: boolean;
}

export function jobDeps(): JobDeps {
  return { ...liveDeps(), jobApis: awsJobApis };
}

export async function deployJob(input: JobDeployInput, deps: JobDeps = jobDeps()): Promise<JobDeployResult> {
  const ctx = await openJob(input.dir, input.env, input.job, deps);
  const { repository } = ctx.job.image;
  const fromFile = input.image === undefined ? imageFromFile(ctx.job, ctx.env.name, 'job deploy') : undefined;
  const label = fromFile?.label;
  const image = await resolveImage(input.image ?? fromFile!.ref, {
    ecr: ctx.registry.ecr,
    region: ctx.project.config.region,
    repositoryName: ctx.names.repository,
    ...(repository !== undefined ? { configuredRepository: repository } : {}),
    environments: environmentNames(ctx.project.root),
    allowMutableTag: input.allowMutableTag ?? false,
    ...(label ? { label } : {}),
  });
  input.onEvent?.({ type: 'image', image, ...(label ? { source: label } : {}) });
  return deliverJob(ctx, image, { kind: 'deploy', ...(input.message ? { message: input.message } : {}) }, deps, input);
}

export interface JobPromoteInput extends JobDeliveryOptions {
  readonly dir: string;
  readonly job: string;
  readonly from: string;
  readonly to: string;
  readonly message?: string;
  /** Promote even when the last release in `from` was not applied. */
  readonly force?: boolean;
}

/** Deploys to `to` exactly the digest of the last release in `from`, which must have been applied there. */
export async function promoteJob(input: JobPromoteInput, deps: JobDeps = jobDeps()): Promise<JobDeployResult> {
  if (input.from === input.to)
    throw new UsageError(`--from and --to are both '${input.from}': promote goes from one environment to another.`, [
      'Use `ecsdeploy job deploy` to redeploy in one environment.',
    ]);
  const source = await openJob(input.dir, input.from, input.job, deps);
  const last = latestRelease((await source.store.read(input.from, source.names.ledger)).ledger);
  if (last === undefined)
    throw new UsageError(`${input.job} has no release in ${input.from} to promote.`, [
      `Deploy it there first: ecsdeploy job deploy ${input.job} --env ${input.from} --image <tag>.`,
    ]);
  if (last.rollout.status !== 'completed' && !input.force) {
    throw new UsageError(
      `The last release of job ${input.job} in ${input.from} (#${last.id}) is ${last.rollout.status}${last.rollout.reason ? ` (${last.rollout.reason})` : ''}: promote only what was applied in ${input.from}.`,
      [`Deploy it again in ${input.from}, or pass --force to promote release #${last.id} anyway.`],
    );
  }
  const target = await openJob(input.dir, input.to, input.job, deps);
  input.onEvent?.({ type: 'image', image: last.image, source: `release #${last.id} of ${input.from}` });
  const message =
    input.message ?? `promoted from ${input.from} release #${last.id}${last.message ? `: ${last.message}` : ''}`;
  return deliverJob(
    target,
    last.image,
    { kind: 'promote', promotedFrom: { environment: input.from, release: last.id }, message },
    deps,
    input,
  );
}

async function deliverJob(
  ctx: JobContext,
  image: ReleaseImage,
  meta: Omit<NewRelease, 'image' | 'createdAt' | 'createdBy'>,
  deps: JobDeps,
  options: JobDeliveryOptions,
): Promise<JobDeployResult> {
  const { env, job, names, store } = ctx;
  const iso = () => new Date(deps.clock.now()).toISOString();
  const { ledger, version } = await store.read(env.name, names.ledger);
  const appended = appendRelease(ledger, { ...meta, image, createdAt: iso(), createdBy: deps.actor() }, iso());
  if ((await store.write(appended.ledger, version)) === undefined) {
    const winner = latestRelease((await store.read(env.name, names.ledger)).ledger);
    throw new ReleaseConflictError(
      `Another deploy of job ${job.name} to ${env.name} recorded ${winner ? `release #${winner.id} (by ${winner.createdBy}, ${winner.createdAt})` : 'a release'} while this one was starting, so this one stopped: it changed nothing.`,
      [`See it: ecsdeploy job history ${job.name} --env ${env.name}.`],
    );
  }
  let release = appended.release;
  options.onEvent?.({ type: 'recorded', release });
  const record = async (rollout: Omit<Release['rollout'], 'updatedAt'>) => {
    const updated = await updateLedger(store, env.name, names.ledger, (l) =>
      withRollout(l, release.id, { ...rollout, updatedAt: iso() }),
    );
    release = updated.releases.find((r) => r.id === release.id) ?? release;
  };

  options.onEvent?.({ type: 'phase', phase: 'apply', message: `Applying ${names.stack} with ${imageUri(image)}` });
  let taskDefinition: string | undefined;
  try {
    const report = await deps.infra.apply({
      dir: ctx.project.root,
      env: env.name,
      stacks: [names.selector],
      onEvent: (event) => options.onEvent?.({ type: 'infra', event }),
      ...(options.signal ? { signal: options.signal } : {}),
    });
    const arn = report.stacks.find((s) => s.stack === names.stack)?.outputs['task_definition_arn'];
    taskDefinition = typeof arn === 'string' && arn !== '' ? arn : undefined;
  } catch (err) {
    await record({
      status: 'failed',
      reason: `the stack ${names.stack} could not be applied: ${(err as Error).message.split('\n')[0]}`,
    });
    throw err;
  }
  if (taskDefinition === undefined) {
    await record({ status: 'failed', reason: `the stack ${names.stack} has no task_definition_arn output` });
    throw new EcsdeployError(`The stack ${names.stack} was applied, but has no task_definition_arn output.`, {
      code: 'ECSDEPLOY_ROLLOUT_FAILED',
      suggestions: [`Check it: ecsdeploy plan --env ${env.name} --stack ${names.selector}.`],
    });
  }
  await record({ status: 'completed', taskDefinition });
  return {
    environment: env.name,
    job: job.name,
    release,
    image: imageUri(image),
    taskDefinition,
    schedule: names.schedule,
    enabled: job.enabled,
  };
}

/** A job's ledger in ReleaseHistory's shape (its `service` is the job's name), so the services' view prints it. */
export type JobHistory = ReleaseHistory;

export async function jobHistory(
  input: { readonly dir: string; readonly env: string; readonly job: string; readonly limit?: number },
  deps: Pick<JobDeps, 'apis' | 'store' | 'jobApis'> = jobDeps(),
): Promise<JobHistory> {
  const ctx = await openJob(input.dir, input.env, input.job, deps);
  const { ledger } = await ctx.store.read(ctx.env.name, ctx.names.ledger);
  return historyOf(ctx.env.name, ctx.job.name, ctx.store.location, ledger, input.limit);
}
