/**
 * The replay line a failed fault scenario prints (test/faults/harness.ts): it names the test's file
 * and a `-t` pattern that matches the test's full name, so the command it gives runs that test
 * (the scenario's name, which it printed before, is not in every title: `-t 'kill-apply'` ran none).
 */
import { join } from 'node:path';
import { replayCommand } from '../faults/harness';

describe('replayCommand', () => {
  const name =
    "fault injection: the engine with S3 state and lock files kill -9 of apply (at a seeded moment): it's [1]";
  const state = { currentTestName: name, testPath: join(process.cwd(), 'test', 'faults', 'engine.test.ts') };

  it('names the file and a pattern that matches the full name, regex characters and quotes escaped', () => {
    const command = replayCommand('kill-apply', state);
    expect(command).toBe(
      "npx jest test/faults/engine.test.ts --selectProjects faults -t 'fault injection: the engine with S3 state and lock files kill -9 of apply \\(at a seeded moment\\): it.s \\[1\\]'",
    );
    const pattern = /-t '(.*)'$/.exec(command)![1]!;
    expect(new RegExp(pattern).test(name)).toBe(true);
  });

  it('falls back on the scenario when no test runs', () => {
    expect(replayCommand('kill-apply', {})).toBe("npx jest --selectProjects faults -t 'kill-apply'");
  });
});
