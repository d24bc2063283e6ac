/**
 * Saved plans live in `.ecsdeploy/runs/<operation>-<env>-XXXX/`, removed by the run at its end. A
 * run killed with SIGKILL cannot remove its own: the next run removes the folders whose process is
 * gone from this host, and leaves those of running processes, of other hosts and of unknown owners.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { newRunFolder } from '../../src/ops/infra/runner';

let runs: string;
beforeEach(() => {
  runs = join(mkdtempSync(join(tmpdir(), 'ecsdeploy-runs-')), 'runs');
});
afterEach(() => rmSync(join(runs, '..'), { recursive: true, force: true }));

function folder(name: string, owner?: unknown): string {
  const dir = join(runs, name);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'dev-orders.tfplan'), 'plan');
  if (owner !== undefined) writeFileSync(join(dir, 'process.json'), JSON.stringify(owner));
  return dir;
}

test('a new run folder names its process, and the folders of gone processes of this host are removed', () => {
  const gone = spawnSync(process.execPath, ['-e', '']).pid!;
  const killed = folder('apply-dev-killed', { host: hostname(), pid: gone });
  const running = folder('apply-dev-running', { host: hostname(), pid: process.pid });
  const elsewhere = folder('apply-dev-elsewhere', { host: `not-${hostname()}`, pid: gone });
  const unknown = folder('apply-dev-unknown');

  const dir = newRunFolder(runs, 'plan-dev-');
  expect(JSON.parse(readFileSync(join(dir, 'process.json'), 'utf8'))).toEqual({ host: hostname(), pid: process.pid });
  expect(existsSync(killed)).toBe(false);
  expect([running, elsewhere, unknown].every(existsSync)).toBe(true);
  expect(readdirSync(runs).sort()).toEqual(
    ['apply-dev-elsewhere', 'apply-dev-running', 'apply-dev-unknown', dir.slice(runs.length + 1)].sort(),
  );
});
