/**
 * The configuration is read by js-yaml when the document is plain, by the `yaml` library otherwise
 * (src/config/yaml-file.ts). The invariant that makes this safe: whenever the fast reading accepts
 * a text, `yaml` reads it without an error or a warning, into the same data. Checked here on every
 * YAML file of the repository (examples, fixtures, bundled projects), a generated project, and
 * snippets chosen where YAML parsers are known to differ.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseDocument } from 'yaml';
import { plainData, YamlFile } from '../../src/config/yaml-file';

const REPO = join(__dirname, '..', '..');

function yamlFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    if (['node_modules', '.git', 'dist', 'cdktf.out', 'dist-bench'].includes(f) || f.startsWith('.')) return [];
    const full = join(dir, f);
    return statSync(full).isDirectory() ? yamlFiles(full) : /\.ya?ml$/.test(f) ? [full] : [];
  });
}

/** What `yaml` alone makes of a text: its data, or that it reports a problem. */
function yamlReading(text: string): { problems: true } | { problems: false; data: unknown } {
  const doc = parseDocument(text, { prettyErrors: false, uniqueKeys: true, strict: true });
  if (doc.errors.length > 0 || doc.warnings.length > 0) return { problems: true };
  try {
    return { problems: false, data: doc.toJS({ maxAliasCount: 100 }) ?? undefined };
  } catch {
    return { problems: true };
  }
}

function expectSameReading(text: string): boolean {
  const fast = plainData(text);
  if (fast === undefined) return false;
  const slow = yamlReading(text);
  expect({ text, problems: slow.problems }).toEqual({ text, problems: false });
  if (!slow.problems) expect({ text, data: fast.value }).toEqual({ text, data: slow.data });
  return true;
}

const SCALARS = [
  '0b1',
  '0x1F',
  '0X1F',
  '+0x1',
  '-0x1',
  '0o17',
  '0o8',
  '017',
  '08',
  '09.5',
  '+12',
  '-0',
  '1_000',
  '1e3',
  '1E3',
  '1.5e-3',
  '.5',
  '5.',
  '1.',
  '-.inf',
  '.Inf',
  '+.inf',
  '.NAN',
  '.nan',
  '.NaN',
  'True',
  'TRUE',
  'true',
  'tRUE',
  'yes',
  'on',
  'off',
  'No',
  'y',
  '~',
  'Null',
  'NULL',
  'null',
  'nULL',
  '',
  '2024-01-01',
  '2024-01-01T10:00:00Z',
  '12:30',
  '1:2:3',
  '9007199254740993',
  '1e400',
  '"x"',
  "'y'",
  '"\\u00e9"',
  "'it''s'",
  'x y',
  ' spaced ',
  '"multi\n  line"',
  '[1, 2]',
  '{a: 1}',
  '{}',
  '[]',
  '|\n  text\n',
  '>\n  folded\n  lines\n',
  '|-\n  strip\n',
  '>+\n  keep\n\n',
  '"tab\\tx"',
  '- a',
  'a # comment',
  "'#not comment'",
  'http://x:8080/y',
  '0 8 * * MON-FRI',
  '"*"',
  'a: b',
  '@at',
  '`tick',
];

const DOCUMENTS = [
  '',
  '# only a comment\n',
  '~\n',
  'key:\n',
  'a: 1\nb:\n  - x\n  - y: 2\n',
  '<<: {a: 1}\nb: 2\n',
  'a: 1\na: 2\n',
  '? complex\n: value\n',
  '? [a, b]\n: value\n',
  '1: one\n2: two\n',
  '~: nothing\n',
  'true: yes\n',
  '---\na: 1\n',
  '---\na: 1\n...\n',
  '---\na: 1\n---\nb: 2\n',
  '%YAML 1.2\n---\na: 1\n',
  '%YAML 1.1\n---\na: yes\n',
  'a: &x 1\nb: *x\n',
  'b: *x\n',
  'a: !!str 1\n',
  'a: !custom 1\n',
  'a:\n\t- tab\n',
  'a: [1, 2\n',
  'a: {b: 1, b: 2}\n',
  'a: "unterminated\n',
  'list:\n- a\n- b\n',
  '- top\n- level\n',
  'just a string\n',
  'a:\n  b:\n    c:\n      d: deep\n',
  'a: 1 # trailing\n# between\nb: 2\n',
  'a: "x" y\n',
  'a: b: c\n',
  'a:\n  - b\n  c: d\n',
  'key with spaces: 1\n',
  '"quoted key": 1\n',
  "'single': 1\n",
  'a: >\n  x\n\n  y\n',
  'a: [a, {b: c}, [d]]\n',
  'a: 1\n  b: 2\n',
  '\ufeffa: 1\n',
  'a: 1\r\nb: 2\r\n',
  'a:    \n  - 1\n',
  'env:\n  A: "1"\n  B: 2\n  C: true\n',
];

describe('reading YAML: js-yaml on plain documents, `yaml` on the rest', () => {
  it('every YAML file of the repository reads the same both ways (and most take the fast path)', () => {
    const files = yamlFiles(REPO);
    expect(files.length).toBeGreaterThan(30);
    let fast = 0;
    for (const f of files) if (expectSameReading(readFileSync(f, 'utf8'))) fast++;
    expect(fast).toBeGreaterThan(files.length / 2);
  });

  it('a generated project of 3 environments x 10 services reads the same both ways', () => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { generate } = require(join(REPO, 'bench', 'generate.js')) as {
      generate: (dir: string, envs: number, services: number) => string;
    };
    const dir = generate(mkdtempSync(join(tmpdir(), 'yaml-gen-')), 3, 10);
    try {
      const files = yamlFiles(dir);
      expect(files.length).toBeGreaterThanOrEqual(14);
      for (const f of files) expect(expectSameReading(readFileSync(f, 'utf8'))).toBe(true);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it.each(SCALARS)('scalar %j reads the same both ways, or is left to `yaml`', (scalar) => {
    expectSameReading(`k: ${scalar}\n`);
    expectSameReading(`list:\n  - ${scalar.replace(/\n/g, '\n  ')}\n`);
    expectSameReading(`{k: ${scalar.includes('\n') ? '1' : scalar}}\n`);
  });

  it.each(DOCUMENTS)('document %j reads the same both ways, or is left to `yaml`', (text) => {
    expectSameReading(text);
  });

  it('tags, anchors, aliases, directives, several documents and collection keys are left to `yaml`', () => {
    for (const text of [
      'a: !!str 1\n',
      'a: &x 1\nb: *x\n',
      '%YAML 1.2\n---\na: 1\n',
      '---\na: 1\n---\nb: 2\n',
      '? [a, b]\n: value\n',
      'a: 1\na: 2\n',
      'a: [1, 2\n',
    ]) {
      expect({ text, fast: plainData(text) }).toEqual({ text, fast: undefined });
    }
  });

  it('an alias without its anchor is a problem at the alias, not a crash', () => {
    const file = YamlFile.parse('a: 1\nb: *missing\n', 'services/x.yaml');
    expect(file.data).toBeUndefined();
    expect(file.syntaxProblems).toEqual([
      expect.objectContaining({
        file: 'services/x.yaml',
        line: 2,
        column: 4,
        message: expect.stringMatching(/^YAML: .*alias/i),
      }),
    ]);
  });

  it('a problem in a file read the fast way still names its line and column', () => {
    const file = YamlFile.parse('image:\n  tag: "1.0"\nport: 80\ncpu: lots\n', 'services/api.yaml');
    expect(file.syntaxProblems).toEqual([]);
    expect(file.problem({ path: ['cpu'], message: 'expected a number' })).toEqual({
      file: 'services/api.yaml',
      line: 4,
      column: 6,
      key: 'cpu',
      message: 'expected a number',
    });
    expect(file.problem({ path: ['cpu'], message: 'unknown key', atKey: true })).toMatchObject({ line: 4, column: 1 });
  });
});
