/**
 * `ecsdeploy iam-policy`: its tables cover every resource type the stacks can declare and every
 * AWS call the CLI sends (a new one fails here until it is added), and the document is scoped to
 * the project's names and account, with "*" only in statements that say why.
 */
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadProject } from '../../src/config/load';
import { CLI_GRANTS, NOT_AWS, RESOURCE_GRANTS } from '../../src/ops/iam/actions';
import { buildPolicy, iamPolicy, MANAGED_POLICY_LIMIT, splitPolicy } from '../../src/ops/iam/policy';
import { projectWith } from '../config/fixture-project';

const REPO = join(__dirname, '..', '..');

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const full = join(dir, f);
    return statSync(full).isDirectory() ? files(full) : full.endsWith('.ts') ? [full] : [];
  });
}

describe('the tables', () => {
  it('name the IAM actions of every resource and data source type a stack imports', () => {
    const imported = new Set<string>();
    for (const f of files(join(REPO, 'stacks'))) {
      for (const m of readFileSync(f, 'utf8').matchAll(/@cdktf\/provider-aws\/lib\/([a-z0-9-]+)/g)) {
        const lib = m[1]!;
        imported.add(
          lib.startsWith('data-aws-')
            ? `data_${lib.slice(5).replace(/-/g, '_')}`
            : lib === 'provider'
              ? 'provider'
              : `aws_${lib.replace(/-/g, '_')}`,
        );
      }
    }
    const missing = [...imported].filter(
      (t) => RESOURCE_GRANTS[t] === undefined && !(NOT_AWS as readonly string[]).includes(t),
    );
    expect(missing).toEqual([]);
    expect(imported.size).toBeGreaterThan(40);
  });

  it('name the IAM action of every AWS call of the CLI (src/aws)', () => {
    const sent = new Set<string>();
    for (const f of files(join(REPO, 'src', 'aws'))) {
      const text = readFileSync(f, 'utf8');
      for (const m of text.matchAll(/new \(?(?:sdk\(\)\.)?([A-Z][A-Za-z0-9]+)Command\b/g)) sent.add(m[1]!);
      for (const m of text.matchAll(/\bpaginate([A-Z][A-Za-z0-9]+)\b/g)) sent.add(m[1]!);
      for (const m of text.matchAll(/searchParams\.set\('Action', '([A-Za-z]+)'\)/g)) sent.add(m[1]!);
    }
    expect([...sent].filter((c) => CLI_GRANTS[c] === undefined)).toEqual([]);
    expect(sent.has('GetCallerIdentity')).toBe(true);
  });

  it('every grant on "*" says why', () => {
    const all = [...Object.values(RESOURCE_GRANTS).flat(), ...Object.values(CLI_GRANTS)];
    expect(all.filter((g) => g.resources.includes('*') && g.why === undefined).map((g) => g.sid)).toEqual([]);
  });
});

describe('the policy of the bundled project', () => {
  it("prod's: every stack resource type known, ARNs in prod's account and region, named after the project", async () => {
    const p = projectWith({
      'environments/prod.yaml':
        'network:\n  create:\n    cidr: 10.1.0.0/16\ncluster:\n  fargate: true\naccount: "222222222222"\nrole: arn:aws:iam::222222222222:role/deployer\n',
      'ecsdeploy.yaml':
        'project: acme\nregion: us-east-1\nstate:\n  backend: s3\n  bucket: acme-state\n  prefix: tf\nreleases:\n  store: s3\n  bucket: acme-releases\n',
    });
    try {
      const report = await iamPolicy({ dir: p.dir, env: 'prod' });
      expect(report).toMatchObject({ for: 'prod', account: '222222222222' });
      expect(report.resourceTypes).toEqual(
        expect.arrayContaining(['aws_ecs_service', 'aws_ecs_task_definition', 'aws_vpc', 'aws_ecr_repository']),
      );
      const st = (sid: string) => report.policy.Statement.find((s) => s.Sid === sid);
      expect(st('EcsServices')).toMatchObject({ Resource: 'arn:aws:ecs:us-east-1:222222222222:service/acme-*/*' });
      expect(st('EcsServices')!.Action).toEqual(
        expect.arrayContaining(['ecs:CreateService', 'ecs:UpdateService', 'ecs:DeleteService']),
      );
      expect(st('IamRoles')!.Resource).toBe('arn:aws:iam::222222222222:role/acme-*');
      expect(st('PassProjectRoles')).toMatchObject({
        Action: ['iam:PassRole'],
        Resource: 'arn:aws:iam::222222222222:role/acme-*',
      });
      expect(st('CliStateAndReleases')).toMatchObject({
        Action: ['s3:DeleteObject', 's3:GetObject', 's3:PutObject'],
        Resource: ['arn:aws:s3:::acme-releases/ecsdeploy/releases/*', 'arn:aws:s3:::acme-state/tf/*'],
      });
      expect(st('WhoAmI')).toMatchObject({ Action: ['sts:GetCallerIdentity'], Resource: '*' });
      // "*" only in statements that say why; every other resource is the project's.
      const wide = new Set(report.wide.map((w) => w.sid));
      for (const s of report.policy.Statement) {
        const resources = ([] as string[]).concat(s.Resource);
        if (resources.includes('*')) expect(wide.has(s.Sid)).toBe(true);
        else if (!wide.has(s.Sid))
          for (const r of resources) expect(r).toMatch(/acme[-/]|aws-service-role|:s3:::acme-/);
      }
      expect(JSON.stringify(report.policy)).not.toMatch(/shop|123456789012/);
      // As managed policies: each within IAM's limit, together exactly the statements.
      expect(report.characters).toBe(JSON.stringify(report.policy).length);
      expect(report.managedPolicies.length).toBeGreaterThan(1);
      for (const part of report.managedPolicies)
        expect(JSON.stringify(part).length).toBeLessThanOrEqual(MANAGED_POLICY_LIMIT);
      expect(report.managedPolicies.flatMap((d) => d.Statement)).toEqual(report.policy.Statement);
      expect(splitPolicy(report.policy, 1_000_000)).toEqual([report.policy]);
    } finally {
      p.cleanup();
    }
  }, 60_000);

  it("with registry.role, the registry's grants are its role's, not the environment's", async () => {
    const p = projectWith({
      'ecsdeploy.yaml':
        'project: acme\nregion: us-east-1\nregistry:\n  account: "111111111111"\n  role: arn:aws:iam::111111111111:role/registry\n',
    });
    try {
      const env = await iamPolicy({ dir: p.dir, env: 'dev' });
      expect(env.policy.Statement.map((s) => s.Sid)).not.toContain('EcrRepositories');
      const registry = await iamPolicy({ dir: p.dir, env: 'dev', registry: true });
      expect(registry).toMatchObject({ for: 'registry', account: '111111111111' });
      expect(registry.policy.Statement.find((s) => s.Sid === 'EcrRepositories')!.Resource).toBe(
        'arn:aws:ecr:us-east-1:111111111111:repository/acme/*',
      );
      expect(registry.policy.Statement.map((s) => s.Sid).sort()).toEqual(['CliEcr', 'EcrRepositories', 'WhoAmI']);
    } finally {
      p.cleanup();
    }
  }, 60_000);

  it("a customer managed key of the registry: the applier may make and retire ECR's grants on it, on that key only", async () => {
    const key = 'arn:aws:kms:us-east-1:111111111111:key/1234abcd-12ab-34cd-56ef-1234567890ab';
    const p = projectWith({
      'ecsdeploy.yaml': `project: acme\nregion: us-east-1\nregistry:\n  encryptionConfiguration:\n    encryptionType: KMS\n    kmsKey: ${key}\n`,
    });
    try {
      const both = await iamPolicy({ dir: p.dir, env: 'dev' });
      expect(both.policy.Statement.find((s) => s.Sid === 'EcrKmsKey')).toEqual({
        Sid: 'EcrKmsKey',
        Effect: 'Allow',
        Action: ['kms:CreateGrant', 'kms:DescribeKey', 'kms:RetireGrant'],
        Resource: key,
      });
      // Without the key (AES256 or the AWS-managed aws/ecr), no KMS statement at all.
      writeFileSync(join(p.dir, 'ecsdeploy.yaml'), 'project: acme\nregion: us-east-1\n');
      const plain = await iamPolicy({ dir: p.dir, env: 'dev' });
      expect(plain.policy.Statement.flatMap((s) => s.Action).filter((a) => a.startsWith('kms:'))).toEqual([]);
    } finally {
      p.cleanup();
    }
  }, 60_000);

  it('a resource type the tables lack is an error naming it, not a silent gap', () => {
    const p = projectWith();
    try {
      const project = loadProject(p.dir);
      expect(() =>
        buildPolicy(project, project.environments[0]!, ['aws_ecs_service', 'aws_rds_cluster'], 'both'),
      ).toThrow(/does not know the IAM actions of aws_rds_cluster/);
    } finally {
      p.cleanup();
    }
  });
});
