/** The synth fast path keys on every input, including the released images (a Map). */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { synthProject } from '../../src/ops/project';
import { projectWith } from '../config/fixture-project';

it('a new released image is not hidden by the fast path', () => {
  const p = projectWith();
  const out = mkdtempSync(join(tmpdir(), 'ecsdeploy-fastpath-'));
  try {
    const digest = (c: string) => `sha256:${c.repeat(64)}`;
    const synth = (d: string) =>
      synthProject(p.dir, ['dev'], { outDir: out, images: new Map([['dev', new Map([['api', digest(d)]])]]) });
    synth('a');
    expect(synth('a').stacks.every((s) => s.cached)).toBe(true);
    const third = synth('b');
    expect(third.stacks.filter((s) => !s.cached).map((s) => s.name)).toEqual(['dev-api']);
    expect(readFileSync(join(out, 'stacks', 'dev-api', 'cdk.tf.json'), 'utf8')).toContain(digest('b'));
  } finally {
    p.cleanup();
    rmSync(out, { recursive: true, force: true });
  }
});
