/**
 * Loading the project and picking environments: the first step of nearly every command; and
 * `synth`, with its fast path: when no input changed since the last synth into the same folder
 * (the config files, the options, the stack code), nothing is loaded or built at all.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { ResolvedEnvironment, ResolvedProject } from '../config/load';
import type { SynthesizedStack, SynthOptions } from '../synth';
import { drainLambdaSource } from '../paths';
import { projectKey, readProjectRecord, writeProjectRecord } from '../synth/cache';

export interface SynthResult {
  readonly outDir: string;
  readonly stacks: readonly SynthesizedStack[];
}

// The config and synth layers (zod, yaml, cdktf) load on first use: the fast path needs none of them.
/* eslint-disable @typescript-eslint/no-require-imports */
const config = () => require('../config/load') as typeof import('../config/load');
const synth = () => require('../synth') as typeof import('../synth');
/* eslint-enable @typescript-eslint/no-require-imports */

export function openProject(dir: string, envNames: readonly string[] = []): { project: ResolvedProject; envs: ResolvedEnvironment[] } {
  // Only the named environments are read and resolved: a command on one environment does not pay
  // for the others.
  const { loadProject, selectEnvironments } = config();
  const project = loadProject(dir, envNames.length > 0 ? { environments: envNames } : {});
  return { project, envs: selectEnvironments(project, envNames) };
}

/** `ecsdeploy synth`: load, validate, synthesize the selected environments' stacks. */
export function synthProject(dir: string, envNames: readonly string[], options: SynthOptions): SynthResult {
  const root = resolve(dir);
  const outDir = resolve(options.outDir ?? join(root, 'cdktf.out'));
  const key = options.cache === false ? undefined : projectKey(synthInputs(root, envNames, { ...options, outDir }));
  const previous = key === undefined ? undefined : readProjectRecord<SynthesizedStack>(outDir, key);
  if (previous !== undefined && previous.stacks.every((s) => existsSync(join(s.dir, 'cdk.tf.json')))) {
    return { outDir, stacks: previous.stacks.map((s) => ({ ...s, cached: true })) };
  }
  const { project, envs } = openProject(root, envNames);
  const stacks = synth().synthesize(project, envs, { ...options, outDir });
  if (key !== undefined) writeProjectRecord(outDir, { key, stacks });
  return { outDir, stacks };
}

/** Everything a synth's output depends on besides the stack code: the config files and the options. */
function synthInputs(root: string, envNames: readonly string[], options: SynthOptions): Array<[string, string | Buffer]> {
  const inputs: Array<[string, string | Buffer]> = [
    ['root', root],
    ['environments', JSON.stringify(envNames)],
    // Maps (the released images) serialize as their entries; JSON.stringify alone would drop them.
    ['options', JSON.stringify(options, (_key, value: unknown) => (value instanceof Map ? [...value.entries()] : value))],
  ];
  const file = (rel: string) => {
    const full = join(root, rel);
    if (existsSync(full)) inputs.push([rel, readFileSync(full)]);
  };
  file('ecsdeploy.yaml');
  for (const folder of ['environments', 'services']) {
    if (!existsSync(join(root, folder))) continue;
    for (const f of readdirSync(join(root, folder)).sort()) if (/\.ya?ml$/.test(f)) file(`${folder}/${f}`);
  }
  const lambda = join(drainLambdaSource(), 'index.js');
  if (existsSync(lambda)) inputs.push(['lambda', readFileSync(lambda)]);
  return inputs;
}
