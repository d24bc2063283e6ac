/**
 * `ecsdeploy iam-policy`: the policy document of the deployer role of an environment (or of the
 * registry's role): the actions the synthesized stacks need (from the resource types in them,
 * through ./actions RESOURCE_GRANTS), the Terraform S3 backend's, and the CLI's own SDK calls
 * (CLI_GRANTS), on resources named after the project where AWS allows it, `*` only where it
 * allows nothing narrower (each such statement says why).
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ResolvedEnvironment, ResolvedProject } from '../../config/load';
import { EcsdeployError } from '../../errors';
import { synthesize } from '../../synth';
import { partitionOf } from '../../synth/task-props';
import { openEnvironments } from '../project';
import { CLI_GRANTS, NOT_AWS, RESOURCE_GRANTS, type Grant } from './actions';

export interface PolicyStatement {
  readonly Sid: string;
  readonly Effect: 'Allow';
  readonly Action: string[];
  readonly Resource: string | string[];
}

export interface PolicyDocument {
  readonly Version: '2012-10-17';
  readonly Statement: PolicyStatement[];
}

export interface IamPolicyReport {
  /** The environment, or `registry` for the registry's role. */
  readonly for: string;
  /** The account the ARNs name (`*` when the configuration names none). */
  readonly account: string;
  readonly policy: PolicyDocument;
  /** Terraform resource and data source types the stacks declare (data sources as `data_<type>`). */
  readonly resourceTypes: string[];
  /** Statements on `*` (or on resources not named after the project), and why nothing narrower. */
  readonly wide: Array<{ readonly sid: string; readonly why: string }>;
  /** Characters of the document as IAM counts them (no whitespace): an inline policy holds 10,240, a managed one 6,144. */
  readonly characters: number;
  /** The statements split into documents of at most 6,144 characters each (managed policies), in order. */
  readonly managedPolicies: PolicyDocument[];
}

/** IAM's limits, in characters without whitespace. */
export const INLINE_POLICY_LIMIT = 10_240;
export const MANAGED_POLICY_LIMIT = 6_144;

const size = (doc: PolicyDocument) => JSON.stringify(doc).length;

/** Statements packed in order into documents under `limit` characters. */
export function splitPolicy(doc: PolicyDocument, limit = MANAGED_POLICY_LIMIT): PolicyDocument[] {
  const parts: PolicyDocument[] = [];
  let current: PolicyStatement[] = [];
  for (const statement of doc.Statement) {
    const next = [...current, statement];
    if (current.length > 0 && size({ Version: doc.Version, Statement: next }) > limit) {
      parts.push({ Version: doc.Version, Statement: current });
      current = [statement];
    } else current = next;
  }
  if (current.length > 0) parts.push({ Version: doc.Version, Statement: current });
  return parts;
}

export interface IamPolicyRequest {
  readonly dir: string;
  readonly env: string;
  /** The policy of `registry.role` (the registry stack, ECR) instead of the environment's role. */
  readonly registry?: boolean;
}

/** The types of every resource and data source of the synthesized stacks. */
export function stackResourceTypes(stackDirs: readonly string[]): string[] {
  const types = new Set<string>();
  for (const dir of stackDirs) {
    const json = JSON.parse(readFileSync(join(dir, 'cdk.tf.json'), 'utf8')) as {
      resource?: Record<string, unknown>;
      data?: Record<string, unknown>;
    };
    for (const t of Object.keys(json.resource ?? {})) types.add(t);
    for (const t of Object.keys(json.data ?? {})) if (t !== 'terraform_remote_state') types.add(`data_${t}`);
  }
  return [...types].sort();
}

export async function iamPolicy(req: IamPolicyRequest): Promise<IamPolicyReport> {
  const { project, envs } = await openEnvironments(req.dir, [req.env]);
  const env = envs[0]!;
  const out = mkdtempSync(join(tmpdir(), 'ecsdeploy-iam-'));
  try {
    const stacks = synthesize(project, [env], { outDir: out, cache: false, workers: 1 });
    const registryStacks = stacks.filter((s) => s.kind === 'registry');
    const envStacks = stacks.filter((s) => s.kind !== 'registry');
    // With registry.role, the registry stack and ECR are that role's; else the environment's role reaches them.
    const ownRegistry = project.config.registry?.role !== undefined;
    const forRegistry = req.registry === true;
    const types = stackResourceTypes(
      (forRegistry ? registryStacks : ownRegistry ? envStacks : stacks).map((s) => s.dir),
    );
    return buildPolicy(project, env, types, forRegistry ? 'registry' : ownRegistry ? 'environment' : 'both');
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}

/** The document for `types`, the backend and the CLI; `scope`: whose grants (the registry's ECR ones, the environment's, or both). */
export function buildPolicy(
  project: ResolvedProject,
  env: ResolvedEnvironment,
  types: readonly string[],
  scope: 'registry' | 'environment' | 'both',
): IamPolicyReport {
  const unknown = types.filter((t) => RESOURCE_GRANTS[t] === undefined && !(NOT_AWS as readonly string[]).includes(t));
  if (unknown.length > 0) {
    throw new EcsdeployError(
      `iam-policy does not know the IAM actions of ${unknown.join(', ')}: add them to src/ops/iam/actions.ts RESOURCE_GRANTS.`,
      { code: 'ECSDEPLOY_BUG' },
    );
  }
  const keep = (g: Grant) =>
    scope === 'both' ? true : scope === 'registry' ? g.registry === true || g.sid === 'WhoAmI' : g.registry !== true;
  const grants = [
    ...types.flatMap((t) => RESOURCE_GRANTS[t] ?? []),
    ...backendGrants(project),
    ...(types.includes('aws_ecr_repository') ? registryKeyGrants(project) : []),
    ...Object.values(CLI_GRANTS),
  ].filter(keep);
  const envAccount = env.config.account ?? '*';
  const registryAccount = project.config.registry?.account ?? envAccount;
  const buckets = storeBuckets(project);
  const fill = (g: Grant, template: string): string[] => {
    if (template === '{buckets}') return buckets.objects;
    if (template === '{bucketArns}') return buckets.buckets;
    const region = g.registry ? project.config.region : env.region;
    return [
      template
        .replaceAll('{partition}', partitionOf(region))
        .replaceAll('{region}', region)
        .replaceAll('{account}', g.registry ? registryAccount : envAccount)
        .replaceAll('{project}', project.config.project),
    ];
  };
  const bySid = new Map<string, { actions: Set<string>; resources: Set<string>; why?: string }>();
  for (const g of grants) {
    const resources = g.resources.flatMap((r) => fill(g, r));
    if (resources.length === 0) continue; // S3 statements without an S3 state or release store
    const entry = bySid.get(g.sid) ?? { actions: new Set<string>(), resources: new Set<string>() };
    for (const a of g.actions) entry.actions.add(a);
    for (const r of resources) entry.resources.add(r);
    if (g.why !== undefined && entry.why === undefined) entry.why = g.why;
    bySid.set(g.sid, entry);
  }
  const sids = [...bySid.keys()].sort();
  const statements: PolicyStatement[] = sids.map((sid) => {
    const e = bySid.get(sid)!;
    const resources = e.resources.has('*') ? ['*'] : [...e.resources].sort();
    return {
      Sid: sid,
      Effect: 'Allow',
      Action: [...e.actions].sort(),
      Resource: resources.length === 1 ? resources[0]! : resources,
    };
  });
  const policy: PolicyDocument = { Version: '2012-10-17', Statement: statements };
  return {
    for: scope === 'registry' ? 'registry' : env.name,
    account: scope === 'registry' ? registryAccount : envAccount,
    policy,
    characters: size(policy),
    managedPolicies: splitPolicy(policy),
    resourceTypes: [...types],
    wide: sids.filter((s) => bySid.get(s)!.why !== undefined).map((sid) => ({ sid, why: bySid.get(sid)!.why! })),
  };
}

/** The Terraform S3 backend: the state objects (and their lock files), and a DynamoDB lock table when set. */
function backendGrants(project: ResolvedProject): Grant[] {
  const state = project.config.state;
  if (state.backend !== 's3') return [];
  return [
    {
      sid: 'CliStateAndReleases',
      actions: ['s3:GetObject', 's3:PutObject', 's3:DeleteObject'],
      resources: ['{buckets}'],
    },
    { sid: 'CliListStateAndReleases', actions: ['s3:ListBucket'], resources: ['{bucketArns}'] },
    ...(state.lockTable
      ? [
          {
            sid: 'StateLockTable',
            actions: ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:DeleteItem', 'dynamodb:DescribeTable'],
            resources: [`arn:{partition}:dynamodb:{region}:{account}:table/${state.lockTable}`],
          },
        ]
      : []),
  ];
}

/**
 * A customer managed key of the registry (registry.encryptionConfiguration.kmsKey): ECR makes a
 * KMS grant per repository as the applier creates it, and retires it when the repository goes.
 * The AWS-managed aws/ecr key and AES256 need nothing.
 */
function registryKeyGrants(project: ResolvedProject): Grant[] {
  const key = project.config.registry?.encryptionConfiguration?.kmsKey;
  if (key === undefined) return [];
  return [
    {
      sid: 'EcrKmsKey',
      actions: ['kms:CreateGrant', 'kms:RetireGrant', 'kms:DescribeKey'],
      resources: [key],
      registry: true,
    },
  ];
}

/** The S3 state and release stores: their objects under the prefixes, and the buckets (for listing). */
function storeBuckets(project: ResolvedProject): { objects: string[]; buckets: string[] } {
  const partition = partitionOf(project.config.region);
  const objects: string[] = [];
  const buckets: string[] = [];
  const state = project.config.state;
  const releases = project.config.releases;
  const trim = (p: string) => p.replace(/^\/+|\/+$/g, '');
  if (state.backend === 's3') {
    objects.push(`arn:${partition}:s3:::${state.bucket}/${trim(state.prefix) ? `${trim(state.prefix)}/` : ''}*`);
    buckets.push(`arn:${partition}:s3:::${state.bucket}`);
  }
  if (releases.store === 's3') {
    objects.push(
      `arn:${partition}:s3:::${releases.bucket}/${trim(releases.prefix) ? `${trim(releases.prefix)}/` : ''}*`,
    );
    buckets.push(`arn:${partition}:s3:::${releases.bucket}`);
  }
  return { objects: [...new Set(objects)], buckets: [...new Set(buckets)] };
}
