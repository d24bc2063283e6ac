/**
 * Ctrl-C during a long command: the first SIGINT aborts the returned signal (src/ops stops the
 * engines gracefully and starts nothing new); later ones only say that it is still stopping, since
 * killing an engine mid-write is how state gets lost.
 */
export interface Interrupt {
  readonly signal: AbortSignal;
  dispose(): void;
}

export function onInterrupt(say: (message: string) => void): Interrupt {
  const controller = new AbortController();
  const handler = () => {
    if (!controller.signal.aborted) {
      say(
        'Interrupted: stopping gracefully. The engine finishes what it is doing, saves the state and releases the lock; nothing new starts.',
      );
      controller.abort();
    } else {
      say(
        'Still stopping: waiting for the engine to save the state. (Killing it now could lose state and leave the lock held.)',
      );
    }
  };
  process.on('SIGINT', handler);
  process.on('SIGTERM', handler);
  return {
    signal: controller.signal,
    dispose: () => {
      process.off('SIGINT', handler);
      process.off('SIGTERM', handler);
    },
  };
}
