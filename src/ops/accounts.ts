/**
 * Environments in AWS accounts of their own: which credentials reach an environment (its `role:`,
 * assumed through the SDK's credential providers), the registry's and the stores', and the account
 * check every command that changes AWS makes first: STS GetCallerIdentity with those credentials
 * must name the environment's `account:`, or the command stops before the engine or any AWS call
 * changes anything. Deploying prod's configuration into the dev account is then impossible.
 */
import type { AssumedRole, AwsTarget } from '../aws/clients';
import { callerIdentity, type CallerIdentity } from '../aws/identity';
import type { ResolvedEnvironment, ResolvedProject } from '../config/load';
import { EcsdeployError } from '../errors';

/** The role keys of an environment or of the registry (src/config/schema.ts AccountFields). */
interface AccountKeys {
  readonly account?: string | undefined;
  readonly role?: string | undefined;
  readonly externalId?: string | undefined;
  readonly sessionName?: string | undefined;
}

function assumedRole(keys: AccountKeys | undefined): AssumedRole | undefined {
  if (keys?.role === undefined) return undefined;
  return {
    roleArn: keys.role,
    ...(keys.externalId ? { externalId: keys.externalId } : {}),
    ...(keys.sessionName ? { sessionName: keys.sessionName } : {}),
  };
}

/** The role the CLI and the engine assume for an environment (an environment on demand has its base's). */
export function environmentRole(env: Pick<ResolvedEnvironment, 'config'>): AssumedRole | undefined {
  return assumedRole(env.config);
}

/** Region, endpoint and credentials of an environment's AWS calls. */
export function environmentTarget(env: Pick<ResolvedEnvironment, 'region' | 'endpoint' | 'config'>): AwsTarget {
  const role = environmentRole(env);
  return { region: env.region, ...(env.endpoint ? { endpoint: env.endpoint } : {}), ...(role ? { role } : {}) };
}

/** The role of the registry stack and its ECR calls: `registry.role`. */
export function registryRole(project: ResolvedProject): AssumedRole | undefined {
  return assumedRole(project.config.registry);
}

/**
 * Where the project-wide AWS resources (ECR repositories) are: the project's region and endpoint
 * (else the environment's), with `registry.role` (else the environment's, which then needs pull
 * and describe rights on the registry's repositories: the registry stack grants them).
 */
export function registryTarget(project: ResolvedProject, env?: ResolvedEnvironment): AwsTarget {
  const endpoint = project.config.endpoint ?? env?.endpoint;
  const role = registryRole(project) ?? (env ? environmentRole(env) : undefined);
  return { region: project.config.region, ...(endpoint ? { endpoint } : {}), ...(role ? { role } : {}) };
}

/** The release store's S3 calls: `releases.role`, else the environment's role, else the registry's. */
export function releasesTarget(project: ResolvedProject, env?: ResolvedEnvironment): AwsTarget {
  const releases = project.config.releases;
  const own = releases.store === 's3' && releases.role !== undefined ? { roleArn: releases.role } : undefined;
  const role = own ?? (env ? environmentRole(env) : undefined) ?? registryRole(project);
  const endpoint = project.config.endpoint ?? env?.endpoint;
  return { region: project.config.region, ...(endpoint ? { endpoint } : {}), ...(role ? { role } : {}) };
}

export type IdentityLookup = (target: AwsTarget) => Promise<CallerIdentity>;

export interface AccountCheckOptions {
  /** STS GetCallerIdentity (tests pass a fake). @default the SDK */
  readonly identity?: IdentityLookup;
}

// Once per process per role (and region, endpoint): a command checking several stacks asks STS once.
const asked = new Map<string, Promise<CallerIdentity>>();

function identityOf(target: AwsTarget, lookup: IdentityLookup | undefined): Promise<CallerIdentity> {
  if (lookup !== undefined) return lookup(target);
  const key = JSON.stringify([target.role ?? null, target.region, target.endpoint ?? '']);
  let found = asked.get(key);
  if (found === undefined) {
    found = callerIdentity(target);
    asked.set(key, found);
    found.catch(() => asked.delete(key));
  }
  return found;
}

/** Forgets the identities asked so far (tests). */
export function forgetIdentities(): void {
  asked.clear();
}

interface Subject {
  /** `environment 'prod'`, `the registry`. */
  readonly what: string;
  /** The file and key that name the account, for the message. */
  readonly where: string;
  readonly account?: string | undefined;
  readonly target: AwsTarget;
}

async function assertSubject(subject: Subject, options: AccountCheckOptions): Promise<CallerIdentity | undefined> {
  if (subject.account === undefined) return undefined;
  const who = await identityOf(subject.target, options.identity);
  if (who.account === subject.account) return who;
  const via = subject.target.role
    ? `after assuming ${subject.target.role.roleArn}`
    : 'of the standard chain (AWS_PROFILE, AWS_ACCESS_KEY_ID, ...)';
  throw new EcsdeployError(
    `Refusing to touch ${subject.what}: it is in account ${subject.account} (${subject.where}), but the credentials ${via} belong to account ${who.account} (${who.arn}). Nothing was changed.`,
    {
      code: 'ECSDEPLOY_WRONG_ACCOUNT',
      suggestions: subject.target.role
        ? [
            `Check that the role ARN names a role of account ${subject.account}, and that your credentials are the ones meant to assume it.`,
          ]
        : [
            `Use credentials of account ${subject.account} (e.g. AWS_PROFILE), or set role: to a role of that account that they may assume.`,
          ],
    },
  );
}

/**
 * Stops with an EcsdeployError (code ECSDEPLOY_WRONG_ACCOUNT) naming the environment, its account
 * and the credentials' account when STS says the environment's credentials (its role assumed)
 * belong to another account. Says nothing and asks nothing when the environment names no
 * `account:`. Returns who the credentials are, when checked.
 */
export async function assertAccount(
  env: ResolvedEnvironment,
  options: AccountCheckOptions = {},
): Promise<CallerIdentity | undefined> {
  const where = env.ephemeral ? `account: of its base environments/${env.ephemeral.base}.yaml` : `${env.file} account:`;
  return assertSubject(
    { what: `environment '${env.name}'`, where, account: env.config.account, target: environmentTarget(env) },
    options,
  );
}

/** assertAccount for the registry stack: `registry.account` of ecsdeploy.yaml. */
export async function assertRegistryAccount(
  project: ResolvedProject,
  options: AccountCheckOptions = {},
): Promise<CallerIdentity | undefined> {
  return assertSubject(
    {
      what: 'the registry',
      where: 'ecsdeploy.yaml registry.account',
      account: project.config.registry?.account,
      target: registryTarget(project),
    },
    options,
  );
}
