/* eslint-disable @typescript-eslint/no-require-imports -- the SDK module loads on first use (start-up time, see clients.ts). */
/**
 * An image's manifest as ECR serves it (BatchGetImage with every manifest type accepted, so a
 * manifest list or OCI index comes back as it is), and the architecture in an image's config blob
 * (GetDownloadUrlForLayer, then a GET of the pre-signed URL). Read-only: `ecsdeploy verify`.
 */
import type { ECRClient } from '@aws-sdk/client-ecr';
import { awsError, type AwsClients } from './clients';
import { errorText, isNotImplemented } from './unsupported';

/** Every manifest type a container runtime pulls: OCI index and manifest, Docker manifest list and v2 manifest. */
export const ACCEPTED_MEDIA_TYPES = [
  'application/vnd.oci.image.index.v1+json',
  'application/vnd.docker.distribution.manifest.list.v2+json',
  'application/vnd.oci.image.manifest.v1+json',
  'application/vnd.docker.distribution.manifest.v2+json',
] as const;

export interface ImageManifest {
  /** The digest of the manifest (what a tag names). */
  readonly digest: string;
  /** The manifest's media type as ECR reports it (or as the manifest says). */
  readonly mediaType?: string;
  /** The manifest JSON, as stored. */
  readonly body: string;
}

/** The platform of a single-platform image's config blob, or why it could not be read. */
export type ConfigPlatform =
  { readonly os: string; readonly architecture: string; readonly variant?: string } | { readonly unavailable: string };

export interface EcrManifestsApi {
  /** undefined when the repository has no image with that digest or tag (or the repository does not exist). */
  manifest(
    repository: string,
    id: { readonly digest: string } | { readonly tag: string },
    registryId?: string,
  ): Promise<ImageManifest | undefined>;
  /** The os/architecture of an image config blob (the `config.digest` of a single manifest). */
  configPlatform(repository: string, configDigest: string, registryId?: string): Promise<ConfigPlatform>;
}

export function ecrManifestsApi(clients: AwsClients, fetchUrl: typeof fetch = fetch): EcrManifestsApi {
  const sdk = require('@aws-sdk/client-ecr') as typeof import('@aws-sdk/client-ecr');
  const client = (): ECRClient => clients.ecr();
  const registry = (registryId: string | undefined) => (registryId ? { registryId } : {});
  return {
    async manifest(repository, id, registryId) {
      const imageId = 'digest' in id ? { imageDigest: id.digest } : { imageTag: id.tag };
      try {
        const out = await client().send(
          new sdk.BatchGetImageCommand({
            repositoryName: repository,
            imageIds: [imageId],
            acceptedMediaTypes: [...ACCEPTED_MEDIA_TYPES],
            ...registry(registryId),
          }),
        );
        const image = out.images?.[0];
        if (image?.imageManifest === undefined) return undefined;
        return {
          digest: image.imageId?.imageDigest ?? ('digest' in id ? id.digest : ''),
          body: image.imageManifest,
          ...(image.imageManifestMediaType ? { mediaType: image.imageManifestMediaType } : {}),
        };
      } catch (err) {
        if ((err as { name?: string }).name === 'RepositoryNotFoundException') return undefined;
        throw awsError(err, `reading the manifest of ${repository}${'digest' in id ? `@${id.digest}` : `:${id.tag}`}`);
      }
    },

    async configPlatform(repository, configDigest, registryId) {
      let url: string | undefined;
      try {
        url = (
          await client().send(
            new sdk.GetDownloadUrlForLayerCommand({
              repositoryName: repository,
              layerDigest: configDigest,
              ...registry(registryId),
            }),
          )
        ).downloadUrl;
      } catch (err) {
        if (isNotImplemented(err))
          return { unavailable: `the endpoint does not implement ECR GetDownloadUrlForLayer (${errorText(err)})` };
        const name = (err as { name?: string }).name ?? '';
        if (name === 'LayersNotFoundException' || name === 'LayerInaccessibleException')
          return { unavailable: `ECR has no config blob ${configDigest} (${name})` };
        throw awsError(err, `locating the config blob of ${repository}`);
      }
      if (!url) return { unavailable: 'ECR gave no download URL for the config blob' };
      try {
        const res = await fetchUrl(url, { signal: AbortSignal.timeout(15_000) });
        if (!res.ok) return { unavailable: `the config blob's download URL answered HTTP ${res.status}` };
        const config = (await res.json()) as { os?: unknown; architecture?: unknown; variant?: unknown };
        if (typeof config.architecture !== 'string' || typeof config.os !== 'string')
          return { unavailable: 'the config blob names no os/architecture' };
        return {
          os: config.os,
          architecture: config.architecture,
          ...(typeof config.variant === 'string' ? { variant: config.variant } : {}),
        };
      } catch (err) {
        return { unavailable: `the config blob could not be downloaded (${errorText(err)})` };
      }
    },
  };
}
