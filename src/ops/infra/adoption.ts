/**
 * Adopted services (`adopt:` in a service file): the stacks that take over an ECS service created
 * outside ecsdeploy.
 *
 * - Their plans say what they import and whether the ECS service would be replaced (AdoptionPlan,
 *   in `plan` and `plan --json`).
 * - apply (and `service deploy`, which applies) refuses a plan that would replace or destroy an
 *   adopted ECS service, before anything is applied, unless --allow-replace: a replacement stops the
 *   running service and creates a new one, which is what adopting is meant to avoid.
 * - After the apply of a stack that had import blocks, the release store records the adoption
 *   (src/ops/releases recordAdoption) and synth leaves the blocks out from then on.
 */
import type { ResolvedEnvironment } from '../../config/load';
import { EcsdeployError } from '../../errors';
import type { AdoptedServices, StackRef } from '../../synth';
import type { PlanSummary } from '../../terraform';
import type { AdoptionPlan } from './types';

/** The Terraform type of the ECS service the guard protects. */
const ECS_SERVICE = 'aws_ecs_service';

export interface AdoptedStack {
  readonly service: string;
  readonly serviceName: string;
  readonly cluster: string;
  /** Its synth has import blocks: record the adoption once it is applied. */
  pending: boolean;
}

/** stack name → its adopted service. */
export type Adoptions = Map<string, AdoptedStack>;

/** The adopted services among `stacks`, and whether their import is still to be recorded. */
export function adoptionsOf(
  env: ResolvedEnvironment,
  stacks: readonly StackRef[],
  adopted: AdoptedServices,
): Adoptions {
  const out: Adoptions = new Map();
  for (const ref of stacks) {
    if (ref.kind !== 'service') continue;
    const adopt = env.services.find((s) => s.name === ref.service)?.adopt;
    if (adopt === undefined) continue;
    const record = adopted.get(env.name)?.get(ref.service!);
    const done = record !== undefined && record.serviceName === adopt.serviceName && record.cluster === adopt.cluster;
    out.set(ref.name, {
      service: ref.service!,
      serviceName: adopt.serviceName,
      cluster: adopt.cluster,
      pending: !done,
    });
  }
  return out;
}

/** What a stack's plan does to its adopted ECS service. */
export function adoptionPlan(a: AdoptedStack, summary: PlanSummary): AdoptionPlan {
  const hit = summary.resources.find(
    (r) => r.type === ECS_SERVICE && (r.action === 'replace' || r.action === 'delete'),
  );
  return {
    serviceName: a.serviceName,
    cluster: a.cluster,
    imports: summary.import,
    ...(hit
      ? {
          replaced: {
            address: hit.address,
            action: hit.action as 'replace' | 'delete',
            because: hit.replacePaths ?? [],
          },
        }
      : {}),
  };
}

/** The plan would replace or destroy an adopted ECS service, and --allow-replace was not given. */
export class ReplaceRefusedError extends EcsdeployError {
  constructor(message: string, suggestions: readonly string[]) {
    super(message, { code: 'ECSDEPLOY_REPLACE_REFUSED', suggestions });
    this.name = 'ReplaceRefusedError';
  }
}

/** Throws ReplaceRefusedError when one of `plans` replaces or destroys its stack's adopted ECS service. */
export function refuseReplacement(
  environment: string,
  adoptions: Adoptions,
  plans: ReadonlyArray<{ readonly stack: string; readonly summary: PlanSummary }>,
): void {
  const hits = plans.flatMap((p) => {
    const a = adoptions.get(p.stack);
    const replaced = a === undefined ? undefined : adoptionPlan(a, p.summary).replaced;
    return a !== undefined && replaced !== undefined ? [{ stack: p.stack, a, replaced }] : [];
  });
  if (hits.length === 0) return;
  const lines = hits.map(({ stack, a, replaced }) =>
    replaced.action === 'delete'
      ? `${stack} would destroy the adopted ECS service ${a.serviceName} (cluster ${a.cluster}, ${replaced.address})`
      : `${stack} would replace the adopted ECS service ${a.serviceName} (cluster ${a.cluster}, ${replaced.address}): ${
          replaced.because.length
            ? `${replaced.because.join(', ')} cannot change in place`
            : 'the engine gave no attribute that forces it'
        }`,
  );
  const files = [...new Set(hits.map((h) => `services/${h.a.service}.yaml`))].join(', ');
  throw new ReplaceRefusedError(
    `Refusing to apply: ${lines.join('; ')}. Replacing it stops every running task of the service and creates it anew. Nothing was applied.`,
    [
      `Make the configuration match what the running service has, so that the change is made in place: the names under environments.${environment}.adopt in ${files} (target group name and port, launch type), and the service's settings the engine names above.`,
      `Run \`ecsdeploy plan --env ${environment}\` to see the plan again.`,
      'If replacing the service is what you want, run the same command with --allow-replace.',
    ],
  );
}
