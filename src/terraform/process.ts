/**
 * One engine command as a child process: `-input=false`, TF_IN_AUTOMATION, output into the run
 * log, JSON UI messages (`-json`) parsed and passed on as they arrive.
 *
 * Interrupts: the engine runs in its own process group, so a Ctrl-C on the terminal reaches only
 * ecsdeploy; when the caller's AbortSignal fires, the engine gets exactly one SIGINT, which makes
 * Terraform/OpenTofu stop gracefully: finish the operations in flight, write the state, release
 * the lock. (A second SIGINT would make it exit at once and risk the state, so none is sent.)
 */
import { spawn } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { StringDecoder } from 'node:string_decoder';
import { z } from 'zod';
import type { Engine } from './engine';
import type { RunLog } from './log';
import { forget, watchEngine } from './orphans';

/** The fields of the engine's machine-readable UI (`-json`) that ecsdeploy reads. */
const ResourceRef = z.looseObject({ addr: z.string(), resource_type: z.string().optional() });
export const UiMessageSchema = z.looseObject({
  'type': z.string(),
  '@level': z.string().optional(),
  '@message': z.string().optional(),
  'diagnostic': z
    .looseObject({
      severity: z.string(),
      summary: z.string(),
      detail: z.string().optional(),
      address: z.string().optional(),
    })
    .optional(),
  'hook': z
    .looseObject({
      resource: ResourceRef.optional(),
      action: z.string().optional(),
      elapsed_seconds: z.number().optional(),
    })
    .optional(),
  /** planned_change: one resource's planned action. */
  'change': z.looseObject({ resource: ResourceRef, action: z.string() }).optional(),
  'changes': z
    .looseObject({
      add: z.number(),
      change: z.number(),
      remove: z.number(),
      import: z.number().optional(),
      operation: z.string().optional(),
    })
    .optional(),
  'outputs': z
    .record(
      z.string(),
      z.looseObject({
        sensitive: z.boolean().optional(),
        value: z.unknown().optional(),
        action: z.string().optional(),
      }),
    )
    .optional(),
});
export type UiMessage = z.infer<typeof UiMessageSchema>;

export interface EngineInvocation {
  readonly args: readonly string[];
  /** Working folder (the stack's). */
  readonly cwd: string;
  /** Stack name, for the log. */
  readonly stack: string;
  readonly log: RunLog;
  /** Extra environment on top of process.env (TF_CLI_CONFIG_FILE, AWS_*, ...). */
  readonly env?: NodeJS.ProcessEnv;
  /** The command prints JSON lines (`-json`): parse them, log their text, pass them to onMessage. */
  readonly json?: boolean;
  /** Keep stdout in memory instead of logging it (`show -json`). */
  readonly captureStdout?: boolean;
  readonly signal?: AbortSignal;
  readonly onMessage?: (message: UiMessage) => void;
}

export interface EngineResult {
  /** Exit code; null when the engine was killed by a signal. */
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  /** Captured stdout (with captureStdout). */
  readonly stdout: string;
  /** The last lines of stderr and of non-JSON stdout, for messages. */
  readonly tail: readonly string[];
  /** Every parsed UI message (with json). */
  readonly messages: readonly UiMessage[];
  /** The run was asked to stop (AbortSignal) while the engine ran. */
  readonly interrupted: boolean;
}

const TAIL_LINES = 40;

/** The environment every engine command gets: no prompts, no colour, no update checks. */
export function engineEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  return { ...process.env, ...extra, TF_IN_AUTOMATION: '1', TF_INPUT: '0', CHECKPOINT_DISABLE: '1', NO_COLOR: '1' };
}

/** Splits a stream into lines as chunks arrive. */
function lines(onLine: (line: string) => void): { push(chunk: string): void; end(): void } {
  let rest = '';
  return {
    push(chunk) {
      const parts = (rest + chunk).split('\n');
      rest = parts.pop() ?? '';
      for (const p of parts) onLine(p.replace(/\r$/, ''));
    },
    end() {
      if (rest) onLine(rest);
      rest = '';
    },
  };
}

export function parseUiLine(line: string): UiMessage | undefined {
  if (!line.startsWith('{')) return undefined;
  try {
    const parsed = UiMessageSchema.safeParse(JSON.parse(line));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

/** The log's text for one UI message: its own text, plus a diagnostic's detail. */
function messageText(m: UiMessage): string {
  const d = m.diagnostic;
  if (d === undefined) return m['@message'] ?? m.type;
  return [
    `${d.severity === 'error' ? 'Error' : 'Warning'}: ${d.summary}${d.address ? ` (${d.address})` : ''}`,
    ...(d.detail ? d.detail.split('\n').map((l) => `  ${l}`) : []),
  ].join('\n');
}

/** How often the engine's output files are read while it runs (progress lines arrive this late at most). */
const OUTPUT_POLL_MS = 100;

/**
 * A file the engine writes one of its outputs to, and ecsdeploy reads as it grows. Unlinked at once:
 * nothing is left behind however ecsdeploy ends, and the engine's writes outlive ecsdeploy.
 */
function outputFile(): { readonly fd: number; read(onText: (text: string) => void): void; close(): void } {
  const dir = mkdtempSync(join(tmpdir(), 'ecsdeploy-engine-'));
  const path = join(dir, 'output');
  const fd = openSync(path, 'a+');
  rmSync(dir, { recursive: true, force: true });
  const decoder = new StringDecoder('utf8');
  const buffer = Buffer.alloc(64 * 1024);
  let position = 0;
  let closed = false;
  return {
    fd,
    read(onText) {
      if (closed) return;
      for (;;) {
        const n = readSync(fd, buffer, 0, buffer.length, position);
        if (n === 0) return;
        position += n;
        const text = decoder.write(buffer.subarray(0, n));
        if (text) onText(text);
      }
    },
    close() {
      if (closed) return;
      closed = true;
      closeSync(fd);
    },
  };
}

export function runEngine(engine: Engine, inv: EngineInvocation): Promise<EngineResult> {
  const args = [...inv.args];
  inv.log.write(inv.stack, `$ ${engine.kind} ${args.join(' ')}   (in ${inv.cwd})`);
  return new Promise((done, fail) => {
    if (inv.signal?.aborted) {
      done({ code: null, signal: null, stdout: '', tail: [], messages: [], interrupted: true });
      return;
    }
    // The engine writes to files, not pipes: if ecsdeploy is killed (kill -9, a CI runner's
    // timeout), a pipe's reader is gone and the engine dies of SIGPIPE at its next line of output
    // (a Go program's write to a broken stdout), mid-apply, before it saves the resources it just
    // created in the state. A file never refuses a write, so the engine finishes and saves.
    const stdoutFile = outputFile();
    const stderrFile = outputFile();
    let child: ReturnType<typeof spawn>;
    try {
      child = spawn(engine.path, args, {
        cwd: inv.cwd,
        env: engineEnv(inv.env),
        stdio: ['ignore', stdoutFile.fd, stderrFile.fd],
        detached: true,
      });
    } catch (e) {
      stdoutFile.close();
      stderrFile.close();
      throw e;
    }
    // If ecsdeploy is killed while this runs, its provider servers are stopped only after it ends (./orphans).
    watchEngine(child.pid);
    const tail: string[] = [];
    const keep = (line: string) => {
      tail.push(line);
      if (tail.length > TAIL_LINES) tail.shift();
    };
    const messages: UiMessage[] = [];
    let stdout = '';
    let interrupted = false;

    const out = lines((line) => {
      if (line.trim() === '') return;
      const m = inv.json ? parseUiLine(line) : undefined;
      if (m === undefined) {
        inv.log.write(inv.stack, line);
        keep(line);
        return;
      }
      messages.push(m);
      inv.log.write(inv.stack, messageText(m));
      inv.onMessage?.(m);
    });
    const err = lines((line) => {
      inv.log.write(inv.stack, line);
      if (line.trim() !== '') keep(line);
    });
    const onStdout = (chunk: string) => {
      if (inv.captureStdout) stdout += chunk;
      else out.push(chunk);
    };
    const onStderr = (chunk: string) => err.push(chunk);
    const drain = () => {
      stdoutFile.read(onStdout);
      stderrFile.read(onStderr);
    };
    const reading = setInterval(drain, OUTPUT_POLL_MS);
    const stopReading = () => {
      clearInterval(reading);
      drain();
      stdoutFile.close();
      stderrFile.close();
    };

    const onAbort = () => {
      if (interrupted) return;
      interrupted = true;
      inv.log.write(inv.stack, '(interrupted: SIGINT sent to the engine; waiting for it to stop gracefully)');
      child.kill('SIGINT');
    };
    inv.signal?.addEventListener('abort', onAbort, { once: true });

    child.on('error', (e) => {
      stopReading();
      inv.signal?.removeEventListener('abort', onAbort);
      fail(e);
    });
    child.on('close', (code, signal) => {
      forget(child.pid);
      stopReading();
      inv.signal?.removeEventListener('abort', onAbort);
      out.end();
      err.end();
      inv.log.write(inv.stack, `(exit ${code ?? signal})`);
      done({ code, signal, stdout, tail, messages, interrupted });
    });
  });
}
