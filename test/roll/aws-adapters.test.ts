/**
 * What the moto tests (test/e2e/cluster-api.test.ts) cannot show of src/aws/autoscaling.ts: the
 * Signature V4 of the one EC2 call is the one the AWS SDK computes (moto does not check
 * signatures), the EC2 answers AWS gives on errors are reported with what to grant, and an
 * instance already gone is not an error when terminating it (moto fails with HTTP 500 there).
 */
import { createHash, createHmac } from 'node:crypto';
import { SignatureV4 } from '@smithy/signature-v4';
import type { AutoScalingClient } from '@aws-sdk/client-auto-scaling';
import { Ec2QueryLaunchTemplates, SdkAutoScalingApi, signGet } from '../../src/aws/autoscaling';
import { EcsdeployError } from '../../src/errors';

const bytes = (d: string | ArrayBuffer | ArrayBufferView): string | Uint8Array =>
  typeof d === 'string' ? d : d instanceof ArrayBuffer ? new Uint8Array(d) : new Uint8Array(d.buffer, d.byteOffset, d.byteLength);

/** node:crypto behind the SDK's hash interface. */
class Sha256 {
  private readonly h;
  constructor(secret?: string | ArrayBuffer | ArrayBufferView) {
    this.h = secret === undefined ? createHash('sha256') : createHmac('sha256', bytes(secret));
  }
  update(data: string | ArrayBuffer | ArrayBufferView): void {
    this.h.update(bytes(data));
  }
  async digest(): Promise<Uint8Array> {
    return new Uint8Array(this.h.digest());
  }
}

describe('signGet (Signature V4 for the EC2 Query API)', () => {
  it.each([
    ['without a session token', { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY' }],
    ['with a session token', { accessKeyId: 'ASIAEXAMPLE', secretAccessKey: 'secret/with+chars', sessionToken: 'token=/+value' }],
  ])('matches the AWS SDK signer %s', async (_name, credentials) => {
    const url = new URL('https://ec2.eu-west-1.amazonaws.com/');
    url.searchParams.set('Action', 'DescribeLaunchTemplateVersions');
    url.searchParams.set('Version', '2016-11-15');
    url.searchParams.set('LaunchTemplateName', 'shop-prod-ecs');
    url.searchParams.set('LaunchTemplateVersion.1', '$Latest');
    const at = new Date('2026-03-04T05:06:07Z');
    const mine = signGet(url, 'eu-west-1', 'ec2', credentials, at);

    // (The SDK also signs x-amz-content-sha256 by default; only S3 needs it, so neither signs it here.)
    const signer = new SignatureV4({ credentials, region: 'eu-west-1', service: 'ec2', sha256: Sha256, applyChecksum: false });
    const signed = await signer.sign(
      { method: 'GET', protocol: 'https:', hostname: url.hostname, path: '/', query: Object.fromEntries(url.searchParams), headers: { host: url.host } },
      { signingDate: at },
    );
    expect(mine['authorization']).toBe(signed.headers['authorization']);
    expect(mine['x-amz-date']).toBe(signed.headers['x-amz-date']);
    expect(mine['x-amz-security-token']).toBe(signed.headers['x-amz-security-token']);
  });
});

describe('Ec2QueryLaunchTemplates', () => {
  const answer = (status: number, body: string) => async () => new Response(body, { status });
  const lookup = (status: number, body: string) =>
    new Ec2QueryLaunchTemplates({ region: 'eu-west-1', endpoint: 'https://ec2.example' }, async () => ({ accessKeyId: 'a', secretAccessKey: 'b' }), answer(status, body) as typeof fetch);

  it('reads the version, instance type and AMI of the answer', async () => {
    const xml = `<DescribeLaunchTemplateVersionsResponse><launchTemplateVersionSet><item><launchTemplateId>lt-1</launchTemplateId><versionNumber>7</versionNumber>
      <launchTemplateData><imageId>ami-9</imageId><instanceType>m6i.large</instanceType><tagSpecificationSet/></launchTemplateData></item></launchTemplateVersionSet></DescribeLaunchTemplateVersionsResponse>`;
    expect(await lookup(200, xml).launchTemplateVersion({ id: 'lt-1', version: '$Latest' })).toEqual({ id: 'lt-1', version: '7', instanceType: 'm6i.large', imageId: 'ami-9' });
  });

  it('an EC2 refusal names the call to allow', async () => {
    const xml = '<Response><Errors><Error><Code>UnauthorizedOperation</Code><Message>You are not authorized to perform this operation.</Message></Error></Errors></Response>';
    const err = await lookup(403, xml).launchTemplateVersion({ name: 'shop-prod-ecs', version: '$Latest' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(EcsdeployError);
    expect((err as Error).message).toBe(
      'AWS error while reading launch template shop-prod-ecs version $Latest (ec2:DescribeLaunchTemplateVersions): UnauthorizedOperation: You are not authorized to perform this operation.',
    );
  });
});

describe('SdkAutoScalingApi.terminateInstance', () => {
  const api = (error: Error) => new SdkAutoScalingApi({ send: async () => Promise.reject(error) } as unknown as AutoScalingClient, { launchTemplateVersion: async () => ({ id: '', version: '' }) });
  const named = (name: string, message: string) => Object.assign(new Error(message), { name });

  it('an instance already gone (a run interrupted right after asking) is not an error', async () => {
    await expect(api(named('ValidationError', 'Instance Id not found - No managed instance found for instance ID: i-1')).terminateInstance('i-1', false)).resolves.toBeUndefined();
  });

  it('any other refusal is', async () => {
    await expect(api(named('ScalingActivityInProgress', 'Scaling activity is in progress')).terminateInstance('i-1', true)).rejects.toThrow('AWS error while terminating i-1: ScalingActivityInProgress');
  });
});
