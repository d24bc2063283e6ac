/**
 * The one clock of ecsdeploy: every operation and view that reads the time, waits or jitters takes
 * a `Clock` (injected; the system clock by default), so tests run them in simulated or fixed time.
 * Watchers poll on it (src/ops/deploy-watch, src/ops/cluster-roll, src/ops/task), environments on
 * demand date their records with it, the engine runner and the views stamp their lines with it.
 */
export interface Clock {
  /** Epoch ms. */
  now(): number;
  /** Resolves after `ms`, or early when `signal` aborts. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
  /** In [0, 1): jitter. */
  random(): number;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  random: () => Math.random(),
  sleep: (ms, signal) =>
    new Promise((resolve) => {
      if (signal?.aborted) return resolve();
      const done = () => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      signal?.addEventListener('abort', done, { once: true });
    }),
};

/** The clock's time as a Date. */
export const dateOf = (clock: Pick<Clock, 'now'>): Date => new Date(clock.now());
