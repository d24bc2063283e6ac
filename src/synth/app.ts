/**
 * Entry point for `cdktf synth` (cdktf.json's "app"): the same stacks as `ecsdeploy synth`, for
 * teams that also use the cdktf CLI. Reads the project in the current folder; cdktf sets CDKTF_OUTDIR.
 */
import { loadProject } from '../config/load';
import { defaultOutDir, synthesize } from './index';

const project = loadProject(process.cwd());
synthesize(project, project.environments, { outDir: process.env['CDKTF_OUTDIR'] ?? defaultOutDir(project), cache: false });
