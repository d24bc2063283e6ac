/**
 * IAM identity policies (Checkov's IAM*PolicyDocument checks and its Cloudsplaining-based
 * CKV_AWS_286–290/355). Only what a statement says is checked: a `"*"` resource is allowed for
 * actions AWS gives no resource-level permission (UNRESTRICTABLE, each named here with the reason)
 * and then only in a statement with a Sid that says what it is for.
 */
import { blocks, type Rule } from '../types';

/** Actions AWS authorizes on "*" only (the Service Authorization Reference lists no resource type). */
export const UNRESTRICTABLE: ReadonlyMap<string, string> = new Map([
  ['ecr:GetAuthorizationToken', 'the ECR login token is account-wide'],
  ['ssmmessages:CreateControlChannel', 'ECS Exec session channels'],
  ['ssmmessages:CreateDataChannel', 'ECS Exec session channels'],
  ['ssmmessages:OpenControlChannel', 'ECS Exec session channels'],
  ['ssmmessages:OpenDataChannel', 'ECS Exec session channels'],
]);

export interface Statement {
  readonly Sid?: string;
  readonly Effect?: string;
  readonly Action?: string | string[];
  readonly NotAction?: string | string[];
  readonly Resource?: string | string[];
  readonly NotResource?: string | string[];
  readonly Condition?: unknown;
}

const list = (v: string | string[] | undefined): string[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);

/** The identity policy documents of a resource (inline role policies, managed policies). */
function documents(r: Record<string, unknown>, type: string): Statement[] {
  const texts = type === 'aws_iam_role' ? blocks(r['inline_policy']).map((p) => p['policy']) : [r['policy']];
  return texts
    .filter((t): t is string => typeof t === 'string' && t.trim().startsWith('{'))
    .flatMap((t) => {
      // Terraform interpolations may hold quotes (`${replace(x, ":a", ":b")}`): read each as one opaque value.
      const doc = JSON.parse(t.replace(/\$\{[^}]*\}/g, (m) => `TF_REF_${m.length}`)) as {
        Statement?: Statement | Statement[];
      };
      return doc.Statement === undefined ? [] : Array.isArray(doc.Statement) ? doc.Statement : [doc.Statement];
    });
}

const POLICY_TYPES = [
  'aws_iam_role_policy',
  'aws_iam_policy',
  'aws_iam_user_policy',
  'aws_iam_group_policy',
  'aws_iam_role',
] as const;

const allows = (s: Statement) => s.Effect === 'Allow';
const starResource = (s: Statement) => list(s.Resource).includes('*') || s.NotResource !== undefined;
const label = (s: Statement, i: number) => `statement ${s.Sid ?? `#${i}`}`;

/** Actions a "*" resource lets act everywhere, for an allowing statement without a condition. */
function unconstrained(s: Statement, pick: (action: string) => boolean): string[] {
  if (!allows(s) || !starResource(s) || s.Condition !== undefined) return [];
  return list(s.Action).filter((a) => !UNRESTRICTABLE.has(a) && pick(a));
}

/** Verbs of read-only access levels (List, Read) in IAM's naming. */
const READ = /^[a-z0-9-]+:(Get|List|Describe|BatchGet|Head|View|Search|Lookup|Check|Query|Scan|Select)/;
/** Permissions management and resource exposure (Cloudsplaining's lists, by shape). */
const PERMISSIONS =
  /^iam:|^[a-z0-9-]+:(Put|Attach|Detach|Delete|Set|Update|Create)\w*Polic(y|ies)$|^[a-z0-9-]+:(Add|Remove)Permission$|^[a-z0-9-]+:SetIamPolicy$|^kms:(CreateGrant|PutKeyPolicy)$|^s3:PutBucketAcl$|^s3:PutObjectAcl$/;
/** Data exfiltration (Cloudsplaining's list). */
const EXFILTRATION = new Set([
  's3:GetObject',
  'ssm:GetParameter',
  'ssm:GetParameters',
  'ssm:GetParametersByPath',
  'secretsmanager:GetSecretValue',
]);
/** Privilege escalation and credentials exposure, by the actions Cloudsplaining names. */
const ESCALATION =
  /^iam:(Create|Put|Attach|Update|Set|Add|Pass)|^sts:AssumeRole|^lambda:(Create|Update)Function|^ec2:RunInstances$/;
const CREDENTIALS =
  /^(iam:(CreateAccessKey|UpdateAccessKey|CreateLoginProfile|UpdateLoginProfile|CreateServiceSpecificCredential|ResetServiceSpecificCredential)|sts:(AssumeRole\w*|GetSessionToken|GetFederationToken)|redshift:GetClusterCredentials|sso:GetRoleCredentials|lightsail:GetInstanceAccessDetails)$/;

function wildcardRule(
  id: string,
  checkovId: string,
  title: string,
  pick: (action: string) => boolean,
  what: string,
): Rule {
  return {
    id,
    checkovId,
    title,
    resourceTypes: POLICY_TYPES,
    check: (r, { type }) =>
      documents(r, type).flatMap((s, i) => {
        const bad = unconstrained(s, pick);
        return bad.length ? [`${label(s, i)}: ${what} on "*" without a condition: ${bad.join(', ')}`] : [];
      }),
  };
}

export const iamRules: readonly Rule[] = [
  {
    id: 'iam-no-star-action',
    checkovId: 'CKV_AWS_63',
    title: 'No IAM policy allows "*" as a statement\'s actions',
    resourceTypes: POLICY_TYPES,
    check: (r, { type }) =>
      documents(r, type).flatMap((s, i) =>
        allows(s) && (list(s.Action).includes('*') || s.NotAction !== undefined)
          ? [`${label(s, i)}: Action "*" (or NotAction)`]
          : [],
      ),
  },
  {
    id: 'iam-no-admin',
    checkovId: 'CKV_AWS_62',
    title: 'No IAM policy allows full "*:*" administrative privileges',
    resourceTypes: POLICY_TYPES,
    check: (r, { type }) =>
      documents(r, type).flatMap((s, i) =>
        allows(s) && list(s.Action).includes('*') && list(s.Resource).includes('*')
          ? [`${label(s, i)}: Action "*" on Resource "*"`]
          : [],
      ),
  },
  {
    id: 'iam-no-star-resource',
    checkovId: 'CKV_AWS_355',
    title: 'No IAM policy allows "*" as the resource of actions that can be restricted; the rest are named',
    resourceTypes: POLICY_TYPES,
    check: (r, { type }) =>
      documents(r, type).flatMap((s, i) => {
        if (!allows(s) || !starResource(s)) return [];
        const actions = list(s.Action);
        const restrictable = actions.filter((a) => !UNRESTRICTABLE.has(a));
        if (restrictable.length) return [`${label(s, i)}: Resource "*" for ${restrictable.join(', ')}`];
        return s.Sid ? [] : [`statement #${i}: Resource "*" (allowed for ${actions.join(', ')}) needs a Sid naming it`];
      }),
  },
  wildcardRule(
    'iam-no-unconstrained-write',
    'CKV_AWS_290',
    'IAM policies do not allow write access without constraints',
    (a) => !READ.test(a),
    'write access',
  ),
  wildcardRule(
    'iam-no-unconstrained-permissions-management',
    'CKV_AWS_289',
    'IAM policies do not allow permissions management or resource exposure without constraints',
    (a) => PERMISSIONS.test(a),
    'permissions management',
  ),
  wildcardRule(
    'iam-no-data-exfiltration',
    'CKV_AWS_288',
    'IAM policies do not allow data exfiltration',
    (a) => EXFILTRATION.has(a),
    'data exfiltration',
  ),
  wildcardRule(
    'iam-no-privilege-escalation',
    'CKV_AWS_286',
    'IAM policies do not allow privilege escalation',
    (a) => ESCALATION.test(a),
    'privilege escalation',
  ),
  wildcardRule(
    'iam-no-credentials-exposure',
    'CKV_AWS_287',
    'IAM policies do not allow credentials exposure',
    (a) => CREDENTIALS.test(a),
    'credentials exposure',
  ),
];
