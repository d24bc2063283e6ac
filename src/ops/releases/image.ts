/**
 * `--image REF` → an immutable image. A tag (`1.4.2`) or `repo:tag` in ECR is resolved to its digest
 * through ECR; a digest (`sha256:...`) is checked to exist in the service's repository; a full
 * `repo@sha256:...` reference is taken as it is. Tags that move by convention (`latest`, `prod`,
 * an environment's name, ...) are refused unless explicitly allowed: a release must say exactly
 * which bytes run.
 */
import type { EcrApi, EcrImage } from '../../aws/ecr';
import { EcsdeployError, UsageError } from '../../errors';
import type { ReleaseImage } from './model';

/** Tags that, by convention, point at different images over time. */
export const MUTABLE_TAGS: readonly string[] = [
  'latest',
  'stable',
  'prod',
  'production',
  'staging',
  'stage',
  'dev',
  'development',
  'test',
  'qa',
  'uat',
  'main',
  'master',
  'trunk',
  'head',
  'release',
  'current',
  'live',
  'edge',
  'nightly',
  'canary',
  'snapshot',
  'beta',
  'alpha',
];

export interface ImageContext {
  readonly ecr: EcrApi;
  /** Region of the ECR client (the registry's region). */
  readonly region: string;
  /** The service's own ECR repository, `<project>/<service>`. */
  readonly repositoryName: string;
  /** The service's `image.repository`, when it is not its own ECR repository. */
  readonly configuredRepository?: string;
  /** The project's environment names: a tag named like one is as mutable as `prod`. */
  readonly environments: readonly string[];
  readonly allowMutableTag: boolean;
  /** How messages name the request. @default `--image <requested>` */
  readonly label?: string;
}

function what(requested: string, ctx: ImageContext): string {
  return ctx.label ?? `--image ${requested}`;
}

const DIGEST = /^sha256:[0-9a-f]{64}$/;
const TAG = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;
/** `<account>.dkr.ecr.<region>.amazonaws.com[.cn]/<name>` */
const ECR_URI = /^(\d{12})\.dkr\.ecr\.([a-z0-9-]+)\.amazonaws\.com(?:\.cn)?\/(.+)$/;

/** Splits `repo:tag` (a `:` after the last `/` is a tag; one before it is a registry port). */
function splitTag(ref: string): { repository: string; tag?: string } {
  const slash = ref.lastIndexOf('/');
  const colon = ref.lastIndexOf(':');
  return colon > slash ? { repository: ref.slice(0, colon), tag: ref.slice(colon + 1) } : { repository: ref };
}

export async function resolveImage(requested: string, ctx: ImageContext): Promise<ReleaseImage> {
  const ref = requested.trim();
  const at = ref.indexOf('@');
  if (at >= 0) {
    // A full reference by digest: taken as it is.
    const digest = ref.slice(at + 1);
    const { repository } = splitTag(ref.slice(0, at));
    if (!DIGEST.test(digest) || repository === '') {
      throw new UsageError(
        `${what(requested, ctx)}: not an image reference; a reference by digest looks like <repository>@sha256:<64 hex digits>.`,
        [
          "Give a tag of the service's repository (--image 1.4.2), a digest (--image sha256:...), or <repository>@sha256:....",
        ],
      );
    }
    return { requested, repository, digest, serviceRepository: false };
  }
  if (DIGEST.test(ref)) return inServiceRepository(requested, { digest: ref }, ctx);
  if (ref.includes('/') || ref.includes(':')) {
    const { repository, tag } = splitTag(ref);
    checkTag(requested, tag ?? 'latest', ctx);
    const ecr = ECR_URI.exec(repository);
    if (ecr === null) {
      throw new UsageError(
        `${what(requested, ctx)}: ecsdeploy resolves tags only in ECR; ${repository} is not an ECR repository.`,
        [
          `Give the image by digest: ${repository}@sha256:<digest> (docker buildx imagetools inspect ${ref} prints it).`,
        ],
      );
    }
    const [, registryId, region, name] = ecr as unknown as [string, string, string, string];
    if (region !== ctx.region) {
      throw new UsageError(
        `${what(requested, ctx)}: the repository is in ${region}, the registry of this project in ${ctx.region}.`,
        [`Give the image by digest: ${repository}@sha256:<digest>.`],
      );
    }
    return resolveTag(requested, repository, name, tag!, ctx, registryId);
  }
  if (!TAG.test(ref)) {
    throw new UsageError(`${what(requested, ctx)}: not a tag, a digest or an image reference.`, [
      "Give a tag of the service's repository (--image 1.4.2), a digest (--image sha256:...), or <repository>@sha256:....",
    ]);
  }
  checkTag(requested, ref, ctx);
  return inServiceRepository(requested, { tag: ref }, ctx);
}

function checkTag(requested: string, tag: string, ctx: ImageContext): void {
  if (ctx.allowMutableTag) return;
  const lower = tag.toLowerCase();
  if (!MUTABLE_TAGS.includes(lower) && !ctx.environments.includes(lower)) return;
  throw new UsageError(
    `${what(requested, ctx)}: '${tag}' is a mutable tag: it names different images over time, so the release could not say what runs.`,
    [
      'Tag each build with something unique (the git SHA or a version) and deploy that tag, or give the image by digest.',
      'Or pass --allow-mutable-tag: the tag is still resolved to its digest now, and the release records that digest.',
    ],
  );
}

/** A tag or digest in the service's repository: its own ECR repository, or its image.repository. */
async function inServiceRepository(
  requested: string,
  id: { tag: string } | { digest: string },
  ctx: ImageContext,
): Promise<ReleaseImage> {
  const configured = ctx.configuredRepository;
  if (configured !== undefined) {
    const ecr = ECR_URI.exec(configured);
    if (ecr === null) {
      if ('digest' in id) return { requested, repository: configured, digest: id.digest, serviceRepository: true };
      throw new UsageError(
        `${what(requested, ctx)}: the service's image.repository ${configured} is not in ECR, so ecsdeploy cannot resolve a tag there.`,
        [
          `Give the image by digest: --image sha256:<digest> (docker buildx imagetools inspect ${configured}:${id.tag} prints it).`,
        ],
      );
    }
    const [, registryId, , name] = ecr as unknown as [string, string, string, string];
    return 'tag' in id
      ? resolveTag(requested, configured, name, id.tag, ctx, registryId, true)
      : checkDigest(requested, configured, name, id.digest, ctx, registryId);
  }
  const repo = await ctx.ecr.repository(ctx.repositoryName);
  if (repo === undefined) {
    throw new EcsdeployError(
      `There is no ECR repository '${ctx.repositoryName}' in ${ctx.region} to take the image from.`,
      {
        code: 'ECSDEPLOY_NOT_FOUND',
        suggestions: [
          'Create the registry stack first (ecsdeploy apply --env <env> --stack registry), then push the image to it.',
        ],
      },
    );
  }
  return 'tag' in id
    ? resolveTag(requested, repo.uri, ctx.repositoryName, id.tag, ctx, undefined, true)
    : checkDigest(requested, repo.uri, ctx.repositoryName, id.digest, ctx, undefined);
}

async function resolveTag(
  requested: string,
  uri: string,
  name: string,
  tag: string,
  ctx: ImageContext,
  registryId?: string,
  serviceRepository = false,
): Promise<ReleaseImage> {
  const image = await ctx.ecr.image(name, { tag }, registryId);
  if (image === undefined) {
    const newest = await ctx.ecr.newestImages(name, 5, registryId);
    throw new UsageError(
      `${what(requested, ctx)}: there is no tag '${tag}' in the ECR repository ${name}.${newest.length ? ` Newest tags: ${describeNewest(newest)}.` : ' The repository has no tagged images.'}`,
      [
        newest.length
          ? `Deploy one of those (--image ${newest[0]!.tags[0]}), or push ${tag} first.`
          : `Push the image first: docker push ${uri}:${tag}.`,
      ],
    );
  }
  return { requested, repository: uri, tag, digest: image.digest, serviceRepository };
}

async function checkDigest(
  requested: string,
  uri: string,
  name: string,
  digest: string,
  ctx: ImageContext,
  registryId: string | undefined,
): Promise<ReleaseImage> {
  const image = await ctx.ecr.image(name, { digest }, registryId);
  if (image === undefined) {
    throw new UsageError(
      `${what(requested, ctx)}: there is no image with that digest in the ECR repository ${name} (it may have expired under the repository's lifecycle policy).`,
      [
        'Push the image again, or deploy one that is there: ecsdeploy service history lists the digests deployed before.',
      ],
    );
  }
  return { requested, repository: uri, digest, serviceRepository: true };
}

function describeNewest(images: readonly EcrImage[]): string {
  return images.map((i) => i.tags.join(', ')).join('; ');
}
