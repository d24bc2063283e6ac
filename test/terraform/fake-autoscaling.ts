/**
 * A stand-in for the Auto Scaling API (its Query protocol over HTTP), for CLI tests of what
 * `apply` and `plan` read before touching a cluster stack: DescribeAutoScalingGroups answers with
 * the group written to `groupFile` (JSON `{ name, tags }`), or with no group when the file is
 * absent. It runs in a process of its own, because the tests wait for the CLI with spawnSync,
 * which blocks their own event loop. Point the CLI at it with `env(...)`.
 */
import { spawn } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';

const SERVER = `
const { createServer } = require('node:http');
const { existsSync, readFileSync } = require('node:fs');
const file = process.argv[1];
const esc = (s) => String(s).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
createServer((req, res) => {
  let body = '';
  req.on('data', (c) => (body += c));
  req.on('end', () => {
    const action = new URLSearchParams(body).get('Action');
    if (action !== 'DescribeAutoScalingGroups') {
      res.writeHead(400, { 'content-type': 'text/xml' });
      res.end('<ErrorResponse><Error><Type>Sender</Type><Code>InvalidAction</Code><Message>not faked: ' + esc(action) + '</Message></Error><RequestId>1</RequestId></ErrorResponse>');
      return;
    }
    const g = existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')) : undefined;
    const tags = g ? Object.entries(g.tags).map(([k, v]) => '<member><ResourceId>' + esc(g.name) + '</ResourceId><ResourceType>auto-scaling-group</ResourceType><Key>' + esc(k) + '</Key><Value>' + esc(v) + '</Value><PropagateAtLaunch>false</PropagateAtLaunch></member>').join('') : '';
    const group = g ? '<member><AutoScalingGroupName>' + esc(g.name) + '</AutoScalingGroupName><MinSize>1</MinSize><MaxSize>4</MaxSize><DesiredCapacity>3</DesiredCapacity><Instances/><Tags>' + tags + '</Tags></member>' : '';
    res.writeHead(200, { 'content-type': 'text/xml' });
    res.end('<DescribeAutoScalingGroupsResponse xmlns="http://autoscaling.amazonaws.com/doc/2011-01-01/"><DescribeAutoScalingGroupsResult><AutoScalingGroups>' + group + '</AutoScalingGroups></DescribeAutoScalingGroupsResult><ResponseMetadata><RequestId>1</RequestId></ResponseMetadata></DescribeAutoScalingGroupsResponse>');
  });
}).listen(0, '127.0.0.1', function () { process.stdout.write(this.address().port + '\\n'); });
process.stdin.on('end', () => process.exit(0)).resume(); // exits with the test process
`;

export interface FakeAutoScaling {
  readonly endpoint: string;
  /** The group the next reads see (undefined: there is none). */
  setGroup(group: { readonly name: string; readonly tags: Record<string, string> } | undefined): void;
  /** What the CLI needs to read it: endpoint, test credentials, and no SDK notice on stderr. */
  env(): Record<string, string>;
  stop(): void;
}

export async function startFakeAutoScaling(groupFile: string): Promise<FakeAutoScaling> {
  const child = spawn(process.execPath, ['-e', SERVER, groupFile], { stdio: ['pipe', 'pipe', 'inherit'] });
  const port = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (c: Buffer) => {
      out += c.toString();
      if (out.includes('\n')) resolve(out.trim());
    });
    child.on('exit', (code) => reject(new Error(`the fake Auto Scaling endpoint exited with ${code}`)));
  });
  const endpoint = `http://127.0.0.1:${port}`;
  return {
    endpoint,
    setGroup(group) {
      if (group === undefined) rmSync(groupFile, { force: true });
      else writeFileSync(groupFile, JSON.stringify(group));
    },
    env: () => ({
      AWS_ENDPOINT_URL: endpoint,
      AWS_ACCESS_KEY_ID: 'test',
      AWS_SECRET_ACCESS_KEY: 'test',
      AWS_EC2_METADATA_DISABLED: 'true',
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    }),
    stop() {
      child.stdin.end();
      child.kill();
    },
  };
}
