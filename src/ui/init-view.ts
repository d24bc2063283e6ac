/** `ecsdeploy init` on a terminal: its questions (stderr, with the default in brackets) and what it wrote. */
import type { InitResult, Prompter, Question } from '../ops/init';
import { createInterface, type Interface } from 'node:readline';

/**
 * Asks on stderr and reads answers from stdin, through one readline interface for the whole
 * session: lines typed or pasted ahead of their question are kept, in order, not lost. An empty
 * line takes the default; the end of input or Ctrl-C answers undefined (init stops, exit 130).
 * `close()` releases stdin.
 */
export function terminalPrompter(): Prompter & { close(): void } {
  let rl: Interface | undefined;
  const lines: string[] = [];
  let waiting: ((line: string | undefined) => void) | undefined;
  let ended = false;
  const deliver = (line: string | undefined) => {
    const w = waiting;
    waiting = undefined;
    if (w) w(line);
    else if (line !== undefined) lines.push(line);
  };
  const open = (): Interface => {
    if (rl) return rl;
    rl = createInterface({ input: process.stdin, output: process.stderr, terminal: Boolean(process.stdin.isTTY) });
    rl.on('line', (line) => deliver(line));
    rl.on('SIGINT', () => {
      process.stderr.write('\n');
      ended = true;
      rl?.close();
    });
    rl.on('close', () => {
      ended = true;
      deliver(undefined);
    });
    return rl;
  };
  return {
    ask: (q: Question) => {
      const r = open();
      // Only the last line is readline's prompt: it redraws its prompt, and a prompt of several
      // lines would be drawn over what came before it.
      const text = questionText(q);
      const cut = text.lastIndexOf('\n') + 1;
      if (cut > 0) process.stderr.write(text.slice(0, cut));
      r.setPrompt(text.slice(cut));
      r.prompt();
      if (lines.length > 0) {
        const line = lines.shift()!;
        process.stderr.write(`${line}\n`);
        return Promise.resolve(line);
      }
      if (ended) return Promise.resolve(undefined);
      return new Promise((resolve) => {
        waiting = resolve;
      });
    },
    problem: (message) => process.stderr.write(`  ${message}\n`),
    close: () => rl?.close(),
  };
}

export function questionText(q: Question): string {
  const choices = q.choices && q.choices.length > 0 ? ` (${q.choices.join('/')})` : '';
  return `${q.message}${choices}${q.default ? ` [${q.default}]` : ''} `;
}

const VERB = { create: 'created', overwrite: 'replaced', update: 'updated', unchanged: 'unchanged' } as const;

export function formatInit(r: InitResult): string {
  const width = Math.max(...r.files.map((f) => VERB[f.action].length));
  const lines = [
    `A new ecsdeploy project in ${r.dir}:`,
    ...r.files.map((f) => `  ${VERB[f.action].padEnd(width)}  ${f.path}`),
    ...(r.schemas === 'schemas'
      ? []
      : [`The files' $schema lines point at ${r.schemas}/ (the installed ecsdeploy), for editor completion.`]),
    ...(r.compose
      ? [
          `Services imported from ${r.compose.file}: ${r.compose.services.join(', ')}.`,
          ...r.compose.notMapped.map(
            (m) =>
              `  ${m.status === 'dropped' ? 'dropped' : 'approximated'}: ${m.service ? `${m.service} ` : ''}${m.key} (${m.file}:${m.line})${m.note ? `: ${m.note}` : ''}`,
          ),
          ...r.compose.warnings.map((w) => `  - ${w}`),
          '  (`ecsdeploy import compose --help` says how each Compose key is mapped.)',
        ]
      : []),
    '',
    'Next:',
    '  npx ecsdeploy config validate     # every file checked (no AWS account needed)',
    '  npx ecsdeploy synth               # Terraform JSON of every stack under cdktf.out/',
    '  npx ecsdeploy apply --env dev     # plan, confirm and apply, with AWS credentials',
  ];
  return lines.join('\n');
}
