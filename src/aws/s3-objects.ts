/* eslint-disable @typescript-eslint/no-require-imports -- the SDK module loads on first use (start-up time, see clients.ts). */
/**
 * Small JSON documents in S3 with compare-and-swap: every write is conditional on the ETag that was
 * read (If-Match), or on there being no object yet (If-None-Match: *), so two writers that read the
 * same version cannot both succeed. S3 has honoured both on PutObject since 2024.
 */
import type { S3Client } from '@aws-sdk/client-s3';
import { EcsdeployError } from '../errors';
import { awsError, type AwsClients } from './clients';

export interface StoredObject {
  readonly body: string;
  readonly etag: string;
}

/** `ifMatch`: the ETag read before; `ifNoneMatch: '*'`: only if the object does not exist. */
export type WriteCondition = { readonly ifMatch: string } | { readonly ifNoneMatch: '*' };

export type WriteResult = { readonly written: true; readonly etag: string } | { readonly written: false };

export interface ObjectStoreApi {
  get(bucket: string, key: string): Promise<StoredObject | undefined>;
  /** Writes only when the condition holds; `{ written: false }` when someone else wrote first. */
  put(bucket: string, key: string, body: string, condition: WriteCondition): Promise<WriteResult>;
}

/** 412 PreconditionFailed; 409 ConditionalRequestConflict (a concurrent conditional write); 404 when the If-Match object was deleted. */
const LOST_RACE = new Set(['PreconditionFailed', 'ConditionalRequestConflict', 'NoSuchKey']);

/** Reads of an object whose body was cut short, before giving up. */
const BODY_ATTEMPTS = 3;

export function objectStoreApi(clients: AwsClients): ObjectStoreApi {
  const sdk = require('@aws-sdk/client-s3') as typeof import('@aws-sdk/client-s3');
  const client = (): S3Client => clients.s3();
  const bucketMissing = (err: unknown, bucket: string) =>
    (err as { name?: string }).name === 'NoSuchBucket'
      ? new EcsdeployError(`There is no S3 bucket '${bucket}' (ecsdeploy.yaml releases.bucket).`, {
          code: 'ECSDEPLOY_NOT_FOUND',
          suggestions: [
            `Create the bucket (aws s3 mb s3://${bucket}), or point releases.bucket in ecsdeploy.yaml at an existing one.`,
          ],
          cause: err,
        })
      : undefined;

  const api: ObjectStoreApi = {
    async get(bucket, key) {
      // The SDK retries a request, not its body: a body cut short (the connection reset while it
      // streamed) fails after the SDK's retries are over. These objects are small: ask again.
      for (let attempt = 1; ; attempt++) {
        try {
          const out = await client().send(new sdk.GetObjectCommand({ Bucket: bucket, Key: key }));
          let body: string;
          try {
            body = (await out.Body?.transformToString('utf8')) ?? '';
          } catch (err) {
            if (attempt < BODY_ATTEMPTS) continue;
            throw err;
          }
          return { body, etag: out.ETag ?? '' };
        } catch (err) {
          if ((err as { name?: string }).name === 'NoSuchKey') return undefined;
          throw bucketMissing(err, bucket) ?? awsError(err, `reading s3://${bucket}/${key}`);
        }
      }
    },

    async put(bucket, key, body, condition) {
      try {
        const out = await client().send(
          new sdk.PutObjectCommand({
            Bucket: bucket,
            Key: key,
            Body: body,
            ContentType: 'application/json',
            ...('ifMatch' in condition ? { IfMatch: condition.ifMatch } : { IfNoneMatch: condition.ifNoneMatch }),
          }),
        );
        return { written: true, etag: out.ETag ?? '' };
      } catch (err) {
        const e = err as { name?: string; $metadata?: { httpStatusCode?: number } };
        if (!LOST_RACE.has(e.name ?? '') && e.$metadata?.httpStatusCode !== 412)
          throw bucketMissing(err, bucket) ?? awsError(err, `writing s3://${bucket}/${key}`);
        // The SDK retries a PUT whose answer was lost (a dropped connection, a 5xx after S3 stored
        // it): the retry then fails its own condition against the object the first attempt wrote.
        // What is stored tells: our very bytes mean our write landed; anything else, a lost race.
        const stored = await api.get(bucket, key);
        return stored !== undefined && stored.body === body ? { written: true, etag: stored.etag } : { written: false };
      }
    },
  };
  return api;
}
