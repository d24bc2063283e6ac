/**
 * Large builds go to worker threads (compiled code only, hence through dist/): the output is the
 * same as a build in one thread.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const REPO = join(__dirname, '..', '..');
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { generate } = require('../../bench/generate.js') as {
  generate: (dir: string, envs: number, services: number) => string;
};

/** Runs synthesize from dist/ in a child process: the stacks' names and resource counts and how many were reused, or the error. */
function synthIn(
  project: string,
  out: string,
  options: string,
): { stacks?: Array<[string, number]>; reused?: number; error?: string } {
  return JSON.parse(
    execFileSync(
      process.execPath,
      [
        '-e',
        `
      const { loadProject } = require(${JSON.stringify(join(REPO, 'dist/src/config/load'))});
      const { synthesize } = require(${JSON.stringify(join(REPO, 'dist/src/synth'))});
      const p = loadProject(${JSON.stringify(project)});
      try {
        const r = synthesize(p, p.environments, { outDir: ${JSON.stringify(out)}, ...${options} });
        console.log(JSON.stringify({ stacks: r.map((s) => [s.name, s.resources]), reused: r.filter((s) => s.cached).length }));
      } catch (err) {
        console.log(JSON.stringify({ error: err.message }));
      }
    `,
      ],
      { encoding: 'utf8', timeout: 100_000 },
    ),
  ) as { stacks?: Array<[string, number]>; reused?: number; error?: string };
}

/** Every stack folder of `b` has the same cdk.tf.json in `a`, byte for byte. */
function expectSameStacks(a: string, b: string): void {
  for (const name of readdirSync(join(b, 'stacks'))) {
    expect({ name, json: readFileSync(join(a, 'stacks', name, 'cdk.tf.json'), 'utf8') }).toEqual({
      name,
      json: readFileSync(join(b, 'stacks', name, 'cdk.tf.json'), 'utf8'),
    });
  }
}

it('synthesizing 2 x 60 stacks in worker threads writes what one thread writes', () => {
  const work = mkdtempSync(join(tmpdir(), 'ecsdeploy-workers-'));
  try {
    const project = generate(join(work, 'project'), 2, 60);
    const a = join(work, 'a');
    const b = join(work, 'b');
    const threads = synthIn(project, a, '{ workers: 2, cache: false }');
    const single = synthIn(project, b, '{ workers: 1, cache: false }');
    expect(threads.stacks).toEqual(single.stacks);
    expect(threads.stacks).toHaveLength(1 + 2 * 61);
    expectSameStacks(a, b);
    expect(readFileSync(join(a, 'manifest.json'), 'utf8')).toBe(readFileSync(join(b, 'manifest.json'), 'utf8'));
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}, 120_000);

it('with an index in the folder, the stacks that changed still go to the workers, and match one thread', () => {
  const work = mkdtempSync(join(tmpdir(), 'ecsdeploy-workers-'));
  try {
    const project = generate(join(work, 'project'), 2, 60);
    const a = join(work, 'a');
    const b = join(work, 'b');
    expect(synthIn(project, a, '{ workers: 2 }').stacks).toHaveLength(123);
    // Every service stack changes; the registry and the clusters do not.
    for (const file of readdirSync(join(project, 'services'))) {
      const path = join(project, 'services', file);
      writeFileSync(path, readFileSync(path, 'utf8').replace('LOG_LEVEL: info', 'LOG_LEVEL: debug'));
    }
    const threads = synthIn(project, a, '{ workers: 2 }');
    const single = synthIn(project, b, '{ workers: 1, cache: false }');
    expect(threads.error).toBeUndefined();
    expect(threads.reused).toBe(3);
    expect(threads.stacks).toEqual(single.stacks);
    expectSameStacks(a, b);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}, 120_000);

it('a worker that fails fails the synth with its error, without waiting for a timeout', () => {
  const work = mkdtempSync(join(tmpdir(), 'ecsdeploy-workers-'));
  try {
    const project = generate(join(work, 'project'), 1, 60);
    const out = join(work, 'out');
    // A file where a stack's folder goes: cdktf sees it exists, and writing cdk.tf.json into it fails.
    mkdirSync(join(out, 'stacks'), { recursive: true });
    writeFileSync(join(out, 'stacks', 'env0-svc7'), 'not a folder');
    const started = Date.now();
    const r = synthIn(project, out, '{ workers: 2, cache: false }');
    expect(r.stacks).toBeUndefined();
    expect(r.error).toMatch(/ENOTDIR.*env0-svc7/);
    expect(Date.now() - started).toBeLessThan(60_000);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}, 120_000);
