/**
 * The package as a team installs it: `npm pack` this worktree, install the tarball into a fresh
 * folder outside the repository, and run `npx ecsdeploy init --yes`, `config validate` and
 * `synth` there. Everything those need must be in the tarball (package.json `files`), and nothing
 * may assume this repository's layout. Takes a minute or two (npm).
 *
 * Where npm cannot reach its registry (and the dependencies are not in its cache), the test says
 * so and skips; in CI (CI set) that is a failure.
 */
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const REPO = join(__dirname, '..', '..');
const NETWORK = /\b(ENOTFOUND|EAI_AGAIN|ECONNREFUSED|ECONNRESET|ETIMEDOUT|ENETUNREACH|EHOSTUNREACH)\b/;
const CI = ['1', 'true'].includes((process.env['CI'] ?? '').toLowerCase());

// npm and npx here run outside any project: the caller's npm_* variables (npm test sets them) and
// ecsdeploy's own must not leak in.
const ENV: NodeJS.ProcessEnv = Object.fromEntries(
  Object.entries({
    ...process.env,
    CI: 'true',
    NO_COLOR: '1',
    ECSDEPLOY_DIR: '',
    ECSDEPLOY_ENV: '',
    AWS_REGION: '',
    AWS_DEFAULT_REGION: '',
  }).filter(([k]) => !k.toLowerCase().startsWith('npm_')),
);

function run(cmd: string, args: string[], cwd: string): SpawnSyncReturns<string> {
  return spawnSync(cmd, args, { cwd, env: ENV, encoding: 'utf8', timeout: 300_000 });
}

function ok(r: SpawnSyncReturns<string>, what: string): string {
  if (r.status !== 0) throw new Error(`${what} exited ${r.status ?? r.signal}:\n${r.stdout}\n${r.stderr}`);
  return r.stdout;
}

const npm = spawnSync('npm', ['--version'], { encoding: 'utf8' });

(npm.status === 0 ? describe : describe.skip)('the installed package (npm pack, npm i -D)', () => {
  let work: string;
  let project: string;
  let skipped: string | undefined;

  beforeAll(() => {
    if (!existsSync(join(REPO, 'dist', 'bundle', 'cli.js')))
      throw new Error('dist/ is missing: run `npm run build` (npm test does it first)');
    work = mkdtempSync(join(tmpdir(), 'ecsdeploy-pack-'));
    // --ignore-scripts: `prepare` would rebuild dist/ (deleting it under other tests); it is built.
    const packed = ok(run('npm', ['pack', '--ignore-scripts', '--pack-destination', work, REPO], work), 'npm pack');
    const tarball = join(work, packed.trim().split('\n').pop()!);
    project = join(work, 'payments-service');
    mkdirSync(project);
    ok(run('npm', ['init', '-y'], project), 'npm init -y');
    const install = run('npm', ['i', '-D', tarball, '--prefer-offline', '--no-audit', '--no-fund'], project);
    if (install.status !== 0 && NETWORK.test(install.stderr) && !CI) {
      skipped = `npm could not reach its registry: ${NETWORK.exec(install.stderr)![1]}`;
      console.warn(`pack-install skipped: ${skipped}`);
      return;
    }
    ok(install, 'npm i -D <tarball>');
  }, 600_000);
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  const npx = (...args: string[]) => run('npx', ['--no', 'ecsdeploy', ...args], project);

  it('the tarball is outside the repository, installed as a dev dependency', () => {
    if (skipped) return;
    expect(project.startsWith(REPO)).toBe(false);
    const pkg = JSON.parse(readFileSync(join(project, 'package.json'), 'utf8')) as {
      devDependencies: Record<string, string>;
    };
    expect(Object.keys(pkg.devDependencies)).toEqual(['ecsdeploy']);
    const installed = join(project, 'node_modules', 'ecsdeploy');
    expect(readdirSync(installed).sort()).toEqual(
      expect.arrayContaining(['bin', 'dist', 'package.json', 'schemas', 'stacks']),
    );
    // Whatever package.json points at is in the tarball.
    const manifest = JSON.parse(readFileSync(join(installed, 'package.json'), 'utf8')) as {
      main?: string;
      bin: Record<string, string>;
      oclif: { commands: { target: string } };
    };
    for (const file of [
      ...(manifest.main ? [manifest.main] : []),
      ...Object.values(manifest.bin),
      manifest.oclif.commands.target,
    ])
      expect([file, existsSync(join(installed, file))]).toEqual([file, true]);
    expect(
      ok(run(join(project, 'node_modules', '.bin', 'ecsdeploy'), ['--version'], project), 'ecsdeploy --version'),
    ).toMatch(/^ecsdeploy\/0\.1\.0 /);
  });

  it('npx ecsdeploy init --yes, then config validate and synth, each exit 0', () => {
    if (skipped) return;
    const init = ok(npx('init', '--yes'), 'npx ecsdeploy init --yes');
    expect(init).toMatch(/created +services\/payments-service\.yaml/);
    // Installed in the project: the files point at the installed package's schemas, none are copied.
    expect(init).toContain('$schema lines point at node_modules/ecsdeploy/schemas/');
    expect(existsSync(join(project, 'schemas'))).toBe(false);
    const header = readFileSync(join(project, 'services', 'payments-service.yaml'), 'utf8').split('\n')[0]!;
    expect(header).toBe('# yaml-language-server: $schema=../node_modules/ecsdeploy/schemas/service.schema.json');
    expect(existsSync(join(project, 'services', header.split('$schema=')[1]!))).toBe(true);
    expect(readFileSync(join(project, '.gitignore'), 'utf8')).toContain('.ecsdeploy/\ncdktf.out/\n');

    expect(ok(npx('config', 'validate'), 'npx ecsdeploy config validate')).toBe(
      'dev: payments-service\nThe configuration is valid.\n',
    );
    const synth = ok(npx('synth'), 'npx ecsdeploy synth');
    expect(synth).toContain('3 stacks written.');
    const stack = JSON.parse(
      readFileSync(join(project, 'cdktf.out', 'stacks', 'dev-payments-service', 'cdk.tf.json'), 'utf8'),
    ) as { resource: Record<string, unknown> };
    expect(Object.keys(stack.resource)).toEqual(expect.arrayContaining(['aws_ecs_service', 'aws_ecs_task_definition']));
  }, 300_000);

  it('init imports a compose file with what the installed package carries', () => {
    if (skipped) return;
    const other = join(work, 'shop');
    mkdirSync(other);
    writeFileSync(join(other, 'compose.yaml'), 'services:\n  web:\n    image: nginx:1.27\n    ports: ["8080:80"]\n');
    const bin = join(project, 'node_modules', '.bin', 'ecsdeploy');
    const init = ok(run(bin, ['init', '--yes', '-C', other], work), 'ecsdeploy init --yes (compose)');
    expect(init).toContain('Services imported from compose.yaml: services/web.yaml.');
    expect(ok(run(bin, ['config', 'validate', '-C', other], work), 'ecsdeploy config validate (compose)')).toBe(
      'dev: web\nThe configuration is valid.\n',
    );
    expect(ok(run(bin, ['synth', '-C', other], work), 'ecsdeploy synth (compose)')).toContain('3 stacks written.');
  }, 300_000);
});
