/* eslint-disable @typescript-eslint/no-require-imports -- the SDK module loads on first use (start-up time, see clients.ts). */
/** The size of EC2 instance types (DescribeInstanceTypes): vCPUs, memory, architectures. */
import type { EC2Client } from '@aws-sdk/client-ec2';
import { awsError, type AwsClients } from './clients';

export interface InstanceTypeInfo {
  readonly type: string;
  readonly vcpus: number;
  readonly memoryMiB: number;
  /** x86_64, arm64, ... */
  readonly architectures: readonly string[];
}

export interface InstanceTypesApi {
  /** The types that exist (an unknown type is absent from the answer). */
  describe(types: readonly string[]): Promise<InstanceTypeInfo[]>;
}

export function instanceTypesApi(clients: AwsClients): InstanceTypesApi {
  const sdk = require('@aws-sdk/client-ec2') as typeof import('@aws-sdk/client-ec2');
  const client = (): EC2Client => clients.ec2();
  return {
    async describe(types) {
      const out: InstanceTypeInfo[] = [];
      try {
        // Filtering by instance-type (not InstanceTypes=[...]) so that an unknown type is left out instead of failing the call.
        for await (const page of sdk.paginateDescribeInstanceTypes(
          { client: client() },
          { Filters: [{ Name: 'instance-type', Values: [...types] }] },
        )) {
          for (const t of page.InstanceTypes ?? []) {
            out.push({
              type: t.InstanceType ?? '',
              vcpus: t.VCpuInfo?.DefaultVCpus ?? 0,
              memoryMiB: t.MemoryInfo?.SizeInMiB ?? 0,
              architectures: [...(t.ProcessorInfo?.SupportedArchitectures ?? [])],
            });
          }
        }
      } catch (err) {
        throw awsError(err, `describing the instance types ${types.join(', ')}`);
      }
      return out;
    },
  };
}
