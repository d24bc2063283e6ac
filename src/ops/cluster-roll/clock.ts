/**
 * Time for the roll: the one Clock (src/clock.ts; the system clock in the CLI, a simulated one in
 * tests), and stopping between steps when the signal aborts.
 */
import type { Clock } from '../../clock';

export { systemClock, type Clock } from '../../clock';

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
