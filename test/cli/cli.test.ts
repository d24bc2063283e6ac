/**
 * The built binary, as users run it: exit codes, messages, --json that parses, and no stack traces
 * for anything the user can fix. (`npm test` builds dist/ first.)
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { projectWith } from '../config/fixture-project';

const REPO = join(__dirname, '..', '..');
const BIN = join(REPO, 'bin', 'run.js');

function cli(args: string[], cwd = REPO, env: Record<string, string> = {}) {
  const r = spawnSync(process.execPath, [BIN, ...args], {
    cwd,
    encoding: 'utf8',
    env: { ...process.env, ...env, NO_COLOR: '1' },
    timeout: 60_000,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const noStack = (text: string) => expect(text).not.toMatch(/\n\s+at .+\(.+:\d+:\d+\)/);

beforeAll(() => {
  if (!existsSync(join(REPO, 'dist', 'src', 'commands', 'synth.js')))
    throw new Error('dist/ is missing: run `npm run build` (npm test does it first)');
});

describe('ecsdeploy synth', () => {
  let out: string;
  beforeAll(() => {
    out = mkdtempSync(join(tmpdir(), 'ecsdeploy-cli-'));
  });
  afterAll(() => rmSync(out, { recursive: true, force: true }));

  it('synthesizes the bundled examples and prints a table of stacks', () => {
    const r = cli(['synth', '--out', out]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^STACK\s+RESOURCES\s+PATH$/m);
    expect(r.stdout).toMatch(/^dev-orders\s+\d+\s+.*dev-orders\/cdk\.tf\.json$/m);
    expect(r.stdout).toMatch(/11 stacks written( \(\d+ unchanged since the last synth, reused\))?\./);
    expect(JSON.parse(readFileSync(join(out, 'stacks', 'prod-web', 'cdk.tf.json'), 'utf8'))).toHaveProperty('resource');
  });

  it('--json prints the stacks as data on stdout, nothing else', () => {
    const r = cli(['synth', '--env', 'dev', '--stack', 'orders', '--out', out, '--json']);
    expect(r.code).toBe(0);
    const data = JSON.parse(r.stdout) as { stacks: Array<{ name: string; resources: number; dependsOn: string[] }> };
    expect(data.stacks.map((s) => s.name)).toEqual(['dev-orders']);
    expect(data.stacks[0]!.resources).toBeGreaterThan(0);
  });

  it('an unknown environment is a usage error naming the known ones (exit 2)', () => {
    const r = cli(['synth', '--env', 'prd', '--out', out]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("no environment 'prd'; did you mean 'prod'?");
    expect(r.stderr).toContain('Known environments: dev, prod');
    noStack(r.stderr);
  });

  it('an unknown stack is a usage error (exit 2)', () => {
    const r = cli(['synth', '--env', 'dev', '--stack', 'order', '--out', out]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("--stack order: environment 'dev' has no such stack; did you mean 'orders'?");
    noStack(r.stderr);
  });

  it('an unknown flag is a usage error (exit 2)', () => {
    const r = cli(['synth', '--envv', 'dev']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/Nonexistent flag: --envv/);
    noStack(r.stderr);
  });
});

describe('ecsdeploy config validate', () => {
  it('accepts the bundled examples', () => {
    const r = cli(['config', 'validate']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('The configuration is valid.');
  });

  it('reports every problem with file:line:col and key, exit 2, no stack trace', () => {
    const p = projectWith({ 'services/api.yaml': 'image:\n  tag: "1"\ncount: -1\nlaunchTyp: ec2\n' });
    try {
      const r = cli(['config', 'validate', '--dir', p.dir]);
      expect(r.code).toBe(2);
      expect(r.stderr).toContain('The configuration has 2 problems:');
      expect(r.stderr).toContain('services/api.yaml:3:8 count: must be 0 or more (got number -1)');
      expect(r.stderr).toContain(
        "services/api.yaml:4:1 launchTyp: unknown key 'launchTyp'; did you mean 'launchType'?",
      );
      noStack(r.stderr);
      const json = cli(['config', 'validate', '--dir', p.dir, '--json']);
      expect(json.code).toBe(2);
      expect(JSON.parse(json.stdout)).toMatchObject({
        valid: false,
        problems: [{ file: 'services/api.yaml', line: 3, column: 8, key: 'count' }, { key: 'launchTyp' }],
      });
    } finally {
      p.cleanup();
    }
  });

  it('a folder without ecsdeploy.yaml says where to run (exit 2)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'ecsdeploy-empty-'));
    try {
      const r = cli(['config', 'validate'], dir);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/no ecsdeploy\.yaml in/);
      expect(r.stderr).toContain('--dir');
      noStack(r.stderr);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('ecsdeploy config schema', () => {
  it('prints the JSON Schema generated from the zod schemas, and the committed copies are current', () => {
    const r = cli(['config', 'schema', 'service']);
    expect(r.code).toBe(0);
    const schema = JSON.parse(r.stdout) as { properties: Record<string, unknown> };
    expect(Object.keys(schema.properties)).toEqual(
      expect.arrayContaining(['image', 'deployment', 'scaling', 'http', 'environments']),
    );
    for (const kind of ['project', 'environment', 'service', 'job']) {
      const printed = JSON.parse(cli(['config', 'schema', kind]).stdout);
      expect(JSON.parse(readFileSync(join(REPO, 'schemas', `${kind}.schema.json`), 'utf8'))).toEqual(printed);
    }
  });
});

describe('help', () => {
  it('teaches: summary, examples and exit codes for every command', () => {
    for (const cmd of [['synth'], ['config', 'validate']]) {
      const r = cli([...cmd, '--help']);
      expect(r.code).toBe(0);
      expect(r.stdout).toContain('EXAMPLES');
      expect(r.stdout).toContain('EXIT CODES');
    }
    const top = cli(['--help']);
    expect(top.stdout).toMatch(/synth\s+Synthesize/);
  });
});

describe('synth fast path', () => {
  it('reuses everything when no input changed, and rebuilds what changed', () => {
    const p = projectWith();
    const out = mkdtempSync(join(tmpdir(), 'ecsdeploy-fast-'));
    try {
      const json = (args: string[]) =>
        JSON.parse(cli(['synth', '--dir', p.dir, '--out', out, '--json', ...args]).stdout) as {
          stacks: Array<{ name: string; cached: boolean }>;
        };
      expect(json([]).stacks.every((s) => !s.cached)).toBe(true);
      expect(json([]).stacks.every((s) => s.cached)).toBe(true);
      const before = readFileSync(join(out, 'stacks', 'dev-api', 'cdk.tf.json'), 'utf8');
      writeFileSync(
        join(p.dir, 'services', 'api.yaml'),
        readFileSync(join(p.dir, 'services', 'api.yaml'), 'utf8').replace('1.0.0', '1.0.1'),
      );
      const third = json([]);
      expect(third.stacks.filter((s) => !s.cached).map((s) => s.name)).toEqual(['dev-api']);
      expect(readFileSync(join(out, 'stacks', 'dev-api', 'cdk.tf.json'), 'utf8')).not.toBe(before);
      rmSync(join(out, 'stacks', 'dev-cluster', 'cdk.tf.json'));
      expect(
        json([])
          .stacks.filter((s) => !s.cached)
          .map((s) => s.name),
      ).toEqual(['dev-cluster']);
      expect(json(['--no-cache']).stacks.every((s) => !s.cached)).toBe(true);
    } finally {
      p.cleanup();
      rmSync(out, { recursive: true, force: true });
    }
  });
});
