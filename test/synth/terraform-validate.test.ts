/**
 * Every synthesized stack of the bundled examples (and the lifecycle-hook draining variant) passes
 * `terraform validate` with the real AWS provider 5.100.0 from the offline mirror: the JSON is not
 * just well-formed, the provider accepts every attribute. Needs terraform and the mirror: skipped
 * with a notice locally when absent, a failure in CI.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { terraformValidate } from '../support/terraform-validate';
import { projectWith } from '../config/fixture-project';
import { resolveEphemeral } from '../../src/config/ephemeral';
import { loadProject } from '../../src/config/load';
import { synthesize } from '../../src/synth';
import { REPO, synthProject, type Synthesized } from './helpers';

const terraform = terraformValidate('terraform validate');
const validate = terraform.validate;

terraform.describe('terraform validate with the real provider', () => {
  /** Where the stacks synthesized here (environments on demand, jobs) are written. */
  const work = mkdtempSync(join(tmpdir(), 'ecsdeploy-validate-out-'));
  afterAll(() => {
    rmSync(work, { recursive: true, force: true });
    terraform.cleanup();
  });

  let examples: Synthesized;
  beforeAll(() => {
    examples = synthProject();
  });
  afterAll(() => examples.cleanup());

  it.each([
    'registry',
    'dev-cluster',
    'dev-orders',
    'dev-payments',
    'dev-web',
    'dev-job-nightly-report',
    'prod-cluster',
    'prod-orders',
    'prod-payments',
    'prod-web',
    'prod-job-nightly-report',
  ])(
    '%s is valid',
    (stack) => {
      const result = validate(examples.stacks.find((s) => s.name === stack)!.dir);
      expect(result.diagnostics.filter((d) => d.summary)).toEqual([]);
      expect(result.valid).toBe(true);
    },
    120_000,
  );

  describe('examples/services (every key of the service model, overrides included)', () => {
    let realServices: Synthesized;
    beforeAll(() => {
      realServices = synthProject(join(REPO, 'examples'));
    });
    afterAll(() => realServices.cleanup());
    // legacy-*: an existing cluster and load balancer, and an adopted service's import blocks.
    it.each([
      'dev-cluster',
      'dev-billing',
      'dev-catalog',
      'dev-files',
      'dev-ingest',
      'dev-search',
      'dev-storefront',
      'dev-thumbnailer',
      'legacy-cluster',
      'legacy-accounts',
    ])(
      '%s is valid',
      (stack) => {
        const result = validate(realServices.stacks.find((x) => x.name === stack)!.dir);
        expect(result.diagnostics.filter((d) => d.summary)).toEqual([]);
        expect(result.valid).toBe(true);
      },
      120_000,
    );
  });

  it('the registry with KMS encryption (registry.encryptionConfiguration) and an environment with ICMP and IPv6 egress are valid', () => {
    const p = projectWith({
      'ecsdeploy.yaml': [
        'project: acme',
        'region: us-east-1',
        'registry:',
        '  encryptionConfiguration:',
        '    encryptionType: KMS',
        '    kmsKey: arn:aws:kms:us-east-1:111111111111:key/0f4d2c1b-8a7e-4b3c-9d2e-5f6a7b8c9d0e',
      ].join('\n'),
      'environments/dev.yaml': [
        'network:',
        '  create:',
        '    cidr: 10.0.0.0/16',
        '  egress:',
        '    - ipProtocol: icmp',
        '      fromPort: 8',
        '      toPort: -1',
        '      cidrIpv4: 10.0.0.0/16',
        '    - ipProtocol: udp',
        '      fromPort: 123',
        '      cidrIpv6: "::/0"',
        '    - ipProtocol: tcp',
        '      fromPort: 443',
        '      prefixListId: pl-6da54004',
        'cluster:',
        '  ec2:',
        '    instanceTypes: [t3.small]',
        '    minSize: 1',
        '    maxSize: 2',
      ].join('\n'),
    });
    const out = mkdtempSync(join(work, 'keys-'));
    try {
      const project = loadProject(p.dir);
      const stacks = synthesize(project, project.environments, { outDir: out, cache: false });
      for (const name of ['registry', 'dev-cluster', 'dev-api']) {
        const result = validate(stacks.find((s) => s.name === name)!.dir);
        expect(result.diagnostics).toEqual([]);
        expect(result.valid).toBe(true);
      }
    } finally {
      p.cleanup();
    }
  }, 360_000);

  it('a service stack of an environment on demand (shared cluster, header rule, hashed names) is valid', () => {
    const p = projectWith();
    const out = mkdtempSync(join(work, 'eph-'));
    try {
      const project = loadProject(p.dir);
      const env = resolveEphemeral(project.environments[0]!, {
        version: 1,
        name: 'feature-with-a-long-name',
        base: 'dev',
        owner: 'ci',
        createdAt: '2026-11-24T10:00:00.000Z',
        expiresAt: '2026-11-25T10:00:00.000Z',
        isolated: false,
        services: ['api'],
        slot: 7,
        images: {},
        status: 'creating',
      });
      const [stack] = synthesize(project, [env], { outDir: out, cache: false });
      const result = validate(stack!.dir);
      expect(result.diagnostics).toEqual([]);
      expect(result.valid).toBe(true);
    } finally {
      p.cleanup();
    }
  }, 120_000);

  it('a job stack on EC2 (bridge, placement, rate, dates, an existing dead-letter queue and task role) is valid', () => {
    const p = projectWith({
      'jobs/cleanup.yaml': [
        'image:',
        '  repository: public.ecr.aws/acme/cleanup',
        '  tag: "1.0.0"',
        'command: [cleanup, --older-than, 30d]',
        'memory: 256',
        'taskRoleArn: arn:aws:iam::123456789012:role/cleanup',
        'placementConstraints:',
        '  - type: memberOf',
        '    expression: attribute:ecs.instance-type =~ t3.*',
        'schedule:',
        '  rate: 1 hour',
        '  flexibleWindow: 1h',
        '  startDate: "2027-01-01T00:00:00+01:00"',
        '  endDate: "2027-12-31T23:59:59Z"',
        'retryPolicy:',
        '  maximumRetryAttempts: 0',
        '  maximumEventAge: 60',
        'deadLetterQueue:',
        '  arn: arn:aws:sqs:us-east-1:123456789012:shared-dlq',
        'propagateTags: NONE',
      ].join('\n'),
    });
    const out = mkdtempSync(join(work, 'job-'));
    try {
      const project = loadProject(p.dir);
      const [stack] = synthesize(project, project.environments, { outDir: out, cache: false, stacks: ['job-cleanup'] });
      expect(stack!.name).toBe('dev-job-cleanup');
      const result = validate(stack!.dir);
      expect(result.diagnostics).toEqual([]);
      expect(result.valid).toBe(true);
    } finally {
      p.cleanup();
    }
  }, 120_000);

  it('the lifecycle-hook draining cluster (with its zipped Lambda) is valid', () => {
    const p = projectWith({
      'environments/dev.yaml':
        'network:\n  create:\n    cidr: 10.0.0.0/16\ncluster:\n  ec2:\n    instanceTypes: [t3.small]\n    minSize: 1\n    maxSize: 2\n    draining: lifecycle-hook\n',
    });
    const s = synthProject(p.dir);
    try {
      const result = validate(s.stacks.find((x) => x.name === 'dev-cluster')!.dir);
      expect(result.diagnostics).toEqual([]);
      expect(result.valid).toBe(true);
    } finally {
      s.cleanup();
      p.cleanup();
    }
  }, 120_000);
});
