/** Two synths of the same input are byte-identical: no timestamps, random ids or map-order noise. */
import { join } from 'node:path';
import { readTree, synthProject } from './helpers';

it('two synths of the bundled examples write the same files, byte for byte', () => {
  const a = synthProject();
  const b = synthProject();
  try {
    const root = (s: typeof a) => join(s.stacks[0]!.dir, '..', '..');
    const fa = readTree(root(a));
    const fb = readTree(root(b));
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
