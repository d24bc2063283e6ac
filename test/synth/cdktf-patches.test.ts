/**
 * The fence around ecsdeploy's changes to cdktf (src/synth/cdktf-patches.ts): with the patches on
 * and off, synthesis writes the same bytes, in this process (the three runtime patches) and through
 * the built CLI (which adds the bundled stable-stringify); a cdktf of another version runs
 * unpatched with one warning; ECSDEPLOY_CDKTF_PATCHES=off switches them off; cdktf's own CLI (the
 * cdktf.json app) and code that builds the stacks itself get cdktf unpatched.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { loadProject } from '../../src/config/load';
import { synthesize } from '../../src/synth';
import {
  installCdktfPatches,
  PATCHED_CDKTF_VERSION,
  STABLE_STRINGIFY_SWITCH,
  uninstallCdktfPatches,
} from '../../src/synth/cdktf-patches';
import { EcsdeployStack } from '../../stacks/base';

const REPO = join(__dirname, '..', '..');
const BIN = join(REPO, 'bin', 'run.js');

function readTree(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (d: string): void => {
    for (const f of readdirSync(d)) {
      const p = join(d, f);
      if (statSync(p).isDirectory()) walk(p);
      else out.set(relative(dir, p), readFileSync(p, 'utf8'));
    }
  };
  walk(dir);
  return out;
}

function expectSameTrees(a: Map<string, string>, b: Map<string, string>): void {
  expect([...a.keys()].sort()).toEqual([...b.keys()].sort());
  for (const [name, text] of a) expect({ name, text }).toEqual({ name, text: b.get(name) });
}

describe('patches on and off write the same bytes', () => {
  let root: string;
  beforeEach(() => (root = mkdtempSync(join(tmpdir(), 'ecsdeploy-patches-'))));
  afterEach(() => {
    installCdktfPatches({});
    rmSync(root, { recursive: true, force: true });
  });

  it.each([
    ['the bundled project', REPO],
    ['examples/ (production-shaped services)', join(REPO, 'examples')],
  ])(
    '%s, in this process',
    (_name, dir) => {
      const project = loadProject(dir);
      expect(installCdktfPatches({})).toEqual({ installed: true });
      expect(EcsdeployStack.crossStackPass).toBe(false);
      synthesize(project, project.environments, { outDir: join(root, 'on'), cache: false, workers: 1 });
      uninstallCdktfPatches();
      expect(EcsdeployStack.crossStackPass).toBe(true);
      synthesize(project, project.environments, { outDir: join(root, 'off'), cache: false, workers: 1 });
      const on = readTree(join(root, 'on'));
      expect(on.size).toBeGreaterThan(9);
      expectSameTrees(on, readTree(join(root, 'off')));
    },
    120_000,
  );

  it('no deprecation warning from cdktf on this Node (util.isArray, DEP0044, warned from Node 22 on)', () => {
    const r = spawnSync(
      process.execPath,
      ['--throw-deprecation', BIN, 'synth', '--no-cache', '--out', join(root, 'dep'), '-C', REPO],
      { encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } },
    );
    expect({ status: r.status, stderr: r.stderr }).toEqual({ status: 0, stderr: '' });
  }, 120_000);

  it('the bundled project, through the built CLI (its bundle also swaps json-stable-stringify)', () => {
    const run = (out: string, env: NodeJS.ProcessEnv) => {
      const r = spawnSync(process.execPath, [BIN, 'synth', '--no-cache', '--out', join(root, out), '-C', REPO], {
        encoding: 'utf8',
        env: { ...process.env, NO_COLOR: '1', ...env },
      });
      // Unpatched, cdktf's own util.isArray deprecation (DEP0044) shows from Node 22 on: that one only.
      const warnings = r.stderr
        .split('\n')
        .filter((l) => /Warning/.test(l) && !(env['ECSDEPLOY_CDKTF_PATCHES'] === 'off' && l.includes('[DEP0044]')));
      expect({ status: r.status, warnings }).toEqual({ status: 0, warnings: [] });
    };
    run('on', {});
    run('off', { ECSDEPLOY_CDKTF_PATCHES: 'off' });
    expectSameTrees(readTree(join(root, 'on', 'stacks')), readTree(join(root, 'off', 'stacks')));
  }, 120_000);
});

describe('the switch and the version fence', () => {
  afterEach(() => installCdktfPatches({}));

  it('ECSDEPLOY_CDKTF_PATCHES=off leaves cdktf as it is', () => {
    expect(installCdktfPatches({ ECSDEPLOY_CDKTF_PATCHES: 'off' })).toEqual({
      installed: false,
      reason: 'ECSDEPLOY_CDKTF_PATCHES=off',
    });
    expect(EcsdeployStack.crossStackPass).toBe(true);
    expect((globalThis as Record<symbol, unknown>)[STABLE_STRINGIFY_SWITCH]).toBe(false);
  });

  it('another cdktf version: unpatched, with one warning naming both versions', () => {
    const warn = jest.spyOn(process, 'emitWarning').mockImplementation(() => undefined);
    try {
      const state = installCdktfPatches({}, '0.22.0');
      expect(state).toEqual({
        installed: false,
        reason: `cdktf is 0.22.0, and ecsdeploy's synthesis patches were written for ${PATCHED_CDKTF_VERSION}: running cdktf unpatched (the same output, slower)`,
      });
      expect(EcsdeployStack.crossStackPass).toBe(true);
      installCdktfPatches({}, '0.22.0');
      expect(warn).toHaveBeenCalledTimes(1);
      expect(warn).toHaveBeenCalledWith(state.reason, { code: 'ECSDEPLOY_CDKTF_PATCHES' });
    } finally {
      warn.mockRestore();
    }
  });

  it('the version they were written for is the one installed', () => {
    expect(
      (JSON.parse(readFileSync(require.resolve('cdktf/package.json'), 'utf8')) as { version: string }).version,
    ).toBe(PATCHED_CDKTF_VERSION);
  });
});

describe('who gets cdktf unpatched', () => {
  let root: string;
  beforeAll(() => {
    root = mkdtempSync(join(tmpdir(), 'ecsdeploy-patches-who-'));
    // Reports, as the process ends, whether the cross-stack pass ran: the patches' visible switch.
    writeFileSync(
      join(root, 'probe.js'),
      `process.on('exit', () => process.stderr.write('crossStackPass=' + require(${JSON.stringify(join(REPO, 'dist', 'stacks', 'base.js'))}).EcsdeployStack.crossStackPass + '\\n'));`,
    );
  });
  afterAll(() => rmSync(root, { recursive: true, force: true }));
  const env = (extra: NodeJS.ProcessEnv): NodeJS.ProcessEnv => {
    const e = { ...process.env, ...extra };
    if (extra['ECSDEPLOY_CDKTF_PATCHES'] === undefined) delete e['ECSDEPLOY_CDKTF_PATCHES'];
    return e;
  };

  it("cdktf.json's app (what `cdktf synth` runs) keeps the patches off unless asked with ECSDEPLOY_CDKTF_PATCHES=on", () => {
    const app = (out: string, extra: NodeJS.ProcessEnv) =>
      spawnSync(process.execPath, ['-r', join(root, 'probe.js'), join(REPO, 'dist', 'src', 'synth', 'app.js')], {
        cwd: REPO,
        encoding: 'utf8',
        env: env({ CDKTF_OUTDIR: join(root, out), ...extra }),
      });
    const plain = app('plain', {});
    expect({ status: plain.status, stderr: plain.stderr }).toEqual({
      status: 0,
      stderr: expect.stringContaining('crossStackPass=true'),
    });
    expect(app('asked', { ECSDEPLOY_CDKTF_PATCHES: 'on' }).stderr).toContain('crossStackPass=false');
    expectSameTrees(readTree(join(root, 'plain', 'stacks')), readTree(join(root, 'asked', 'stacks')));
  }, 120_000);

  it("code that builds the stacks itself (without ecsdeploy's synthesis) runs cdktf's own prepareStack", () => {
    const r = spawnSync(
      process.execPath,
      [
        '-e',
        `console.log(String(require(${JSON.stringify(join(REPO, 'dist', 'stacks', 'base.js'))}).EcsdeployStack.crossStackPass))`,
      ],
      { encoding: 'utf8' },
    );
    expect(r.stdout.trim()).toBe('true');
  });
});
