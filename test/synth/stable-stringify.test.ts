/**
 * src/synth/stable-stringify.ts replaces json-stable-stringify inside the cdktf bundle; its output
 * must be the library's, byte for byte, or synthesized stacks would change with the build.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import stableStringify from '../../src/synth/stable-stringify';
import { loadProject } from '../../src/config/load';
import { synthesize } from '../../src/synth';

// The library cdktf itself uses (a dependency of cdktf, not of ours).
// eslint-disable-next-line @typescript-eslint/no-require-imports
const library = require(require.resolve('json-stable-stringify', { paths: [require.resolve('cdktf')] })) as (
  value: unknown,
  opts?: { space?: string | number },
) => string | undefined;

const REPO = join(__dirname, '..', '..');

const VALUES: unknown[] = [
  {},
  [],
  { a: [], b: {}, c: [{}], d: [[]] },
  { 'b': 1, 'a': 2, 'A': 3, '_': 4, '10': 5, '9': 6, 'é': 7, 'a b': 8, '"q"': 9 },
  { nested: { deeper: { list: [1, 'two', null, true, false, 1.5, -0, 1e21] } } },
  { skip: undefined, fn: () => 1, keep: null, sym: Symbol('s') },
  [undefined, () => 1, Symbol('x'), 1],
  { date: new Date(0), custom: { toJSON: () => ({ z: 1, a: 2 }) } },
  'just a string',
  42,
  null,
  undefined,
  { unicode: '\u2028\u2029\u0000 "quoted" \\ \n', emoji: '🙂' },
  { big: Array.from({ length: 50 }, (_, i) => ({ [`k${50 - i}`]: i })) },
];

describe('stable-stringify (the faster json-stable-stringify in the cdktf bundle)', () => {
  it.each(VALUES.map((v, i) => [i, v]))(
    'value #%i is written exactly as json-stable-stringify writes it',
    (_i, value) => {
      for (const space of [2, '  ', '\t', 0, ''])
        expect(stableStringify(value, { space })).toBe(library(value, { space }));
      expect(stableStringify(value)).toBe(library(value));
    },
  );

  it('every stack of the bundled examples is written exactly as json-stable-stringify writes it', () => {
    const out = mkdtempSync(join(tmpdir(), 'stable-'));
    try {
      const project = loadProject(REPO);
      const stacks = synthesize(project, project.environments, { outDir: out, cache: false });
      expect(stacks.length).toBeGreaterThanOrEqual(9);
      for (const s of stacks) {
        const written = readFileSync(join(s.dir, 'cdk.tf.json'), 'utf8');
        const value = JSON.parse(written) as unknown;
        expect(stableStringify(value, { space: 2 })).toBe(library(value, { space: 2 }));
        expect(stableStringify(value, { space: 2 })).toBe(written);
      }
      expect(readdirSync(out)).toContain('manifest.json');
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });

  it('a cycle is an error, as in the library', () => {
    const cyclic: Record<string, unknown> = { a: 1 };
    cyclic['self'] = cyclic;
    expect(() => stableStringify(cyclic, { space: 2 })).toThrow(/circular/);
  });

  it('refuses options it does not implement rather than ignore them', () => {
    expect(() => stableStringify({}, { space: 2, cycles: true } as never)).toThrow(/only \{ space \}/);
  });
});
