/** Processes read from /proc (Linux): what tests check is left running after a command. */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** The live processes whose /proc stat fields match `keep` (state, parent pid, process group). */
function processesWhere(keep: (stat: { state: string; ppid: number; pgrp: number }, pid: number) => boolean): number[] {
  return readdirSync('/proc')
    .filter((d) => /^\d+$/.test(d))
    .filter((d) => {
      try {
        const [state, ppid, pgrp] = readFileSync(`/proc/${d}/stat`, 'utf8').split(') ')[1]!.split(' ');
        return state !== 'Z' && keep({ state: state!, ppid: Number(ppid), pgrp: Number(pgrp) }, Number(d));
      } catch {
        return false;
      }
    })
    .map(Number);
}

/** The live children of `pid` (the providers a proxy started). */
export function childrenOf(pid: number): number[] {
  return processesWhere((s) => s.ppid === pid);
}

/** The live processes of process group `pgid` (a proxy and the providers it started). */
export function processGroup(pgid: number): number[] {
  return processesWhere((s) => s.pgrp === pgid);
}

/**
 * Which of `started` still run, with the members of the process groups they lead (a provider
 * proxy's providers, started after the list was taken): what a killed CLI left behind. One pass
 * over /proc.
 */
export function stillRunning(started: readonly number[]): number[] {
  const ids = new Set(started);
  return processesWhere((s, pid) => ids.has(pid) || ids.has(s.pgrp));
}

/** Waits up to `ms` for `started` (and the groups they lead) to end; what still runs then. */
export async function leftRunningAfter(started: readonly number[], ms: number): Promise<number[]> {
  const deadline = Date.now() + ms;
  for (;;) {
    const left = stillRunning(started);
    if (left.length === 0 || Date.now() >= deadline) return left;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

/** Running: a process that ended but was not reaped yet (a zombie) is not. */
export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return existsSync(join('/proc', String(pid))) && !readFileSync(`/proc/${pid}/stat`, 'utf8').includes(') Z ');
  } catch {
    return false;
  }
}

/**
 * What each process is, one line each (`pid state command line`, the command line cut at 160
 * characters): so a test that finds processes left over, or a command that hangs, says which.
 */
export function describeProcesses(pids: readonly number[]): string {
  return pids
    .map((pid) => {
      try {
        const state = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ')[0];
        const cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean);
        // A `node -e <program>`: the program is long and says nothing; its arguments do.
        const shown = cmd[1] === '-e' ? [cmd[0], '-e', '<program>', ...cmd.slice(3)] : cmd;
        return `${pid} ${state} ${shown.join(' ').slice(0, 160)}`;
      } catch {
        return `${pid} (gone)`;
      }
    })
    .join('\n');
}
