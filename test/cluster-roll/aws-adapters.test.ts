/**
 * What the moto tests (test/e2e/cluster-api.test.ts) cannot show of src/aws/autoscaling.ts and
 * src/aws/clients.ts: the endpoints every partition resolves to, the EC2 answers AWS gives on
 * errors reported with what to grant, an HTML error page reported as the HTTP answer it is (not as
 * the XML parser's complaint), and an instance already gone is not an error when terminating it
 * (moto fails with HTTP 500 there). Answers are recorded HTTP responses given to the real SDK
 * clients through their request handler, so the SDK's own parsing is what is tested.
 */
import { Readable } from 'node:stream';
import type { AutoScalingClient } from '@aws-sdk/client-auto-scaling';
import { DescribeServicesCommand } from '@aws-sdk/client-ecs';
import { SdkAutoScalingApi, SdkLaunchTemplates } from '../../src/aws/autoscaling';
import { AwsClients, awsError } from '../../src/aws/clients';
import { EcsdeployError } from '../../src/errors';

interface Sent {
  hostname: string;
  path: string;
  body: string;
}

/** Real SDK clients whose HTTP is a recording: every request is kept, every answer is `status` + `body`. */
function recorded(
  region: string,
  status: number,
  body: string,
  contentType = 'text/xml',
): { clients: AwsClients; sent: Sent[] } {
  const sent: Sent[] = [];
  const clients = new AwsClients({ region });
  const handler = {
    handle: async (request: { hostname: string; path: string; body?: unknown }) => {
      sent.push({
        hostname: request.hostname,
        path: request.path,
        body: typeof request.body === 'string' ? request.body : '',
      });
      return {
        response: {
          statusCode: status,
          headers: { 'content-type': contentType },
          body: Readable.from([Buffer.from(body)]),
        },
      };
    },
  };
  for (const client of [clients.ec2(), clients.autoScaling(), clients.ecs()])
    (client.config as { requestHandler: unknown }).requestHandler = handler;
  return { clients, sent };
}

const CREDS = { AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE', AWS_SECRET_ACCESS_KEY: 'secret', AWS_ENDPOINT_URL: '' };
const saved: Record<string, string | undefined> = {};
beforeAll(() => {
  for (const [k, v] of Object.entries(CREDS)) {
    saved[k] = process.env[k];
    if (v === '') delete process.env[k];
    else process.env[k] = v;
  }
});
afterAll(() => {
  for (const [k, v] of Object.entries(saved)) {
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
});

const VERSIONS = `<DescribeLaunchTemplateVersionsResponse xmlns="http://ec2.amazonaws.com/doc/2016-11-15/"><requestId>r-1</requestId><launchTemplateVersionSet><item><launchTemplateId>lt-1</launchTemplateId><versionNumber>7</versionNumber>
  <launchTemplateData><imageId>ami-9</imageId><instanceType>m6i.large</instanceType></launchTemplateData></item></launchTemplateVersionSet></DescribeLaunchTemplateVersionsResponse>`;

describe('endpoints by partition', () => {
  it.each([
    ['eu-west-1', 'ec2.eu-west-1.amazonaws.com', 'autoscaling.eu-west-1.amazonaws.com'],
    ['cn-north-1', 'ec2.cn-north-1.amazonaws.com.cn', 'autoscaling.cn-north-1.amazonaws.com.cn'],
    ['us-gov-west-1', 'ec2.us-gov-west-1.amazonaws.com', 'autoscaling.us-gov-west-1.amazonaws.com'],
  ])("%s: EC2 and Auto Scaling calls go to that partition's endpoints", async (region, ec2Host, asgHost) => {
    const { clients, sent } = recorded(region, 200, VERSIONS);
    await new SdkLaunchTemplates(clients.ec2()).launchTemplateVersion({ id: 'lt-1', version: '$Latest' });
    await new SdkAutoScalingApi(clients.autoScaling(), new SdkLaunchTemplates(clients.ec2()))
      .group('shop-dev-ecs')
      .catch(() => undefined);
    expect(sent.map((s) => s.hostname)).toEqual([ec2Host, asgHost]);
  });
});

describe('SdkLaunchTemplates', () => {
  it('reads the version, instance type and AMI of the answer, asking for the version named', async () => {
    const { clients, sent } = recorded('eu-west-1', 200, VERSIONS);
    expect(
      await new SdkLaunchTemplates(clients.ec2()).launchTemplateVersion({ id: 'lt-1', version: '$Latest' }),
    ).toEqual({ id: 'lt-1', version: '7', instanceType: 'm6i.large', imageId: 'ami-9' });
    expect(sent[0]!.body).toContain('Action=DescribeLaunchTemplateVersions');
    expect(sent[0]!.body).toContain('LaunchTemplateId=lt-1');
    expect(sent[0]!.body).toContain('LaunchTemplateVersion.1=%24Latest');
  });

  it('an EC2 refusal names the call to allow', async () => {
    const xml =
      '<Response><Errors><Error><Code>UnauthorizedOperation</Code><Message>You are not authorized to perform this operation.</Message></Error></Errors><RequestID>r-2</RequestID></Response>';
    const { clients } = recorded('eu-west-1', 403, xml);
    const err = await new SdkLaunchTemplates(clients.ec2())
      .launchTemplateVersion({ name: 'shop-prod-ecs', version: '$Latest' })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(EcsdeployError);
    expect((err as Error).message).toBe(
      'AWS error while reading launch template shop-prod-ecs version $Latest (ec2:DescribeLaunchTemplateVersions): UnauthorizedOperation: You are not authorized to perform this operation.',
    );
  });
});

describe("an answer that is not AWS's", () => {
  const PAGE =
    '<html><head><title>500 Internal Server Error</title></head><body><h1>Internal Server Error</h1></body></html>';

  it('an HTML 500 page reads as "AWS answered HTTP 500 to <operation>", not as an XML parser\'s complaint', async () => {
    const { clients } = recorded('eu-west-1', 500, PAGE, 'text/html');
    const api = new SdkAutoScalingApi(clients.autoScaling(), new SdkLaunchTemplates(clients.ec2()));
    const err = await api.terminateInstance('i-1', false).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(EcsdeployError);
    expect((err as Error).message).toBe(
      "AWS answered HTTP 500 to TerminateInstanceInAutoScalingGroup while terminating i-1, with a page that is not an AWS error answer (a proxy's, a load balancer's or an emulator's).",
    );
    expect((err as EcsdeployError).suggestions[0]).toMatch(/^A 5xx answer is usually passing: run the command again/);
  }, 30_000);

  it('the same for a JSON API (ECS) and a 502 from a proxy', async () => {
    const { clients } = recorded(
      'eu-west-1',
      502,
      '<!DOCTYPE html><html><title>Bad Gateway</title></html>',
      'text/html',
    );
    const err = await clients
      .ecs()
      .send(new DescribeServicesCommand({ cluster: 'c', services: ['s'] }))
      .catch((e: unknown) => e);
    expect(awsError(err, 'reading service s').message).toBe(
      "AWS answered HTTP 502 to DescribeServices while reading service s, with a page that is not an AWS error answer (a proxy's, a load balancer's or an emulator's).",
    );
  }, 30_000);
});

describe('SdkAutoScalingApi.terminateInstance', () => {
  const api = (error: Error) =>
    new SdkAutoScalingApi({ send: async () => Promise.reject(error) } as unknown as AutoScalingClient, {
      launchTemplateVersion: async () => ({ id: '', version: '' }),
    });
  const named = (name: string, message: string) => Object.assign(new Error(message), { name });

  it('an instance already gone (a run interrupted right after asking) is not an error', async () => {
    await expect(
      api(
        named('ValidationError', 'Instance Id not found - No managed instance found for instance ID: i-1'),
      ).terminateInstance('i-1', false),
    ).resolves.toBeUndefined();
  });

  it('any other refusal is', async () => {
    await expect(
      api(named('ScalingActivityInProgress', 'Scaling activity is in progress')).terminateInstance('i-1', true),
    ).rejects.toThrow('AWS error while terminating i-1: ScalingActivityInProgress');
  });
});
