/**
 * Environments in accounts of their own, as synthesized: the provider assumes the environment's
 * role and allows only its account; the S3 backend and the remote state a service reads use the
 * state role (or the environment's); the registry grants pull to the environments' accounts only,
 * and a service pulls its own image from the registry's account. Then `terraform validate` of those
 * stacks with the real provider (skipped with a notice without terraform and the mirror).
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { terraformValidate } from '../support/terraform-validate';
import { projectWith } from '../config/fixture-project';
import { loadProject } from '../../src/config/load';
import { synthesize } from '../../src/synth';
import { only, policyDocuments, synthProject, type Synthesized } from './helpers';

const A = '111111111111';
const B = '222222222222';

function accountsProject(extraProject = '') {
  return projectWith({
    'ecsdeploy.yaml': [
      'project: acme',
      'region: eu-west-1',
      'state:',
      '  backend: s3',
      '  bucket: acme-state',
      `  role: arn:aws:iam::${A}:role/state`,
      'registry:',
      `  account: "${A}"`,
      `  role: arn:aws:iam::${A}:role/registry`,
      extraProject,
    ].join('\n'),
    'environments/dev.yaml': `network:\n  create:\n    cidr: 10.0.0.0/16\ncluster:\n  fargate: true\naccount: "${A}"\nrole: arn:aws:iam::${A}:role/deployer\n`,
    'environments/prod.yaml': `network:\n  create:\n    cidr: 10.1.0.0/16\ncluster:\n  fargate: true\naccount: "${B}"\nrole: arn:aws:iam::${B}:role/deployer\nexternalId: acme-prod\nsessionName: ci-deploy\n`,
    'services/api.yaml': 'image:\n  tag: "1.0.0"\nlaunchType: fargate\nportMappings:\n  - containerPort: 8080\n',
  });
}

describe('stacks of environments in their own accounts', () => {
  let p: ReturnType<typeof projectWith>;
  let s: Synthesized;
  beforeAll(() => {
    p = accountsProject();
    s = synthProject(p.dir);
  });
  afterAll(() => {
    s.cleanup();
    p.cleanup();
  });

  it("prod's provider assumes prod's role (with its external id and session name) and allows only prod's account", () => {
    const provider = s.json('prod-api').provider!.aws![0]!;
    expect(provider['assume_role']).toEqual([
      { role_arn: `arn:aws:iam::${B}:role/deployer`, external_id: 'acme-prod', session_name: 'ci-deploy' },
    ]);
    expect(provider['allowed_account_ids']).toEqual([B]);
    expect(s.json('dev-cluster').provider!.aws![0]!['allowed_account_ids']).toEqual([A]);
  });

  it("the registry's provider assumes registry.role in registry.account", () => {
    const provider = s.json('registry').provider!.aws![0]!;
    expect(provider['assume_role']).toEqual([{ role_arn: `arn:aws:iam::${A}:role/registry` }]);
    expect(provider['allowed_account_ids']).toEqual([A]);
  });

  it('the S3 backend and the remote state of the cluster use state.role', () => {
    const json = s.json('prod-api');
    const backend = (json.terraform!['backend'] as Record<string, Record<string, unknown>>)['s3']!;
    expect(backend['assume_role']).toEqual({ role_arn: `arn:aws:iam::${A}:role/state` });
    const remote = json.data!['terraform_remote_state']!['Cluster']!['config'] as Record<string, unknown>;
    expect(remote['assume_role']).toEqual({ role_arn: `arn:aws:iam::${A}:role/state` });
  });

  it("every repository lets exactly the other environments' accounts pull (not the registry's own)", () => {
    const policy = JSON.parse(only(s.json('registry'), 'aws_ecr_repository_policy')['policy'] as string) as {
      Statement: Array<Record<string, unknown>>;
    };
    expect(policy.Statement).toEqual([
      {
        Sid: 'PullFromEnvironmentAccounts',
        Effect: 'Allow',
        Principal: { AWS: [`arn:aws:iam::${B}:root`] },
        Action: ['ecr:BatchCheckLayerAvailability', 'ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer'],
      },
    ]);
  });

  it("prod's task pulls its image from the registry's account, and its execution role may pull exactly that repository", () => {
    const json = s.json('prod-api');
    expect(json.data?.['aws_ecr_repository']).toBeUndefined();
    const containers = JSON.parse(only(json, 'aws_ecs_task_definition')['container_definitions'] as string) as Array<{
      image: string;
    }>;
    expect(containers[0]!.image).toBe(`${A}.dkr.ecr.eu-west-1.amazonaws.com/acme/api:1.0.0`);
    const pull = policyDocuments(json)
      .flatMap((d) => d.Statement)
      .find((st) => st['Sid'] === 'PullOwnImage');
    expect(pull?.['Resource']).toBe(`arn:aws:ecr:eu-west-1:${A}:repository/acme/api`);
  });

  it('without account keys, stacks are as before: no role, no allowed accounts, no repository policy', () => {
    const plain = projectWith();
    const t = synthProject(plain.dir);
    try {
      const provider = t.json('dev-api').provider!.aws![0]!;
      expect(provider['assume_role']).toBeUndefined();
      expect(provider['allowed_account_ids']).toBeUndefined();
      expect(t.json('registry').resource?.['aws_ecr_repository_policy']).toBeUndefined();
      expect(t.json('dev-api').data?.['aws_ecr_repository']).toBeDefined();
    } finally {
      t.cleanup();
      plain.cleanup();
    }
  });

  it("the registry's policy does not depend on the environments a command loaded", () => {
    const out = mkdtempSync(join(tmpdir(), 'ecsdeploy-synth-'));
    try {
      const project = loadProject(p.dir, { environments: ['dev'] });
      expect(project.environments.map((e) => e.name)).toEqual(['dev']);
      synthesize(project, project.environments, { outDir: out, cache: false });
      expect(readFileSync(join(out, 'stacks', 'registry', 'cdk.tf.json'), 'utf8')).toBe(s.text('registry'));
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });
});

const terraform = terraformValidate('terraform validate of account stacks');

terraform.describe('terraform validate of stacks with assume_role and allowed_account_ids', () => {
  let p: ReturnType<typeof projectWith>;
  let s: Synthesized;
  beforeAll(() => {
    p = accountsProject();
    s = synthProject(p.dir);
  });
  afterAll(() => {
    s.cleanup();
    p.cleanup();
    terraform.cleanup();
  });

  it.each(['registry', 'prod-cluster', 'prod-api'])(
    '%s is valid',
    (stack) => {
      const result = terraform.validate(s.stacks.find((x) => x.name === stack)!.dir);
      expect(result.diagnostics.filter((d) => d.summary)).toEqual([]);
      expect(result.valid).toBe(true);
    },
    120_000,
  );
});
