/**
 * The runner: every check of the services of one environment, the independent ones in parallel,
 * collected into one report. Nothing here changes AWS. An AWS error a check cannot get past
 * (a read these credentials may not make, an API the endpoint lacks) makes that line "not
 * checked" with the reason; credentials AWS refuses, or an endpoint out of reach, stop the run.
 */
import type { InstanceTypeInfo } from '../../aws/ec2-instance-types';
import type { ResolvedEnvironment, ResolvedProject, ResolvedService } from '../../config/load';
import { EcsdeployError } from '../../errors';
import { assertAccount, environmentTarget, registryTarget } from '../accounts';
import type { ReleaseImage } from '../releases';
import { checkAccess } from './access';
import { checkCapacity, checkTargetGroups, platformsOf } from './capacity';
import { checkImages } from './images';
import { serviceSubject, type ServiceSubject } from './subject';
import { notChecked, ok, problem, type CheckName, type CheckResult, type VerifyDeps, type VerifyReport } from './types';

export interface ServiceToVerify {
  readonly service: ResolvedService;
  /** The main container's image as the deploy would use it, or why there is none. */
  readonly image: ReleaseImage | { readonly unresolved: string };
}

const DENIED = new Set(['AccessDenied', 'AccessDeniedException', 'UnauthorizedOperation', 'UnauthorizedAccess']);

/** A check that could not run: why, as a "not checked" line; stops the run only for credentials AWS refuses or an unreachable endpoint. */
async function guard(
  check: CheckName,
  subject: string,
  service: string | undefined,
  run: () => Promise<CheckResult[]>,
): Promise<CheckResult[]> {
  try {
    return await run();
  } catch (err) {
    const cause = (err as { cause?: { name?: string } }).cause;
    const code = (err as { code?: string }).code;
    if (cause?.name !== undefined && DENIED.has(cause.name))
      return [
        notChecked(
          check,
          subject,
          `these credentials may not make the read it needs: ${(err as Error).message.split('\n')[0]}`,
          service,
        ),
      ];
    if (
      code === 'ECSDEPLOY_AWS_CREDENTIALS' ||
      code === 'ECSDEPLOY_AWS_UNREACHABLE' ||
      !(err instanceof EcsdeployError)
    )
      throw err;
    return [notChecked(check, subject, (err as Error).message.split('\n')[0]!, service)];
  }
}

async function accountCheck(
  env: ResolvedEnvironment,
  deps: VerifyDeps,
): Promise<{ result: CheckResult; account?: string; wrong: boolean }> {
  const subject = `environment ${env.name}`;
  try {
    const who = await assertAccount(env, deps.identity ? { identity: deps.identity } : {});
    if (who === undefined)
      return {
        result: notChecked(
          'account',
          subject,
          `${env.ephemeral ? `environments/${env.ephemeral.base}.yaml` : env.file} names no account:, so any account's credentials are taken`,
        ),
        wrong: false,
      };
    return {
      result: ok(
        'account',
        subject,
        `the credentials are ${who.arn}, of account ${who.account} as ${env.ephemeral ? 'its base' : env.file} says`,
      ),
      account: who.account,
      wrong: false,
    };
  } catch (err) {
    if (err instanceof EcsdeployError && err.code === 'ECSDEPLOY_WRONG_ACCOUNT')
      return { result: problem('account', subject, err.message.replace(/ Nothing was changed\.$/, '')), wrong: true };
    throw err;
  }
}

export async function verifyServices(
  project: ResolvedProject,
  env: ResolvedEnvironment,
  items: readonly ServiceToVerify[],
  deps: VerifyDeps,
): Promise<VerifyReport> {
  const account = await accountCheck(env, deps);
  const subjects = items.map((i) => serviceSubject(project, env, i.service, i.image));
  let checks: CheckResult[];
  if (account.wrong) {
    // Every other answer would come from the wrong account.
    checks = [
      account.result,
      ...subjects.map((s) =>
        notChecked(
          'image',
          '*',
          'the credentials belong to another account (above): nothing else was checked',
          s.service,
        ),
      ),
    ];
  } else {
    const envApis = deps.apis(environmentTarget(env));
    const registry = registryTarget(project, env);
    const ec2Types = [...new Set(subjects.flatMap((s) => s.instanceTypes))].sort();
    const instanceTypes: Promise<InstanceTypeInfo[] | { unavailable: string }> | undefined =
      ec2Types.length === 0
        ? undefined
        : envApis.instanceTypes.describe(ec2Types).catch((err: unknown) => {
            const code = (err as { code?: string }).code;
            if (code === 'ECSDEPLOY_AWS_UNREACHABLE') throw err;
            return { unavailable: `EC2 DescribeInstanceTypes failed: ${(err as Error).message.split('\n')[0]}` };
          });
    const perService = await Promise.all(
      subjects.map(async (s: ServiceSubject) => {
        const types = instanceTypes ? await instanceTypes : undefined;
        const known =
          types !== undefined && !('unavailable' in types) ? types.filter((t) => s.instanceTypes.includes(t.type)) : [];
        const wanted = s.platform ? [s.platform] : platformsOf(known);
        const wantedFrom = s.platform
          ? s.fargate
            ? 'runtimePlatform, Fargate'
            : 'runtimePlatform'
          : `the architecture of ${s.instanceTypes.join(', ')}`;
        const [images, access, groups] = await Promise.all([
          guard('image', 'images', s.service, () =>
            checkImages(s, { ecr: (region) => ({ ...registry, region }), apis: deps.apis }, wanted, wantedFrom),
          ),
          guard('secret', 'secrets, files and roles', s.service, () =>
            checkAccess(s, envApis, account.account ?? env.config.account),
          ),
          guard('target-group', 'target groups', s.service, () => checkTargetGroups(s, envApis)),
        ]);
        return [...images, ...access, ...groups, checkCapacity(s, types)];
      }),
    );
    checks = [account.result, ...perService.flat()];
  }
  const count = (status: CheckResult['status']) => checks.filter((c) => c.status === status).length;
  return {
    environment: env.name,
    services: subjects.map((s) => s.service),
    checks,
    ok: count('ok'),
    problems: count('problem'),
    notChecked: count('not-checked'),
  };
}
