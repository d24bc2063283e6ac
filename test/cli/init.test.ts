/**
 * `ecsdeploy init` through the built binary: --yes in an empty folder and then `config validate`
 * and `synth` with no edit, --json, refusing to overwrite, the answer nobody can give without a
 * terminal, and the questions asked and answered on a real pseudo-terminal (util-linux `script`).
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const REPO = join(__dirname, '..', '..');
const BIN = join(REPO, 'bin', 'run.js');
const BASE_ENV = {
  ...process.env,
  NO_COLOR: '1',
  ECSDEPLOY_DIR: '',
  ECSDEPLOY_ENV: '',
  AWS_REGION: '',
  AWS_DEFAULT_REGION: '',
};

function cli(args: string[], cwd: string, env: Record<string, string> = {}) {
  const r = spawnSync(process.execPath, [BIN, ...args], {
    cwd,
    encoding: 'utf8',
    env: { ...BASE_ENV, CI: 'true', ...env },
    timeout: 120_000,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const noStack = (text: string) => expect(text).not.toMatch(/\n\s+at .+:\d+:\d+/);

let root: string;
let dir: string;
beforeAll(() => {
  if (!existsSync(join(REPO, 'dist', 'bundle', 'cli.js')))
    throw new Error('dist/ is missing: run `npm run build` (npm test does it first)');
});
beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'ecsdeploy-init-cli-'));
  dir = join(root, 'billing-api');
  mkdirSync(dir);
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

describe('ecsdeploy init --yes', () => {
  it('writes a project that config validate and synth take with no edit', () => {
    writeFileSync(join(dir, 'Dockerfile'), 'FROM node:20-slim\nEXPOSE 3000\nCMD ["node", "server.js"]\n');
    const r = cli(['init', '--yes'], dir);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`A new ecsdeploy project in ${dir}:`);
    expect(r.stdout).toMatch(/^ {2}created {2}services\/billing-api\.yaml$/m);
    expect(r.stdout).toContain('npx ecsdeploy synth');
    expect(readFileSync(join(dir, 'services', 'billing-api.yaml'), 'utf8')).toMatch(/^port: 3000 /m);

    const validate = cli(['config', 'validate'], dir);
    expect(validate.code).toBe(0);
    expect(validate.stdout).toBe('dev: billing-api\nThe configuration is valid.\n');
    const synth = cli(['synth'], dir);
    expect(synth.code).toBe(0);
    expect(synth.stdout).toMatch(/^dev-billing-api\s+\d+\s+cdktf\.out\/stacks\/dev-billing-api\/cdk\.tf\.json$/m);
    expect(synth.stdout).toContain('3 stacks written.');
  });

  it('--json prints the answers and the files, and -C names the folder', () => {
    const r = cli(
      [
        'init',
        '--yes',
        '--json',
        '-C',
        'billing-api',
        '--prod',
        '--region',
        'us-east-2',
        '--image',
        'ghcr.io/acme/billing:2.3.1',
      ],
      root,
    );
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout) as {
      dir: string;
      answers: Record<string, unknown>;
      files: Array<{ path: string; action: string }>;
      schemas: string;
    };
    expect(out.dir).toBe(dir);
    expect(out.answers).toMatchObject({
      project: 'billing-api',
      region: 'us-east-2',
      prod: true,
      service: { name: 'billing-api', image: { repository: 'ghcr.io/acme/billing', tag: '2.3.1' } },
    });
    expect(out.files.map((f) => f.path)).toEqual([
      'ecsdeploy.yaml',
      'environments/dev.yaml',
      'environments/prod.yaml',
      'services/billing-api.yaml',
      'schemas/project.schema.json',
      'schemas/environment.schema.json',
      'schemas/service.schema.json',
      'schemas/job.schema.json',
      '.gitignore',
    ]);
    expect(out.schemas).toBe('schemas');
    expect(cli(['config', 'validate', '-C', dir], root).stdout).toBe(
      'dev: billing-api\nprod: billing-api\nThe configuration is valid.\n',
    );
  });

  it('refuses to replace what exists (exit 2, nothing written) unless --force', () => {
    writeFileSync(join(dir, 'ecsdeploy.yaml'), 'project: mine\nregion: eu-west-1\n');
    const r = cli(['init', '--yes'], dir);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(
      `Error: init would replace a file that exists in ${dir}: ecsdeploy.yaml. Nothing was written.\nTry this: Pass --force to replace them, or move them away first; \`ecsdeploy config validate\` checks a project that is already there.\n`,
    );
    expect(existsSync(join(dir, 'environments'))).toBe(false);
    expect(cli(['init', '--yes', '--force'], dir).code).toBe(0);
    expect(readFileSync(join(dir, 'ecsdeploy.yaml'), 'utf8')).toContain('project: billing-api');
  });

  it('bad answers as flags are usage errors naming the flag (exit 2)', () => {
    const port = cli(['init', '--yes', '--port', 'http'], dir);
    expect(port.code).toBe(2);
    expect(port.stderr.split('\n')[0]).toBe('Error: --port http: must be a port number.');
    noStack(port.stderr);
    const launch = cli(['init', '--yes', '--launch-type', 'lambda'], dir);
    expect(launch.code).toBe(2);
    expect(launch.stderr.split('\n')[0]).toBe('Error: Expected --launch-type=lambda to be one of: fargate, ec2');
    expect(existsSync(join(dir, 'ecsdeploy.yaml'))).toBe(false);
  });
});

describe('ecsdeploy init with nobody to answer', () => {
  it('without --yes it stops at once (exit 2) naming the first open question; it never waits', () => {
    const r = cli(['init', '--project', 'billing'], dir);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(
      'Error: init asks questions, and there is no terminal to ask on (stdin is not a terminal, or CI is set); the first unanswered one: AWS region? (--region).\n' +
        'Try this: Pass --yes to take the defaults (shown by `ecsdeploy init --help`), and flags for the answers you want otherwise.\n',
    );
    expect(existsSync(join(dir, 'ecsdeploy.yaml'))).toBe(false);
  });

  it('--help says so, with every flag and the exit codes', () => {
    const r = cli(['init', '--help'], dir);
    expect(r.code).toBe(0);
    expect(r.stdout.replace(/\s+/g, ' ')).toContain(
      'Where nobody can answer (stdin is not a terminal, or CI is set), init asks nothing: without --yes it stops with exit 2',
    );
    for (const flag of [
      '--project',
      '--region',
      '--state',
      '--state-bucket',
      '--[no-]prod',
      '--[no-]import-compose',
      '--service',
      '--image',
      '--port',
      '--launch-type',
      '--write-schemas',
      '--yes',
      '--force',
      '--json',
    ])
      expect(r.stdout).toContain(flag);
    expect(r.stdout).toContain('EXIT CODES');
  });
});

const scriptTool = spawnSync('script', ['--version'], { encoding: 'utf8' });
(scriptTool.status === 0 ? describe : describe.skip)('ecsdeploy init on a terminal', () => {
  /** Runs init in a pseudo-terminal, typing each answer when its question appears. */
  function onTerminal(
    args: string[],
    answers: ReadonlyArray<readonly [RegExp, string]>,
    first?: string,
  ): Promise<{ code: number | null; output: string }> {
    if (first !== undefined) answers = [[/Project name .*\] $/, first], ...answers];
    return new Promise((resolve, reject) => {
      const command = [process.execPath, BIN, ...args].map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(' ');
      const child = spawn('script', ['-qfec', command, '/dev/null'], {
        cwd: dir,
        env: { ...BASE_ENV, CI: '', TERM: 'dumb' },
      });
      let output = '';
      let next = 0;
      const timer = setTimeout(() => {
        child.kill('SIGKILL');
        reject(new Error(`no question matched ${String(answers[next]?.[0])}; the terminal showed:\n${output}`));
      }, 60_000);
      child.stdout.on('data', (chunk: Buffer) => {
        output += chunk.toString('utf8');
        const pending = answers[next];
        if (pending && pending[0].test(output.slice(output.lastIndexOf('\n', output.length - 2) + 1))) {
          next += 1;
          child.stdin.write(pending[1] === '\u0003' ? pending[1] : `${pending[1]}\r`);
        }
      });
      child.on('close', (code) => {
        clearTimeout(timer);
        resolve({ code, output });
      });
    });
  }

  it('asks each question with its default, says why an answer is refused, and writes the answers', async () => {
    writeFileSync(join(dir, 'Dockerfile'), 'FROM python:3.12\nEXPOSE 5000\n');
    const r = await onTerminal(
      ['init'],
      [
        [/Project name .*\[billing-api\] $/, 'billing'],
        [/AWS region\? \[eu-west-1\] $/, 'us-east-1'],
        [/\(local\/s3\) \[local\] $/, ''],
        [/prod\.yaml .*\(y\/n\) \[n\] $/, 'y'],
        [/Name of the first service .*\[billing-api\] $/, 'Api!'],
        [/Name of the first service .*\[billing-api\] $/, 'api'],
        [/Its image: .*billing\/api.*\[0\.1\.0\] $/, '1.0.0'],
        [/EXPOSEd by the Dockerfile\)\? \[5000\] $/, ''],
        [/\(fargate\/ec2\) \[fargate\] $/, ''],
      ],
    );
    expect(r.output).toContain("Api!: must start with a letter and use only lowercase letters, digits and '-'.");
    expect(r.output).toContain(`A new ecsdeploy project in ${dir}:`);
    expect(r.code).toBe(0);
    const service = readFileSync(join(dir, 'services', 'api.yaml'), 'utf8');
    expect(service).toMatch(/^ {2}tag: "1\.0\.0"/m);
    expect(service).toMatch(/^port: 5000 /m);
    expect(readFileSync(join(dir, 'ecsdeploy.yaml'), 'utf8')).toMatch(/^project: billing /m);
    expect(existsSync(join(dir, 'environments', 'prod.yaml'))).toBe(true);
    expect(cli(['config', 'validate'], dir).code).toBe(0);
  }, 90_000);

  it('answers pasted all at once are taken in order, none lost', async () => {
    const r = await onTerminal(
      ['init', '--json'],
      [
        [
          /Project name .*\[billing-api\] $/,
          ['shop', 'ap-south-1', 's3', 'shop-tf-state', 'n', 'web', '', '3000', 'ec2'].join('\r'),
        ],
      ],
    );
    expect(r.code).toBe(0);
    expect(readFileSync(join(dir, 'ecsdeploy.yaml'), 'utf8')).toMatch(
      /^project: shop .*\nregion: ap-south-1 [^]*\n {2}bucket: shop-tf-state\n/m,
    );
    const service = readFileSync(join(dir, 'services', 'web.yaml'), 'utf8');
    expect(service).toMatch(/^port: 3000 /m);
    expect(service).toMatch(/^launchType: ec2 /m);
    expect(existsSync(join(dir, 'environments', 'prod.yaml'))).toBe(false);
  }, 90_000);

  it('Ctrl-C at a question: exit 130, nothing written', async () => {
    const r = await onTerminal(['init'], [[/AWS region\? \[eu-west-1\] $/, '\u0003']], 'shop');
    expect(r.code).toBe(130);
    expect(r.output).toContain('Error: Interrupted: nothing was written.');
    expect(existsSync(join(dir, 'ecsdeploy.yaml'))).toBe(false);
  }, 90_000);
});
