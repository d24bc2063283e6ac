/**
 * Builds one cdktf App for the selected stacks and writes `<out>/stacks/<stack>/cdk.tf.json`.
 * Only the selected stacks are constructed, so deploying one service synthesizes one stack,
 * whatever the size of the project.
 */
import { readFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { App } from 'cdktf';
import type { ResolvedEnvironment, ResolvedProject } from '../config/load';
import { ClusterStack } from '../../stacks/cluster-stack';
import { RegistryStack } from '../../stacks/registry-stack';
import { ServiceStack } from '../../stacks/service-stack';
import { selectStacks, type StackRef } from './plan';
import { clusterProps, registryProps, rulePriorities, serviceProps, stackWorkDir } from './props';

/**
 * cdktf records a full, unlimited-depth stack trace on every token it creates (thousands per
 * stack) only to decorate the message of an error we would report anyway; at a few hundred stacks
 * that is a quarter of synth time. The output does not depend on it (the determinism and example
 * tests compare it), so it is switched off here, the one place that builds cdktf apps.
 */
// eslint-disable-next-line @typescript-eslint/no-require-imports
(require('cdktf/lib/tokens/private/stack-trace') as { captureStackTrace: () => string[] }).captureStackTrace = () => [];

export { REGISTRY_STACK, clusterStackName, environmentStacks, selectStacks, serviceStackName, type StackRef } from './plan';

export interface SynthOptions {
  /** Output folder. @default `<project>/cdktf.out` */
  readonly outDir?: string;
  /** Stack selection within the environments (`cluster`, `registry`, service names). @default all */
  readonly stacks?: readonly string[];
}

export interface SynthesizedStack extends StackRef {
  /** Number of Terraform resources in the stack. */
  readonly resources: number;
  /** Folder of the stack's cdk.tf.json, relative to the project root when inside it. */
  readonly path: string;
  /** Absolute folder (the Terraform working directory). */
  readonly dir: string;
}

export function defaultOutDir(project: ResolvedProject): string {
  return join(project.root, 'cdktf.out');
}

export function synthesize(project: ResolvedProject, envs: readonly ResolvedEnvironment[], options: SynthOptions = {}): SynthesizedStack[] {
  const outDir = resolve(options.outDir ?? defaultOutDir(project));
  const refs = selectStacks(envs, options.stacks ?? []);
  const app = new App({ outdir: outDir, stackTraces: false, skipValidation: false });
  const priorities = new Map(envs.map((e) => [e.name, rulePriorities(e.services)]));
  for (const ref of refs) {
    if (ref.kind === 'registry') {
      new RegistryStack(app, ref.name, registryProps(project, outDir, ref.name));
    } else {
      const env = envs.find((e) => e.name === ref.environment)!;
      if (ref.kind === 'cluster') {
        new ClusterStack(app, ref.name, clusterProps(project, env, outDir));
      } else {
        const svc = env.services.find((s) => s.name === ref.service)!;
        new ServiceStack(app, ref.name, serviceProps(project, env, svc, ref.name, outDir, priorities.get(env.name)!.get(svc.name)));
      }
    }
  }
  app.synth();
  return refs.map((ref) => {
    const dir = stackWorkDir(outDir, ref.name);
    const rel = relative(project.root, dir);
    return { ...ref, resources: countResources(join(dir, 'cdk.tf.json')), path: rel.startsWith('..') ? dir : rel, dir };
  });
}

function countResources(file: string): number {
  const json = JSON.parse(readFileSync(file, 'utf8')) as { resource?: Record<string, Record<string, unknown>> };
  return Object.values(json.resource ?? {}).reduce((n, byName) => n + Object.keys(byName).length, 0);
}
