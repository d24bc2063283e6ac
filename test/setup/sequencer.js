// The order files start in. Jest's own order (failed first, then slowest by the last run, then
// largest) decides within each group; the groups are:
//   1. end-to-end and fault files that apply their own environment: they keep the workers busy
//      while the global setup builds the shared dev environment (2–5 minutes on 2 cores);
//   2. end-to-end and fault files that build on one (they call devEnvironment() or
//      wholeDevEnvironment()): by the time they start it is ready, so they do not wait for it (a
//      file that waits gains little from sharing: test/README.md, "Shared environment: what it saves");
//   3. everything else (unit, policy): short files that fill the workers at the end.
const { readFileSync } = require('node:fs');
const { sep } = require('node:path');
const Sequencer = require('@jest/test-sequencer').default;

const slow = (path) => path.includes(`${sep}test${sep}e2e${sep}`) || path.includes(`${sep}test${sep}faults${sep}`);
const usesTemplate = (path) => {
  try {
    return /\b(devEnvironment|wholeDevEnvironment)\(/.test(readFileSync(path, 'utf8'));
  } catch {
    return false;
  }
};
const group = (path) => (!slow(path) ? 2 : usesTemplate(path) ? 1 : 0);

class Groups extends Sequencer {
  async sort(tests) {
    const ordered = await super.sort(tests);
    return ordered
      .map((test, i) => ({ test, i, g: group(test.path) }))
      .sort((a, b) => a.g - b.g || a.i - b.i)
      .map(({ test }) => test);
  }
}
module.exports = Groups;
