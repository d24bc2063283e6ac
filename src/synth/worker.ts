/**
 * Worker-thread entry. The main thread posts batches of jobs on the worker's port while it still
 * computes the next ones; the worker constructs each batch's stacks as it arrives. On `done` it
 * synthesizes them all, posts what it built (or why it failed), and bumps the shared counter the
 * main thread waits on. After a failure it ignores the rest.
 */
import { workerData, type MessagePort } from 'node:worker_threads';
import { StackBuilder, type BuiltStack, type StackJob } from './build';

/** What the main thread posts: a batch of jobs, then `done`. */
export type ToWorker = { readonly jobs: readonly StackJob[] } | { readonly done: true };
/** The worker's one reply. */
export type FromWorker =
  | { readonly ok: true; readonly built: BuiltStack[] }
  | { readonly ok: false; readonly message: string; readonly stack?: string };

const { outDir, port, finished } = workerData as { outDir: string; port: MessagePort; finished: Int32Array };
const builder = new StackBuilder(outDir);
let replied = false;

function reply(message: FromWorker): void {
  replied = true;
  port.postMessage(message);
  Atomics.add(finished, 0, 1);
  Atomics.notify(finished, 0);
}

port.on('message', (message: ToWorker) => {
  if (replied) return;
  try {
    if ('jobs' in message) builder.add(message.jobs);
    else reply({ ok: true, built: builder.finish() });
  } catch (err) {
    reply({ ok: false, message: (err as Error).message, stack: (err as Error).stack });
  }
});
