/* eslint-disable @typescript-eslint/no-require-imports -- the switch below must be set before synthesis loads */
/**
 * Entry point for `cdktf synth` (cdktf.json's "app"): the same stacks as `ecsdeploy synth`, for
 * teams that also use the cdktf CLI. Reads the project in the current folder; cdktf sets CDKTF_OUTDIR.
 *
 * cdktf's own CLI gets cdktf as it is: ecsdeploy's synthesis patches (./cdktf-patches.ts) stay off
 * here unless asked for with ECSDEPLOY_CDKTF_PATCHES=on. The output is the same either way.
 */
process.env['ECSDEPLOY_CDKTF_PATCHES'] ??= 'off';

const { loadProject } = require('../config/load') as typeof import('../config/load');
const { defaultOutDir, synthesize } = require('./index') as typeof import('./index');

const project = loadProject(process.cwd());
synthesize(project, project.environments, {
  outDir: process.env['CDKTF_OUTDIR'] ?? defaultOutDir(project),
  cache: false,
});
