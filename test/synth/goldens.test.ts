/**
 * Golden files of the synthesized stacks of the bundled project and of examples/: every
 * cdk.tf.json as synth writes it, kept in test/synth/goldens/<project>/<stack>.tf.json, so that a
 * change to what we synthesize shows as a reviewable diff in a pull request. The property tests
 * beside this one say what must hold; these say exactly what changed.
 *
 * After an intended change: `UPDATE_GOLDENS=1 npx jest test/synth/goldens.test.ts`, then read the
 * diff (`git diff test/synth/goldens`) before committing it. (CONTRIBUTING.md, "Goldens".)
 */
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadProject } from '../../src/config/load';
import { synthesize } from '../../src/synth';
import { PROJECT_ENTRIES, REPO } from '../support/example-project';

const GOLDENS = join(__dirname, 'goldens');
const UPDATE = process.env['UPDATE_GOLDENS'] === '1';

/**
 * Synthesizes a copy of the project, laid out as a user's repository (the output in cdktf.out
 * inside it), so that the relative paths in the JSON (the local state files) do not depend on
 * where the test runs.
 */
function synthesized(source: string): Map<string, string> {
  const root = mkdtempSync(join(tmpdir(), 'ecsdeploy-goldens-'));
  try {
    for (const entry of PROJECT_ENTRIES)
      if (existsSync(join(source, entry))) cpSync(join(source, entry), join(root, entry), { recursive: true });
    const project = loadProject(root);
    const out = join(root, 'cdktf.out');
    const stacks = synthesize(project, project.environments, { outDir: out, cache: false, workers: 1 });
    return new Map(stacks.map((s) => [s.name, readFileSync(join(out, 'stacks', s.name, 'cdk.tf.json'), 'utf8')]));
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

/** The first line that differs, for the message (the whole diff is `git diff` after an update). */
function firstDifference(golden: string, now: string): string {
  const a = golden.split('\n');
  const b = now.split('\n');
  const i = a.findIndex((line, k) => line !== b[k]);
  const at = i === -1 ? a.length : i;
  return `line ${at + 1}: golden ${JSON.stringify(a[at] ?? '(end)')}, now ${JSON.stringify(b[at] ?? '(end)')}`;
}

describe.each([
  ['bundled', REPO],
  ['examples', join(REPO, 'examples')],
])('the %s project', (name, source) => {
  it('synthesizes exactly its golden files', () => {
    const dir = join(GOLDENS, name);
    const now = synthesized(source);
    if (UPDATE) {
      rmSync(dir, { recursive: true, force: true });
      mkdirSync(dir, { recursive: true });
      for (const [stack, text] of now) writeFileSync(join(dir, `${stack}.tf.json`), text);
    }
    const golden = new Map(
      existsSync(dir)
        ? readdirSync(dir).map((f) => [f.replace(/\.tf\.json$/, ''), readFileSync(join(dir, f), 'utf8')])
        : [],
    );
    const problems: string[] = [];
    for (const [stack, text] of now) {
      const g = golden.get(stack);
      if (g === undefined) problems.push(`${stack}: no golden file`);
      else if (g !== text) problems.push(`${stack}: differs at ${firstDifference(g, text)}`);
    }
    for (const stack of golden.keys())
      if (!now.has(stack)) problems.push(`${stack}: golden file of a stack synth no longer writes`);
    if (problems.length > 0)
      problems.push(
        `If the change is intended: UPDATE_GOLDENS=1 npx jest test/synth/goldens.test.ts, then review git diff test/synth/goldens/${name}`,
      );
    expect(problems).toEqual([]);
    expect(now.size).toBeGreaterThan(2);
  }, 120_000);
});
