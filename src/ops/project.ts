/**
 * Loading the project and picking environments: the first step of nearly every command; and
 * `synth`, with its fast path: when no input changed since the last synth into the same folder
 * (the config files, the options, the stack code), nothing is loaded or built at all.
 *
 * An environment name is either permanent (a file in environments/) or an environment on demand
 * (a record that `env create` wrote next to the state): openEnvironments and synthEnvironments
 * accept both; openProject and synthProject only the first, without reading any record.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { ResolvedEnvironment, ResolvedProject } from '../config/load';
import type { SynthesizedStack, SynthOptions } from '../synth';
import { drainLambdaSource } from '../paths';
import { projectKey, readProjectRecord, writeProjectRecord } from '../synth/cache';
import { permanentNames } from './environments/names';
import type { S3Access } from './environments/storage';

export interface SynthResult {
  readonly outDir: string;
  readonly stacks: readonly SynthesizedStack[];
}

// The config and synth layers (zod, yaml, cdktf) load on first use: the fast path needs none of them.
/* eslint-disable @typescript-eslint/no-require-imports */
const config = () => require('../config/load') as typeof import('../config/load');
const synth = () => require('../synth') as typeof import('../synth');
const onDemand = () => require('./environments/resolve') as typeof import('./environments/resolve');
/* eslint-enable @typescript-eslint/no-require-imports */

export function openProject(
  dir: string,
  envNames: readonly string[] = [],
): { project: ResolvedProject; envs: ResolvedEnvironment[] } {
  // Only the named environments are read and resolved: a command on one environment does not pay
  // for the others.
  const { loadProject, selectEnvironments } = config();
  const project = loadProject(dir, envNames.length > 0 ? { environments: envNames } : {});
  return { project, envs: selectEnvironments(project, envNames) };
}

/**
 * Like openProject, and a name that is not a permanent environment is looked up among the
 * environments on demand: it resolves from its base (loaded like any permanent environment) and
 * its record. A name that is neither is a usage error naming both kinds. `s3` reaches records kept
 * in the state bucket (tests pass an in-memory one).
 */
export async function openEnvironments(
  dir: string,
  envNames: readonly string[],
  options: { readonly s3?: S3Access } = {},
): Promise<{ project: ResolvedProject; envs: ResolvedEnvironment[] }> {
  const root = resolve(dir);
  const permanent = permanentNames(root);
  if (envNames.every((n) => permanent.includes(n))) return openProject(root, envNames);
  const { project, envs } = await onDemand().resolveNames(root, envNames, options.s3);
  return { project, envs };
}

/** `ecsdeploy synth`: load, validate, synthesize the selected environments' stacks. */
export function synthProject(dir: string, envNames: readonly string[], options: SynthOptions): SynthResult {
  const root = resolve(dir);
  return synthWith(root, envNames, options, [], () => openProject(root, envNames));
}

/** synthProject for names that may be environments on demand; their records are part of the fast path's key. */
export async function synthEnvironments(
  dir: string,
  envNames: readonly string[],
  options: SynthOptions,
): Promise<SynthResult> {
  const root = resolve(dir);
  const permanent = permanentNames(root);
  if (envNames.every((n) => permanent.includes(n))) return synthProject(root, envNames, options);
  const { readRecords, projectRecordStore, resolveWithRecords } = onDemand();
  const records = await readRecords(
    root,
    envNames.filter((n) => !permanent.includes(n)),
    projectRecordStore(root),
  );
  return synthWith(
    root,
    envNames,
    options,
    records.map((r) => [`record:${r.name}`, JSON.stringify(r)]),
    () => resolveWithRecords(root, envNames, records),
  );
}

function synthWith(
  root: string,
  envNames: readonly string[],
  options: SynthOptions,
  extraInputs: ReadonlyArray<[string, string]>,
  open: () => { project: ResolvedProject; envs: ResolvedEnvironment[] },
): SynthResult {
  const outDir = resolve(options.outDir ?? join(root, 'cdktf.out'));
  const key =
    options.cache === false
      ? undefined
      : projectKey([...synthInputs(root, envNames, { ...options, outDir }), ...extraInputs]);
  const previous = key === undefined ? undefined : readProjectRecord<SynthesizedStack>(outDir, key);
  if (previous !== undefined && previous.stacks.every((s) => existsSync(join(s.dir, 'cdk.tf.json')))) {
    return { outDir, stacks: previous.stacks.map((s) => ({ ...s, cached: true })) };
  }
  const { project, envs } = open();
  const stacks = synth().synthesize(project, envs, { ...options, outDir });
  if (key !== undefined) writeProjectRecord(outDir, { key, stacks });
  return { outDir, stacks };
}

/** Everything a synth's output depends on besides the stack code: the config files and the options. */
function synthInputs(
  root: string,
  envNames: readonly string[],
  options: SynthOptions,
): Array<[string, string | Buffer]> {
  const inputs: Array<[string, string | Buffer]> = [
    ['root', root],
    ['environments', JSON.stringify(envNames)],
    // Maps (the released images) serialize as their entries; JSON.stringify alone would drop them.
    [
      'options',
      JSON.stringify(options, (_key, value: unknown) => (value instanceof Map ? [...value.entries()] : value)),
    ],
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
