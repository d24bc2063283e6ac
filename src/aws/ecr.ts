/* eslint-disable @typescript-eslint/no-require-imports -- the SDK module loads on first use (start-up time, see clients.ts). */
/**
 * What deploys need from ECR: a repository's URI, and the image a tag or digest names (tags move
 * nowhere once resolved: the release keeps the digest). Paginated; plain data out.
 */
import type { ECRClient, ImageDetail } from '@aws-sdk/client-ecr';
import { EcsdeployError } from '../errors';
import { awsError, type AwsClients } from './clients';

export interface EcrImage {
  /** `sha256:<64 hex>` */
  readonly digest: string;
  readonly tags: readonly string[];
  /** Epoch ms. */
  readonly pushedAt?: number;
}

export interface EcrRepository {
  readonly name: string;
  /** `<account>.dkr.ecr.<region>.amazonaws.com/<name>` */
  readonly uri: string;
  readonly registryId: string;
}

export interface EcrApi {
  /** undefined when the repository does not exist. */
  repository(name: string, registryId?: string): Promise<EcrRepository | undefined>;
  /** The image a tag or a digest names; undefined when there is none. */
  image(
    repository: string,
    id: { readonly tag: string } | { readonly digest: string },
    registryId?: string,
  ): Promise<EcrImage | undefined>;
  /** Tagged images, newest push first. */
  newestImages(repository: string, limit: number, registryId?: string): Promise<EcrImage[]>;
}

function toImage(d: ImageDetail): EcrImage {
  return {
    digest: d.imageDigest ?? '',
    tags: [...(d.imageTags ?? [])].sort(),
    ...(d.imagePushedAt ? { pushedAt: d.imagePushedAt.getTime() } : {}),
  };
}

export function ecrApi(clients: AwsClients): EcrApi {
  const sdk = require('@aws-sdk/client-ecr') as typeof import('@aws-sdk/client-ecr');
  const client = (): ECRClient => clients.ecr();
  const registry = (registryId: string | undefined) => (registryId ? { registryId } : {});
  const repositoryMissing = (err: unknown, name: string) =>
    (err as { name?: string }).name === 'RepositoryNotFoundException'
      ? new EcsdeployError(`There is no ECR repository '${name}' in ${clients.target.region}.`, {
          code: 'ECSDEPLOY_NOT_FOUND',
          suggestions: [
            'Create the registry first: ecsdeploy apply --env <env> --stack registry.',
            'Check AWS_REGION / AWS_PROFILE (or the endpoint) point at the right account.',
          ],
          cause: err,
        })
      : undefined;

  return {
    async repository(name, registryId) {
      try {
        const out = await client().send(
          new sdk.DescribeRepositoriesCommand({ repositoryNames: [name], ...registry(registryId) }),
        );
        const r = out.repositories?.[0];
        return r
          ? { name: r.repositoryName ?? name, uri: r.repositoryUri ?? '', registryId: r.registryId ?? '' }
          : undefined;
      } catch (err) {
        if ((err as { name?: string }).name === 'RepositoryNotFoundException') return undefined;
        throw awsError(err, `looking up the ECR repository ${name}`);
      }
    },

    async image(repository, id, registryId) {
      const imageId = 'tag' in id ? { imageTag: id.tag } : { imageDigest: id.digest };
      try {
        const out = await client().send(
          new sdk.DescribeImagesCommand({ repositoryName: repository, imageIds: [imageId], ...registry(registryId) }),
        );
        const d = out.imageDetails?.[0];
        return d ? toImage(d) : undefined;
      } catch (err) {
        if ((err as { name?: string }).name === 'ImageNotFoundException') return undefined;
        throw (
          repositoryMissing(err, repository) ??
          awsError(err, `looking up ${'tag' in id ? `tag ${id.tag}` : id.digest} in ${repository}`)
        );
      }
    },

    async newestImages(repository, limit, registryId) {
      const images: EcrImage[] = [];
      try {
        for await (const page of sdk.paginateDescribeImages(
          { client: client(), pageSize: 1000 },
          { repositoryName: repository, filter: { tagStatus: 'TAGGED' }, ...registry(registryId) },
        )) {
          images.push(...(page.imageDetails ?? []).map(toImage));
        }
      } catch (err) {
        throw repositoryMissing(err, repository) ?? awsError(err, `listing the images of ${repository}`);
      }
      return images.sort((a, b) => (b.pushedAt ?? 0) - (a.pushedAt ?? 0)).slice(0, limit);
    },
  };
}
