/**
 * Worker-thread entry: builds the batch of stacks it is given (see ./build), posts what it built on
 * its port, then bumps the shared counter the main thread waits on.
 */
import { workerData, type MessagePort } from 'node:worker_threads';
import { buildStacks, type StackJob } from './build';

const { outDir, jobs, port, finished } = workerData as { outDir: string; jobs: StackJob[]; port: MessagePort; finished: Int32Array };
try {
  port.postMessage({ ok: true, built: buildStacks(outDir, jobs) });
} catch (err) {
  port.postMessage({ ok: false, message: (err as Error).message, stack: (err as Error).stack });
} finally {
  Atomics.add(finished, 0, 1);
  Atomics.notify(finished, 0);
}
