/** The synth cache: unchanged stacks are reused, changed ones rebuilt, and the output is the same either way. */
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadProject } from '../../src/config/load';
import { synthesize } from '../../src/synth';
import { STACK_INDEX_FILE } from '../../src/synth/cache';
import { projectWith } from '../config/fixture-project';

function snapshot(out: string, names: string[]): Record<string, string> {
  return Object.fromEntries([
    ...names.map((n) => [n, readFileSync(join(out, 'stacks', n, 'cdk.tf.json'), 'utf8')]),
    ['manifest', readFileSync(join(out, 'manifest.json'), 'utf8')],
  ]);
}

describe('synth cache', () => {
  const p = projectWith({ 'services/worker.yaml': 'image:\n  tag: "2.0.0"\ncommand: [work]\n' });
  const out = mkdtempSync(join(tmpdir(), 'ecsdeploy-cache-'));
  const fresh = mkdtempSync(join(tmpdir(), 'ecsdeploy-fresh-'));
  afterAll(() => {
    p.cleanup();
    rmSync(out, { recursive: true, force: true });
    rmSync(fresh, { recursive: true, force: true });
  });
  const synth = (dir: string, cache = true) => {
    const project = loadProject(p.dir);
    return synthesize(project, project.environments, { outDir: dir, cache });
  };

  it('builds everything the first time and reuses everything the second time, byte for byte', () => {
    const first = synth(out);
    expect(first.map((s) => [s.name, s.cached])).toEqual([
      ['registry', false],
      ['dev-cluster', false],
      ['dev-api', false],
      ['dev-worker', false],
    ]);
    const before = snapshot(
      out,
      first.map((s) => s.name),
    );
    const second = synth(out);
    expect(second.every((s) => s.cached)).toBe(true);
    expect(second.map((s) => s.resources)).toEqual(first.map((s) => s.resources));
    expect(
      snapshot(
        out,
        second.map((s) => s.name),
      ),
    ).toEqual(before);
  });

  it('rebuilds only the stack whose inputs changed, with the same output as a fresh build', () => {
    writeFileSync(join(p.dir, 'services', 'worker.yaml'), 'image:\n  tag: "2.0.1"\ncommand: [work]\n');
    const third = synth(out);
    expect(third.filter((s) => !s.cached).map((s) => s.name)).toEqual(['dev-worker']);
    expect(readFileSync(join(out, 'stacks', 'dev-worker', 'cdk.tf.json'), 'utf8')).toContain(':2.0.1');
    const clean = synth(fresh, false);
    expect(clean.every((s) => !s.cached)).toBe(true);
    expect(
      snapshot(
        fresh,
        clean.map((s) => s.name),
      ),
    ).toEqual(
      snapshot(
        out,
        third.map((s) => s.name),
      ),
    );
  });

  it('rebuilds a stack whose JSON was deleted', () => {
    rmSync(join(out, 'stacks', 'dev-api', 'cdk.tf.json'));
    expect(
      synth(out)
        .filter((s) => !s.cached)
        .map((s) => s.name),
    ).toEqual(['dev-api']);
  });

  it('rebuilds a stack whose JSON was edited since it was written, and keeps the other stacks', () => {
    const file = join(out, 'stacks', 'dev-worker', 'cdk.tf.json');
    const written = readFileSync(file, 'utf8');
    writeFileSync(file, written.replace('"//"', '"//" '));
    const again = synth(out);
    expect(again.filter((s) => !s.cached).map((s) => s.name)).toEqual(['dev-worker']);
    expect(readFileSync(file, 'utf8')).toBe(written);
    expect(synth(out).every((s) => s.cached)).toBe(true);
  });

  it('keeps one index per output folder, not a file per stack, and a partial synth merges into it', () => {
    expect(existsSync(join(out, STACK_INDEX_FILE))).toBe(true);
    expect(readdirSync(join(out, 'stacks', 'dev-api')).sort()).toEqual(['cdk.tf.json']);
    const project = loadProject(p.dir);
    const one = synthesize(project, project.environments, { outDir: out, stacks: ['api'], cache: false });
    expect(one.map((s) => [s.name, s.cached])).toEqual([['dev-api', false]]);
    expect(synth(out).every((s) => s.cached)).toBe(true);
  });
});
