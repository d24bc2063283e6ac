/**
 * The progress of plan / apply / destroy, on stderr. On a terminal: a live block with one line per
 * stack (spinner, what it is doing, the engine's latest resource message), redrawn in place. Where
 * nobody watches (CI, a pipe): plain timestamped lines, one per step and per resource operation.
 * Nothing with --json.
 */
import type { InfraEvent } from '../ops/infra';
import { dateOf, systemClock, type Clock } from '../clock';

export interface ProgressView {
  onEvent(event: InfraEvent): void;
  /** Draws the final state of the live block and leaves it on screen (before a prompt or a summary). */
  pause(): void;
  /** Starts a new live block below what was printed since pause(). */
  resume(): void;
  stop(): void;
}

export interface ProgressOptions {
  /** Live redrawing block; false: plain lines. */
  readonly live: boolean;
  /** Stamps the lines. @default the system clock */
  readonly clock?: Clock;
  /** Redraw interval of the live block, ms. */
  readonly interval?: number;
}

interface Writable {
  write(text: string): unknown;
  readonly columns?: number;
}

const ACTIVE: Record<string, string> = {
  init: 'initializing',
  plan: 'planning',
  apply: 'applying',
  destroy: 'destroying',
  outputs: 'reading outputs',
};
const DONE: Record<string, string> = {
  init: 'initialized',
  plan: 'planned',
  apply: 'applied',
  destroy: 'destroyed',
  outputs: 'no changes',
};
const SPINNER = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];

export function nobody(): ProgressView {
  return { onEvent: () => undefined, pause: () => undefined, resume: () => undefined, stop: () => undefined };
}

export function progressView(out: Writable, options: ProgressOptions): ProgressView {
  return options.live ? liveView(out, options) : plainView(out, options);
}

function clock(now: () => Date): string {
  return now().toISOString().slice(11, 19);
}

function plainView(out: Writable, options: ProgressOptions): ProgressView {
  const now = () => dateOf(options.clock ?? systemClock);
  let width = 0;
  const line = (stack: string, text: string) => out.write(`${clock(now)} ${stack.padEnd(width)}  ${text}\n`);
  return {
    onEvent(e) {
      switch (e.type) {
        case 'run':
          width = Math.max(0, ...e.stacks.map((s) => s.length));
          out.write(
            `${clock(now)} ${e.operation} ${e.environment}: ${e.stacks.join(', ')} (${e.engine}; engine output in ${e.logFile})\n`,
          );
          break;
        case 'step':
          if (e.step === 'init' && e.status !== 'failed') {
            if (e.status === 'done' && e.detail !== 'cached') line(e.stack, 'initialized');
          } else if (e.status === 'started') line(e.stack, `${ACTIVE[e.step]}...`);
          else if (e.status === 'done') line(e.stack, e.detail ? `${e.step}: ${e.detail}` : DONE[e.step]!);
          else line(e.stack, `${e.step} FAILED: ${e.detail ?? ''}`);
          break;
        case 'resource':
          line(e.stack, e.message);
          break;
        case 'notice':
          out.write(`${clock(now)} note: ${e.message}\n`);
          break;
      }
    },
    pause: () => undefined,
    resume: () => undefined,
    stop: () => undefined,
  };
}

interface Row {
  state: 'waiting' | 'active' | 'done' | 'failed';
  text: string;
  detail: string;
}

function liveView(out: Writable, options: ProgressOptions): ProgressView {
  const rows = new Map<string, Row>();
  let drawn = 0;
  let frame = 0;
  let timer: NodeJS.Timeout | undefined;
  const width = () => Math.max(40, out.columns ?? 100);
  const cut = (s: string) => (s.length > width() - 1 ? `${s.slice(0, width() - 2)}…` : s);

  const render = () => {
    const nameWidth = Math.max(0, ...[...rows.keys()].map((k) => k.length));
    const lines = [...rows.entries()].map(([stack, r]) => {
      const mark =
        r.state === 'active'
          ? SPINNER[frame % SPINNER.length]
          : r.state === 'done'
            ? '✓'
            : r.state === 'failed'
              ? '✗'
              : '·';
      return cut(`  ${mark} ${stack.padEnd(nameWidth)}  ${r.text}${r.detail ? `  ${r.detail}` : ''}`);
    });
    out.write((drawn > 0 ? `\x1b[${drawn}A` : '') + lines.map((l) => `\x1b[2K${l}\n`).join(''));
    drawn = lines.length;
    frame++;
  };
  const start = () => {
    if (timer === undefined && rows.size > 0) {
      timer = setInterval(render, options.interval ?? 120);
      timer.unref();
    }
  };
  const halt = () => {
    if (timer !== undefined) clearInterval(timer);
    timer = undefined;
    if (rows.size > 0) render();
  };
  const print = (text: string) => {
    // A notice goes above the block: erase the block, print, draw the block again under it.
    if (drawn > 0) out.write(`\x1b[${drawn}A\x1b[0J`);
    drawn = 0;
    out.write(`${text}\n`);
    if (rows.size > 0) render();
  };

  return {
    onEvent(e) {
      switch (e.type) {
        case 'run':
          print(`${e.operation} ${e.environment} with ${e.engine} (engine output in ${e.logFile})`);
          for (const s of e.stacks) rows.set(s, { state: 'waiting', text: 'waiting', detail: '' });
          start();
          break;
        case 'step': {
          const r = rows.get(e.stack) ?? { state: 'waiting', text: '', detail: '' };
          if (e.status === 'started') Object.assign(r, { state: 'active', text: ACTIVE[e.step], detail: '' });
          else if (e.status === 'done')
            Object.assign(r, {
              state: e.step === 'init' ? 'active' : 'done',
              text: e.step === 'init' ? 'initialized' : (e.detail ?? DONE[e.step]),
              detail: '',
            });
          else Object.assign(r, { state: 'failed', text: `${e.step} failed`, detail: e.detail ?? '' });
          rows.set(e.stack, r);
          start();
          break;
        }
        case 'resource': {
          const r = rows.get(e.stack);
          if (r) r.detail = e.message;
          if (e.status === 'failed') print(`  ${e.stack}: ${e.message}`);
          break;
        }
        case 'notice':
          print(`note: ${e.message}`);
          break;
      }
    },
    pause() {
      halt();
      rows.clear();
      drawn = 0;
    },
    resume() {
      drawn = 0;
    },
    stop() {
      halt();
    },
  };
}
