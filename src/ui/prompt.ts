/**
 * Questions on the terminal (stderr, so stdout stays data), and whether anyone can answer them: a
 * terminal on stdin and stderr, and not CI. Where nobody can answer, commands need --yes instead.
 */
import { createInterface } from 'node:readline';

/** CI=true (or any value but '', 0 and false), as every CI system sets it. */
export function isCI(env: NodeJS.ProcessEnv = process.env): boolean {
  const v = env['CI']?.trim().toLowerCase();
  return v !== undefined && v !== '' && v !== '0' && v !== 'false';
}

export function interactive(env: NodeJS.ProcessEnv = process.env): boolean {
  return Boolean(process.stdin.isTTY && process.stderr.isTTY) && !isCI(env);
}

/** Asks on stderr and reads one line from stdin; undefined when the input ends or Ctrl-C is pressed. */
export function ask(question: string): Promise<string | undefined> {
  return new Promise((resolve) => {
    const rl = createInterface({
      input: process.stdin,
      output: process.stderr,
      terminal: Boolean(process.stdin.isTTY),
    });
    let answered = false;
    const finish = (answer: string | undefined) => {
      if (answered) return;
      answered = true;
      rl.close();
      resolve(answer);
    };
    rl.on('SIGINT', () => {
      process.stderr.write('\n');
      finish(undefined);
    });
    rl.on('close', () => finish(undefined));
    rl.question(question, (answer) => finish(answer));
  });
}

/** y / yes (any case) is yes; anything else, or no answer, is no. */
export async function confirm(question: string): Promise<boolean> {
  const answer = await ask(`${question} [y/N] `);
  return /^y(es)?$/i.test(answer?.trim() ?? '');
}
