/**
 * What `cluster roll` needs around its one call into src/ops: the progress view on stderr (the plan
 * on stdout; nothing with --json), the confirmation (asked on a terminal; --yes where nobody can
 * answer), and Ctrl-C: the first stops the roll between two steps; a second quits at once, which
 * is safe too (every step is one AWS call, and the next run resumes from what AWS reports).
 */
import type { ClusterSnapshot, RollEvent, RollPlan } from '../ops/cluster-roll';
import { UsageError } from '../errors';
import { confirm, interactive, isCI } from './prompt';
import { formatPlan, rollProgress } from './roll-view';

export interface RollUi {
  readonly onEvent: (event: RollEvent) => void;
  readonly signal: AbortSignal;
  readonly confirm?: (plan: RollPlan, snapshot: ClusterSnapshot) => Promise<boolean>;
}

/** Changing a cluster without --yes needs someone to answer; say so before any work. */
export function requireRollAnswerable(options: {
  readonly yes: boolean;
  readonly dryRun: boolean;
  readonly env: string;
}): void {
  if (options.yes || options.dryRun || interactive()) return;
  throw new UsageError(
    `cluster roll asks for confirmation, and nobody can answer here (${isCI() ? 'CI is set' : 'no terminal'}): pass --yes.`,
    [`See the plan first with \`ecsdeploy cluster roll --env ${options.env} --dry-run\`, then run it with --yes.`],
  );
}

export async function withRollUi<T>(
  options: { readonly json: boolean; readonly yes: boolean },
  fn: (ui: RollUi) => Promise<T>,
): Promise<T> {
  const live = Boolean(process.stderr.isTTY) && !isCI();
  const view = options.json
    ? undefined
    : rollProgress(process.stderr, { live, plan: (text) => process.stdout.write(`${text}\n\n`) });
  const controller = new AbortController();
  const say = (message: string) => process.stderr.write(`\n${message}\n`);
  const handler = () => {
    if (!controller.signal.aborted) {
      say(
        'Interrupted: the roll stops after the step in progress; nothing is left half done. (Ctrl-C again quits at once, which is safe too.)',
      );
      controller.abort();
    } else {
      say('Stopped. Run the same command again to resume from what AWS reports.');
      process.exit(130);
    }
  };
  process.on('SIGINT', handler);
  process.on('SIGTERM', handler);
  try {
    return await fn({
      onEvent: (e) => view?.onEvent(e),
      signal: controller.signal,
      ...(options.yes
        ? {}
        : {
            confirm: async (plan: RollPlan, snapshot: ClusterSnapshot) => {
              if (options.json) process.stderr.write(`${formatPlan(plan, snapshot, snapshot.roll)}\n\n`);
              return confirm(
                `Roll ${plan.outdated} instance${plan.outdated === 1 ? '' : 's'} of ${snapshot.names.autoScalingGroup}?`,
              );
            },
          }),
    });
  } finally {
    view?.stop();
    process.off('SIGINT', handler);
    process.off('SIGTERM', handler);
  }
}
