/**
 * `ecsdeploy iam-policy` through the built binary on a copy of the bundled project (no AWS): the
 * document on stdout (ready for `aws iam put-role-policy`), the reasons for "*" on stderr, the
 * report under --json, managed-policy parts under --split.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { IamPolicyReport, PolicyDocument } from '../../src/ops/iam/policy';
import { copyExampleProject } from '../support/example-project';

const BIN = join(__dirname, '..', '..', 'bin', 'run.js');
let dir: string;

const cli = (args: string[]) => {
  const r = spawnSync(process.execPath, [BIN, ...args, '-C', dir], {
    encoding: 'utf8',
    env: { ...process.env, CI: 'true', NO_COLOR: '1', ECSDEPLOY_ENV: '' },
    timeout: 60_000,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
};

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'ecsdeploy-iam-'));
  copyExampleProject(dir);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

it('prints the document on stdout and why each "*" on stderr', () => {
  const r = cli(['iam-policy', '--env', 'prod']);
  expect(r.code).toBe(0);
  const doc = JSON.parse(r.stdout) as PolicyDocument;
  expect(doc.Version).toBe('2012-10-17');
  expect(doc.Statement.find((s) => s.Sid === 'EcsServices')?.Resource).toBe('arn:aws:ecs:eu-west-1:*:service/shop-*/*');
  expect(r.stderr).toMatch(
    /^Policy of the deployer role of prod in account \* \(no account: in the configuration\): \d+ statements for \d+ resource types and the CLI's calls; \d+ characters, /,
  );
  expect(r.stderr).toContain(
    '  EcsTaskDefinitions: ECS RegisterTaskDefinition, DescribeTaskDefinition and DeregisterTaskDefinition accept only "*".',
  );
}, 60_000);

it('--json gives the report; --split documents that each fit a managed policy', () => {
  const report = JSON.parse(cli(['iam-policy', '--env', 'dev', '--json']).stdout) as IamPolicyReport;
  expect(report).toMatchObject({ for: 'dev', account: '*' });
  expect(report.resourceTypes).toContain('aws_autoscaling_group');
  const parts = JSON.parse(cli(['iam-policy', '--env', 'dev', '--split']).stdout) as PolicyDocument[];
  expect(parts.flatMap((p) => p.Statement)).toEqual(report.policy.Statement);
  for (const p of parts) expect(JSON.stringify(p).length).toBeLessThanOrEqual(6144);
}, 60_000);

it('an unknown environment is a usage error', () => {
  const r = cli(['iam-policy', '--env', 'qa']);
  expect(r.code).toBe(2);
  expect(r.stderr).toMatch(/^Error: .*qa/);
}, 60_000);
