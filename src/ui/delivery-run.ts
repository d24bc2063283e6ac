/**
 * What deploy, promote, rollback and watch share around their one call into src/ops: the progress
 * view on stderr (the engine's view while the stack is applied, then the rollout's; nothing with
 * --json), and Ctrl-C:
 *   - while the stack is applied: the engine stops gracefully (state saved, lock released);
 *   - while a rollout is watched: the watcher decides: an ECS watch ends (the deployment goes on),
 *     a CodeDeploy watch asks whether to stop the deployment and roll it back (only where someone
 *     can answer; elsewhere it only ends the watch).
 */
import type { DeliveryOptions, DeployEvent } from '../ops/service';
import { deliveryView } from './delivery-view';
import { progressView } from './progress';
import { confirm, interactive, isCI } from './prompt';

export type DeliveryUi = Required<Pick<DeliveryOptions, 'onEvent' | 'signal' | 'onInterrupt'>> &
  Pick<DeliveryOptions, 'confirmStop'>;

export async function withDeliveryUi<T>(
  options: { readonly json: boolean },
  fn: (ui: DeliveryUi) => Promise<T>,
): Promise<T> {
  const live = Boolean(process.stderr.isTTY) && !isCI();
  const view = options.json
    ? undefined
    : deliveryView(process.stderr, { live, infra: progressView(process.stderr, { live }) });
  const say = (message: string) => process.stderr.write(`\n${message}\n`);
  const engine = new AbortController();
  let watcher: (() => void) | undefined;
  const handler = () => {
    if (watcher !== undefined) return watcher();
    if (!engine.signal.aborted) {
      say(
        'Interrupted: stopping gracefully. The engine finishes what it is doing, saves the state and releases the lock; the rollout is not started.',
      );
      engine.abort();
    } else {
      say('Still stopping: waiting for the engine to save the state.');
    }
  };
  process.on('SIGINT', handler);
  process.on('SIGTERM', handler);
  try {
    return await fn({
      onEvent: (e: DeployEvent) => view?.onEvent(e),
      signal: engine.signal,
      onInterrupt: (h) => {
        watcher = h;
        return () => {
          if (watcher === h) watcher = undefined;
        };
      },
      ...(interactive()
        ? { confirmStop: () => confirm('\nStop this CodeDeploy deployment and roll it back to the running version?') }
        : {}),
    });
  } finally {
    view?.stop();
    process.off('SIGINT', handler);
    process.off('SIGTERM', handler);
  }
}
