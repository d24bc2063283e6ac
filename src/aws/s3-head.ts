/* eslint-disable @typescript-eslint/no-require-imports -- the SDK module loads on first use (start-up time, see clients.ts). */
/** Whether an S3 object exists (HeadObject: no body is read). */
import type { S3Client } from '@aws-sdk/client-s3';
import { awsError, type AwsClients } from './clients';

export type ObjectPresence = 'exists' | 'missing' | 'forbidden';

export interface ObjectHeadApi {
  head(bucket: string, key: string): Promise<ObjectPresence>;
}

export function objectHeadApi(clients: AwsClients): ObjectHeadApi {
  const sdk = require('@aws-sdk/client-s3') as typeof import('@aws-sdk/client-s3');
  const client = (): S3Client => clients.s3();
  return {
    async head(bucket, key) {
      try {
        await client().send(new sdk.HeadObjectCommand({ Bucket: bucket, Key: key }));
        return 'exists';
      } catch (err) {
        const e = err as { name?: string; $metadata?: { httpStatusCode?: number } };
        if (
          e.name === 'NotFound' ||
          e.name === 'NoSuchKey' ||
          e.name === 'NoSuchBucket' ||
          e.$metadata?.httpStatusCode === 404
        )
          return 'missing';
        if (e.$metadata?.httpStatusCode === 403) return 'forbidden';
        throw awsError(err, `looking up s3://${bucket}/${key}`);
      }
    },
  };
}
