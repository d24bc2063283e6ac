/**
 * What plan, apply and destroy share around the one call into src/ops: the progress view on
 * stderr (none with --json), Ctrl-C handling, and the confirmation of a plan (shown, then asked on
 * a terminal; --yes where nobody can answer).
 */
import type { Confirm, InfraEvent, PlanReport } from '../ops/infra';
import { UsageError } from '../errors';
import { formatPlan } from './infra-view';
import { onInterrupt } from './interrupt';
import { nobody, progressView, type ProgressView } from './progress';
import { confirm, interactive, isCI } from './prompt';

export interface InfraUi {
  readonly onEvent: (event: InfraEvent) => void;
  readonly signal: AbortSignal;
  readonly view: ProgressView;
}

export async function withInfraUi<T>(options: { readonly json: boolean }, fn: (ui: InfraUi) => Promise<T>): Promise<T> {
  const view = options.json
    ? nobody()
    : progressView(process.stderr, { live: Boolean(process.stderr.isTTY) && !isCI() });
  const interrupt = onInterrupt((message) => process.stderr.write(`\n${message}\n`));
  try {
    return await fn({ onEvent: (e) => view.onEvent(e), signal: interrupt.signal, view });
  } finally {
    view.stop();
    interrupt.dispose();
  }
}

/** Where nobody can answer a question (CI, no terminal), --yes is required: say so before any work. */
export function requireAnswerable(yes: boolean, command: string): void {
  if (yes || interactive()) return;
  throw new UsageError(
    `${command} asks for confirmation, and nobody can answer here (${isCI() ? 'CI is set' : 'no terminal'}): pass --yes.`,
    [`Review with \`ecsdeploy plan\` first, then run \`ecsdeploy ${command} ... --yes\`.`],
  );
}

/**
 * Shows each plan (stdout; stderr with --json, which keeps stdout for data) and asks, unless --yes.
 * The progress view pauses around it.
 */
export function planConfirmation(options: {
  readonly yes: boolean;
  readonly json: boolean;
  readonly ui: InfraUi;
  readonly question: string;
}): Confirm {
  return async (report: PlanReport) => {
    options.ui.view.pause();
    try {
      if (!options.json) process.stdout.write(`\n${formatPlan(report)}\n\n`);
      if (options.yes) return true;
      if (options.json) process.stderr.write(`${formatPlan(report)}\n\n`);
      return await confirm(options.question);
    } finally {
      options.ui.view.resume();
    }
  };
}
