import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const Groups = require('./sequencer.js') as new (o: object) => { sort(t: unknown[]): Promise<Array<{ path: string }>> };

describe('test order (test/setup/sequencer.js)', () => {
  const cache = mkdtempSync(join(tmpdir(), 'ecsdeploy-seq-'));
  afterAll(() => rmSync(cache, { recursive: true, force: true }));
  const root = join(__dirname, '..');
  const test = (rel: string, size: number) => ({
    path: join(root, rel),
    context: { config: { cacheDirectory: cache, id: 'seq' }, hasteFS: { getSize: () => size } },
  });

  it('starts files with their own environment first, files on the shared one next, short files last', async () => {
    const ordered = await new Groups({ contexts: [], globalConfig: {} }).sort([
      test('cli/usage.test.ts', 9_000),
      test('e2e/service-deploy.test.ts', 8_000),
      test('e2e/accounts.test.ts', 1_000),
      test('e2e/dev-environment.test.ts', 6_000),
      test('faults/engine.test.ts', 500),
      test('e2e/jobs.test.ts', 7_000),
    ]);
    expect(ordered.map((t) => t.path.slice(root.length + 1))).toEqual([
      'e2e/accounts.test.ts',
      'faults/engine.test.ts',
      'e2e/service-deploy.test.ts',
      'e2e/jobs.test.ts',
      'e2e/dev-environment.test.ts',
      'cli/usage.test.ts',
    ]);
  });
});
