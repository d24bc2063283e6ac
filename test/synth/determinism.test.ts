/** Two synths of the same input are byte-identical: no timestamps, random ids or map-order noise. */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { synthProject } from './helpers';

function files(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (d: string) => {
    for (const name of readdirSync(d)) {
      const full = join(d, name);
      if (statSync(full).isDirectory()) walk(full);
      else out.set(relative(dir, full), readFileSync(full, 'utf8'));
    }
  };
  walk(dir);
  return out;
}

it('two synths of the bundled examples write the same files, byte for byte', () => {
  const a = synthProject();
  const b = synthProject();
  try {
    const root = (s: typeof a) => join(s.stacks[0]!.dir, '..', '..');
    const fa = files(root(a));
    const fb = files(root(b));
    expect([...fa.keys()].sort()).toEqual([...fb.keys()].sort());
    expect(fa.size).toBeGreaterThanOrEqual(9);
    for (const [name, text] of fa) {
      // the local-backend paths are relative to each output folder; both folders sit side by side
      expect(fb.get(name)).toBe(text);
    }
  } finally {
    a.cleanup();
    b.cleanup();
  }
});
