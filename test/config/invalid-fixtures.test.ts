/**
 * Every malformed input in test/fixtures/invalid gives exactly the problems its header expects:
 * file:line:col, key path, message; all of them at once, none extra.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadProject } from '../../src/config/load';
import { ConfigError, formatProblem } from '../../src/errors';
import { parseFixture, projectWith } from './fixture-project';

const DIR = join(__dirname, '..', 'fixtures', 'invalid');
const fixtures = readdirSync(DIR)
  .filter((f) => f.endsWith('.yaml'))
  .sort();

function problemsOf(dir: string): string[] {
  try {
    loadProject(dir);
  } catch (err) {
    if (err instanceof ConfigError) return err.problems.map(formatProblem);
    throw err;
  }
  return [];
}

describe('invalid configuration fixtures', () => {
  it('cover at least 25 kinds of mistake', () => {
    expect(fixtures.length).toBeGreaterThanOrEqual(25);
  });

  it.each(fixtures)('%s reports exactly the expected problems', (name) => {
    const fixture = parseFixture(readFileSync(join(DIR, name), 'utf8'));
    expect(fixture.expect.length).toBeGreaterThan(0);
    const project = projectWith({ [fixture.file]: fixture.body });
    try {
      expect(problemsOf(project.dir).sort()).toEqual([...fixture.expect].sort());
    } finally {
      project.cleanup();
    }
  });

  it('the minimal project they start from is valid', () => {
    const project = projectWith();
    try {
      expect(problemsOf(project.dir)).toEqual([]);
    } finally {
      project.cleanup();
    }
  });
});
