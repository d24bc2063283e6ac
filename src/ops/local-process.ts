/**
 * Which process of this machine wrote something: recorded as `{host, pid}` by work that a SIGKILL
 * can stop half-way (an environment being created, a run's saved plans), so the next command can
 * tell that the writer is gone. A process on another host cannot be checked from here.
 */
import { hostname } from 'node:os';

export interface ProcessRef {
  readonly host: string;
  readonly pid: number;
}

/** This process. */
export function thisProcess(): ProcessRef {
  return { host: hostname(), pid: process.pid };
}

/** True when `ref` ran on this host and has ended (EPERM means it runs, as another user). */
export function processGone(ref: ProcessRef): boolean {
  if (ref.host !== hostname()) return false;
  try {
    process.kill(ref.pid, 0);
    return false;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code !== 'EPERM';
  }
}
