/**
 * `ecsdeploy import task-definition` and `import service` as users run the built binary: exit
 * codes, the table and the file, --json, and one-paragraph errors without stack traces.
 * (Build first: `flock -x /tmp/<worktree>.dist.lock npm run build`.)
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { projectWith } from '../config/fixture-project';

const REPO = join(__dirname, '..', '..');
const BIN = join(REPO, 'bin', 'run.js');
const INPUT = join(__dirname, 'task-definition', 'fargate-web-firelens', 'input.json');

function cli(args: string[], cwd: string) {
  const r = spawnSync(process.execPath, [BIN, ...args], {
    cwd,
    encoding: 'utf8',
    env: {
      ...process.env,
      NO_COLOR: '1',
      AWS_ENDPOINT_URL: 'http://127.0.0.1:9',
      AWS_ACCESS_KEY_ID: 'test',
      AWS_SECRET_ACCESS_KEY: 'test',
    },
    timeout: 60_000,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}
const noStack = (text: string) => expect(text).not.toMatch(/\n\s+at .+\(.+:\d+:\d+\)/);

beforeAll(() => {
  if (!existsSync(join(REPO, 'dist', 'bundle', 'cli.js'))) throw new Error('dist/ is missing: run `npm run build`');
});

describe('ecsdeploy import task-definition', () => {
  let project: { dir: string; cleanup: () => void };
  beforeEach(() => {
    project = projectWith();
  });
  afterEach(() => project.cleanup());

  it('writes the file, prints the table and the next step, exit 0', () => {
    const r = cli(['import', 'task-definition', INPUT], project.dir);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^mapped \(\d+\)$/m);
    expect(r.stdout).toMatch(
      /^approximated \(1\)\n  containerDefinitions\[log_router\]\.name  sidecars\.log-router  renamed/m,
    );
    expect(r.stdout).toContain('Wrote services/storefront.yaml.');
    expect(r.stdout).toContain('Next:\n  1. Review services/storefront.yaml, then: ecsdeploy plan --env ENV');
    expect(readFileSync(join(project.dir, 'services', 'storefront.yaml'), 'utf8')).toMatch(
      /^# yaml-language-server: \$schema=\.\.\/schemas\/service\.schema\.json\n/,
    );
    expect(cli(['config', 'validate'], project.dir).code).toBe(0);
  });

  it('keeps an existing file without --force: exit 2, one paragraph', () => {
    writeFileSync(join(project.dir, 'services', 'storefront.yaml'), '# mine\n');
    const r = cli(['import', 'task-definition', INPUT], project.dir);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(
      'Error: services/storefront.yaml exists; it was not changed\nTry this: Give --force to overwrite it, --name for another file, or --dry-run to print the import.\n',
    );
    expect(readFileSync(join(project.dir, 'services', 'storefront.yaml'), 'utf8')).toBe('# mine\n');
    expect(cli(['import', 'task-definition', INPUT, '--force'], project.dir).code).toBe(0);
  });

  it('--dry-run prints the file and writes nothing; --json is the result as data', () => {
    const dry = cli(['import', 'task-definition', INPUT, '--dry-run', '--name', 'shop'], project.dir);
    expect(dry.code).toBe(0);
    expect(dry.stdout).toContain('--dry-run: services/shop.yaml was not written. It would hold:');
    expect(dry.stdout).toContain('containerName: storefront');
    expect(existsSync(join(project.dir, 'services', 'shop.yaml'))).toBe(false);
    const json = cli(['import', 'task-definition', INPUT, '--json'], project.dir);
    expect(json.code).toBe(0);
    const result = JSON.parse(json.stdout) as {
      file: string;
      written: boolean;
      rows: Array<{ field: string; status: string }>;
      content: string;
    };
    expect(result).toMatchObject({ file: 'services/storefront.yaml', written: true });
    expect(result.rows).toContainEqual({
      field: 'executionRoleArn',
      status: 'replaced',
      becomes: "ecsdeploy's derived execution role",
      note: expect.any(String),
    });
    expect(readFileSync(join(project.dir, 'services', 'storefront.yaml'), 'utf8')).toBe(result.content);
  });

  it('bad input: exit 2, the file and JSON path named, no stack', () => {
    writeFileSync(join(project.dir, 'td.json'), JSON.stringify({ containerDefinitions: [{ name: 'web' }] }));
    const r = cli(['import', 'task-definition', 'td.json'], project.dir);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(
      'Error: td.json is not a task definition ECS accepts:\n  $.containerDefinitions[0].image: Invalid input: expected string, received undefined\n',
    );
    noStack(r.stderr);
    const json = cli(['import', 'task-definition', 'td.json', '--json'], project.dir);
    expect(json.code).toBe(2);
    expect(JSON.parse(json.stdout)).toMatchObject({ error: { code: 'ECSDEPLOY_USAGE', exitCode: 2 } });
  });

  it('an ARN without --env, and import service without its flags, are usage errors', () => {
    const r = cli(
      ['import', 'task-definition', 'arn:aws:ecs:eu-west-1:123456789012:task-definition/web:1'],
      project.dir,
    );
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^Error: reading arn:aws:ecs:eu-west-1:123456789012:task-definition\/web:1 needs --env/);
    const s = cli(['import', 'service', '--cluster', 'c', '--env', 'dev'], project.dir);
    expect(s.code).toBe(2);
    expect(s.stderr).toMatch(/^Error: Missing required flag --service/);
    noStack(s.stderr);
  });

  it('import service with AWS unreachable: exit 1, says so', () => {
    const r = cli(['import', 'service', '--cluster', 'c', '--service', 's', '--env', 'dev'], project.dir);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('Reading the ECS service c/s (us-east-1)');
    expect(r.stderr).toMatch(/Error: Could not reach AWS while reading the ECS service c\/s/);
    noStack(r.stderr);
  });
});
