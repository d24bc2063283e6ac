/* eslint-disable @typescript-eslint/no-require-imports -- the SDK module loads on first use (start-up time, see clients.ts). */
/**
 * IAM reads for `ecsdeploy verify`: a role and its trust policy (GetRole), and what a role may do
 * (SimulatePrincipalPolicy, with the policies the next apply will attach as extra input).
 */
import type { IAMClient } from '@aws-sdk/client-iam';
import { awsError, type AwsClients } from './clients';
import { errorText, isNotImplemented } from './unsupported';

export interface RoleInfo {
  readonly arn: string;
  readonly name: string;
  /** The trust policy, parsed (IAM returns it URL-encoded). */
  readonly trustPolicy: unknown;
}

export interface SimulatedDecision {
  readonly action: string;
  readonly resource: string;
  /** allowed, explicitDeny or implicitDeny */
  readonly decision: string;
  /** A permissions boundary or organizations policy that denies, when IAM says so. */
  readonly deniedBy?: string;
}

export type SimulationResult = { readonly decisions: SimulatedDecision[] } | { readonly unavailable: string };

export interface IamApi {
  /** undefined when there is no such role. */
  role(name: string): Promise<RoleInfo | undefined>;
  /** IAM policy simulation of `roleArn` for `action` on each resource; `extraPolicies`: JSON policy documents added to the role's own. */
  simulate(
    roleArn: string,
    action: string,
    resources: readonly string[],
    extraPolicies?: readonly string[],
  ): Promise<SimulationResult>;
}

export function iamApi(clients: AwsClients): IamApi {
  const sdk = require('@aws-sdk/client-iam') as typeof import('@aws-sdk/client-iam');
  const client = (): IAMClient => clients.iam();
  return {
    async role(name) {
      try {
        const r = (await client().send(new sdk.GetRoleCommand({ RoleName: name }))).Role;
        if (r === undefined) return undefined;
        const doc = r.AssumeRolePolicyDocument ?? '{}';
        let trustPolicy: unknown;
        try {
          trustPolicy = JSON.parse(doc.trimStart().startsWith('{') ? doc : decodeURIComponent(doc));
        } catch {
          trustPolicy = undefined;
        }
        return { arn: r.Arn ?? '', name: r.RoleName ?? name, trustPolicy };
      } catch (err) {
        if (
          (err as { name?: string }).name === 'NoSuchEntityException' ||
          (err as { name?: string }).name === 'NoSuchEntity'
        )
          return undefined;
        throw awsError(err, `reading the IAM role ${name}`);
      }
    },

    async simulate(roleArn, action, resources, extraPolicies = []) {
      const decisions: SimulatedDecision[] = [];
      try {
        for await (const page of sdk.paginateSimulatePrincipalPolicy(
          { client: client() },
          {
            PolicySourceArn: roleArn,
            ActionNames: [action],
            ResourceArns: [...resources],
            ...(extraPolicies.length ? { PolicyInputList: [...extraPolicies] } : {}),
          },
        )) {
          for (const r of page.EvaluationResults ?? []) {
            const boundary =
              r.PermissionsBoundaryDecisionDetail?.AllowedByPermissionsBoundary === false
                ? "the role's permissions boundary"
                : undefined;
            const org =
              r.OrganizationsDecisionDetail?.AllowedByOrganizations === false
                ? 'an organizations policy (SCP)'
                : undefined;
            const deniedBy = boundary ?? org;
            decisions.push({
              action: r.EvalActionName ?? action,
              resource: r.EvalResourceName ?? '*',
              decision: r.EvalDecision ?? 'implicitDeny',
              ...(deniedBy ? { deniedBy } : {}),
            });
          }
        }
      } catch (err) {
        if (isNotImplemented(err))
          return { unavailable: `the endpoint does not implement IAM SimulatePrincipalPolicy (${errorText(err)})` };
        const name = (err as { name?: string }).name ?? '';
        if (name === 'AccessDenied' || name === 'AccessDeniedException')
          return { unavailable: `these credentials may not call iam:SimulatePrincipalPolicy (${errorText(err)})` };
        throw awsError(err, `simulating ${action} for ${roleArn}`);
      }
      return { decisions };
    },
  };
}
