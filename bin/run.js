#!/usr/bin/env node
// The CLI: dist/bundle/cli.js (oclif and every command in one file, see scripts/bundle.js),
// compiled from its V8 code cache when V8 accepts it (dist/src/code-cache.js).
// `npm ci` builds dist/ (the `prepare` script), so `npx ecsdeploy` works in a fresh clone.
const { join } = require('node:path');
const { requireCached } = require('../dist/src/code-cache.js');
requireCached(join(__dirname, '..', 'dist', 'bundle', 'cli.js')).execute({ dir: __dirname });
