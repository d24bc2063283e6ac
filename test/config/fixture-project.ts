/** Test helper: a copy of test/fixtures/minimal in a temp folder, with files replaced or added. */
import { cpSync, mkdtempSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

export const MINIMAL = join(__dirname, '..', 'fixtures', 'minimal');

export function projectWith(files: Record<string, string> = {}, base = MINIMAL): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'ecsdeploy-test-'));
  cpSync(base, dir, { recursive: true });
  for (const [file, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, file)), { recursive: true });
    writeFileSync(join(dir, file), text);
  }
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** An invalid-fixture file: `# file: PATH` and `# expect: PROBLEM` header lines, then the YAML. */
export function parseFixture(text: string): { file: string; expect: string[]; body: string } {
  const lines = text.split('\n');
  const header = lines.filter((l) => l.startsWith('# file:') || l.startsWith('# expect:'));
  const body = lines.filter((l) => !(l.startsWith('# file:') || l.startsWith('# expect:'))).join('\n');
  const file = header
    .find((l) => l.startsWith('# file:'))
    ?.slice('# file:'.length)
    .trim();
  if (!file) throw new Error('fixture without a "# file:" line');
  return {
    file,
    expect: header.filter((l) => l.startsWith('# expect:')).map((l) => l.slice('# expect:'.length).trim()),
    body,
  };
}
