/**
 * The one place `ecsdeploy init` imports a compose file: the service files that
 * `ecsdeploy import compose` would write (src/ops/adopt/compose.ts, computed with dryRun), which
 * init then writes with the rest of its plan (one check for files that exist, one write), and the
 * launch types they use (the environment files give EC2 capacity only when a service needs it).
 */
import { parse } from 'yaml';
import {
  importCompose,
  type ComposePrompter,
  type ImportComposeResult,
  type MappingRow,
  type ServiceFileOut,
} from '../adopt/compose';
import type { LaunchType, Prompter } from './questions';

export interface ComposeServices {
  readonly composeFiles: readonly string[];
  readonly files: ReadonlyArray<{ readonly path: string; readonly content: string }>;
  readonly launchTypes: readonly LaunchType[];
  readonly warnings: readonly string[];
  /** What the import approximated or dropped, each with the compose file and line it came from. */
  readonly notMapped: ReadonlyArray<Pick<MappingRow, 'service' | 'key' | 'status' | 'note' | 'file' | 'line'>>;
}

export async function composeServiceFiles(opts: {
  readonly dir: string;
  readonly region: string;
  readonly prompter?: Prompter;
}): Promise<ComposeServices> {
  const result: ImportComposeResult = await importCompose({
    cwd: opts.dir,
    region: opts.region,
    dryRun: true,
    ...(opts.prompter ? { prompter: composePrompter(opts.prompter) } : {}),
  });
  return {
    composeFiles: result.composeFiles,
    files: result.files.map((f: ServiceFileOut) => ({ path: f.path.split('\\').join('/'), content: f.content })),
    launchTypes: [...new Set(result.files.map((f: ServiceFileOut) => launchTypeOf(f.content)))],
    warnings: result.warnings,
    notMapped: result.rows
      .filter((r) => r.status !== 'mapped')
      .map(({ service, key, status, note, file, line }) => ({ service, key, status, note, file, line })),
  };
}

/** The launch type a service file asks for: `launchType`, or ec2 (the schema's default). */
function launchTypeOf(content: string): LaunchType {
  const doc = parse(content) as { launchType?: unknown } | null;
  return doc?.launchType === 'fargate' ? 'fargate' : 'ec2';
}

/** init's prompter, asking the compose import's questions. */
function composePrompter(p: Prompter): ComposePrompter {
  return {
    ask: (question, defaultAnswer) =>
      p.ask({
        flag: 'import-compose',
        message: question,
        ...(defaultAnswer !== undefined ? { default: defaultAnswer } : {}),
      }),
    // The choices numbered, one a line; the answer is a number (Enter: the first).
    choose: async (question, choices) => {
      const numbers = choices.map((_, i) => String(i + 1));
      const message = `${question}\n${choices.map((c, i) => `  ${i + 1}) ${c.label}`).join('\n')}\nWhich one?`;
      for (;;) {
        const answer = await p.ask({ flag: 'import-compose', message, default: '1', choices: numbers });
        if (answer === undefined) return undefined;
        const picked = numbers.indexOf(answer.trim() === '' ? '1' : answer.trim());
        if (picked >= 0) return choices[picked]!.value;
        p.problem(`${answer.trim()}: one of ${numbers.join(', ')}.`);
      }
    },
  };
}
