/** Loading the project and picking environments: the first step of nearly every command. */
import { loadProject, selectEnvironments, type ResolvedEnvironment, type ResolvedProject } from '../config/load';
import { synthesize, type SynthesizedStack, type SynthOptions } from '../synth';

export interface SynthResult {
  readonly outDir: string;
  readonly stacks: readonly SynthesizedStack[];
}

export function openProject(dir: string, envNames: readonly string[] = []): { project: ResolvedProject; envs: ResolvedEnvironment[] } {
  const project = loadProject(dir);
  return { project, envs: selectEnvironments(project, envNames) };
}

/** `ecsdeploy synth`: load, validate, synthesize the selected environments' stacks. */
export function synthProject(dir: string, envNames: readonly string[], options: SynthOptions): SynthResult {
  const { project, envs } = openProject(dir, envNames);
  const stacks = synthesize(project, envs, options);
  return { outDir: options.outDir ?? 'cdktf.out', stacks };
}
