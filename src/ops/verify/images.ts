/**
 * Images: each container's image resolves to a digest that exists in ECR, and its manifest (or
 * manifest list / OCI index) offers the task's platform. A single-platform manifest says its
 * platform only in its config blob, which is read when ECR hands out its URL.
 */
import { z } from 'zod';
import type { AwsTarget } from '../../aws/clients';
import type { ImageManifest } from '../../aws/ecr-manifests';
import { notChecked, ok, problem, type CheckResult, type VerifyApis } from './types';
import type { ServiceSubject } from './subject';

const ECR_REFERENCE =
  /^(\d{12})\.dkr\.ecr(?:-fips)?\.([a-z0-9-]+)\.amazonaws\.com(?:\.cn)?\/([^:@]+)(?::([^@]+))?(?:@(sha256:[a-f0-9]{64}))?$/;

export interface EcrReference {
  readonly registryId: string;
  readonly region: string;
  readonly repository: string;
  readonly tag?: string;
  readonly digest?: string;
}

export function parseEcrReference(reference: string): EcrReference | undefined {
  const m = ECR_REFERENCE.exec(reference);
  if (m === null) return undefined;
  const [, registryId, region, repository, tag, digest] = m;
  return {
    registryId: registryId!,
    region: region!,
    repository: repository!,
    ...(tag ? { tag } : {}),
    ...(digest ? { digest } : {}),
  };
}

const Platform = z.looseObject({ os: z.string(), architecture: z.string(), variant: z.string().optional() });
const ManifestJson = z.looseObject({
  mediaType: z.string().optional(),
  manifests: z.array(z.looseObject({ digest: z.string(), platform: Platform.optional() })).optional(),
  config: z.looseObject({ digest: z.string(), mediaType: z.string().optional() }).optional(),
});

export interface ImageTargets {
  /** Where ECR images of a region are read: the registry's credentials, in that region. */
  ecr(region: string): AwsTarget;
  apis(target: AwsTarget): VerifyApis;
}

const platformText = (p: { os: string; architecture: string; variant?: string | undefined }) =>
  `${p.os}/${p.architecture}${p.variant ? `/${p.variant}` : ''}`;

/**
 * The image and platform lines of one service. `wanted`: the platforms the task may run on (its
 * runtimePlatform, else its EC2 instance types' architectures); empty when unknown.
 */
export async function checkImages(
  subject: ServiceSubject,
  targets: ImageTargets,
  wanted: readonly { os: string; architecture: string }[],
  wantedFrom: string,
): Promise<CheckResult[]> {
  const results = await Promise.all(
    subject.images.map((image) => checkImage(subject, image, targets, wanted, wantedFrom)),
  );
  return results.flat();
}

async function checkImage(
  subject: ServiceSubject,
  image: ServiceSubject['images'][number],
  targets: ImageTargets,
  wanted: readonly { os: string; architecture: string }[],
  wantedFrom: string,
): Promise<CheckResult[]> {
  const svc = subject.service;
  const label = `container ${image.container}`;
  if ('unresolved' in image)
    return [problem('image', label, image.unresolved, svc), notChecked('platform', label, 'no image to read', svc)];
  const ref = parseEcrReference(image.reference);
  if (ref === undefined) {
    const why =
      'outside ECR: ecsdeploy reads manifests from ECR only (the registry may need credentials ecsdeploy does not have)';
    return [
      notChecked('image', `${label} ${image.reference}`, why, svc),
      notChecked('platform', `${label} ${image.reference}`, why, svc),
    ];
  }
  const subjectText = `${label} ${ref.repository}${ref.digest ? `@${ref.digest.slice(0, 19)}…` : `:${ref.tag ?? 'latest'}`}`;
  const apis = targets.apis(targets.ecr(ref.region));
  const id = ref.digest ? { digest: ref.digest } : { tag: ref.tag ?? 'latest' };
  const manifest = await apis.manifests.manifest(ref.repository, id, ref.registryId);
  if (manifest === undefined) {
    const what = ref.digest ? `digest ${ref.digest}` : `tag ${ref.tag ?? 'latest'}`;
    return [
      problem(
        'image',
        subjectText,
        `ECR has no image with ${what} in ${ref.repository} (account ${ref.registryId}, ${ref.region}): the tasks could not pull it`,
        svc,
      ),
      notChecked('platform', subjectText, 'no image to read', svc),
    ];
  }
  const found = ok('image', subjectText, `exists in ECR as ${manifest.digest}`, svc);
  return [found, await checkPlatform(subjectText, svc, manifest, ref, apis, wanted, wantedFrom)];
}

async function checkPlatform(
  subjectText: string,
  svc: string,
  manifest: ImageManifest,
  ref: EcrReference,
  apis: VerifyApis,
  wanted: readonly { os: string; architecture: string }[],
  wantedFrom: string,
): Promise<CheckResult> {
  let parsed: z.infer<typeof ManifestJson>;
  try {
    parsed = ManifestJson.parse(JSON.parse(manifest.body));
  } catch {
    return notChecked('platform', subjectText, 'the manifest is not JSON ecsdeploy understands', svc);
  }
  let offered: Array<{ os: string; architecture: string; variant?: string | undefined }>;
  let kind: string;
  if (parsed.manifests !== undefined) {
    // Attestation manifests (buildx provenance) are listed as unknown/unknown.
    offered = parsed.manifests.flatMap((m) => (m.platform && m.platform.os !== 'unknown' ? [m.platform] : []));
    kind = (manifest.mediaType ?? parsed.mediaType ?? '').includes('oci') ? 'OCI index' : 'manifest list';
  } else if (parsed.config !== undefined) {
    const config = await apis.manifests.configPlatform(ref.repository, parsed.config.digest, ref.registryId);
    if ('unavailable' in config)
      return notChecked(
        'platform',
        subjectText,
        `a single-platform image, whose platform only its config blob says: ${config.unavailable}`,
        svc,
      );
    offered = [config];
    kind = 'image config';
  } else {
    return notChecked('platform', subjectText, 'the manifest lists neither platforms nor a config blob', svc);
  }
  const offers = offered.map(platformText).join(', ') || 'no platform';
  if (wanted.length === 0)
    return notChecked(
      'platform',
      subjectText,
      `the task names no runtimePlatform and its capacity's architecture is unknown; the ${kind} offers ${offers}`,
      svc,
    );
  const fits = wanted.filter((w) => offered.some((o) => o.os === w.os && o.architecture === w.architecture));
  const want = wanted.map(platformText).join(' or ');
  if (fits.length === 0)
    return problem(
      'platform',
      subjectText,
      `the task runs on ${want} (${wantedFrom}), but the ${kind} offers only ${offers}: the container would fail with "exec format error" or not start`,
      svc,
    );
  return ok('platform', subjectText, `the ${kind} offers ${fits.map(platformText).join(', ')} (${wantedFrom})`, svc);
}
