/**
 * plan, apply and destroy as users run them (the built binary), with a scripted engine
 * (fake-engine.ts) in place of terraform, so exit codes and messages are checked in seconds; the
 * real engine against moto is test/e2e. Protects: exit 0 / 3 / 1 / 2 as documented, --yes
 * required where nobody can answer (before any engine command), a clear message for a missing or
 * crashing engine, plain progress lines on stderr, and JSON on stdout; the cluster stack is not
 * applied while `cluster roll` runs on its group, which is read through a fake Auto Scaling
 * endpoint (fake-autoscaling.ts).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MINIMAL, projectWith } from '../config/fixture-project';
import { startFakeAutoScaling, type FakeAutoScaling } from './fake-autoscaling';
import { ONE_BUCKET_PLAN, writeFakeEngine } from './fake-engine';

const REPO = join(__dirname, '..', '..');
const BIN = join(REPO, 'bin', 'run.js');

let project: ReturnType<typeof projectWith>;
let work: string;
let engine: string;
let calls: string;
let autoScaling: FakeAutoScaling;
let autoScalingDir: string;

beforeAll(async () => {
  if (!existsSync(join(REPO, 'dist', 'src', 'commands', 'apply.js')))
    throw new Error('dist/ is missing: run `npm run build` (npm test does it first)');
  autoScalingDir = mkdtempSync(join(tmpdir(), 'ecsdeploy-cli-asg-'));
  autoScaling = await startFakeAutoScaling(join(autoScalingDir, 'group.json'));
});
afterAll(() => {
  autoScaling?.stop();
  if (autoScalingDir) rmSync(autoScalingDir, { recursive: true, force: true });
});
beforeEach(() => {
  project = projectWith();
  work = mkdtempSync(join(tmpdir(), 'ecsdeploy-cli-engine-'));
  engine = writeFakeEngine(join(work, 'bin'));
  calls = join(work, 'calls.txt');
  writeFileSync(join(work, 'plan.json'), ONE_BUCKET_PLAN);
  autoScaling.setGroup(undefined); // the cluster stack was never applied: no group, no roll
});
afterEach(() => {
  project.cleanup();
  rmSync(work, { recursive: true, force: true });
});

function cli(args: string[], env: Record<string, string> = {}) {
  const r = spawnSync(process.execPath, [BIN, ...args, '-C', project.dir], {
    encoding: 'utf8',
    timeout: 60_000,
    env: {
      ...process.env,
      CI: '',
      NO_COLOR: '1',
      ECSDEPLOY_ENGINE: engine,
      FAKE_CALLS: calls,
      FAKE_SHOW: join(work, 'plan.json'),
      ...autoScaling.env(),
      ...env,
    },
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}
const engineCalls = () => (existsSync(calls) ? readFileSync(calls, 'utf8').trim().split('\n') : []);

describe('ecsdeploy plan', () => {
  it('no changes: exit 0, a table of stacks, progress as plain lines on stderr', () => {
    const r = cli(['plan', '--env', 'dev'], { FAKE_PLAN: 'none' });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^registry\s+0\s+0\s+0\s+0\s+no changes$/m);
    expect(r.stdout).toContain('No changes: the infrastructure matches the configuration.');
    expect(r.stderr).toMatch(
      /^\d\d:\d\d:\d\d plan dev: registry, dev-cluster, dev-api \(terraform 1\.11\.4; engine output in .*\.ecsdeploy\/logs\/.*plan-dev.*\.log\)$/m,
    );
    expect(r.stderr).toMatch(/^\d\d:\d\d:\d\d dev-api\s+plan: no changes$/m);
  });

  it('changes: exit 3; with --json the report on stdout, nothing else', () => {
    const r = cli(['plan', '--env', 'dev', '--json'], { FAKE_PLAN: 'changes' });
    expect(r.code).toBe(3);
    const report = JSON.parse(r.stdout) as {
      changes: boolean;
      stacks: Array<{ stack: string; status: string; summary?: { add: number } }>;
    };
    expect(report.changes).toBe(true);
    expect(report.stacks.map((s) => [s.stack, s.status])).toEqual([
      ['registry', 'planned'],
      ['dev-cluster', 'planned'],
      ['dev-api', 'deferred'],
    ]);
    expect(r.stderr).toBe('');
  });

  it('--format markdown: the plan as Markdown on stdout (for $GITHUB_STEP_SUMMARY), progress on stderr, exit 3 for changes', () => {
    const r = cli(['plan', '--env', 'dev', '--format', 'markdown'], { FAKE_PLAN: 'changes' });
    expect(r.code).toBe(3);
    expect(r.stdout).toMatch(
      /^### Plan for `dev`\n\nterraform 1\.11\.4\n\n\| Stack \| Add \| Change \| Replace \| Destroy \| \|\n\| --- \| ---: \| ---: \| ---: \| ---: \| --- \|\n\| `registry` \| \d+ \| \d+ \| /,
    );
    expect(r.stdout).toContain(
      '| `dev-api` | – | – | – | – | deferred: planned once registry, dev-cluster are applied |',
    );
    expect(r.stdout).toContain('Deferred (planned once the stacks they read from are applied):');
    expect(r.stdout).toMatch(/\*\*3 of 3 stacks with changes\*\*\.\n$/);
    expect(r.stdout).not.toMatch(/^\d\d:\d\d:\d\d /m);
    expect(r.stderr).toMatch(/^\d\d:\d\d:\d\d plan dev: /m);
  });

  it('--format markdown with --json is a usage error (exit 2)', () => {
    const r = cli(['plan', '--env', 'dev', '--format', 'markdown', '--json'], { FAKE_PLAN: 'none' });
    expect(r.code).toBe(2);
    expect(r.stdout + r.stderr).toMatch(/--format.*cannot also be provided when using --json|--json.*--format/);
  });

  it('an engine crash: exit 1, a message naming the stack and the log file, no stack trace', () => {
    const r = cli(['plan', '--env', 'dev', '--stack', 'cluster'], { FAKE_PLAN: 'crash' });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('Error: terraform crashed during plan of stack dev-cluster: it exited with code 2.');
    const log = /Full engine output: (\S+\.log)/.exec(r.stderr)![1]!;
    expect(readFileSync(log, 'utf8')).toContain('panic: runtime error');
    expect(r.stderr).not.toMatch(/\n\s+at .+\(.+:\d+:\d+\)/);
  });

  it('no engine: exit 1, saying what was looked for and how to install or point at one', () => {
    const r = cli(['plan', '--env', 'dev'], { ECSDEPLOY_ENGINE: '', PATH: join(work, 'empty') });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('No Terraform engine found: looked for `terraform` and `tofu` on PATH');
    expect(r.stderr).toContain('Try this: Install Terraform 1.6 or later');
    expect(r.stderr).toContain('ECSDEPLOY_ENGINE=/path/to/tofu');
  });

  it('a bad --lock-timeout is a usage error (exit 2)', () => {
    const r = cli(['plan', '--env', 'dev', '--lock-timeout', 'soon']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--lock-timeout soon: not a duration.');
  });
});

describe('ecsdeploy apply', () => {
  it('without --yes where nobody can answer: exit 2 before any engine command', () => {
    const r = cli(['apply', '--env', 'dev']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('apply asks for confirmation, and nobody can answer here (no terminal): pass --yes.');
    expect(engineCalls()).toEqual([]);
    expect(cli(['apply', '--env', 'dev'], { CI: 'true' }).stderr).toContain('(CI is set)');
  });

  it('--yes in CI: shows the plans, applies in order, prints the outputs (sensitive ones masked)', () => {
    const r = cli(['apply', '--env', 'dev', '--yes'], { CI: 'true', FAKE_PLAN: 'changes' });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^Plan for dev \(terraform 1\.11\.4\):/m);
    expect(r.stdout).toContain('Planned now that the stacks they read from are applied (dev):');
    expect(r.stdout).toContain('Applied: registry, dev-cluster, dev-api.');
    expect(r.stdout).toMatch(/^ {4}token = \(sensitive\)$/m);
    const applies = engineCalls()
      .filter((l) => / apply /.test(l))
      .map((l) => l.split(' ')[0]);
    expect(applies).toEqual(['registry', 'dev-cluster', 'dev-api']);
  });
});

describe('during a cluster roll (the ecsdeploy:roll tag on acme-dev-ecs)', () => {
  const started = new Date(Date.now() - 20 * 60_000).toISOString();
  beforeEach(() =>
    autoScaling.setGroup({
      name: 'acme-dev-ecs',
      tags: { 'Name': 'acme-dev-ecs', 'ecsdeploy:roll': `min=1,max=2,desired=1,started=${started}` },
    }),
  );
  const noStackTrace = (text: string) => expect(text).not.toMatch(/\n\s+at .+\(.+:\d+:\d+\)/);

  it('apply: exit 1 before any plan, saying since when, and to let the roll finish or resume it', () => {
    const r = cli(['apply', '--env', 'dev', '--yes'], { CI: 'true', FAKE_PLAN: 'changes' });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(
      `Error: A roll of dev's instances is in progress: \`ecsdeploy cluster roll\` started it ${started.replace('T', ' ').replace(/\.\d+Z$/, ' UTC')} (20 minutes ago), and acme-dev-ecs still carries its tag ecsdeploy:roll`,
    );
    expect(r.stderr).toContain('Try this: Let the roll finish, then apply again');
    expect(r.stderr).toContain('run `ecsdeploy cluster roll --env dev` to resume it to the end');
    noStackTrace(r.stderr);
    expect(engineCalls().filter((l) => / (plan|apply) /.test(l))).toEqual([]);
  });

  it('apply --json: the error as JSON, with its code', () => {
    const r = cli(['apply', '--env', 'dev', '--yes', '--json'], { CI: 'true' });
    expect(r.code).toBe(1);
    expect(JSON.parse(r.stdout)).toMatchObject({ error: { code: 'ECSDEPLOY_ROLL_IN_PROGRESS', exitCode: 1 } });
  });

  it('apply of a service stack alone goes on: it does not touch the group', () => {
    const r = cli(['apply', '--env', 'dev', '--stack', 'api', '--yes'], { CI: 'true', FAKE_PLAN: 'changes' });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Applied: dev-api.');
  });

  it('plan: plans as usual (exit 3 for changes) and warns under the plan', () => {
    const r = cli(['plan', '--env', 'dev'], { FAKE_PLAN: 'changes' });
    expect(r.code).toBe(3);
    expect(r.stdout).toMatch(
      /^Warning: A roll of dev's instances is in progress \(`ecsdeploy cluster roll` started it .*\); .* apply refuses dev-cluster until the roll has finished/m,
    );
  });

  it('AWS cannot be reached to check: apply fails (exit 1) before any plan, saying so', () => {
    const r = cli(['apply', '--env', 'dev', '--yes'], {
      CI: 'true',
      AWS_ACCESS_KEY_ID: '',
      AWS_SECRET_ACCESS_KEY: '',
      AWS_SHARED_CREDENTIALS_FILE: join(work, 'none'),
      AWS_CONFIG_FILE: join(work, 'none'),
      AWS_PROFILE: '',
    });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(
      "Error: Could not check whether `ecsdeploy cluster roll` is running on acme-dev-ecs (dev's Auto Scaling group), so dev-cluster is not applied: AWS refused the credentials",
    );
    noStackTrace(r.stderr);
    expect(engineCalls().filter((l) => / (plan|apply) /.test(l))).toEqual([]);
  });
});

describe('ecsdeploy destroy', () => {
  it('a protected environment is refused (exit 2) naming --force and --confirm-env', () => {
    project.cleanup();
    project = projectWith({
      'environments/dev.yaml': `protected: true\n${readFileSync(join(MINIMAL, 'environments', 'dev.yaml'), 'utf8')}`,
    });
    const r = cli(['destroy', '--env', 'dev', '--yes']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(
      "Error: Environment 'dev' is protected (protected: true in environments/dev.yaml): destroy refuses it.",
    );
    expect(r.stderr).toContain('--confirm-env dev');
    const forced = cli(['destroy', '--env', 'dev', '--yes', '--force'], { FAKE_PLAN: 'none' });
    expect(forced.code).toBe(2);
    expect(forced.stderr).toContain('nobody can type its name here: pass --confirm-env dev');
    expect(
      cli(['destroy', '--env', 'dev', '--yes', '--force', '--confirm-env', 'dev'], { FAKE_PLAN: 'none' }).code,
    ).toBe(0);
  });

  it('keeps the registry and says so', () => {
    const r = cli(['destroy', '--env', 'dev', '--yes'], { FAKE_PLAN: 'changes' });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Destroyed: dev-api, dev-cluster.');
    expect(r.stdout).toContain(
      'Kept: registry (shared by every environment of the project; destroy it with --stack registry).',
    );
    expect(engineCalls().some((l) => l.startsWith('registry'))).toBe(false);
  });
});
