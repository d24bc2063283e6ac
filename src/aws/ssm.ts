/* eslint-disable @typescript-eslint/no-require-imports -- the SDK module loads on first use (start-up time, see clients.ts). */
/**
 * Whether SSM parameters exist, from their metadata only (DescribeParameters with a name filter):
 * never their values.
 */
import type { SSMClient } from '@aws-sdk/client-ssm';
import { awsError, type AwsClients } from './clients';

export interface ParameterMetadata {
  readonly name: string;
  readonly type?: string;
  /** The KMS key of a SecureString. */
  readonly keyId?: string;
}

export interface ParametersApi {
  /** The parameters of these names that exist (names absent from the answer do not). */
  describe(names: readonly string[]): Promise<ParameterMetadata[]>;
}

export function parametersApi(clients: AwsClients): ParametersApi {
  const sdk = require('@aws-sdk/client-ssm') as typeof import('@aws-sdk/client-ssm');
  const client = (): SSMClient => clients.ssm();
  return {
    async describe(names) {
      const found: ParameterMetadata[] = [];
      // A Name filter takes up to 50 values.
      for (let i = 0; i < names.length; i += 50) {
        const values = names.slice(i, i + 50);
        try {
          for await (const page of sdk.paginateDescribeParameters(
            { client: client() },
            { ParameterFilters: [{ Key: 'Name', Option: 'Equals', Values: [...values] }] },
          )) {
            for (const p of page.Parameters ?? []) {
              if (p.Name)
                found.push({
                  name: p.Name,
                  ...(p.Type ? { type: p.Type } : {}),
                  ...(p.KeyId ? { keyId: p.KeyId } : {}),
                });
            }
          }
        } catch (err) {
          throw awsError(err, `looking up the SSM parameters ${values.join(', ')}`);
        }
      }
      return found;
    },
  };
}
