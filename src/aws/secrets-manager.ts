/* eslint-disable @typescript-eslint/no-require-imports -- the SDK module loads on first use (start-up time, see clients.ts). */
/** Whether a Secrets Manager secret exists (DescribeSecret: metadata only, never the value). */
import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { awsError, type AwsClients } from './clients';

export interface SecretMetadata {
  /** The secret's full ARN (with AWS's 6-character suffix). */
  readonly arn: string;
  readonly name: string;
  /** Scheduled for deletion: ECS cannot read it. */
  readonly deletedAt?: number;
}

export interface SecretsApi {
  /** undefined when there is no such secret. */
  describe(secretId: string): Promise<SecretMetadata | undefined>;
}

export function secretsApi(clients: AwsClients): SecretsApi {
  const sdk = require('@aws-sdk/client-secrets-manager') as typeof import('@aws-sdk/client-secrets-manager');
  const client = (): SecretsManagerClient => clients.secretsManager();
  return {
    async describe(secretId) {
      try {
        const out = await client().send(new sdk.DescribeSecretCommand({ SecretId: secretId }));
        return {
          arn: out.ARN ?? secretId,
          name: out.Name ?? '',
          ...(out.DeletedDate ? { deletedAt: out.DeletedDate.getTime() } : {}),
        };
      } catch (err) {
        if ((err as { name?: string }).name === 'ResourceNotFoundException') return undefined;
        throw awsError(err, `describing the secret ${secretId}`);
      }
    },
  };
}
