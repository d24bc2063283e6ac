// Prints one plain closing line after everything jest prints, in the form CI systems read:
//   Tests: 120 passed, 0 failed, 3 skipped
// (jest's own "Tests: 120 passed, 120 total" is not in that form). Written when the process exits,
// because jest's summary comes after the reporters' onRunComplete.
const { writeSync } = require('node:fs');

class SummaryReporter {
  onRunComplete(_contexts, results) {
    const skipped = results.numPendingTests + results.numTodoTests;
    const failed = results.numFailedTests + results.numRuntimeErrorTestSuites;
    const line = `\nTests: ${results.numPassedTests} passed, ${failed} failed, ${skipped} skipped\n`;
    process.once('exit', () => writeSync(2, line));
  }
}
module.exports = SummaryReporter;
