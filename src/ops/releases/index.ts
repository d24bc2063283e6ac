/**
 * Releases: the record of which image runs where. Synth takes the current release of each service
 * from here (releasedImages), so a stack applied with nothing new is a no-op, and deploy, promote
 * and rollback only ever add records.
 */
import type { ResolvedEnvironment, ResolvedProject } from '../../config/load';
import { AwsClients } from '../../aws/clients';
import { releasesTarget } from '../accounts';
import { objectStoreApi } from '../../aws/s3-objects';
import type { AdoptedServices, HeldTaskDefinitions, ReleasedImages } from '../../synth';
import { currentRelease, heldTaskDefinition, synthImage } from './model';
import { openReleaseStore, updateLedger, type ReleaseStore } from './store';
import { jobLedgerKey } from '../../synth/stack-order';

export * from './model';
export { resolveImage, MUTABLE_TAGS, type ImageContext } from './image';
export {
  localReleaseStore,
  openReleaseStore,
  ReleaseConflictError,
  s3ReleaseStore,
  updateLedger,
  type ReleaseStore,
  type VersionedLedger,
} from './store';

/** The project's release store (ecsdeploy.yaml `releases:`); S3 in the project's region and endpoint, with `releases.role` or the environment's. */
export function projectReleaseStore(project: ResolvedProject, env?: ResolvedEnvironment): ReleaseStore {
  return openReleaseStore(project.root, project.config, () =>
    objectStoreApi(new AwsClients(releasesTarget(project, env))),
  );
}

export { registryTarget } from '../accounts';

/**
 * The image of the current release of each service of `env` (only `services` when given), and of
 * each of its scheduled jobs named in `jobs` (under jobLedgerKey), for synthesize({ images }).
 * Those without a release are left out: synth then uses the config's image.tag / image.digest.
 */
export async function releasedImages(
  store: ReleaseStore,
  env: ResolvedEnvironment,
  services?: readonly string[],
  jobs: readonly string[] = [],
): Promise<ReleasedImages> {
  const names = [
    ...env.services.map((s) => s.name).filter((n) => services === undefined || services.includes(n)),
    ...(env.jobs ?? []).filter((j) => jobs.includes(j.name)).map((j) => jobLedgerKey(j.name)),
  ];
  const entries = await Promise.all(
    names.map(async (service) => {
      const release = currentRelease((await store.read(env.name, service)).ledger);
      return release ? ([service, synthImage(release)] as const) : undefined;
    }),
  );
  return new Map([[env.name, new Map(entries.filter((e) => e !== undefined))]]);
}

/**
 * The task definitions ECS services must stay on while a release's deployment.before commands
 * run (environment → service → ARN), for synthesize({ holds }); empty for most services.
 */
export async function heldTaskDefinitions(
  store: ReleaseStore,
  env: ResolvedEnvironment,
  services?: readonly string[],
): Promise<HeldTaskDefinitions> {
  const names = env.services
    .filter((s) => s.deployment.before.length > 0)
    .map((s) => s.name)
    .filter((n) => services === undefined || services.includes(n));
  const entries = await Promise.all(
    names.map(async (service) => [service, heldTaskDefinition((await store.read(env.name, service)).ledger)] as const),
  );
  return new Map([[env.name, new Map(entries.filter((e): e is readonly [string, string] => e[1] !== undefined))]]);
}

/**
 * The adopted services of `env` (only `services` when given) whose import an apply recorded, for
 * synthesize({ adopted }). Only services with an `adopt` section are read.
 */
export async function adoptedServices(
  store: ReleaseStore,
  env: ResolvedEnvironment,
  services?: readonly string[],
): Promise<AdoptedServices> {
  const names = env.services
    .filter((s) => s.adopt !== undefined)
    .map((s) => s.name)
    .filter((n) => services === undefined || services.includes(n));
  const entries = await Promise.all(
    names.map(async (service) => [service, (await store.read(env.name, service)).ledger.adopted] as const),
  );
  return new Map([
    [
      env.name,
      new Map(
        entries.flatMap(([service, a]) =>
          a ? [[service, { serviceName: a.serviceName, cluster: a.cluster }] as const] : [],
        ),
      ),
    ],
  ]);
}

/** Records that an apply imported `serviceName` on `cluster` for `service` in `environment`. */
export async function recordAdoption(
  store: ReleaseStore,
  environment: string,
  service: string,
  adoption: { serviceName: string; cluster: string; at: string; by: string; imported: number },
): Promise<void> {
  await updateLedger(store, environment, service, (ledger) => ({ ...ledger, adopted: { ...adoption } }));
}
