/**
 * Large builds go to worker threads (compiled code only, hence through dist/): the output is the
 * same as a build in one thread.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const REPO = join(__dirname, '..', '..');
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { generate } = require('../../bench/generate.js') as { generate: (dir: string, envs: number, services: number) => string };

it('synthesizing 2 x 60 stacks in worker threads writes what one thread writes', () => {
  const work = mkdtempSync(join(tmpdir(), 'ecsdeploy-workers-'));
  try {
    const project = generate(join(work, 'project'), 2, 60);
    const run = (out: string, workers: number) =>
      JSON.parse(
        execFileSync(process.execPath, ['-e', `
          const { loadProject } = require(${JSON.stringify(join(REPO, 'dist/src/config/load'))});
          const { synthesize } = require(${JSON.stringify(join(REPO, 'dist/src/synth'))});
          const p = loadProject(${JSON.stringify(project)});
          const r = synthesize(p, p.environments, { outDir: ${JSON.stringify(out)}, workers: ${workers}, cache: false });
          console.log(JSON.stringify(r.map((s) => [s.name, s.resources])));
        `], { encoding: 'utf8' }),
      ) as Array<[string, number]>;
    const a = join(work, 'a');
    const b = join(work, 'b');
    const threads = run(a, 2);
    const single = run(b, 1);
    expect(threads).toEqual(single);
    expect(threads).toHaveLength(1 + 2 * 61);
    for (const name of readdirSync(join(a, 'stacks'))) {
      expect(readFileSync(join(a, 'stacks', name, 'cdk.tf.json'), 'utf8')).toBe(readFileSync(join(b, 'stacks', name, 'cdk.tf.json'), 'utf8'));
    }
    expect(readFileSync(join(a, 'manifest.json'), 'utf8')).toBe(readFileSync(join(b, 'manifest.json'), 'utf8'));
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}, 120_000);
