/**
 * The `env` commands as users run them (the built binary): exit codes, messages, --json that
 * parses, the human views. Nothing here needs an engine: the environments are records whose stacks
 * were never applied (what a create that failed early leaves), which `env destroy` removes without
 * running the engine. The engine itself is covered by test/e2e/env-lifecycle.test.ts.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { EphemeralRecord } from '../../src/config/ephemeral';
import {
  localRecordStore,
  type DestroyEnvironmentResult,
  type GcResult,
  type ListResult,
  type ShowResult,
} from '../../src/ops/environments';
import { lifecycleProject } from './helpers';

const REPO = join(__dirname, '..', '..');
const BIN = join(REPO, 'bin', 'run.js');

function cli(args: string[], dir: string, env: Record<string, string> = {}) {
  const r = spawnSync(process.execPath, [BIN, ...args, '-C', dir], {
    encoding: 'utf8',
    env: { ...process.env, CI: 'true', NO_COLOR: '1', ...env },
    timeout: 60_000,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const noStack = (text: string) => expect(text).not.toMatch(/\n\s+at .+\(.+:\d+:\d+\)/);

const HOUR = 3_600_000;
const record = (
  name: string,
  createdAgoHours: number,
  ttlHours: number,
  over: Partial<EphemeralRecord> = {},
): EphemeralRecord => {
  const created = Date.now() - createdAgoHours * HOUR;
  return {
    version: 1,
    name,
    base: 'dev',
    owner: 'alice',
    createdAt: new Date(created).toISOString(),
    expiresAt: new Date(created + ttlHours * HOUR).toISOString(),
    isolated: false,
    services: ['api', 'web'],
    slot: 0,
    images: {},
    status: 'failed',
    ...over,
  };
};

let project: { dir: string; cleanup: () => void };
const recordFile = (name: string) => join(project.dir, '.ecsdeploy', 'environments', `${name}.json`);

beforeAll(() => {
  if (!existsSync(join(REPO, 'dist', 'src', 'commands', 'env', 'list.js')))
    throw new Error('dist/ is missing: run `npm run build` (npm test does it first)');
});
beforeEach(async () => {
  project = lifecycleProject();
  const store = localRecordStore(join(project.dir, '.ecsdeploy', 'environments'), project.dir);
  await store.create(record('pr-1', 30, 24)); // expired 6h ago
  await store.create(record('pr-2', 1, 48.5, { slot: 1, status: 'ready', owner: 'bob' })); // half an hour of margin: the binary reads its own clock
});
afterEach(() => project.cleanup());

describe('ecsdeploy env list', () => {
  it('prints a table of permanent and on-demand environments, and says what gc would remove', () => {
    const r = cli(['env', 'list'], project.dir);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^NAME\s+KIND\s+BASE\s+OWNER\s+AGE\s+EXPIRES\s+SERVICES\s+STATUS$/m);
    expect(r.stdout).toMatch(/^prod\s+permanent\s+-\s+-\s+-\s+-\s+admin-api,api,web\s+protected$/m);
    expect(r.stdout).toMatch(/^pr-1\s+on demand\s+dev\s+alice\s+1d6h\s+6h ago \(expired\)\s+api,web\s+failed$/m);
    expect(r.stdout).toMatch(/^pr-2\s+on demand\s+dev\s+bob\s+1h\s+in 1d23h\s+api,web\s+ready$/m);
    expect(r.stdout).toContain('1 expired: `ecsdeploy env gc` destroys it.');
  });

  it('--json is the list as data', () => {
    const data = JSON.parse(cli(['env', 'list', '--json'], project.dir).stdout) as ListResult;
    expect(data.environments.map((e) => [e.name, e.kind, e.onDemand?.expired])).toEqual([
      ['dev', 'permanent', undefined],
      ['prod', 'permanent', undefined],
      ['pr-1', 'on-demand', true],
      ['pr-2', 'on-demand', false],
    ]);
  });
});

describe('ecsdeploy env show', () => {
  it('shows the stacks (none applied), the URL under the base domain and where each image comes from', () => {
    const r = cli(['env', 'show', 'pr-2'], project.dir);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^pr-2 {2}\(on demand, us-east-1\)$/m);
    expect(r.stdout).toMatch(/^dev-cluster\s+cluster \(shared, not destroyed with it\)\s+not applied$/m);
    expect(r.stdout).toMatch(/^ {2}web\s+https:\/\/pr-2\.dev\.acme\.example\/$/m);
    expect(r.stdout).toMatch(/^api\s+1\.0\.0\s+configuration$/m);
    const data = JSON.parse(cli(['env', 'show', 'pr-2', '--json'], project.dir).stdout) as ShowResult;
    expect(data.stacks.map((s) => s.name)).toEqual(['dev-cluster', 'pr-2-api', 'pr-2-web']);
  });

  it('an unknown name is a usage error (exit 2) naming both kinds, as JSON with --json', () => {
    const r = cli(['env', 'show', 'pr-3', '--json'], project.dir);
    expect(r.code).toBe(2);
    const { error } = JSON.parse(r.stdout) as { error: { code: string; message: string; suggestions: string[] } };
    expect(error.code).toBe('ECSDEPLOY_USAGE');
    expect(error.message).toMatch(/^no environment 'pr-3'; did you mean 'pr-1'\?/);
    expect(error.suggestions[0]).toBe('Known environments: dev, prod; on demand: pr-1, pr-2.');
  });
});

describe('ecsdeploy env extend', () => {
  it('pushes the expiry back and says to when', () => {
    const r = cli(['env', 'extend', 'pr-2', '--ttl', '1d'], project.dir);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^pr-2 now expires \S+ \(in 2d23h\); it was \S+\.$/m);
  });

  it('beyond maxTtl: exit 2 with what is possible', () => {
    const r = cli(['env', 'extend', 'pr-2', '--ttl', '7d'], project.dir);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("Error: --ttl 7d: 'pr-2' would then expire more than 7d from now");
    expect(r.stderr).toMatch(/Try this: Extend it by at most \d+h now, and again later\./);
    noStack(r.stderr);
  });
});

describe('ecsdeploy env destroy', () => {
  it('refuses a permanent environment (exit 2), pointing at ecsdeploy destroy', () => {
    const r = cli(['env', 'destroy', 'prod', '--yes'], project.dir);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(
      "Error: 'prod' is a permanent environment (environments/prod.yaml); env destroy works on environments on demand only\nTry this: To destroy its stacks: ecsdeploy destroy --env prod (protected environments also need --force).\n",
    );
  });

  it('asks for --yes where nobody can answer', () => {
    const r = cli(['env', 'destroy', 'pr-1'], project.dir);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(
      'env destroy asks for confirmation, and nobody can answer here (CI is set): pass --yes.',
    );
    expect(existsSync(recordFile('pr-1'))).toBe(true);
  });

  it('removes an environment whose stacks were never applied without running the engine', () => {
    const r = cli(['env', 'destroy', 'pr-1', '--yes', '--json'], project.dir, {
      ECSDEPLOY_ENGINE: '/nonexistent/terraform',
    });
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject<Partial<DestroyEnvironmentResult>>({
      environment: 'pr-1',
      found: true,
      destroyed: [],
      empty: ['pr-1-api', 'pr-1-web'],
    });
    expect(existsSync(recordFile('pr-1'))).toBe(false);
  });

  it('--if-exists: a missing environment is nothing to do (exit 0)', () => {
    const r = cli(['env', 'destroy', 'pr-9', '--yes', '--if-exists'], project.dir);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('There is no environment on demand named pr-9: nothing to destroy.');
  });
});

describe('ecsdeploy env create', () => {
  it.each([
    [['Feature_1', '--from', 'dev', '--yes'], "environment name 'Feature_1': use lowercase letters"],
    [['pr-3', '--from', 'dev', '--ttl', '8d', '--yes'], '--ttl 8d: longer than 7d'],
    [['pr-3', '--from', 'pr-2', '--yes'], "--from pr-2: 'pr-2' is itself an environment on demand"],
    [['pr-2', '--from', 'dev', '--yes'], "environment 'pr-2' already exists"],
  ])('%j is a usage error (exit 2) before anything is written', (args, message) => {
    const r = cli(['env', 'create', ...args], project.dir);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(message);
    expect(existsSync(recordFile('pr-3'))).toBe(false);
    noStack(r.stderr);
  });
});

describe('ecsdeploy env gc', () => {
  it('--dry-run lists what has expired and destroys nothing', () => {
    const r = cli(['env', 'gc', '--dry-run'], project.dir);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^pr-1\s+dev\s+alice\s+6h ago \(expired\)\s+would be destroyed$/m);
    expect(r.stdout).toContain('1 expired; nothing was destroyed (--dry-run).');
    expect(existsSync(recordFile('pr-1'))).toBe(true);
  });

  it('destroys what has expired and leaves the rest; --json is the report', () => {
    const r = cli(['env', 'gc', '--json'], project.dir, { ECSDEPLOY_ENGINE: '/nonexistent/terraform' });
    expect(r.code).toBe(0);
    const data = JSON.parse(r.stdout) as GcResult;
    expect(data).toMatchObject({ destroyed: ['pr-1'], failed: [] });
    expect([existsSync(recordFile('pr-1')), existsSync(recordFile('pr-2'))]).toEqual([false, true]);
  });
});

describe('ecsdeploy cluster status / roll with an environment on demand', () => {
  it("on its base's cluster: a usage error (exit 2) naming the base's command, without a stack trace or an AWS call", () => {
    const status = cli(['cluster', 'status', '--env', 'pr-2'], project.dir);
    expect(status.code).toBe(2);
    expect(status.stderr).toContain(
      "Error: pr-2 is an environment on demand on dev's cluster: it has no cluster of its own, so the instances its tasks run on are dev's.",
    );
    expect(status.stderr).toContain('Try this: Run `ecsdeploy cluster status --env dev` instead.');
    expect(status.stderr).not.toContain('AWS');
    noStack(status.stderr);

    const roll = cli(['cluster', 'roll', '--env', 'pr-2', '--dry-run'], project.dir);
    expect(roll.code).toBe(2);
    expect(roll.stderr).toContain('Try this: Run `ecsdeploy cluster roll --env dev --dry-run` instead');
    noStack(roll.stderr);

    const json = cli(['cluster', 'status', '--env', 'pr-2', '--json'], project.dir);
    expect(json.code).toBe(2);
    expect(JSON.parse(json.stdout)).toMatchObject({
      error: {
        code: 'ECSDEPLOY_USAGE',
        exitCode: 2,
        suggestions: ['Run `ecsdeploy cluster status --env dev` instead.'],
      },
    });
  });

  it('a name of neither kind: the "no environment" error, guessing among on-demand names too', () => {
    const r = cli(['cluster', 'status', '--env', 'pr-22'], project.dir);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("Error: --env pr-22: no environment 'pr-22'; did you mean 'pr-2'?");
    noStack(r.stderr);
  });
});
