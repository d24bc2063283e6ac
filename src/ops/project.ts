/** Loading the project and picking environments: the first step of nearly every command. */
import { loadProject, selectEnvironments, type ResolvedEnvironment, type ResolvedProject } from '../config/load';
import { synthesize, type SynthesizedStack, type SynthOptions } from '../synth';

export interface SynthResult {
  readonly outDir: string;
  readonly stacks: readonly SynthesizedStack[];
}

export function openProject(dir: string, envNames: readonly string[] = []): { project: ResolvedProject; envs: ResolvedEnvironment[] } {
  // Only the named environments are read and resolved: a command on one environment does not pay
  // for the others.
  const project = loadProject(dir, envNames.length > 0 ? { environments: envNames } : {});
  return { project, envs: selectEnvironments(project, envNames) };
}

/** `ecsdeploy synth`: load, validate, synthesize the selected environments' stacks. */
export function synthProject(dir: string, envNames: readonly string[], options: SynthOptions): SynthResult {
  const { project, envs } = openProject(dir, envNames);
  const stacks = synthesize(project, envs, options);
  return { outDir: options.outDir ?? 'cdktf.out', stacks };
}
