/**
 * What becomes of ecsdeploy's provider servers (./provider-server) when ecsdeploy dies without
 * running its exit hook (SIGKILL, the OOM killer, a CI runner cancelling the job). They run in
 * their own process groups and serve until stopped, so nothing else would ever stop them: every
 * killed run left an AWS provider (100–200 MB) running for good.
 *
 * One small process per ecsdeploy run, started with the first provider server, holds the read end
 * of a pipe whose write end only ecsdeploy holds. ecsdeploy tells it, one line each, which
 * provider servers (`p PID`) and engine commands (`e PID`) it started and which have ended
 * (`x PID`). When the pipe closes (ecsdeploy is gone, however it ended) it waits for the engine
 * commands still running (an orphaned `apply` finishes with its provider, records its state and
 * releases its lock), then kills the provider servers' process groups, and exits. When ecsdeploy
 * ended normally everything is gone already and it exits at once.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import type { Writable } from 'node:stream';

/** The longest the watchdog waits for orphaned engine commands before stopping their providers anyway. */
export const ORPHAN_ENGINE_WAIT_MS = 2 * 60 * 60_000;

/** The watchdog's program (node -e): plain JavaScript, no imports of ours, so it starts in milliseconds. */
export const WATCHDOG_SOURCE = `
const providers = new Set(), engines = new Set();
let buf = '';
const alive = (pid) => { try { process.kill(pid, 0); return true; } catch (e) { return e.code === 'EPERM'; } };
const kill = (pid) => { try { process.kill(-pid, 'SIGKILL'); } catch { try { process.kill(pid, 'SIGKILL'); } catch {} } };
process.stdin.setEncoding('utf8');
process.stdin.on('data', (chunk) => {
  buf += chunk;
  for (let i = buf.indexOf('\\n'); i >= 0; i = buf.indexOf('\\n')) {
    const [kind, text] = buf.slice(0, i).split(' ');
    buf = buf.slice(i + 1);
    const pid = Number(text);
    if (!(pid > 0)) continue;
    if (kind === 'p') providers.add(pid);
    else if (kind === 'e') engines.add(pid);
    else { providers.delete(pid); engines.delete(pid); }
  }
});
process.stdin.on('error', () => {});
process.stdin.on('close', () => {
  const deadline = Date.now() + Number(process.argv[1]);
  const end = () => {
    if ([...engines].some(alive) && Date.now() < deadline) return void setTimeout(end, 250);
    for (const pid of providers) kill(pid);
    process.exit(0);
  };
  end();
});
`;

let watchdog: { child: ChildProcess; stdin: Writable } | undefined;
let failed = false;

function tell(line: string): void {
  if (failed) return;
  if (watchdog === undefined) {
    try {
      const child = spawn(process.execPath, ['-e', WATCHDOG_SOURCE, String(ORPHAN_ENGINE_WAIT_MS)], {
        // Its own process group: a Ctrl-C on the terminal is ecsdeploy's to handle, not the watchdog's.
        detached: true,
        stdio: ['pipe', 'ignore', 'ignore'],
        windowsHide: true,
        // Not NODE_OPTIONS of a test runner or a debugger: the watchdog needs none.
        env: { ...process.env, NODE_OPTIONS: '' },
      });
      child.on('error', () => {
        failed = true;
      });
      child.stdin!.on('error', () => undefined);
      // It must not keep ecsdeploy alive.
      child.unref();
      (child.stdin as unknown as { unref?: () => void }).unref?.();
      watchdog = { child, stdin: child.stdin! };
    } catch {
      failed = true;
      return;
    }
  }
  watchdog.stdin.write(`${line}\n`);
}

/** A provider server started: stopped by the watchdog if ecsdeploy dies first. */
export function watchProvider(pid: number | undefined): void {
  if (pid !== undefined) tell(`p ${pid}`);
}

/** An engine command started, while provider servers may serve it: the watchdog lets it finish first. */
export function watchEngine(pid: number | undefined): void {
  if (pid !== undefined && watchdog !== undefined) tell(`e ${pid}`);
}

/** A provider server or engine command has ended: forget it (its pid may be reused). */
export function forget(pid: number | undefined): void {
  if (pid !== undefined && watchdog !== undefined) tell(`x ${pid}`);
}
