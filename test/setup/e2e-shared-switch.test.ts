/**
 * The switch of the shared e2e environment (ECSDEPLOY_E2E_SHARED, test/e2e/shared-environment.ts)
 * and what the e2e project's global setup decides from it, without starting anything: `off` builds
 * no template whichever files are selected; on (unset, empty, `on`) builds the templates the
 * selected files use (devEnvironment(): `base`; wholeDevEnvironment(): `whole`), none when no
 * selected file uses one; a missing tool skips locally and fails in CI; a value that is neither is
 * refused, naming the variable and both settings.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SHARED_SWITCH_ENV, sharedMode, templatesUsedBy } from '../e2e/shared-environment';
import { setupDecision, templatesNeeded } from './e2e-global-setup';

describe('ECSDEPLOY_E2E_SHARED', () => {
  it.each([
    [undefined, 'on'],
    ['', 'on'],
    ['on', 'on'],
    [' ON ', 'on'],
    ['off', 'off'],
    ['Off', 'off'],
  ])('%j is %s', (value, mode) => {
    expect(sharedMode(value === undefined ? {} : { [SHARED_SWITCH_ENV]: value })).toBe(mode);
  });

  it.each(['0', 'false', 'no', 'of'])('%j is refused, naming the variable and both settings', (value) => {
    expect(() => sharedMode({ [SHARED_SWITCH_ENV]: value })).toThrow(
      `ECSDEPLOY_E2E_SHARED="${value}" is not a setting: use "off" (each e2e file applies dev's registry and cluster itself) or "on"`,
    );
  });
});

describe('the e2e global setup decides', () => {
  let e2eDir: string;
  beforeAll(() => {
    // Three files: one on each shared environment, one with its own apply.
    e2eDir = mkdtempSync(join(tmpdir(), 'ecsdeploy-e2e-switch-'));
    writeFileSync(join(e2eDir, 'shared.test.ts'), '({ moto, dir } = await devEnvironment());\n');
    writeFileSync(join(e2eDir, 'whole.test.ts'), 'const whole = await wholeDevEnvironment();\n');
    writeFileSync(join(e2eDir, 'own.test.ts'), 'moto = await startMoto();\n');
  });
  afterAll(() => rmSync(e2eDir, { recursive: true, force: true }));

  /** A jest global config whose selection matches the files whose name ends with `suffix`. */
  const selecting = (suffix: string) => ({
    rootDir: e2eDir,
    testPathPatterns: { toExecutor: () => ({ isMatch: (p: string) => p.endsWith(suffix) }) },
  });
  const ready = undefined; // no tool missing

  it('on: build when a selected file calls devEnvironment(), nothing when none does', () => {
    expect(setupDecision(selecting('shared.test.ts'), {}, ready, e2eDir)).toBe('build');
    expect(setupDecision(selecting('.test.ts'), { [SHARED_SWITCH_ENV]: 'on' }, ready, e2eDir)).toBe('build');
    expect(setupDecision(selecting('own.test.ts'), {}, ready, e2eDir)).toBe('unused');
  });

  it('on, when the selection cannot be read: build if any file calls devEnvironment()', () => {
    expect(setupDecision({ rootDir: e2eDir }, {}, ready, e2eDir)).toBe('build');
  });

  it('builds the templates the selected files use, each once, and only those', () => {
    expect(templatesNeeded(selecting('shared.test.ts'), e2eDir)).toEqual(['base']);
    expect(templatesNeeded(selecting('whole.test.ts'), e2eDir)).toEqual(['whole']);
    expect(setupDecision(selecting('whole.test.ts'), {}, ready, e2eDir)).toBe('build');
    expect(templatesNeeded(selecting('.test.ts'), e2eDir)).toEqual(['base', 'whole']);
    expect(templatesNeeded({ rootDir: e2eDir }, e2eDir)).toEqual(['base', 'whole']);
    expect(templatesNeeded(selecting('own.test.ts'), e2eDir)).toEqual([]);
  });

  it('tells the two calls apart (wholeDevEnvironment( does not ask for base)', () => {
    expect(templatesUsedBy('await devEnvironment({ motoEnv })')).toEqual(['base']);
    expect(templatesUsedBy('await wholeDevEnvironment()')).toEqual(['whole']);
    expect(templatesUsedBy('devEnvironment(); wholeDevEnvironment()')).toEqual(['base', 'whole']);
    expect(templatesUsedBy('startMoto(); // devEnvironment without a call')).toEqual([]);
  });

  it('off: no template, even for the files that call devEnvironment()', () => {
    expect(setupDecision(selecting('shared.test.ts'), { [SHARED_SWITCH_ENV]: 'off' }, ready, e2eDir)).toBe('off');
    expect(setupDecision({ rootDir: e2eDir }, { [SHARED_SWITCH_ENV]: 'off' }, ready, e2eDir)).toBe('off');
  });

  it('a missing tool: skip locally (each file says why), fail in CI', () => {
    const missing = 'e2e skipped: terraform not found';
    expect(setupDecision(selecting('shared.test.ts'), {}, missing, e2eDir)).toBe('skip');
    expect(() => setupDecision(selecting('shared.test.ts'), { CI: 'true' }, missing, e2eDir)).toThrow(
      'e2e skipped: terraform not found; CI must have terraform, the provider mirror and moto',
    );
  });

  it('a switch value that is neither on nor off fails the run', () => {
    expect(() => setupDecision(selecting('shared.test.ts'), { [SHARED_SWITCH_ENV]: 'no' }, ready, e2eDir)).toThrow(
      'ECSDEPLOY_E2E_SHARED="no" is not a setting',
    );
  });
});
