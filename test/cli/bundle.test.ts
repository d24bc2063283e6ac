/**
 * The CLI runs from one bundle (dist/bundle/cli.js) compiled from a V8 code cache
 * (src/code-cache.ts); these hold the pieces of that arrangement to what they promise. The
 * commands themselves are tested through bin/run.js, that is through the bundle, in cli.test.ts.
 */
import { spawnSync } from 'node:child_process';
import {
  chmodSync,
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { loadProject } from '../../src/config/load';
import { synthesize } from '../../src/synth';

const REPO = join(__dirname, '..', '..');
const CODE_CACHE = join(REPO, 'dist', 'src', 'code-cache.js');

/** Runs `script` in a fresh node with `file` as argv[1]; returns what it printed as JSON. */
function inChild(
  script: string,
  file: string,
  env: NodeJS.ProcessEnv = {},
  user?: { uid: number; gid: number },
): unknown {
  const r = spawnSync(
    process.execPath,
    ['-e', `const cc = require(${JSON.stringify(CODE_CACHE)}); const file = process.argv[1]; ${script}`, file],
    {
      encoding: 'utf8',
      env: { ...process.env, ...env },
      ...user,
    },
  );
  if (r.status !== 0) throw new Error(r.stderr);
  return JSON.parse(r.stdout) as unknown;
}

describe('the V8 code cache loader', () => {
  let dir: string;
  let file: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'code-cache-'));
    file = join(dir, 'bundle.js');
    writeFileSync(
      file,
      `exports.answer = 6 * 7; exports.self = __filename; exports.req = typeof require('node:path').join; exports.viaRequire = () => require(__filename) === module.exports;\n`,
    );
  });
  afterEach(() => {
    chmodSync(dir, 0o755);
    rmSync(dir, { recursive: true, force: true });
  });

  const load = `const m = cc.requireCached(file); console.log(JSON.stringify({ answer: m.answer, self: m.self, req: m.req, same: m.viaRequire() && require(file) === m, status: cc.codeCacheStatus() }));`;

  it('loads the module like require, writes the cache on the first run and uses it on the next', () => {
    expect(existsSync(`${file}.cache`)).toBe(false);
    const first = inChild(load, file) as {
      answer: number;
      self: string;
      req: string;
      same: boolean;
      status: Array<{ cache: string }>;
    };
    expect(first).toMatchObject({
      answer: 42,
      self: file,
      req: 'function',
      same: true,
      status: [{ cache: 'missing' }],
    });
    expect(statSync(`${file}.cache`).size).toBeGreaterThan(0);
    expect(inChild(load, file)).toMatchObject({ answer: 42, status: [{ cache: 'used' }] });
  });

  it('a cache V8 rejects (a stale or damaged file) is only a compile: it runs, and writes a good one', () => {
    writeFileSync(`${file}.cache`, Buffer.from('not a code cache at all'));
    expect(inChild(load, file)).toMatchObject({ answer: 42, status: [{ cache: 'rejected' }] });
    expect(inChild(load, file)).toMatchObject({ answer: 42, status: [{ cache: 'used' }] });
  });

  it('a read-only install runs without a cache and without an error', () => {
    // Root writes anywhere, and CI machines often run as root: run the child as an unprivileged
    // user (nobody) there, so the read-only case is exercised wherever the suite runs.
    const user = process.getuid?.() === 0 ? { uid: 65534, gid: 65534 } : undefined;
    chmodSync(dir, 0o555);
    expect(inChild(load, file, {}, user)).toMatchObject({ answer: 42, status: [{ cache: 'missing' }] });
    expect(readdirSync(dir)).toEqual(['bundle.js']);
  });

  it('ECSDEPLOY_CODE_CACHE=off writes no cache even where it could', () => {
    expect(inChild(load, file, { ECSDEPLOY_CODE_CACHE: 'off' })).toMatchObject({
      answer: 42,
      status: [{ cache: 'missing' }],
    });
    expect(existsSync(`${file}.cache`)).toBe(false);
  });

  it('a module that throws while loading is not left half-registered', () => {
    writeFileSync(file, `throw new Error('broken bundle');\n`);
    const r = inChild(
      `let first; try { cc.requireCached(file); } catch (e) { first = e.message; } let second; try { cc.requireCached(file); } catch (e) { second = e.message; } console.log(JSON.stringify({ first, second }));`,
      file,
    );
    expect(r).toEqual({ first: 'broken bundle', second: 'broken bundle' });
  });
});

describe('the built CLI bundle', () => {
  it('holds every command of src/commands under its oclif id, the ids of oclif.manifest.json', () => {
    const files = (d: string): string[] =>
      readdirSync(d).flatMap((f) =>
        statSync(join(d, f)).isDirectory() ? files(join(d, f)) : f.endsWith('.ts') ? [join(d, f)] : [],
      );
    const ids = files(join(REPO, 'src', 'commands'))
      .map((f) =>
        relative(join(REPO, 'src', 'commands'), f)
          .replace(/\.ts$/, '')
          .split('/')
          .join(':'),
      )
      .sort();
    const cli = readFileSync(join(REPO, 'src', 'cli.ts'), 'utf8');
    const listed = [...cli.matchAll(/^ {2}'([\w:-]+)': \(\) =>/gm)].map((m) => m[1]).sort();
    expect(listed).toEqual(ids);
    const manifest = JSON.parse(readFileSync(join(REPO, 'oclif.manifest.json'), 'utf8')) as {
      commands: Record<string, unknown>;
    };
    expect(Object.keys(manifest.commands).sort()).toEqual(ids);
  });

  it('loads no command module at start (zod is not even evaluated), and each command on first use', () => {
    const bundle = join(REPO, 'dist', 'bundle', 'cli.js');
    const r = inChild(
      `const cli = cc.requireCached(file); const atStart = '__zod_globalConfig' in globalThis; const cmd = cli.COMMANDS['config:validate']; console.log(JSON.stringify({ atStart, afterValidate: '__zod_globalConfig' in globalThis, jitless: globalThis.__zod_globalConfig.jitless, summary: cmd.summary, ids: Object.keys(cli.COMMANDS).length }));`,
      bundle,
    ) as Record<string, unknown>;
    // Every command of oclif.manifest.json (the test above checks it against src/commands).
    const commands = Object.keys(
      (JSON.parse(readFileSync(join(REPO, 'oclif.manifest.json'), 'utf8')) as { commands: Record<string, unknown> })
        .commands,
    ).length;
    expect(r).toEqual({
      atStart: false,
      afterValidate: true,
      jitless: true,
      summary: 'Check every configuration file and report all problems at once.',
      ids: commands,
    });
  });

  it('writes stacks byte-identical to the unbundled library (which uses cdktf as published)', () => {
    const a = mkdtempSync(join(tmpdir(), 'bundle-cli-'));
    const b = mkdtempSync(join(tmpdir(), 'bundle-lib-'));
    try {
      const r = spawnSync(
        process.execPath,
        [join(REPO, 'bin', 'run.js'), 'synth', '-C', REPO, '--out', a, '--no-cache'],
        { encoding: 'utf8' },
      );
      expect(r.status).toBe(0);
      const project = loadProject(REPO);
      const stacks = synthesize(project, project.environments, { outDir: b, cache: false });
      for (const s of stacks) {
        expect({ stack: s.name, json: readFileSync(join(a, 'stacks', s.name, 'cdk.tf.json'), 'utf8') }).toEqual({
          stack: s.name,
          json: readFileSync(join(b, 'stacks', s.name, 'cdk.tf.json'), 'utf8'),
        });
      }
      expect(readFileSync(join(a, 'manifest.json'), 'utf8')).toBe(
        readFileSync(join(b, 'manifest.json'), 'utf8').split(b).join(a),
      );
    } finally {
      rmSync(a, { recursive: true, force: true });
      rmSync(b, { recursive: true, force: true });
    }
  });

  it("synth's worker bundle holds the stack code only: neither zod, yaml nor oclif", () => {
    const worker = readFileSync(join(REPO, 'dist', 'bundle', 'worker.js'), 'utf8');
    expect(worker).not.toMatch(/node_modules\/(zod|yaml|js-yaml|@oclif)\//);
    expect(worker).toContain('cdktf.js'); // cdktf comes from its own cached bundle
  });

  it('runs `config validate` without loading cdktf, and `synth` loads it from its own bundle', () => {
    const run = (args: string[]) =>
      inChild(
        `const cli = cc.requireCached(file); const write = process.stdout.write.bind(process.stdout); process.stdout.write = () => true; cli.execute({ dir: ${JSON.stringify(join(REPO, 'bin'))}, args: ${JSON.stringify(args)} }).then(() => { write(JSON.stringify(cc.codeCacheStatus().map((s) => s.file.split('/').pop()))); });`,
        join(REPO, 'dist', 'bundle', 'cli.js'),
      );
    const out = mkdtempSync(join(tmpdir(), 'bundle-synth-'));
    try {
      expect(run(['config', 'validate', '-C', REPO])).toEqual(['cli.js']);
      expect(run(['synth', '-C', REPO, '--out', out, '--no-cache'])).toEqual(['cli.js', 'cdktf.js']);
      expect(existsSync(join(out, 'stacks', 'dev-orders', 'cdk.tf.json'))).toBe(true);
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });
});
