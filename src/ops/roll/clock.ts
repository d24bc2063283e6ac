/**
 * Time for the long-running loops, injected: the real clock and timers in use, a simulated clock in
 * tests (so an hour-long roll is checked in milliseconds).
 */

export interface Clock {
  /** Milliseconds, monotonic enough for timeouts. */
  now(): number;
  /** Waits `ms`; resolves early when `signal` aborts. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
  /** In [0, 1), for jitter. */
  random(): number;
}

export const realClock: Clock = {
  now: () => Date.now(),
  random: () => Math.random(),
  sleep: (ms, signal) =>
    new Promise<void>((resolve) => {
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

/** Thrown inside a loop when its signal aborted; the loop turns it into an `interrupted` outcome. */
export class Interrupted extends Error {
  constructor() {
    super('interrupted');
    this.name = 'Interrupted';
  }
}

export function checkAbort(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new Interrupted();
}

/** A poll interval with ±10% jitter, so many clients do not poll in step. */
export function jittered(ms: number, clock: Clock): number {
  return Math.round(ms * (0.9 + clock.random() * 0.2));
}
