/**
 * An answer that is not AWS's (an HTML error page from a proxy, a load balancer or an emulator's
 * crash) reads as "AWS answered HTTP <status> to <Operation>", whatever the client's protocol: AWS
 * query (Auto Scaling: the XML parser's "mismatched tags <html> and </title>" was what the CLI
 * printed), EC2, JSON (ECS), REST-XML (S3) and REST-JSON (EventBridge Scheduler). The clients are
 * the CLI's own (AwsClients: retries, operation names) talking HTTP to a stub server on localhost,
 * so the SDK's own request, retry and parsing path is what is tested.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { TerminateInstanceInAutoScalingGroupCommand } from '@aws-sdk/client-auto-scaling';
import { DescribeLaunchTemplateVersionsCommand } from '@aws-sdk/client-ec2';
import { DescribeServicesCommand } from '@aws-sdk/client-ecs';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { GetScheduleCommand } from '@aws-sdk/client-scheduler';
import { AwsClients, awsError } from '../../src/aws/clients';

/** What werkzeug (moto's server) answers when a handler raises. */
const WERKZEUG_500 =
  '<!doctype html>\n<html lang=en>\n<title>500 Internal Server Error</title>\n<h1>Internal Server Error</h1>\n<p>The server encountered an internal error and was unable to complete your request. Either the server is overloaded or there is an error in the application.</p>\n';
const NGINX_502 =
  '<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n';

let server: Server;
let answer = { status: 500, body: WERKZEUG_500 };
let requests = 0;
let clients: AwsClients;
const saved = { ...process.env };

beforeAll(async () => {
  server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      requests++;
      res.writeHead(answer.status, { 'content-type': 'text/html; charset=utf-8' });
      res.end(answer.body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  Object.assign(process.env, { AWS_ACCESS_KEY_ID: 'test', AWS_SECRET_ACCESS_KEY: 'test' });
  clients = new AwsClients({
    region: 'eu-west-1',
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
  });
});
afterAll(async () => {
  process.env = saved;
  await new Promise((resolve) => server.close(resolve));
});
beforeEach(() => {
  answer = { status: 500, body: WERKZEUG_500 };
  requests = 0;
});

const calls: Array<[string, () => Promise<unknown>]> = [
  // Auto Scaling (AWS query, XML): where the CLI printed "@aws-sdk XML parse error: mismatched tags <html> and </title>".
  [
    'TerminateInstanceInAutoScalingGroup',
    () =>
      clients
        .autoScaling()
        .send(
          new TerminateInstanceInAutoScalingGroupCommand({ InstanceId: 'i-1', ShouldDecrementDesiredCapacity: false }),
        ),
  ],
  // EC2 (EC2 query, XML)
  [
    'DescribeLaunchTemplateVersions',
    () => clients.ec2().send(new DescribeLaunchTemplateVersionsCommand({ LaunchTemplateName: 'lt' })),
  ],
  // ECS (JSON 1.1)
  ['DescribeServices', () => clients.ecs().send(new DescribeServicesCommand({ cluster: 'c', services: ['s'] }))],
  // S3 (REST-XML), the roll lock's conditional write
  ['PutObject', () => clients.s3().send(new PutObjectCommand({ Bucket: 'b', Key: 'k', Body: '{}', IfNoneMatch: '*' }))],
  // EventBridge Scheduler (REST-JSON)
  ['GetSchedule', () => clients.scheduler().send(new GetScheduleCommand({ Name: 'n' }))],
];

/** Every call at once (each is retried with back-off before it fails): operation → what the user reads. */
async function reported(): Promise<Record<string, string>> {
  const errors = await Promise.all(
    calls.map(([, call]) =>
      call().then(
        () => undefined,
        (e: unknown) => e,
      ),
    ),
  );
  return Object.fromEntries(calls.map(([operation], k) => [operation, awsError(errors[k], 'doing it').message]));
}
const expected = (status: number) =>
  Object.fromEntries(
    calls.map(([operation]) => [
      operation,
      `AWS answered HTTP ${status} to ${operation} while doing it, with a page that is not an AWS error answer (a proxy's, a load balancer's or an emulator's).`,
    ]),
  );

it('an HTML 500 page (moto\'s server when a handler raises), for every protocol: "AWS answered HTTP 500 to <Operation>"', async () => {
  expect(await reported()).toEqual(expected(500));
  expect(requests).toBeGreaterThan(calls.length); // 5xx answers are retried before they are reported
}, 90_000);

it("a proxy's 502 page: the same, with its status", async () => {
  answer = { status: 502, body: NGINX_502 };
  expect(await reported()).toEqual(expected(502));
}, 90_000);

it('the suggestion for a 5xx: run again, then check the endpoint and proxy', async () => {
  const err = await calls[0]![1]().then(
    () => undefined,
    (e: unknown) => e,
  );
  const e = awsError(err, 'terminating i-1');
  expect(e.code).toBe('ECSDEPLOY_AWS');
  expect(e.suggestions[0]).toMatch(/^A 5xx answer is usually passing: run the command again/);
}, 90_000);
