/**
 * oclif's parse errors (a missing, unknown or invalid flag or argument) as ecsdeploy's usage
 * errors: one plain sentence (no "The following error occurred:", no "See more help with --help"),
 * what could be given instead (did you mean, the environments or services of the project, a
 * flag's choices), exit 2; BaseCommand renders them like every other error, as JSON under --json.
 * oclif's errors are recognized by their text and shape, so that nothing here depends on oclif.
 */
import { ExitCode, EcsdeployError } from './errors';
import { closest } from './config/suggest';
import { projectChoices } from './ops/environment-choice';

/** What BaseCommand knows of a flag or an argument: oclif's definitions, as far as they are read here. */
export interface Described {
  readonly char?: string;
  readonly summary?: string;
  readonly description?: string;
  readonly options?: readonly string[];
}

export interface ParseContext {
  /** The command as typed after `ecsdeploy`, e.g. `service deploy`. */
  readonly command: string;
  readonly flags: Readonly<Record<string, Described>>;
  readonly args: Readonly<Record<string, Described>>;
  /** The arguments as given, for --dir (whose project lists the environments and services). */
  readonly argv: readonly string[];
  /** @default process.env */
  readonly env?: NodeJS.ProcessEnv;
}

const ANSI = /\x1b\[[0-9;]*m/g;
const ENVIRONMENT_NAMES = new Set(['env', 'from', 'to']);

export function parseFailure(err: Error & { flags?: unknown }, ctx: ParseContext): EcsdeployError {
  const text = err.message
    .replace(ANSI, '')
    .replace(/\s*See more help with --help\s*$/, '')
    // A flag's own parser failed: "Parsing --surge \n\tExpected ..." → "--surge: Expected ...".
    .replace(/Parsing --([\w-]+)\s*\n\s*/g, '--$1: ')
    .trim();
  // "The following error(s) occurred:\n  A\n  B" → its lines.
  const lines = text
    .replace(/^The following errors? occurred:\s*/, '')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '');
  const help = `See \`ecsdeploy ${ctx.command} --help\` for every flag, with examples.`;
  const suggestions: string[] = [];
  const messages: string[] = [];
  const choices = lazyChoices(ctx);

  for (const line of lines) {
    let m: RegExpExecArray | null;
    if ((m = /^Missing required flag:?\s*(?:--)?([\w-]+)$/.exec(line))) {
      const name = m[1]!;
      messages.push(`Missing required flag --${name}${describe(ctx.flags[name])}.`);
      suggestions.push(...valuesOf(name, ctx.flags[name], choices, `--${name}`));
    } else if ((m = /^Missing (\d+) required args?:?$/.exec(line)) || line.startsWith('Alternatively, ')) {
      // The argument lines follow: "NAME  description".
      continue;
    } else if ((m = /^Note: (.+?) allows? multiple values/.exec(line))) {
      // Only when one of those flags was given: it may have taken the argument as its value.
      const many = m[1]!.split(',').map((f) => f.trim());
      if (many.some((f) => ctx.argv.some((a) => a === f || a.startsWith(`${f}=`)))) {
        suggestions.push(
          `${many.join(' and ')} take${many.length === 1 ? 's' : ''} several values: give the arguments before ${many.length === 1 ? 'it' : 'them'}, or put -- before the arguments.`,
        );
      }
    } else if ((m = /^Nonexistent flags?: (.+)$/.exec(line))) {
      messages.push(line + '.');
      const known = [...Object.keys(ctx.flags), 'json', 'help'];
      for (const given of m[1]!.split(',').map((f) => f.trim())) {
        const guess = closest(given.replace(/^-+/, '').replace(/=.*$/, ''), known);
        if (guess) suggestions.push(`Did you mean --${guess}?`);
      }
    } else if ((m = /^Unexpected arguments?: (.+)$/.exec(line))) {
      const expected = Object.keys(ctx.args).map((a) => a.toUpperCase());
      messages.push(
        `${line}: ecsdeploy ${ctx.command} takes ${expected.length ? `only ${expected.join(' ')}` : 'no arguments'}.`,
      );
      if (/\s/.test(m[1]!) || m[1]!.startsWith('-'))
        suggestions.push('Quote a value that has spaces, e.g. --message "fix rounding".');
    } else {
      const arg = argumentLine(line, ctx.args);
      if (arg !== undefined) {
        messages.push(`Missing argument ${arg.toUpperCase()}${describe(ctx.args[arg])}.`);
        suggestions.push(...valuesOf(arg, ctx.args[arg], choices, arg.toUpperCase()));
      } else {
        messages.push(line);
        const option =
          /^Expected --([\w-]+)=.* to be one of: (.+)$/.exec(line) ??
          /^Flag --([\w-]+) expects (?:one of these values: .+|a value)$/.exec(line);
        if (option) suggestions.push(...valuesOf(option[1]!, ctx.flags[option[1]!], choices, `--${option[1]}`));
      }
    }
  }
  const message = messages.length ? messages.join('\n') : text;
  return new EcsdeployError(message, {
    code: 'ECSDEPLOY_USAGE',
    exitCode: ExitCode.Usage,
    suggestions: [...new Set([...suggestions, help])],
  });
}

/** ": what it is" from a flag's or argument's summary, without its final full stop. */
function describe(d: Described | undefined): string {
  const s = (d?.summary ?? d?.description)?.replace(/\.$/, '').trim();
  return s ? `: ${s}` : '';
}

/** The values a flag or argument may take: its options, or the project's environments or services. */
function valuesOf(
  name: string,
  d: Described | undefined,
  choices: () => ReturnType<typeof projectChoices> | undefined,
  given: string,
): string[] {
  if (d?.options?.length) return [`${given}: one of ${d.options.join(', ')}.`];
  const project = choices();
  if (project === undefined) return [];
  if (ENVIRONMENT_NAMES.has(name)) {
    if (!project.environments.length) return [];
    return [
      name === 'env'
        ? `Environments: ${project.environments.join(', ')}. Pass --env NAME or set defaultEnvironment.`
        : `Environments: ${project.environments.join(', ')}.`,
    ];
  }
  if (name === 'service' && project.services.length) return [`Services: ${project.services.join(', ')}.`];
  return [];
}

/** oclif lists a missing argument as "NAME  description" (or "NAME" alone): which of ours it is. */
function argumentLine(line: string, args: Readonly<Record<string, Described>>): string | undefined {
  const first = line.split(/\s{2,}/)[0]!.trim();
  return Object.keys(args).find((a) => a === first || a.toUpperCase() === first);
}

/** --dir / -C from the raw arguments (the parse failed), else ECSDEPLOY_DIR, else the current folder. */
function lazyChoices(ctx: ParseContext): () => ReturnType<typeof projectChoices> | undefined {
  let cached: ReturnType<typeof projectChoices> | undefined;
  let done = false;
  return () => {
    if (done) return cached;
    done = true;
    let dir = (ctx.env ?? process.env)['ECSDEPLOY_DIR'] || '.';
    ctx.argv.forEach((a, i) => {
      if ((a === '--dir' || a === '-C') && ctx.argv[i + 1] !== undefined) dir = ctx.argv[i + 1]!;
      else if (a.startsWith('--dir=')) dir = a.slice('--dir='.length);
      else if (a.startsWith('-C') && a.length > 2) dir = a.slice(a[2] === '=' ? 3 : 2);
    });
    try {
      cached = projectChoices(dir);
    } catch {
      cached = undefined;
    }
    return cached;
  };
}
