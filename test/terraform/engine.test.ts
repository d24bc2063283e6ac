/**
 * Engine discovery. Protects: `auto` prefers terraform and falls back to tofu; ECSDEPLOY_ENGINE
 * beats `engine:`; a missing engine names what was looked for and how to get or point at one
 * (exit 1, or 2 when a configured name or path is wrong); engines older than 1.6 are refused.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EngineNotFoundError, findEngine } from '../../src/terraform';
import { compareVersions, parseVersionOutput } from '../../src/terraform/engine';
import { writeFakeEngine } from './fake-engine';
import { rejection } from './rejection';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'ecsdeploy-engine-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const caught = (p: Promise<unknown>) => rejection<EngineNotFoundError>(p);

describe('findEngine', () => {
  it('auto: no terraform and no tofu on PATH is a clear error (exit 1) naming both and how to proceed', async () => {
    const err = await caught(findEngine({ env: { PATH: dir } }));
    expect(err).toBeInstanceOf(EngineNotFoundError);
    expect(err.exitCode).toBe(1);
    expect(err.message).toBe(
      `No Terraform engine found: looked for \`terraform\` and \`tofu\` on PATH (${dir}). ecsdeploy needs Terraform or OpenTofu 1.6 or later to plan and apply stacks.`,
    );
    expect(err.suggestions.join('\n')).toMatch(/Install Terraform 1\.6 or later.*OpenTofu/);
    expect(err.suggestions.join('\n')).toContain(
      '`engine: /path/to/terraform` in ecsdeploy.yaml, or ECSDEPLOY_ENGINE=',
    );
  });

  it('auto: prefers terraform, and takes tofu when terraform is absent', async () => {
    writeFakeEngine(join(dir, 'a'), 'tofu');
    const tofuOnly = await findEngine({ env: { PATH: join(dir, 'a'), FAKE_VERSION: 'OpenTofu v1.8.2' } });
    expect(tofuOnly).toEqual({ kind: 'tofu', path: join(dir, 'a', 'tofu'), version: '1.8.2' });
    writeFakeEngine(join(dir, 'b'), 'terraform');
    const both = await findEngine({ env: { PATH: `${join(dir, 'a')}:${join(dir, 'b')}` } });
    expect(both).toEqual({ kind: 'terraform', path: join(dir, 'b', 'terraform'), version: '1.11.4' });
  });

  it('ECSDEPLOY_ENGINE wins over engine: in ecsdeploy.yaml', async () => {
    const path = writeFakeEngine(join(dir, 'x'), 'my-tofu');
    const engine = await findEngine({
      setting: 'terraform',
      env: { PATH: '', ECSDEPLOY_ENGINE: path, FAKE_VERSION: 'OpenTofu v1.6.0' },
    });
    expect(engine).toEqual({ kind: 'tofu', path, version: '1.6.0' });
  });

  it('a configured path that is not there is a configuration error (exit 2) naming where it came from', async () => {
    const fromEnv = await caught(findEngine({ env: { PATH: dir, ECSDEPLOY_ENGINE: '/nowhere/terraform' } }));
    expect(fromEnv.exitCode).toBe(2);
    expect(fromEnv.message).toBe('The engine /nowhere/terraform (from ECSDEPLOY_ENGINE) is not an executable file.');
    const fromFile = await caught(findEngine({ setting: 'tofu', env: { PATH: dir } }));
    expect(fromFile.exitCode).toBe(2);
    expect(fromFile.message).toBe(`The engine \`tofu\` (from \`engine:\` in ecsdeploy.yaml) is not on PATH (${dir}).`);
  });

  it('a relative engine path is taken from the project folder', async () => {
    writeFakeEngine(join(dir, 'bin'), 'terraform');
    expect((await findEngine({ setting: 'bin/terraform', cwd: dir, env: { PATH: '' } })).path).toBe(
      join(dir, 'bin', 'terraform'),
    );
  });

  it('refuses engines older than 1.6, and binaries that are not an engine', async () => {
    const path = writeFakeEngine(dir, 'terraform');
    const old = await caught(findEngine({ env: { PATH: dir, FAKE_VERSION: 'Terraform v1.5.7' } }));
    expect(old.message).toBe(`terraform 1.5.7 at ${path} is too old: ecsdeploy needs terraform 1.6 or later.`);
    const other = await caught(findEngine({ env: { PATH: dir, FAKE_VERSION: 'git version 2.43.0' } }));
    expect(other.message).toContain('does not look like Terraform or OpenTofu');
  });
});

describe('version helpers', () => {
  it('reads Terraform and OpenTofu version lines', () => {
    expect(parseVersionOutput('Terraform v1.11.4\non linux_amd64\n')).toEqual({ kind: 'terraform', version: '1.11.4' });
    expect(parseVersionOutput('OpenTofu v1.10.0-beta1\n')).toEqual({ kind: 'tofu', version: '1.10.0' });
    expect(parseVersionOutput('hello')).toBeUndefined();
  });

  it('compares numerically, not as text', () => {
    expect(compareVersions('1.10.0', '1.6.0')).toBeGreaterThan(0);
    expect(compareVersions('1.6.0', '1.6.0')).toBe(0);
    expect(compareVersions('1.5.7', '1.6.0')).toBeLessThan(0);
  });
});
