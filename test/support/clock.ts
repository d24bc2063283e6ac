/** Clocks for tests (the one Clock of src/clock.ts): fixed, or advanced by hand. */
import type { Clock } from '../../src/clock';

export interface ManualClock extends Clock {
  /** Moves the time on by `ms`. */
  advance(ms: number): void;
}

/** A clock standing at `start` until advanced; `sleep` advances it. */
export function manualClock(start: string | Date = '2026-11-24T10:00:00.000Z'): ManualClock {
  let t = new Date(start).getTime();
  return {
    now: () => t,
    random: () => 0.5,
    sleep: async (ms) => {
      t += ms;
    },
    advance: (ms) => {
      t += ms;
    },
  };
}

/** A clock that always reads `at`. */
export function fixedClock(at: string | Date): Clock {
  const t = new Date(at).getTime();
  return { now: () => t, random: () => 0.5, sleep: async () => undefined };
}
