import { createInfraRunner } from '../../src/ops/infra';
import type { PlannedStack, StackEngine } from '../../src/terraform';
import { rejection } from './rejection';

/**
 * An infra runner whose engine is scripted: each stack's plan is the next of `plans` (an
 * unexpected plan throws), applies succeed, and every engine call is recorded in `calls`
 * ("<stack> plan", "<stack> apply <plan file>"), so a test can say what ran and what never did.
 */
export function scriptedRunner(calls: string[], plans: PlannedStack[]) {
  return createInfraRunner({
    engine: { kind: 'terraform', path: '/bin/false', version: '1.11.4' },
    actor: () => 'tester',
    openStack: (ref): StackEngine => ({
      init: async () => 'cached',
      plan: async () => {
        calls.push(`${ref.name} plan`);
        const next = plans.shift();
        if (next === undefined) throw new Error(`unexpected plan of ${ref.name}`);
        return next;
      },
      apply: async (p) => {
        calls.push(`${ref.name} apply ${p.planFile}`);
        return {};
      },
      outputs: async () => ({}),
    }),
  });
}

/** The error an apply fails with when its confirm would say yes, and whether it was asked at all. */
export async function refusal(
  apply: (confirm: () => Promise<boolean>) => Promise<unknown>,
): Promise<{ err: unknown; asked: boolean }> {
  let asked = false;
  const err = await rejection(
    apply(async () => {
      asked = true;
      return true;
    }),
  );
  return { err, asked };
}
