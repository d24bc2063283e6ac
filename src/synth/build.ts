/**
 * Constructs and synthesizes a batch of stacks from plain props: the only code that builds cdktf
 * apps. Runs in the main thread, or in a worker thread (./worker) for large batches.
 */
import { App } from 'cdktf';
import { ClusterStack } from '../../stacks/cluster-stack';
import type { ClusterStackProps, RegistryStackProps, ServiceStackProps } from '../../stacks/props';
import { RegistryStack } from '../../stacks/registry-stack';
import { ServiceStack } from '../../stacks/service-stack';

/**
 * cdktf records a full, unlimited-depth stack trace on every token it creates (thousands per
 * stack) only to decorate the message of an error we would report anyway; at a few hundred stacks
 * that is a quarter of synth time. The output does not depend on it (the determinism and example
 * tests compare it), so it is switched off here.
 */
// eslint-disable-next-line @typescript-eslint/no-require-imports
(require('cdktf/lib/tokens/private/stack-trace') as { captureStackTrace: () => string[] }).captureStackTrace = () => [];

/** One stack to build: plain data, so it can cross to a worker thread. */
export type StackJob =
  | { readonly kind: 'registry'; readonly name: string; readonly props: RegistryStackProps }
  | { readonly kind: 'cluster'; readonly name: string; readonly props: ClusterStackProps }
  | { readonly kind: 'service'; readonly name: string; readonly props: ServiceStackProps };

/** Writes `<outDir>/stacks/<name>/cdk.tf.json` for every job (and a manifest.json of this batch). */
export function buildStacks(outDir: string, jobs: readonly StackJob[]): void {
  if (jobs.length === 0) return;
  const app = new App({ outdir: outDir, stackTraces: false, skipValidation: false });
  for (const job of jobs) {
    if (job.kind === 'registry') new RegistryStack(app, job.name, job.props);
    else if (job.kind === 'cluster') new ClusterStack(app, job.name, job.props);
    else new ServiceStack(app, job.name, job.props);
  }
  app.synth();
}
