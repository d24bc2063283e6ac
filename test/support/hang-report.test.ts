/**
 * What an end-to-end CLI call that runs too long prints (test/e2e/support.ts, hangReport): its
 * processes, each with its command line, and the last lines of its own run log, so a hang in CI says
 * where it is before the test times out.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hangReport } from '../e2e/support';

it("names the CLI's processes and shows the end of its own run log, not another run's", async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ecsdeploy-hang-'));
  // A "CLI" with a child of its own, as ecsdeploy has terraform.
  const cli = spawn('sh', ['-c', 'sleep 31 & wait'], { stdio: 'ignore', detached: true });
  try {
    const logs = join(dir, '.ecsdeploy', 'logs');
    mkdirSync(logs, { recursive: true });
    const lines = Array.from({ length: 50 }, (_, i) => `line ${i + 1}`);
    writeFileSync(join(logs, `20261207T100000Z-destroy-dev-${cli.pid}.log`), `${lines.join('\n')}\n`);
    writeFileSync(join(logs, `20261207T090000Z-apply-dev-1.log`), 'another run\n');
    // The child is up once /proc shows it.
    const deadline = Date.now() + 5000;
    let report = '';
    const sleeping = /^\d+ \S sleep 31$/m;
    while (Date.now() < deadline && !sleeping.test(report)) {
      await new Promise((r) => setTimeout(r, 50));
      report = hangReport(cli.pid!, ['destroy', '--env', 'dev'], dir, 421);
    }
    expect(report).toMatch(new RegExp(`^ecsdeploy destroy --env dev \\(pid ${cli.pid}\\) still runs after 421 s`));
    expect(report).toMatch(new RegExp(`^${cli.pid} \\S sh -c sleep 31 & wait$`, 'm'));
    expect(report).toMatch(sleeping);
    expect(report).toContain('the last 40 of 50 lines of');
    expect(report).toContain('line 11\n');
    expect(report).not.toContain('line 10\n');
    expect(report.endsWith('line 50')).toBe(true);
    expect(report).not.toContain('another run');
  } finally {
    process.kill(-cli.pid!, 'SIGKILL'); // and its sleep
    rmSync(dir, { recursive: true, force: true });
  }
});
