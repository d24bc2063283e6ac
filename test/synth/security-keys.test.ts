/**
 * The keys that let a project pass the policy suite's CKV_AWS_136 and CKV_AWS_382 without an
 * allowance: `registry.encryptionConfiguration` (ECR repositories encrypted with KMS) and
 * `network.egress` (explicit outbound rules instead of all traffic to anywhere). Defaults unchanged.
 */
import { evaluate } from '../policy/evaluate';
import { projectWith } from '../config/fixture-project';
import { only, resources, synthProject, type TfJson } from './helpers';

function synthWith(files: Record<string, string>): (stack: string) => TfJson {
  const p = projectWith(files);
  try {
    const s = synthProject(p.dir);
    const cache = new Map(s.stacks.map((x) => [x.name, s.json(x.name)]));
    s.cleanup();
    return (n) => cache.get(n)!;
  } finally {
    p.cleanup();
  }
}

const PROJECT = (registry: string) => `project: acme\nregion: us-east-1\n${registry}`;
const KEY = 'arn:aws:kms:us-east-1:111111111111:key/0f4d2c1b-8a7e-4b3c-9d2e-5f6a7b8c9d0e';
const failed = (json: TfJson, rule: string) =>
  (evaluate(json as never, 'test') as Array<{ checkovId: string }>).filter((f) => f.checkovId === rule);

describe('registry.encryptionConfiguration', () => {
  const repo = (json: TfJson) => only(json, 'aws_ecr_repository');

  it('is AES256 by default, as before', () => {
    const json = synthWith({})('registry');
    expect(repo(json)['encryption_configuration']).toEqual([{ encryption_type: 'AES256' }]);
    expect(failed(json, 'CKV_AWS_136')).toHaveLength(1);
  });

  it('KMS with a customer key sets both, and passes CKV_AWS_136', () => {
    const json = synthWith({
      'ecsdeploy.yaml': PROJECT(`registry:\n  encryptionConfiguration:\n    encryptionType: KMS\n    kmsKey: ${KEY}\n`),
    })('registry');
    expect(repo(json)['encryption_configuration']).toEqual([{ encryption_type: 'KMS', kms_key: KEY }]);
    expect(failed(json, 'CKV_AWS_136')).toEqual([]);
  });

  it("KMS without a key uses ECR's AWS-managed key (no kms_key)", () => {
    const json = synthWith({
      'ecsdeploy.yaml': PROJECT('registry:\n  encryptionConfiguration:\n    encryptionType: KMS\n'),
    })('registry');
    expect(repo(json)['encryption_configuration']).toEqual([{ encryption_type: 'KMS' }]);
  });
});

describe('network.egress', () => {
  const FARGATE = 'image:\n  tag: "1.0.0"\nport: 8080\nhttp:\n  paths: [/api/*]\nlaunchType: fargate\n';
  const DEV = (egress: string) =>
    `network:\n  create:\n    cidr: 10.0.0.0/16\n${egress}cluster:\n  fargate: true\n  ec2:\n    instanceTypes: [t3.small]\n    minSize: 1\n    maxSize: 2\n`;
  /** The egress rules by construct id, without cdktf's metadata. */
  const rules = (json: TfJson) =>
    Object.fromEntries(
      Object.entries(resources(json, 'aws_vpc_security_group_egress_rule')).map(([id, r]) => {
        const { '//': _meta, ...body } = r;
        return [id, body];
      }),
    );

  it('is all traffic to anywhere by default, with the addresses it always had', () => {
    const json = synthWith({ 'services/api.yaml': FARGATE, 'environments/dev.yaml': DEV('') });
    expect(rules(json('dev-api'))).toEqual({
      TaskEgress: expect.objectContaining({ cidr_ipv4: '0.0.0.0/0', ip_protocol: '-1' }),
    });
    expect(Object.keys(rules(json('dev-cluster'))).sort()).toEqual(['AlbEgress', 'InstanceEgress']);
    expect(failed(json('dev-api'), 'CKV_AWS_382')).toHaveLength(1);
  });

  it("replaces it in the tasks' and the instances' security groups with the rules listed", () => {
    const json = synthWith({
      'services/api.yaml': FARGATE,
      'environments/dev.yaml': DEV(
        [
          '  egress:',
          '    - ipProtocol: tcp',
          '      fromPort: 443',
          '      cidrIpv4: 0.0.0.0/0',
          '      description: AWS APIs',
          '    - ipProtocol: tcp',
          '      fromPort: 0',
          '      toPort: 65535',
          '      cidrIpv4: 10.0.0.0/16',
          '    - ipProtocol: tcp',
          '      fromPort: 443',
          '      prefixListId: pl-6da54004',
          '    - ipProtocol: tcp',
          '      fromPort: 5432',
          '      referencedGroupId: sg-0abc123',
          '    - ipProtocol: icmp',
          '      fromPort: 8',
          '      toPort: -1',
          '      cidrIpv6: "::/0"',
          '',
        ].join('\n'),
      ),
    });
    const sg = '${aws_security_group.TaskSecurityGroup.id}';
    expect(rules(json('dev-api'))).toEqual({
      'TaskEgress-tcp-443-0_0_0_0_0': {
        security_group_id: sg,
        ip_protocol: 'tcp',
        from_port: 443,
        to_port: 443,
        cidr_ipv4: '0.0.0.0/0',
        description: 'AWS APIs',
      },
      'TaskEgress-tcp-0-65535-10_0_0_0_16': {
        security_group_id: sg,
        ip_protocol: 'tcp',
        from_port: 0,
        to_port: 65535,
        cidr_ipv4: '10.0.0.0/16',
      },
      'TaskEgress-tcp-443-pl-6da54004': {
        security_group_id: sg,
        ip_protocol: 'tcp',
        from_port: 443,
        to_port: 443,
        prefix_list_id: 'pl-6da54004',
      },
      'TaskEgress-tcp-5432-sg-0abc123': {
        security_group_id: sg,
        ip_protocol: 'tcp',
        from_port: 5432,
        to_port: 5432,
        referenced_security_group_id: 'sg-0abc123',
      },
      'TaskEgress-icmp-8--1-___0': {
        security_group_id: sg,
        ip_protocol: 'icmp',
        from_port: 8,
        to_port: -1,
        cidr_ipv6: '::/0',
      },
    });
    const instance = Object.entries(rules(json('dev-cluster')))
      .filter(([id]) => id.startsWith('InstanceEgress'))
      .map(([id, r]) => [id, r['security_group_id']])
      .sort();
    expect(instance).toEqual([
      ['InstanceEgress-icmp-8--1-___0', '${aws_security_group.InstanceSecurityGroup.id}'],
      ['InstanceEgress-tcp-0-65535-10_0_0_0_16', '${aws_security_group.InstanceSecurityGroup.id}'],
      ['InstanceEgress-tcp-443-0_0_0_0_0', '${aws_security_group.InstanceSecurityGroup.id}'],
      ['InstanceEgress-tcp-443-pl-6da54004', '${aws_security_group.InstanceSecurityGroup.id}'],
      ['InstanceEgress-tcp-5432-sg-0abc123', '${aws_security_group.InstanceSecurityGroup.id}'],
    ]);
    // The load balancer's egress (already inside the VPC only) is its own.
    expect(only(json('dev-cluster'), 'aws_vpc_security_group_egress_rule', 'AlbEgress')['cidr_ipv4']).toBe(
      '${aws_vpc.Vpc.cidr_block}',
    );
    for (const stack of ['dev-api', 'dev-cluster']) expect(failed(json(stack), 'CKV_AWS_382')).toEqual([]);
  });

  it("an '-1' rule has no ports (and to 0.0.0.0/0 still fails CKV_AWS_382, as it should)", () => {
    const json = synthWith({
      'services/api.yaml': FARGATE,
      'environments/dev.yaml': DEV('  egress:\n    - ipProtocol: "-1"\n      cidrIpv4: 0.0.0.0/0\n'),
    });
    expect(rules(json('dev-api'))).toEqual({
      'TaskEgress-all-0_0_0_0_0': {
        security_group_id: '${aws_security_group.TaskSecurityGroup.id}',
        ip_protocol: '-1',
        cidr_ipv4: '0.0.0.0/0',
      },
    });
    expect(failed(json('dev-api'), 'CKV_AWS_382')).toHaveLength(1);
  });
});
