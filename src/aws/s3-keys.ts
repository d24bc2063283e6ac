/* eslint-disable @typescript-eslint/no-require-imports -- the SDK module loads on first use (start-up time, see clients.ts). */
/**
 * Listing and deleting S3 objects under a prefix: what ./s3-objects (conditional reads and
 * writes of one object) leaves out, for stores of many small documents (environment records) and
 * for removing what an environment leaves (its state objects, its release ledgers). Paginated.
 */
import type { S3Client } from '@aws-sdk/client-s3';
import { EcsdeployError } from '../errors';
import { awsError, type AwsClients } from './clients';

export interface ObjectKeysApi {
  /** Every key that starts with `prefix`, in S3's (lexicographic) order. */
  list(bucket: string, prefix: string): Promise<string[]>;
  /** Deletes the objects; keys that do not exist are not an error. */
  remove(bucket: string, keys: readonly string[]): Promise<void>;
}

export function objectKeysApi(clients: AwsClients): ObjectKeysApi {
  const sdk = require('@aws-sdk/client-s3') as typeof import('@aws-sdk/client-s3');
  const client = (): S3Client => clients.s3();
  const fail = (err: unknown, bucket: string, doing: string) =>
    (err as { name?: string }).name === 'NoSuchBucket'
      ? new EcsdeployError(`There is no S3 bucket '${bucket}' (ecsdeploy.yaml state.bucket or releases.bucket).`, {
          code: 'ECSDEPLOY_NOT_FOUND',
          suggestions: [`Create the bucket (aws s3 mb s3://${bucket}), or point ecsdeploy.yaml at an existing one.`],
          cause: err,
        })
      : awsError(err, doing);

  return {
    async list(bucket, prefix) {
      const keys: string[] = [];
      try {
        for await (const page of sdk.paginateListObjectsV2({ client: client() }, { Bucket: bucket, Prefix: prefix })) {
          for (const o of page.Contents ?? []) if (o.Key !== undefined) keys.push(o.Key);
        }
      } catch (err) {
        throw fail(err, bucket, `listing s3://${bucket}/${prefix}`);
      }
      return keys;
    },

    async remove(bucket, keys) {
      // One DeleteObject per key: an environment leaves a handful, and unlike DeleteObjects it needs
      // no Content-MD5 / checksum negotiation, which S3-compatible stores handle unevenly.
      for (const key of keys) {
        try {
          await client().send(new sdk.DeleteObjectCommand({ Bucket: bucket, Key: key }));
        } catch (err) {
          if ((err as { name?: string }).name === 'NoSuchKey') continue;
          throw fail(err, bucket, `deleting s3://${bucket}/${key}`);
        }
      }
    },
  };
}
