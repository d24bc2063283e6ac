/**
 * Every rule of the policy suite fails on a fixture that breaks it and passes on one that keeps it,
 * so no rule can pass by never looking (and none is left without its pair).
 */
import { evaluate } from './evaluate';
import { RULES } from './rules';
import { secretIn } from './rules/secrets';
import type { TfJson } from './types';

/** A document of resources: `{ type: { id: body } }`. */
const doc = (resource: Record<string, Record<string, Record<string, unknown>>>): TfJson => ({ resource });
const one = (type: string, body: Record<string, unknown>, id = 'X') => doc({ [type]: { [id]: body } });
const td = (containers: Array<Record<string, unknown>>, extra: Record<string, unknown> = {}) =>
  one('aws_ecs_task_definition', {
    container_definitions: JSON.stringify(containers),
    execution_role_arn: '${aws_iam_role.ExecutionRole.arn}',
    task_role_arn: '${aws_iam_role.TaskRole.arn}',
    ...extra,
  });
const c = (extra: Record<string, unknown> = {}) => ({
  name: 'app',
  readonlyRootFilesystem: true,
  environment: [],
  ...extra,
});
const rolePolicy = (...Statement: Array<Record<string, unknown>>) =>
  one('aws_iam_role_policy', { policy: JSON.stringify({ Version: '2012-10-17', Statement }) });
const lb = (extra: Record<string, unknown>, listeners: Record<string, Record<string, unknown>> = {}) =>
  doc({
    aws_lb: {
      LoadBalancer: { load_balancer_type: 'application', security_groups: ['${aws_security_group.Alb.id}'], ...extra },
    },
    ...(Object.keys(listeners).length
      ? {
          aws_lb_listener: Object.fromEntries(
            Object.entries(listeners).map(([k, v]) => [k, { load_balancer_arn: '${aws_lb.LoadBalancer.arn}', ...v }]),
          ),
        }
      : {}),
  });
const redirect = { type: 'redirect', redirect: { port: '443', protocol: 'HTTPS', status_code: 'HTTP_301' } };
const ingress = (cidr: string, from: number, to = from, protocol = 'tcp') => ({
  security_group_id: '${aws_security_group.Alb.id}',
  cidr_ipv4: cidr,
  from_port: from,
  to_port: to,
  ip_protocol: protocol,
});
const withListener = (rule: Record<string, unknown>) =>
  doc({
    ...lb({}, { Http: { port: 443, protocol: 'HTTPS' } }).resource,
    aws_vpc_security_group_ingress_rule: { R: rule },
  });
const bucket = (companions: Record<string, Record<string, Record<string, unknown>>>) =>
  doc({ aws_s3_bucket: { State: { bucket: 'shop-terraform-state' } }, ...companions });
const BUCKET_ID = '${aws_s3_bucket.State.id}';
const lt = (extra: Record<string, unknown>) => one('aws_launch_template', { image_id: 'ami-1', ...extra });
const group = (extra: Record<string, unknown>) => one('aws_cloudwatch_log_group', { name: '/x', ...extra });

const FIXTURES: Record<string, { fail: TfJson; pass: TfJson }> = {
  'ecs-not-privileged': { fail: td([c({ privileged: true })]), pass: td([c({ privileged: false })]) },
  'ecs-readonly-root': { fail: td([c(), c({ name: 'sidecar', readonlyRootFilesystem: false })]), pass: td([c()]) },
  'ecs-no-host-pid': { fail: td([c()], { pid_mode: 'host' }), pass: td([c()], { pid_mode: 'task' }) },
  'ecs-distinct-roles': {
    fail: td([c()], { task_role_arn: '${aws_iam_role.ExecutionRole.arn}' }),
    pass: td([c()]),
  },
  'ecs-efs-transit-encryption': {
    fail: td([c()], {
      volume: [{ name: 'data', efs_volume_configuration: { file_system_id: 'fs-1', transit_encryption: 'DISABLED' } }],
    }),
    pass: td([c()], {
      volume: [{ name: 'data', efs_volume_configuration: { file_system_id: 'fs-1', transit_encryption: 'ENABLED' } }],
    }),
  },
  'ecs-exec-logging': {
    fail: one('aws_ecs_cluster', { name: 'c', configuration: { execute_command_configuration: { logging: 'NONE' } } }),
    pass: one('aws_ecs_cluster', {
      name: 'c',
      configuration: { execute_command_configuration: { logging: 'DEFAULT' } },
    }),
  },
  'ecs-container-insights': {
    fail: one('aws_ecs_cluster', { setting: [{ name: 'containerInsights', value: 'disabled' }] }),
    pass: one('aws_ecs_cluster', { setting: [{ name: 'containerInsights', value: 'enabled' }] }),
  },
  'ecs-no-public-ip': {
    fail: one('aws_ecs_service', { network_configuration: { assign_public_ip: true } }),
    pass: one('aws_ecs_service', { network_configuration: { assign_public_ip: false } }),
  },
  'no-plaintext-secrets': {
    fail: td([c({ environment: [{ name: 'DB_PASSWORD', value: 'hunter2hunter2' }] })]),
    pass: td([c({ environment: [{ name: 'LOG_LEVEL', value: 'info' }] })]),
  },
  'ecr-immutable-tags': {
    fail: one('aws_ecr_repository', { image_tag_mutability: 'MUTABLE' }),
    pass: one('aws_ecr_repository', { image_tag_mutability: 'IMMUTABLE' }),
  },
  'ecr-scan-on-push': {
    fail: one('aws_ecr_repository', {}),
    pass: one('aws_ecr_repository', { image_scanning_configuration: { scan_on_push: true } }),
  },
  'ecr-kms-encryption': {
    fail: one('aws_ecr_repository', { encryption_configuration: [{ encryption_type: 'AES256' }] }),
    pass: one('aws_ecr_repository', { encryption_configuration: [{ encryption_type: 'KMS' }] }),
  },
  'alb-drop-invalid-headers': { fail: lb({}), pass: lb({ drop_invalid_header_fields: true }) },
  'lb-deletion-protection': {
    fail: lb({ enable_deletion_protection: false }),
    pass: lb({ enable_deletion_protection: true }),
  },
  'lb-access-logs': { fail: lb({}), pass: lb({ access_logs: { bucket: 'logs', enabled: true } }) },
  'alb-redirects-http': {
    fail: lb({}, { Http: { port: 80, protocol: 'HTTP', default_action: [{ type: 'fixed-response' }] } }),
    pass: lb(
      {},
      { Http: { port: 80, protocol: 'HTTP', default_action: [redirect] }, Https: { port: 443, protocol: 'HTTPS' } },
    ),
  },
  'alb-listener-https': {
    fail: one('aws_lb_listener', { port: 80, protocol: 'HTTP', default_action: [{ type: 'forward' }] }),
    pass: one('aws_lb_listener', { port: 80, protocol: 'HTTP', default_action: [redirect] }),
  },
  'alb-listener-tls12': {
    fail: one('aws_lb_listener', { port: 443, protocol: 'HTTPS', ssl_policy: 'ELBSecurityPolicy-2016-08' }),
    pass: one('aws_lb_listener', { port: 443, protocol: 'HTTPS', ssl_policy: 'ELBSecurityPolicy-TLS13-1-2-2021-06' }),
  },
  'iam-no-star-action': {
    fail: rolePolicy({ Effect: 'Allow', Action: '*', Resource: 'arn:aws:s3:::b' }),
    pass: rolePolicy({ Effect: 'Allow', Action: ['s3:GetObject'], Resource: 'arn:aws:s3:::b/*' }),
  },
  'iam-no-admin': {
    fail: rolePolicy({ Effect: 'Allow', Action: '*', Resource: '*' }),
    pass: rolePolicy({ Effect: 'Deny', Action: '*', Resource: '*' }),
  },
  'iam-no-star-resource': {
    fail: rolePolicy({ Sid: 'Logs', Effect: 'Allow', Action: ['logs:PutLogEvents'], Resource: '*' }),
    pass: rolePolicy({ Sid: 'EcrLogin', Effect: 'Allow', Action: 'ecr:GetAuthorizationToken', Resource: '*' }),
  },
  'iam-no-unconstrained-write': {
    fail: rolePolicy({ Effect: 'Allow', Action: ['sqs:SendMessage'], Resource: '*' }),
    pass: rolePolicy({ Effect: 'Allow', Action: ['sqs:GetQueueUrl'], Resource: '*' }),
  },
  'iam-no-unconstrained-permissions-management': {
    fail: rolePolicy({ Effect: 'Allow', Action: ['s3:PutBucketPolicy'], Resource: '*' }),
    pass: rolePolicy({ Effect: 'Allow', Action: ['s3:PutBucketPolicy'], Resource: 'arn:aws:s3:::b' }),
  },
  'iam-no-data-exfiltration': {
    fail: rolePolicy({ Effect: 'Allow', Action: ['secretsmanager:GetSecretValue'], Resource: '*' }),
    pass: rolePolicy({
      Effect: 'Allow',
      Action: ['secretsmanager:GetSecretValue'],
      Resource: 'arn:aws:secretsmanager:eu-west-1:1:secret:x-??????',
    }),
  },
  'iam-no-privilege-escalation': {
    fail: rolePolicy({ Effect: 'Allow', Action: ['iam:PassRole'], Resource: '*' }),
    pass: rolePolicy({ Effect: 'Allow', Action: ['iam:PassRole'], Resource: 'arn:aws:iam::1:role/task' }),
  },
  'iam-no-credentials-exposure': {
    fail: rolePolicy({ Effect: 'Allow', Action: ['iam:CreateAccessKey'], Resource: '*' }),
    pass: rolePolicy({ Effect: 'Allow', Action: ['iam:CreateAccessKey'], Resource: 'arn:aws:iam::1:user/ci' }),
  },
  'sg-no-open-ingress-22': {
    fail: one('aws_vpc_security_group_ingress_rule', ingress('0.0.0.0/0', 22)),
    pass: one('aws_vpc_security_group_ingress_rule', ingress('10.0.0.0/16', 22)),
  },
  'sg-no-open-ingress-3389': {
    fail: one('aws_security_group', {
      ingress: [{ cidr_blocks: ['0.0.0.0/0'], from_port: 3000, to_port: 4000, protocol: 'tcp' }],
    }),
    pass: one('aws_security_group', {
      ingress: [{ cidr_blocks: ['0.0.0.0/0'], from_port: 443, to_port: 443, protocol: 'tcp' }],
    }),
  },
  'sg-open-ingress-listeners-only': {
    fail: withListener(ingress('0.0.0.0/0', 8080)),
    pass: withListener(ingress('0.0.0.0/0', 443)),
  },
  'sg-no-open-ingress-all-ports': {
    fail: one('aws_security_group_rule', {
      type: 'ingress',
      cidr_blocks: ['::/0'],
      from_port: 0,
      to_port: 0,
      protocol: '-1',
    }),
    pass: one('aws_security_group_rule', {
      type: 'ingress',
      cidr_blocks: ['0.0.0.0/0'],
      from_port: 443,
      to_port: 443,
      protocol: 'tcp',
    }),
  },
  'sg-no-open-egress': {
    fail: one('aws_vpc_security_group_egress_rule', {
      security_group_id: 'sg',
      cidr_ipv4: '0.0.0.0/0',
      ip_protocol: '-1',
    }),
    pass: one('aws_vpc_security_group_egress_rule', {
      security_group_id: 'sg',
      cidr_ipv4: '0.0.0.0/0',
      ip_protocol: 'tcp',
      from_port: 443,
      to_port: 443,
    }),
  },
  'imdsv2-required': {
    fail: lt({ metadata_options: { http_endpoint: 'enabled', http_tokens: 'optional' } }),
    pass: lt({ metadata_options: { http_endpoint: 'enabled', http_tokens: 'required' } }),
  },
  'ebs-encrypted': {
    fail: lt({ block_device_mappings: [{ device_name: '/dev/xvda', ebs: { encrypted: 'false' } }] }),
    pass: lt({ block_device_mappings: [{ device_name: '/dev/xvda', ebs: { encrypted: 'true' } }] }),
  },
  'logs-retention-set': { fail: group({}), pass: group({ retention_in_days: 30 }) },
  'logs-retention-year': { fail: group({ retention_in_days: 30 }), pass: group({ retention_in_days: 365 }) },
  'logs-kms': { fail: group({}), pass: group({ kms_key_id: 'arn:aws:kms:eu-west-1:1:key/k' }) },
  's3-versioning': {
    fail: bucket({
      aws_s3_bucket_versioning: { V: { bucket: BUCKET_ID, versioning_configuration: { status: 'Suspended' } } },
    }),
    pass: bucket({
      aws_s3_bucket_versioning: { V: { bucket: BUCKET_ID, versioning_configuration: { status: 'Enabled' } } },
    }),
  },
  's3-encryption': {
    fail: bucket({}),
    pass: bucket({
      aws_s3_bucket_server_side_encryption_configuration: {
        E: { bucket: BUCKET_ID, rule: [{ apply_server_side_encryption_by_default: { sse_algorithm: 'aws:kms' } }] },
      },
    }),
  },
  's3-public-access-block': {
    fail: bucket({ aws_s3_bucket_public_access_block: { P: { bucket: BUCKET_ID, block_public_acls: true } } }),
    pass: bucket({
      aws_s3_bucket_public_access_block: {
        P: {
          bucket: BUCKET_ID,
          block_public_acls: true,
          block_public_policy: true,
          ignore_public_acls: true,
          restrict_public_buckets: true,
        },
      },
    }),
  },
};

it('every rule has a failing and a passing fixture, and rule ids and Checkov IDs are unique', () => {
  expect(Object.keys(FIXTURES).sort()).toEqual(RULES.map((r) => r.id).sort());
  expect(new Set(RULES.map((r) => r.checkovId)).size).toBe(RULES.length);
  for (const r of RULES) expect(r.checkovId).toMatch(/^CKV2?_AWS_\d+$/);
});

describe.each(RULES.map((r) => [r.id, r] as const))('%s', (id, rule) => {
  it(`fails where ${rule.checkovId} fails, naming the attribute`, () => {
    const found = evaluate(FIXTURES[id]!.fail, 'fixture', [rule]);
    expect(found.length).toBeGreaterThan(0);
    for (const f of found) {
      expect(f.checkovId).toBe(rule.checkovId);
      expect(f.message.length).toBeGreaterThan(5);
    }
  });
  it('passes where it is kept', () => {
    expect(evaluate(FIXTURES[id]!.pass, 'fixture', [rule])).toEqual([]);
  });
});

describe('secrets in plain text', () => {
  it.each([
    ['AWS_ACCESS_KEY_ID', 'AKIAIOSFODNN7EXAMPLE'],
    ['DATABASE_URL', 'postgres://app:s3cret@db.internal:5432/app'],
    ['TLS_KEY', '-----BEGIN RSA PRIVATE KEY-----\nMIIE'],
    ['API_KEY', 'abc123def456'],
    ['GITHUB', 'ghp_' + 'a'.repeat(36)],
  ])('%s is a secret', (name, value) => expect(secretIn(name, value)).toBeDefined());
  it.each([
    ['LOG_LEVEL', 'info'],
    ['DATABASE_URL', 'postgres://db.internal:5432/app'],
    ['API_KEY', 'arn:aws:ssm:eu-west-1:123456789012:parameter/x'],
    ['TOKEN', ''],
  ])('%s=%s is not', (name, value) => expect(secretIn(name, value)).toBeUndefined());
});
