#!/usr/bin/env node
// oclif entry point: runs the compiled commands in dist/ through the oclif manifest (fast start).
// `npm ci` builds dist/ (the `prepare` script), so `npx ecsdeploy` works in a fresh clone.
require('@oclif/core/execute').execute({ dir: __dirname });
