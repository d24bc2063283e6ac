/**
 * Usage errors through the built binary, on a copy of the bundled project: oclif's parse errors
 * (a missing, unknown or invalid flag or argument) come out in ecsdeploy's format (`Error:` and
 * `Try this:` on stderr, or `{"error": ...}` on stdout under --json), exit 2, with what could be
 * given; --help and --version are untouched. And the environment defaults as the CLI applies them:
 * no environment and no default, a protected default refused for a change, an unknown name, and
 * the three commands of the README's first lines getting past their arguments without AWS.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { copyExampleProject } from '../support/example-project';

const REPO = join(__dirname, '..', '..');
const BIN = join(REPO, 'bin', 'run.js');

let dir: string;

function cli(args: string[], env: Record<string, string> = {}, project = dir) {
  const r = spawnSync(process.execPath, [BIN, ...args, '-C', project], {
    encoding: 'utf8',
    // No terminal, as in CI: commands that would ask say so instead.
    env: {
      ...process.env,
      CI: 'true',
      NO_COLOR: '1',
      ECSDEPLOY_ENV: '',
      AWS_ACCESS_KEY_ID: '',
      AWS_SECRET_ACCESS_KEY: '',
      AWS_PROFILE: '',
      ...env,
    },
    timeout: 60_000,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** ecsdeploy's own error format: `Error:` first, `Try this:` lines, never oclif's `›` or its help pointer, no stack. */
function ecsdeployFormat(stderr: string) {
  expect(stderr).toMatch(/^Error: /);
  expect(stderr).not.toContain('›');
  expect(stderr).not.toContain('See more help with --help');
  expect(stderr).not.toContain('The following error occurred');
  expect(stderr).not.toMatch(/\n\s+at .+:\d+:\d+/);
}

function copy(edit?: (projectYaml: string) => string): string {
  const d = mkdtempSync(join(tmpdir(), 'ecsdeploy-usage-'));
  copyExampleProject(d);
  if (edit) writeFileSync(join(d, 'ecsdeploy.yaml'), edit(readFileSync(join(d, 'ecsdeploy.yaml'), 'utf8')));
  return d;
}

beforeAll(() => {
  if (!existsSync(join(REPO, 'dist', 'bundle', 'cli.js')))
    throw new Error('dist/ is missing: run `npm run build` (npm test does it first)');
  dir = copy();
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("oclif's parse errors, rendered by ecsdeploy (exit 2)", () => {
  it.each([
    [
      ['service', 'deploy'],
      'Error: Missing argument SERVICE: Service to deploy (a file services/<name>.yaml).',
      'Try this: Services: orders, payments, web.',
    ],
    [
      ['service', 'deploy', 'orders', '--imag', '1.4.3'],
      'Error: Nonexistent flag: --imag.',
      'Try this: Did you mean --image?',
    ],
    [
      ['cluster', 'roll', '--strategy', 'fast'],
      'Error: Expected --strategy=fast to be one of: drain, instance-refresh',
      'Try this: --strategy: one of drain, instance-refresh.',
    ],
    [
      ['cluster', 'roll', '--surge', '-1'],
      'Error: --surge: Expected an integer greater than or equal to 0 but received: -1',
      'Try this: See `ecsdeploy cluster roll --help` for every flag, with examples.',
    ],
    [
      ['service', 'status', 'orders', 'extra'],
      'Error: Unexpected argument: extra: ecsdeploy service status takes only SERVICE.',
      'Try this: See `ecsdeploy service status --help`',
    ],
    [
      ['service', 'promote', 'orders', '--to', 'prod'],
      'Error: Missing required flag --from: Environment whose latest completed release is promoted.',
      'Try this: Environments: dev, prod.',
    ],
    [
      ['env', 'create'],
      'Error: Missing argument NAME: Name of the new environment (DNS label, at most 24 characters).',
      'Try this: See `ecsdeploy env create --help`',
    ],
    [
      ['plan', '--env'],
      'Error: Flag --env expects a value',
      'Try this: Environments: dev, prod. Pass --env NAME or set defaultEnvironment.',
    ],
  ])('%j', (args, message, suggestion) => {
    const r = cli(args);
    expect(r.code).toBe(2);
    ecsdeployFormat(r.stderr);
    expect(r.stderr.split('\n')[0]).toBe(message);
    expect(r.stderr).toContain(suggestion);
    expect(r.stderr.trimEnd()).toMatch(/Try this: See `ecsdeploy [a-z ]+ --help` for every flag, with examples\.$/);
    expect(r.stdout).toBe('');
  });

  it('--json: the error as JSON on stdout, nothing on stderr', () => {
    const missing = cli(['service', 'deploy', '--json']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toBe('');
    expect(JSON.parse(missing.stdout)).toEqual({
      error: {
        code: 'ECSDEPLOY_USAGE',
        exitCode: 2,
        message: 'Missing argument SERVICE: Service to deploy (a file services/<name>.yaml).',
        suggestions: [
          'Services: orders, payments, web.',
          'See `ecsdeploy service deploy --help` for every flag, with examples.',
        ],
      },
    });
    const unknown = cli(['cluster', 'roll', '--batchh', '2', '--json']);
    expect(unknown.code).toBe(2);
    expect(JSON.parse(unknown.stdout)).toMatchObject({
      error: {
        code: 'ECSDEPLOY_USAGE',
        exitCode: 2,
        message: 'Nonexistent flag: --batchh.',
        suggestions: ['Did you mean --batch?', expect.any(String)],
      },
    });
  });

  it('--help and --version are as before (exit 0)', () => {
    const help = cli(['service', 'deploy', '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('USAGE');
    expect(help.stdout).toMatch(/-e, --env=NAME\s+Environment to deploy to\./);
    const version = cli(['--version']);
    expect(version.code).toBe(0);
    expect(version.stdout).toMatch(/^ecsdeploy\/\d+\.\d+\.\d+ /);
  });
});

describe('the environment of a command without --env', () => {
  it('no --env, no ECSDEPLOY_ENV, no defaultEnvironment and two environments: exit 2 with the list (text and --json)', () => {
    const bare = copy((t) => t.replace(/^defaultEnvironment:.*\n/m, ''));
    try {
      const r = cli(['plan'], {}, bare);
      expect(r.code).toBe(2);
      ecsdeployFormat(r.stderr);
      expect(r.stderr).toBe(
        'Error: plan needs an environment: --env is not given, and this project has 2 environments and no default.\nTry this: Environments: dev, prod. Pass --env NAME or set defaultEnvironment.\n',
      );
      const j = cli(['cluster', 'status', '--json'], {}, bare);
      expect(j.code).toBe(2);
      expect(JSON.parse(j.stdout)).toEqual({
        error: {
          code: 'ECSDEPLOY_USAGE',
          exitCode: 2,
          message:
            'cluster status needs an environment: --env is not given, and this project has 2 environments and no default.',
          suggestions: ['Environments: dev, prod. Pass --env NAME or set defaultEnvironment.'],
        },
      });
    } finally {
      rmSync(bare, { recursive: true, force: true });
    }
  });

  it('a protected default (ECSDEPLOY_ENV=prod, or defaultEnvironment: prod) is refused by a command that changes it, before anything is done', () => {
    for (const [args, env, project] of [
      [['apply', '--yes'], { ECSDEPLOY_ENV: 'prod' }, dir],
      [['cluster', 'roll', '--yes'], {}, copy((t) => t.replace('defaultEnvironment: dev', 'defaultEnvironment: prod'))],
      [['service', 'deploy', 'orders'], { ECSDEPLOY_ENV: 'prod' }, dir],
    ] as const) {
      const r = cli([...args], env, project);
      expect(r.code).toBe(2);
      ecsdeployFormat(r.stderr);
      expect(r.stderr).toContain(
        `Error: ${args.slice(0, args[0] === 'apply' ? 1 : 2).join(' ')} changes environment 'prod', which is protected (protected: true in environments/prod.yaml), and --env was not typed`,
      );
      expect(r.stderr).toContain('Try this: Type it to work on it: ecsdeploy');
      expect(existsSync(join(project, 'cdktf.out'))).toBe(false);
      if (project !== dir) rmSync(project, { recursive: true, force: true });
    }
  });

  it('an unknown environment, typed or from ECSDEPLOY_ENV: did you mean, and the list', () => {
    const typed = cli(['cluster', 'roll', '--env', 'prd']);
    expect(typed.code).toBe(2);
    expect(typed.stderr).toContain("Error: --env prd: no environment 'prd'; did you mean 'prod'?");
    expect(typed.stderr).toContain('Try this: Environments: dev, prod. Pass --env NAME or set defaultEnvironment.');
    const fromEnv = cli(['service', 'status', 'orders', '--json'], { ECSDEPLOY_ENV: 'devv' });
    expect(fromEnv.code).toBe(2);
    expect(JSON.parse(fromEnv.stdout)).toMatchObject({
      error: {
        exitCode: 2,
        message: expect.stringContaining("ECSDEPLOY_ENV=devv: no environment 'devv'; did you mean 'dev'?"),
      },
    });
  });

  it('the three first commands get past their arguments as typed; where nobody can answer, they say what they would do and ask for --yes', () => {
    const create = cli(['env', 'create', 'feature-x']);
    expect(create.code).toBe(2);
    expect(create.stderr).toBe(
      'Base environment: dev (ephemeral.defaultBase in ecsdeploy.yaml; --from NAME for another)\nError: env create asks for confirmation, and nobody can answer here (CI is set): pass --yes.\nTry this: Review with `ecsdeploy plan` first, then run `ecsdeploy env create ... --yes`.\n',
    );
    const roll = cli(['cluster', 'roll']);
    expect(roll.code).toBe(2);
    expect(roll.stderr).toBe(
      'Environment: dev (defaultEnvironment in ecsdeploy.yaml; --env NAME for another)\nError: cluster roll asks for confirmation, and nobody can answer here (CI is set): pass --yes.\nTry this: See the plan first with `ecsdeploy cluster roll --env dev --dry-run`, then run it with --yes.\n',
    );
    // No credentials here: it got as far as looking up image.tag 1.4.2 of services/orders.yaml in ECR.
    const deploy = cli(['service', 'deploy', 'orders', '--env', 'prod'], {
      AWS_ENDPOINT_URL: 'http://127.0.0.1:9',
      AWS_EC2_METADATA_DISABLED: 'true',
    });
    expect(deploy.code).toBe(1);
    expect(deploy.stderr).not.toContain('Missing required flag');
    expect(deploy.stderr).toMatch(/Error: .*ECR repository shop\/orders/);
  });

  it("--help shows the three commands as the README's first lines type them", () => {
    expect(cli(['env', 'create', '--help']).stdout).toMatch(/^\s+\$ ecsdeploy env create feature-x$/m);
    expect(cli(['service', 'deploy', '--help']).stdout).toMatch(/^\s+\$ ecsdeploy service deploy orders --env prod$/m);
    expect(cli(['cluster', 'roll', '--help']).stdout).toMatch(/^\s+\$ ecsdeploy cluster roll$/m);
    const readme = readFileSync(join(REPO, 'README.md'), 'utf8');
    for (const line of [
      'ecsdeploy env create feature-x ',
      'ecsdeploy service deploy orders --env prod ',
      'ecsdeploy cluster roll ',
    ])
      expect(readme).toContain(`\n${line}`);
  });
});
