/**
 * Golden tests of `import compose`: each folder of test/adopt/compose/ holds a Compose project
 * (compose.yaml and friends, case.json for the options) and expected/: the service files and
 * table.txt (the mapping table, the summary and the warnings). Every expected file is loaded by
 * the real loader. Folders under invalid/ hold a Compose file and expected-error.txt.
 *
 * After a deliberate change of the mapping: UPDATE_GOLDENS=1 npx jest --selectProjects unit test/adopt
 * rewrites expected/ (then read the diff).
 */
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadProject } from '../../src/config/load';
import { ConfigError, EcsdeployError } from '../../src/errors';
import { importCompose, type ImportComposeOptions } from '../../src/ops/adopt/compose';
import { formatImport } from '../../src/ui/compose-view';

const ROOT = join(__dirname, 'compose');
const UPDATE = process.env['UPDATE_GOLDENS'] === '1';
const cases = readdirSync(ROOT).filter((d) => d !== 'invalid' && existsSync(join(ROOT, d, 'case.json')));
const invalid = readdirSync(join(ROOT, 'invalid'));

type CaseOptions = Omit<ImportComposeOptions, 'cwd' | 'prompter'> & { answers?: { choose?: string[]; ask?: string[] } };

function optionsOf(dir: string): ImportComposeOptions {
  const raw = JSON.parse(readFileSync(join(dir, 'case.json'), 'utf8')) as CaseOptions;
  const { answers, ...rest } = raw;
  const choose = [...(answers?.choose ?? [])];
  const asked = [...(answers?.ask ?? [])];
  return {
    region: 'eu-west-1',
    env: {},
    ...rest,
    cwd: dir,
    dryRun: true,
    ...(answers
      ? {
          prompter: {
            choose: async (_q: string, choices: ReadonlyArray<{ value: string }>) => {
              const a = choose.shift();
              if (a !== undefined && !choices.some((c) => c.value === a))
                throw new Error(`answer ${a} is not a choice: ${choices.map((c) => c.value).join(', ')}`);
              return a;
            },
            ask: async () => asked.shift(),
          },
        }
      : {}),
  };
}

/** A project holding only the given service files, loaded by the real loader. */
function loadServices(files: ReadonlyArray<{ path: string; content: string }>): string[] {
  const dir = mkdtempSync(join(tmpdir(), 'ecsdeploy-compose-'));
  try {
    writeFileSync(join(dir, 'ecsdeploy.yaml'), 'project: shop\nregion: eu-west-1\n');
    mkdirSync(join(dir, 'environments'));
    writeFileSync(
      join(dir, 'environments', 'dev.yaml'),
      'network:\n  create:\n    cidr: 10.10.0.0/16\nloadBalancer: {}\ncluster:\n  fargate: true\n',
    );
    mkdirSync(join(dir, 'services'));
    for (const f of files) writeFileSync(join(dir, f.path), f.content);
    const project = loadProject(dir);
    return project.environments.flatMap((e) => e.services.map((s) => s.name)).sort();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('import compose: golden cases', () => {
  test('there are at least eight', () => expect(cases.length).toBeGreaterThanOrEqual(8));

  test.each(cases)('%s', async (name) => {
    const dir = join(ROOT, name);
    const result = await importCompose(optionsOf(dir));
    const expectedDir = join(dir, 'expected');
    const table = `${formatImport(result, { dryRun: false }).replace(/^Wrote .*$/m, `Files: ${result.files.map((f) => f.path).join(', ')}`)}\n`;
    if (UPDATE) {
      rmSync(expectedDir, { recursive: true, force: true });
      mkdirSync(join(expectedDir, 'services'), { recursive: true });
      for (const f of result.files) writeFileSync(join(expectedDir, f.path), f.content);
      writeFileSync(join(expectedDir, 'table.txt'), table);
    }
    const expectedFiles = readdirSync(join(expectedDir, 'services')).sort();
    expect(result.files.map((f) => f.path.replace(/^services\//, '')).sort()).toEqual(expectedFiles);
    for (const f of result.files) expect(f.content).toBe(readFileSync(join(expectedDir, f.path), 'utf8'));
    expect(table).toBe(readFileSync(join(expectedDir, 'table.txt'), 'utf8'));
    // Nothing written on a dry run.
    expect(existsSync(join(dir, 'services'))).toBe(false);
    // The expected files load with the real loader, as they are.
    const loaded = loadServices(
      expectedFiles.map((f) => ({
        path: join('services', f),
        content: readFileSync(join(expectedDir, 'services', f), 'utf8'),
      })),
    );
    expect(loaded).toEqual(result.files.map((f) => f.name).sort());
  });
});

describe('import compose: invalid Compose input', () => {
  test.each(invalid)('%s', async (name) => {
    const dir = join(ROOT, 'invalid', name);
    const options = existsSync(join(dir, 'case.json')) ? optionsOf(dir) : { cwd: dir, env: {}, dryRun: true };
    const expected = readFileSync(join(dir, 'expected-error.txt'), 'utf8').trimEnd();
    let error: unknown;
    try {
      await importCompose(options);
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(EcsdeployError);
    if (UPDATE) writeFileSync(join(dir, 'expected-error.txt'), `${(error as Error).message}\n`);
    expect((error as Error).message).toBe(expected);
    expect((error as EcsdeployError).exitCode).toBe(2);
    if (error instanceof ConfigError)
      expect(error.problems.every((p) => p.line !== undefined && p.file.endsWith('.yaml'))).toBe(true);
  });
});

describe('import compose: writing', () => {
  test('writes services/<name>.yaml, and keeps existing files unless forced', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ecsdeploy-compose-write-'));
    try {
      cpSync(join(ROOT, 'webapp-db-worker'), dir, { recursive: true });
      rmSync(join(dir, 'expected'), { recursive: true });
      const options = { ...optionsOf(dir), dryRun: false };
      const first = await importCompose(options);
      expect(first.files.every((f) => f.written)).toBe(true);
      for (const f of first.files) expect(readFileSync(join(dir, f.path), 'utf8')).toBe(f.content);
      await expect(importCompose(options)).rejects.toThrow(/already exist.*nothing was written/);
      const again = await importCompose({ ...options, force: true });
      expect(again.files.map((f) => f.path)).toEqual(first.files.map((f) => f.path));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
