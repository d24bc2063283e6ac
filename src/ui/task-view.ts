/**
 * `task run` and `task logs` on a terminal: the task's container log lines on stdout (they are the
 * command's output, so pipes get them), the task's progress on stderr, and Ctrl-C: asks whether to
 * stop the task where someone can answer; elsewhere it only ends the watch (the task runs on).
 */
import type { TaskRunEvent, TaskRunResult, TaskList } from '../ops/task';
import { shortTaskDefinition } from '../ops/deploy-watch';
import { confirm, interactive } from './prompt';
import { table } from './table';

export interface TaskUi {
  readonly onEvent: (e: TaskRunEvent) => void;
  readonly onInterrupt: (handler: () => void) => () => void;
  readonly confirmStop?: () => Promise<boolean>;
}

export async function withTaskUi<T>(options: { readonly json: boolean }, fn: (ui: TaskUi) => Promise<T>): Promise<T> {
  const err = (line: string) => process.stderr.write(`${line}\n`);
  let watcher: (() => void) | undefined;
  const handler = () => {
    if (watcher !== undefined) return watcher();
    err('Interrupted before the task started.');
    process.exit(130);
  };
  process.on('SIGINT', handler);
  try {
    return await fn({
      onEvent: (e) => {
        if (options.json) return;
        if (e.type === 'started')
          return err(
            `Started task ${e.taskArn.slice(e.taskArn.lastIndexOf('/') + 1)} of ${shortTaskDefinition(e.taskDefinition)} (${e.source}); container ${e.container}`,
          );
        const t = e.event;
        if (t.type === 'log') process.stdout.write(`${t.message}\n`);
        else if (t.type === 'status') err(`Task ${t.lastStatus}`);
        else if (t.type === 'stopping') err(`Stopping the task: ${t.reason}`);
        else if (t.type === 'continuing') err('Not stopped: watching on.');
        else if (t.type === 'throttled') err(`AWS throttled; next check in ${Math.round(t.retryInMs / 1000)} s`);
        else if (t.type === 'retrying') err(`${t.message}; retrying in ${Math.round(t.retryInMs / 1000)} s`);
      },
      onInterrupt: (h) => {
        watcher = h;
        return () => {
          if (watcher === h) watcher = undefined;
        };
      },
      ...(interactive()
        ? { confirmStop: () => confirm('\nStop the task? (no: keep watching; it runs on either way until it ends)') }
        : {}),
    });
  } finally {
    process.off('SIGINT', handler);
  }
}

export function formatTaskRun(r: TaskRunResult): string {
  if (!r.watched)
    return `Task ${r.taskId} started (${shortTaskDefinition(r.taskDefinition)}, ${r.source}); follow it: ecsdeploy task logs ${r.service} ${r.taskId} --env ${r.environment} --follow`;
  return `Task ${r.taskId} exited with code ${r.exitCode ?? '?'} (container ${r.container}).`;
}

export function formatTaskList(l: TaskList): string {
  if (l.tasks.length === 0)
    return `No one-off tasks of ${l.service} in ${l.environment} (ECS keeps stopped tasks about an hour).`;
  return table(
    ['TASK', 'STATUS', 'EXIT', 'TASK DEFINITION', 'BY', 'WHY', 'COMMAND'],
    l.tasks.map((t) => [
      t.taskId,
      t.lastStatus,
      t.exitCode === undefined ? '' : String(t.exitCode),
      t.taskDefinition,
      t.runBy ?? '',
      t.purpose ?? '',
      (t.command ?? []).join(' ').slice(0, 60),
    ]),
  );
}
