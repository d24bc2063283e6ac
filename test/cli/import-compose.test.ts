/**
 * `ecsdeploy import compose` through the built binary: the table and the files on a dry run, the
 * files written into a project that `config validate` then accepts, JSON, and the errors (a Compose
 * problem at its file:line, a bad flag, files that exist) with exit 2 and no stack.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { copyExampleProject } from '../support/example-project';

const REPO = join(__dirname, '..', '..');
const BIN = join(REPO, 'bin', 'run.js');
const CASES = join(REPO, 'test', 'adopt', 'compose');

function cli(args: string[], cwd: string) {
  const r = spawnSync(process.execPath, [BIN, ...args], {
    cwd,
    encoding: 'utf8',
    env: { ...process.env, CI: 'true', NO_COLOR: '1' },
    timeout: 60_000,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

let dir: string;
beforeAll(() => {
  if (!existsSync(join(REPO, 'dist', 'bundle', 'cli.js')))
    throw new Error('dist/ is missing: run `npm run build` (npm test does it first)');
});
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'ecsdeploy-import-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

test('--dry-run prints the files and the table, and writes nothing', () => {
  cpSync(join(CASES, 'sidecars', 'compose.yaml'), join(dir, 'compose.yaml'));
  const r = cli(
    ['import', 'compose', '--dry-run', '--sidecar', 'web=nginx', '--sidecar', 'migrate', '--expose', 'nginx:80'],
    dir,
  );
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  expect(r.stdout).toContain('--- services/web.yaml (from web, nginx, migrate; not written: --dry-run)');
  expect(r.stdout).toContain(
    readFileSync(join(CASES, 'sidecars', 'expected', 'services', 'web.yaml'), 'utf8').trimEnd(),
  );
  expect(r.stdout).toMatch(
    /^compose\.yaml:23 +nginx +depends_on\.web +mapped +sidecars\.nginx\.dependsOn +service_healthy → HEALTHY$/m,
  );
  expect(r.stdout).toContain('Would write services/web.yaml, services/redis.yaml.');
  expect(existsSync(join(dir, 'services'))).toBe(false);
});

test('writes service files that config validate accepts; files that exist need --force', () => {
  copyExampleProject(dir);
  cpSync(join(CASES, 'webapp-db-worker', 'compose.yaml'), join(dir, 'compose.yaml'));
  const r = cli(['import', 'compose', '--expose', 'web:8080', '--json'], dir);
  // The example project has services/web.yaml already.
  expect(r.code).toBe(2);
  expect(JSON.parse(r.stdout).error.message).toBe('services/web.yaml already exists; nothing was written.');
  expect(existsSync(join(dir, 'services', 'db.yaml'))).toBe(false);

  const forced = cli(['import', 'compose', '--expose', 'web:8080', '--force', '--json'], dir);
  expect(forced.code).toBe(0);
  const result = JSON.parse(forced.stdout) as {
    files: Array<{ path: string; written: boolean }>;
    rows: Array<{ status: string; file: string; line: number }>;
  };
  expect(result.files.map((f) => [f.path, f.written])).toEqual([
    ['services/web.yaml', true],
    ['services/worker.yaml', true],
    ['services/db.yaml', true],
  ]);
  expect(result.rows.every((row) => row.file === 'compose.yaml' && row.line > 0)).toBe(true);
  for (const f of ['web', 'worker', 'db']) {
    expect(readFileSync(join(dir, 'services', `${f}.yaml`), 'utf8')).toBe(
      readFileSync(join(CASES, 'webapp-db-worker', 'expected', 'services', `${f}.yaml`), 'utf8'),
    );
  }
  const validate = cli(['config', 'validate', '--json'], dir);
  expect(validate.stderr).toBe('');
  expect(validate.code).toBe(0);
  expect(JSON.parse(validate.stdout).valid).toBe(true);
});

test('a Compose problem names the file, line and key; exit 2, no stack', () => {
  writeFileSync(
    join(dir, 'docker-compose.yml'),
    'services:\n  web:\n    image: nginx:1.27\n    healthcheck:\n      intervl: 10s\n',
  );
  const r = cli(['import', 'compose'], dir);
  expect(r.code).toBe(2);
  expect(r.stderr).toBe(
    [
      'Error: The Compose input has 1 problem:',
      "  docker-compose.yml:5:7 services.web.healthcheck.intervl: unknown key 'intervl' under services.web.healthcheck (did you mean 'interval'?); extension fields start with x-",
      'Try this: Fix the Compose file at the lines named above, then import again.',
      '',
    ].join('\n'),
  );
});

test.each([
  [
    ['import', 'compose'],
    'Error: No Compose file in DIR: looked for compose.yaml, compose.yml, docker-compose.yaml, docker-compose.yml.',
  ],
  [['import', 'compose', '-f', 'nope.yaml'], 'Error: -f nope.yaml: file not found (relative to DIR).'],
])('%j: a usage error', (args, message) => {
  const r = cli(args, dir);
  expect(r.code).toBe(2);
  expect(r.stderr.split('\n')[0]).toBe(message.replace('DIR', dir));
});

test('bad flag values are usage errors', () => {
  writeFileSync(join(dir, 'compose.yaml'), 'services:\n  web:\n    image: nginx:1.27\n    ports: ["8080:80"]\n');
  expect(cli(['import', 'compose', '--expose', 'web'], dir).stderr).toMatch(
    /^Error: --expose web: expected SERVICE:PORT \(e\.g\. web:8080\)\.$/m,
  );
  expect(cli(['import', 'compose', '--expose', 'web:9999'], dir).stderr).toMatch(
    /^Error: --expose web:9999: 'web' neither publishes nor exposes port 9999 \(its ports: 8080:80\)\.$/m,
  );
  expect(cli(['import', 'compose', '--sidecar', 'web=cache'], dir).stderr).toMatch(
    /^Error: --sidecar web=cache: no Compose service 'cache' \(services: web\)\.$/m,
  );
  expect(cli(['import', 'compose', '--profile', 'debug'], dir).stderr).toMatch(
    /^Error: --profile debug: no service of the Compose files has this profile\.$/m,
  );
  expect(cli(['import', 'compose', '--efs', 'data=fs-0123456789abcdef0'], dir).stderr).toMatch(
    /^Error: --efs data=fs-0123456789abcdef0: no imported service mounts a named volume 'data'\.$/m,
  );
});

test('--help teaches: description, examples, exit codes; the import topic is listed', () => {
  const r = cli(['import', 'compose', '--help'], dir);
  expect(r.code).toBe(0);
  for (const part of ['--sidecar=MAIN=SIDECAR', '--expose=SERVICE:PORT', 'EXAMPLES', 'EXIT CODES', 'docs/adoption.md'])
    expect(r.stdout).toContain(part);
  expect(cli(['--help'], dir).stdout).toMatch(/import\s+Adopt what runs elsewhere/);
});
