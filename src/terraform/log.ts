/**
 * The engine's full output for one ecsdeploy run, in one file under `.ecsdeploy/logs/`: every
 * command with its working folder, and every line it printed, prefixed with the time and the stack. The path is
 * in every engine error, so a failure can always be read in full. Older logs are pruned.
 */
import { appendFileSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';

/** Logs kept per project; older ones are removed when a new run starts. */
export const KEPT_LOGS = 30;

export class RunLog {
  private constructor(readonly path: string) {}

  /** Creates `<dir>/<UTC time>-<label>.log` and prunes all but the newest KEPT_LOGS logs. */
  static create(dir: string, label: string, now: Date = new Date()): RunLog {
    mkdirSync(dir, { recursive: true });
    const stamp = now
      .toISOString()
      .replace(/[-:]/g, '')
      .replace(/\.\d+Z$/, 'Z');
    const safe = label.replace(/[^A-Za-z0-9_.-]+/g, '-');
    const log = new RunLog(join(dir, `${stamp}-${safe}-${process.pid}.log`));
    appendFileSync(log.path, `# ecsdeploy ${label}, started ${now.toISOString()}\n`);
    prune(dir);
    return log;
  }

  /** One or more lines, each prefixed with the time (UTC) and `[stack]`. */
  write(stack: string, text: string, now: Date = new Date()): void {
    const time = now.toISOString().slice(11, 23);
    const lines = text.replace(/\n$/, '').split('\n');
    appendFileSync(this.path, lines.map((l) => `${time} [${stack}] ${l}\n`).join(''));
  }
}

function prune(dir: string): void {
  const logs = readdirSync(dir)
    .filter((f) => f.endsWith('.log'))
    .sort();
  for (const old of logs.slice(0, Math.max(0, logs.length - KEPT_LOGS))) rmSync(join(dir, old), { force: true });
}
