/**
 * Constructs and synthesizes a batch of stacks from plain props: the only code that builds cdktf
 * apps. Runs in the main thread, or in a worker thread (./worker) for large batches.
 */
import { App, type ISynthesisSession, type TerraformStack } from 'cdktf';
import { ClusterStack } from '../../stacks/cluster-stack';
import { JobStack } from '../../stacks/job-stack';
import type { ClusterStackProps, JobStackProps, RegistryStackProps, ServiceStackProps } from '../../stacks/props';
import { RegistryStack } from '../../stacks/registry-stack';
import { ServiceStack } from '../../stacks/service-stack';
import { entryFor, type CacheEntry } from './cache';
import { installCdktfPatches } from './cdktf-patches';
import { stackWorkDir } from './stack-order';

/** The same output, faster: every change to cdktf's behaviour is listed and fenced in ./cdktf-patches. */
installCdktfPatches();

/** One stack to build: plain data, so it can cross to a worker thread. */
export type StackJob = (
  | { readonly kind: 'registry'; readonly name: string; readonly props: RegistryStackProps }
  | { readonly kind: 'cluster'; readonly name: string; readonly props: ClusterStackProps }
  | { readonly kind: 'service'; readonly name: string; readonly props: ServiceStackProps }
  | { readonly kind: 'job'; readonly name: string; readonly props: JobStackProps }
) & {
  /** The synth cache key of the stack's inputs (./cache), returned with the built stack for the output folder's index. */
  readonly cacheKey?: string;
};

/** What building a stack found out: the number of Terraform resources in its JSON, and its cache entry. */
export interface BuiltStack {
  readonly name: string;
  readonly resources: number;
  /** Set when the job had a cacheKey. */
  readonly entry?: CacheEntry;
}

/**
 * Writes `<outDir>/stacks/<name>/cdk.tf.json` for every job (and a manifest.json of this batch),
 * and returns how many resources each has (counted from the JSON cdktf computed, not parsed back
 * from disk: at a thousand stacks that parsing was a second) with its cache entry, for the caller
 * to record (./cache). The entry hashes the file as written, which does read it back: cdktf
 * serializes it out of our sight, and a read is cheap next to the file creation it verifies.
 */
export function buildStacks(outDir: string, jobs: readonly StackJob[]): BuiltStack[] {
  const builder = new StackBuilder(outDir);
  builder.add(jobs);
  return builder.finish();
}

/**
 * buildStacks in two steps, so that stacks can be constructed while their jobs still arrive (a
 * synth worker constructs each batch the main thread sends, and synthesizes them all at the end).
 */
export class StackBuilder {
  private app: App | undefined;
  private readonly built: BuiltStack[] = [];

  constructor(private readonly outDir: string) {}

  /** Constructs the jobs' stacks. */
  add(jobs: readonly StackJob[]): void {
    const app = (this.app ??= new App({ outdir: this.outDir, stackTraces: false, skipValidation: false }));
    for (const job of jobs) {
      const stack =
        job.kind === 'registry'
          ? new RegistryStack(app, job.name, job.props)
          : job.kind === 'cluster'
            ? new ClusterStack(app, job.name, job.props)
            : job.kind === 'job'
              ? new JobStack(app, job.name, job.props)
              : new ServiceStack(app, job.name, job.props);
      observeSynthesis(stack, (json) => {
        const resources = Object.values(json.resource ?? {}).reduce((n, byName) => n + Object.keys(byName).length, 0);
        this.built.push({
          name: job.name,
          resources,
          ...(job.cacheKey !== undefined
            ? { entry: entryFor(stackWorkDir(this.outDir, job.name), job.cacheKey, resources) }
            : {}),
        });
      });
    }
  }

  /** Synthesizes every stack added (nothing when none was) and says what each holds. */
  finish(): BuiltStack[] {
    this.app?.synth();
    this.app = undefined;
    return this.built.splice(0);
  }
}

/** Calls `done` with the stack's Terraform JSON once cdktf has written it (computed once, by cdktf). */
function observeSynthesis(
  stack: TerraformStack,
  done: (json: { resource?: Record<string, Record<string, unknown>> }) => void,
): void {
  const inner = stack.synthesizer;
  stack.synthesizer = {
    synthesize(session: ISynthesisSession): void {
      const toTerraform = stack.toTerraform;
      let json: ReturnType<TerraformStack['toTerraform']> | undefined;
      stack.toTerraform = () => (json = toTerraform.call(stack));
      try {
        inner.synthesize(session);
      } finally {
        stack.toTerraform = toTerraform;
      }
      if (json !== undefined) done(json as { resource?: Record<string, Record<string, unknown>> });
    },
  };
}
