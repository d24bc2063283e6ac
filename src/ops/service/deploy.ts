/**
 * `service deploy`, `service promote`, `service rollback`: each picks an image, then delivers it
 * (./deliver): a new release record, the service stack applied, the rollout watched to its end.
 */
import { UsageError } from '../../errors';
import { environmentNames } from '../../config/load';
import {
  currentRelease,
  findRelease,
  imageUri,
  latestRelease,
  parseReleaseId,
  previousCompleted,
  resolveImage,
  shortDigest,
  type Release,
  type ReleaseImage,
} from '../releases';
import { liveDeps, openService, type ServiceContext, type ServiceDeps } from './context';
import { verifyBeforeDelivery } from '../verify/gate';
import { deliver, type DeliveryOptions, type DeployResult } from './deliver';

export interface DeployInput extends DeliveryOptions {
  readonly dir: string;
  readonly env: string;
  readonly service: string;
  /**
   * A tag of the service's repository, a digest, or a full image reference.
   * @default the service file's image.digest, else its image.tag, for the environment (after its environments.<env> overrides)
   */
  readonly image?: string;
  readonly message?: string;
  readonly allowMutableTag?: boolean;
  /** Run the checks of `ecsdeploy verify` for this service before anything changes. @default true */
  readonly verify?: boolean;
}

export async function deployService(input: DeployInput, deps: ServiceDeps = liveDeps()): Promise<DeployResult> {
  const ctx = await openService(input.dir, input.env, input.service, deps);
  const configured = ctx.service.image?.repository;
  const fromFile = input.image === undefined ? imageFromFile(ctx.service, ctx.env.name) : undefined;
  const image = await resolveImage(input.image ?? fromFile!.ref, {
    ecr: ctx.registry.ecr,
    region: ctx.project.config.region,
    repositoryName: ctx.names.repository,
    ...(configured !== undefined ? { configuredRepository: configured } : {}),
    environments: environmentNames(ctx.project.root),
    allowMutableTag: input.allowMutableTag ?? false,
    ...(fromFile ? { label: fromFile.label } : {}),
  });
  // The image line of the progress says where an image that was not given came from.
  const options: DeliveryOptions = fromFile
    ? { ...input, onEvent: (e) => input.onEvent?.(e.type === 'image' ? { ...e, source: fromFile.label } : e) }
    : input;
  await verifyFirst(ctx, image, deps, input, 'service deploy');
  return deliver(ctx, image, { kind: 'deploy', ...(input.message ? { message: input.message } : {}) }, deps, options);
}

/**
 * The image a service (or job) file names for an environment (after its environments.<env> overrides): its
 * digest when it pins one, else its tag; `label` names it in messages.
 */
export function imageFromFile(
  service: {
    readonly name: string;
    readonly file: string;
    readonly image?: { readonly tag?: string | undefined; readonly digest?: string | undefined } | undefined;
  },
  envName: string,
  command: 'service deploy' | 'job deploy' = 'service deploy',
): { ref: string; label: string } {
  const { tag, digest } = service.image ?? {};
  const key = digest !== undefined ? 'image.digest' : 'image.tag';
  const ref = digest ?? tag;
  if (ref === undefined) {
    throw new UsageError(
      `No image to deploy: --image is not given, and ${service.file} names no image for ${envName} (neither image.tag nor image.digest).`,
      [
        `Pass --image TAG (ecsdeploy ${command} ${service.name} --env ${envName} --image TAG), or set image.tag in ${service.file}.`,
      ],
    );
  }
  return { ref, label: `${key} ${ref} of ${service.file} for ${envName}` };
}

export interface PromoteInput extends DeliveryOptions {
  readonly dir: string;
  readonly service: string;
  readonly from: string;
  readonly to: string;
  readonly message?: string;
  /** Promote even when the last rollout in `from` did not complete. */
  readonly force?: boolean;
  /** Run the checks of `ecsdeploy verify` in `to` before anything changes. @default true */
  readonly verify?: boolean;
}

/** Deploys to `to` exactly the digest of the last release in `from`, which must have completed there. */
export async function promoteService(input: PromoteInput, deps: ServiceDeps = liveDeps()): Promise<DeployResult> {
  if (input.from === input.to)
    throw new UsageError(`--from and --to are both '${input.from}': promote goes from one environment to another.`, [
      'Use `ecsdeploy service deploy` to redeploy in one environment.',
    ]);
  const source = await openService(input.dir, input.from, input.service, deps);
  const last = latestRelease((await source.store.read(input.from, input.service)).ledger);
  if (last === undefined) {
    throw new UsageError(`${input.service} has no release in ${input.from} to promote.`, [
      `Deploy it there first: ecsdeploy service deploy ${input.service} --env ${input.from} --image <tag>.`,
    ]);
  }
  if (last.rollout.status !== 'completed' && !input.force) {
    throw new UsageError(
      `The last rollout of ${input.service} in ${input.from} (release #${last.id}, ${describe(last)}) did not complete: it is ${last.rollout.status}${last.rollout.reason ? ` (${last.rollout.reason})` : ''}. Promote only what is proven in ${input.from}.`,
      [
        last.rollout.status === 'pending'
          ? `Wait for it: ecsdeploy service watch ${input.service} --env ${input.from}.`
          : `Fix it in ${input.from} and deploy again there.`,
        `Or pass --force to promote release #${last.id} anyway.`,
      ],
    );
  }
  const target = await openService(input.dir, input.to, input.service, deps);
  await checkStillThere(target, last);
  const message =
    input.message ?? `promoted from ${input.from} release #${last.id}${last.message ? `: ${last.message}` : ''}`;
  await verifyFirst(target, last.image, deps, input, 'service promote');
  return deliver(
    target,
    last.image,
    { kind: 'promote', promotedFrom: { environment: input.from, release: last.id }, message },
    deps,
    input,
  );
}

export interface RollbackInput extends DeliveryOptions {
  readonly dir: string;
  readonly env: string;
  readonly service: string;
  /** Release number (`12`, `#12`); default: the previous completed release with another image. */
  readonly to?: string;
  readonly message?: string;
}

/** Deploys again the image of an earlier release: the previous completed one, or the one named. */
export async function rollbackService(input: RollbackInput, deps: ServiceDeps = liveDeps()): Promise<DeployResult> {
  const ctx = await openService(input.dir, input.env, input.service, deps);
  const { ledger } = await ctx.store.read(input.env, input.service);
  let target: Release | undefined;
  if (input.to !== undefined) {
    const id = parseReleaseId(input.to);
    target = id === undefined ? undefined : findRelease(ledger, id);
    if (target === undefined) {
      throw new UsageError(
        `--to ${input.to}: ${input.service} in ${input.env} has no release ${id === undefined ? 'by that name' : `#${id}`}.`,
        [`List them: ecsdeploy service history ${input.service} --env ${input.env}.`],
      );
    }
  } else {
    target = previousCompleted(ledger);
    if (target === undefined) {
      const current = currentRelease(ledger);
      throw new UsageError(
        `${input.service} in ${input.env} has no earlier completed release${current ? ` with another image than the current #${current.id}` : ''} to go back to.`,
        [`List the releases: ecsdeploy service history ${input.service} --env ${input.env}; name one with --to.`],
      );
    }
  }
  await checkStillThere(ctx, target);
  const message = input.message ?? `rollback to release #${target.id}`;
  // deployment.before ran when that image was first deployed: not again, unless asked (runBefore).
  return deliver(ctx, target.image, { kind: 'rollback', rollbackTo: target.id, message }, deps, {
    ...input,
    runBefore: input.runBefore ?? false,
  });
}

function describe(r: Release): string {
  return r.image.tag ? `${r.image.tag} = ${shortDigest(r.image.digest)}` : shortDigest(r.image.digest);
}

/**
 * The checks of `ecsdeploy verify` for the service being delivered, before the release is recorded
 * or the stack applied: a problem throws a VerifyError (exit 1) with nothing changed.
 */
async function verifyFirst(
  ctx: ServiceContext,
  image: ReleaseImage,
  deps: ServiceDeps,
  input: { readonly verify?: boolean; readonly onEvent?: DeliveryOptions['onEvent'] },
  command: string,
): Promise<void> {
  if (input.verify === false || deps.verify === undefined) return;
  input.onEvent?.({
    type: 'phase',
    phase: 'verify',
    message: `Verifying ${ctx.service.name} in ${ctx.env.name} before anything changes (--no-verify skips)`,
  });
  const report = await verifyBeforeDelivery(
    { project: ctx.project, env: ctx.env, service: ctx.service, image, command },
    deps.verify,
  );
  input.onEvent?.({
    type: 'phase',
    phase: 'verify',
    message: `Verified: ${report.ok} ok, ${report.notChecked} not checked${
      report.notChecked
        ? ` (${report.checks
            .filter((c) => c.status === 'not-checked')
            .map((c) => c.check)
            .filter((c, i, all) => all.indexOf(c) === i)
            .join(', ')})`
        : ''
    }`,
  });
}

/** An image of the service's own repository may have expired under the lifecycle policy since. */
async function checkStillThere(ctx: ServiceContext, release: Release): Promise<void> {
  if (!release.image.serviceRepository || ctx.service.image.repository !== undefined) return;
  const found = await ctx.registry.ecr.image(ctx.names.repository, { digest: release.image.digest });
  if (found === undefined) {
    throw new UsageError(
      `The image of release #${release.id} (${imageUri(release.image)}) is no longer in ECR: the repository's lifecycle policy expired it.`,
      ['Push that image again (the same digest), or deploy a newer one.'],
    );
  }
}
