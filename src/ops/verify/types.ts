/**
 * What `ecsdeploy verify` reports, and the AWS reads it makes, behind small interfaces (src/aws)
 * so that tests pass recorded answers.
 */
import { AwsClients, type AwsTarget } from '../../aws/clients';
import { instanceTypesApi, type InstanceTypesApi } from '../../aws/ec2-instance-types';
import { ecrApi, type EcrApi } from '../../aws/ecr';
import { ecrManifestsApi, type EcrManifestsApi } from '../../aws/ecr-manifests';
import { targetGroupsApi, type TargetGroupsApi } from '../../aws/elb-target-groups';
import { iamApi, type IamApi } from '../../aws/iam';
import { objectHeadApi, type ObjectHeadApi } from '../../aws/s3-head';
import { secretsApi, type SecretsApi } from '../../aws/secrets-manager';
import { parametersApi, type ParametersApi } from '../../aws/ssm';
import type { IdentityLookup } from '../accounts';

export const CHECKS = [
  'account',
  'image',
  'platform',
  'secret',
  'environment-file',
  'read-permission',
  'role',
  'target-group',
  'capacity',
] as const;
export type CheckName = (typeof CHECKS)[number];
export type CheckStatus = 'ok' | 'problem' | 'not-checked';

/** One line of the report. */
export interface CheckResult {
  readonly check: CheckName;
  /** The service it is about (absent: the environment's, e.g. the account). */
  readonly service?: string;
  /** What was checked: an image, a secret reference, a role name, ... */
  readonly subject: string;
  readonly status: CheckStatus;
  /** What was found, or why it was not checked. */
  readonly detail: string;
}

export interface VerifyReport {
  readonly environment: string;
  readonly services: readonly string[];
  readonly checks: readonly CheckResult[];
  readonly ok: number;
  readonly problems: number;
  readonly notChecked: number;
}

/** The AWS reads of the checks, for one region, endpoint and credentials. */
export interface VerifyApis {
  readonly manifests: EcrManifestsApi;
  readonly parameters: ParametersApi;
  readonly secrets: SecretsApi;
  readonly objects: ObjectHeadApi;
  readonly iam: IamApi;
  readonly instanceTypes: InstanceTypesApi;
  readonly targetGroups: TargetGroupsApi;
}

export interface VerifyDeps {
  apis(target: AwsTarget): VerifyApis;
  /** STS GetCallerIdentity (the account check). @default the SDK, through src/ops/accounts */
  readonly identity?: IdentityLookup;
  /** ECR as `service deploy` reads it, to resolve a tag to its digest (`ecsdeploy verify`). @default the SDK */
  ecr?(target: AwsTarget): EcrApi;
}

export function liveVerifyApis(target: AwsTarget): VerifyApis {
  const clients = new AwsClients(target);
  let manifests: EcrManifestsApi | undefined,
    parameters: ParametersApi | undefined,
    secrets: SecretsApi | undefined,
    objects: ObjectHeadApi | undefined;
  let iam: IamApi | undefined, instanceTypes: InstanceTypesApi | undefined, targetGroups: TargetGroupsApi | undefined;
  // Each API loads its SDK on first use only.
  return {
    get manifests() {
      return (manifests ??= ecrManifestsApi(clients));
    },
    get parameters() {
      return (parameters ??= parametersApi(clients));
    },
    get secrets() {
      return (secrets ??= secretsApi(clients));
    },
    get objects() {
      return (objects ??= objectHeadApi(clients));
    },
    get iam() {
      return (iam ??= iamApi(clients));
    },
    get instanceTypes() {
      return (instanceTypes ??= instanceTypesApi(clients));
    },
    get targetGroups() {
      return (targetGroups ??= targetGroupsApi(clients));
    },
  };
}

export function liveVerifyDeps(): VerifyDeps {
  return { apis: liveVerifyApis, ecr: (target) => ecrApi(new AwsClients(target)) };
}

export function ok(check: CheckName, subject: string, detail: string, service?: string): CheckResult {
  return { check, ...(service !== undefined ? { service } : {}), subject, status: 'ok', detail };
}
export function problem(check: CheckName, subject: string, detail: string, service?: string): CheckResult {
  return { check, ...(service !== undefined ? { service } : {}), subject, status: 'problem', detail };
}
export function notChecked(check: CheckName, subject: string, detail: string, service?: string): CheckResult {
  return { check, ...(service !== undefined ? { service } : {}), subject, status: 'not-checked', detail };
}
