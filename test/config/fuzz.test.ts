/**
 * Property-based tests of the configuration loader (fast-check): random YAML documents and random
 * mutations of real project files never crash it. Whatever the input, loadProject either loads it or
 * throws an ecsdeploy error (never a TypeError or another stack-trace-worthy crash), and every
 * problem of a configuration error names its file and line. A failing case prints its seed and the
 * shrunk input; `FUZZ_RUNS=N` runs more cases than the default.
 */
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import fc from 'fast-check';
import { stringify } from 'yaml';
import { loadProject } from '../../src/config/load';
import { ConfigError, EcsdeployError } from '../../src/errors';
import { projectWith } from './fixture-project';

const REPO = join(__dirname, '..', '..');
const RUNS = Number(process.env['FUZZ_RUNS'] ?? 150);

/** What went wrong with one input, or undefined when the loader behaved. */
function misbehaviour(dir: string): string | undefined {
  try {
    loadProject(dir);
    return undefined;
  } catch (err) {
    if (err instanceof ConfigError) {
      const unplaced = err.problems.filter((p) => !p.file || p.line === undefined);
      return unplaced.length ? `problems without file:line: ${JSON.stringify(unplaced)}` : undefined;
    }
    if (err instanceof EcsdeployError) return undefined;
    return `crashed: ${(err as Error).stack ?? String(err)}`;
  }
}

/** One project on disk, whose files the properties overwrite (a copy per case would be slower than the load). */
let project: { dir: string; cleanup: () => void };
const originals = new Map<string, string>();
beforeAll(() => {
  project = projectWith();
  for (const f of ['ecsdeploy.yaml', 'environments/dev.yaml', 'services/api.yaml'])
    originals.set(f, readFileSync(join(project.dir, f), 'utf8'));
});
afterAll(() => project.cleanup());

function withFile(file: string, text: string): string | undefined {
  const path = join(project.dir, file);
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, text);
  try {
    return misbehaviour(project.dir);
  } finally {
    if (originals.has(file)) writeFileSync(path, originals.get(file)!);
    else rmSync(path, { force: true });
  }
}

const FILES = ['ecsdeploy.yaml', 'environments/dev.yaml', 'services/api.yaml', 'jobs/report.yaml'] as const;

/** Real files to mutate: the bundled project's, the production-shaped examples', the minimal fixture's. */
const REAL: Array<{ file: (typeof FILES)[number]; text: string }> = [
  { file: 'ecsdeploy.yaml', text: readFileSync(join(REPO, 'ecsdeploy.yaml'), 'utf8') },
  ...readdirSync(join(REPO, 'environments')).map((f) => ({
    file: 'environments/dev.yaml' as const,
    text: readFileSync(join(REPO, 'environments', f), 'utf8'),
  })),
  ...readdirSync(join(REPO, 'services')).map((f) => ({
    file: 'services/api.yaml' as const,
    text: readFileSync(join(REPO, 'services', f), 'utf8'),
  })),
  ...readdirSync(join(REPO, 'examples', 'services')).map((f) => ({
    file: 'services/api.yaml' as const,
    text: readFileSync(join(REPO, 'examples', 'services', f), 'utf8'),
  })),
  ...readdirSync(join(REPO, 'jobs')).map((f) => ({
    file: 'jobs/report.yaml' as const,
    text: readFileSync(join(REPO, 'jobs', f), 'utf8'),
  })),
];

/** Text mutations: YAML that no longer parses, keys misspelt, values of the wrong kind, lines lost or repeated. */
const mutation = fc.oneof(
  fc.record({ kind: fc.constant('delete-line' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('repeat-line' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('indent' as const), at: fc.nat(), by: fc.integer({ min: -4, max: 4 }) }),
  fc.record({
    kind: fc.constant('insert' as const),
    at: fc.nat(),
    text: fc.oneof(
      fc.string({ maxLength: 12 }),
      fc.constantFrom(
        ': ',
        '- ',
        '[',
        ']',
        '{',
        '}',
        '&a ',
        '*a',
        '<<: *a',
        '!!binary',
        '"',
        "'",
        '#',
        '\t',
        '?',
        '|',
        '>',
        '~',
        '%YAML 1.1',
      ),
    ),
  }),
  fc.record({
    kind: fc.constant('value' as const),
    at: fc.nat(),
    value: fc.oneof(
      fc.jsonValue({ maxDepth: 2 }).map((v) => JSON.stringify(v)),
      fc.constantFrom('', 'null', 'yes', '0x1F', '1e400', '-1', '1.5', '.inf', '2026-01-01', 'true'),
    ),
  }),
);
type Mutation = typeof mutation extends fc.Arbitrary<infer T> ? T : never;

function mutate(text: string, ms: readonly Mutation[]): string {
  const lines = text.split('\n');
  for (const m of ms) {
    const i = m.at % Math.max(lines.length, 1);
    const line = lines[i] ?? '';
    if (m.kind === 'delete-line') lines.splice(i, 1);
    else if (m.kind === 'repeat-line') lines.splice(i, 0, line);
    else if (m.kind === 'indent')
      lines[i] =
        m.by >= 0 ? ' '.repeat(m.by) + line : line.slice(Math.min(-m.by, line.length - line.trimStart().length));
    else if (m.kind === 'insert') {
      const at = line.length === 0 ? 0 : m.at % (line.length + 1);
      lines[i] = line.slice(0, at) + m.text + line.slice(at);
    } else {
      const colon = line.indexOf(': ');
      lines[i] = colon === -1 ? `${line} ${m.value}` : `${line.slice(0, colon + 2)}${m.value}`;
    }
  }
  return lines.join('\n');
}

describe('the configuration loader under random input', () => {
  it('random YAML documents in any project file: loaded or refused with file:line, never a crash', () => {
    const value = fc.oneof(
      fc.jsonValue({ maxDepth: 4 }),
      fc.dictionary(
        fc.constantFrom(
          'image',
          'port',
          'http',
          'cluster',
          'project',
          'region',
          'deployment',
          'scaling',
          'environments',
          'sidecars',
          'secrets',
          'volumes',
          'schedule',
          'adopt',
          'account',
        ),
        fc.jsonValue({ maxDepth: 3 }),
      ),
    );
    fc.assert(
      fc.property(fc.constantFrom(...FILES), value, (file, doc) => {
        expect(withFile(file, stringify(doc))).toBeUndefined();
      }),
      { numRuns: RUNS },
    );
  }, 120_000);

  it('random text in any project file: the same', () => {
    fc.assert(
      fc.property(fc.constantFrom(...FILES), fc.string({ maxLength: 200, unit: 'binary' }), (file, text) => {
        expect(withFile(file, text)).toBeUndefined();
      }),
      { numRuns: RUNS },
    );
  }, 120_000);

  it('random mutations of the real project files: the same', () => {
    fc.assert(
      fc.property(fc.constantFrom(...REAL), fc.array(mutation, { minLength: 1, maxLength: 4 }), (real, ms) => {
        expect(withFile(real.file, mutate(real.text, ms))).toBeUndefined();
      }),
      { numRuns: RUNS * 2 },
    );
  }, 180_000);
});
