/**
 * `service watch`: watch again the rollout of the current release when an earlier watch stopped
 * (timeout, Ctrl-C, --no-wait), and record its outcome as deploy would have.
 */
import { UsageError } from '../../errors';
import { currentRelease, imageUri } from '../releases';
import { liveDeps, openService, type ServiceDeps } from './context';
import { finish, recorder, watchRollout, type DeliveryOptions, type DeployResult } from './deliver';

export interface WatchInput extends DeliveryOptions {
  readonly dir: string;
  readonly env: string;
  readonly service: string;
}

export async function watchService(input: WatchInput, deps: ServiceDeps = liveDeps()): Promise<DeployResult> {
  const ctx = await openService(input.dir, input.env, input.service, deps);
  const { env, service, store } = ctx;
  let release = currentRelease((await store.read(env.name, service.name)).ledger);
  if (release === undefined) {
    throw new UsageError(`${service.name} has no release in ${env.name} to watch.`, [
      `Deploy one: ecsdeploy service deploy ${service.name} --env ${env.name} --image <tag>.`,
    ]);
  }
  const { taskDefinition, deploymentId } = release.rollout;
  const base = {
    environment: env.name,
    service: service.name,
    image: imageUri(release.image),
    strategy: service.deployment.strategy,
    ...(taskDefinition ? { taskDefinition } : {}),
  };
  if (release.rollout.status !== 'pending') return { ...base, release, watched: false };
  const again = `Deploy it again: ecsdeploy service deploy ${service.name} --env ${env.name} --image ${imageUri(release.image)}.`;
  if (taskDefinition === undefined) {
    throw new UsageError(
      `Release #${release.id} of ${service.name} in ${env.name} is pending, but the task definition it rolls out was never recorded (its apply did not finish).`,
      [again],
    );
  }
  if (service.deployment.strategy !== 'rolling' && deploymentId === undefined) {
    throw new UsageError(
      `Release #${release.id} of ${service.name} in ${env.name} never got its CodeDeploy deployment.`,
      [again],
    );
  }
  const outcome = await watchRollout(
    ctx,
    deps,
    { taskDefinition, startedAt: Date.parse(release.createdAt), ...(deploymentId ? { deploymentId } : {}) },
    input,
  );
  const record = recorder(ctx, release.id, deps.clock, (r) => (release = r));
  return finish(ctx, deps, input, { ...base, watched: true }, outcome, record);
}
