/**
 * Synthesizes the selected stacks into `<out>/stacks/<stack>/cdk.tf.json`.
 *
 * - Only the selected stacks are considered, so deploying one service synthesizes one stack,
 *   whatever the size of the project.
 * - A stack whose inputs are unchanged since the last synth into the same folder is not built
 *   again (./cache): the second synth of an unchanged project only hashes.
 * - Many stacks to build are split over worker threads (./worker), one per core.
 */
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { MessageChannel, receiveMessageOnPort, Worker, type MessagePort } from 'node:worker_threads';
import { Manifest, type StackManifest } from 'cdktf';
import type { ResolvedEnvironment, ResolvedProject } from '../config/load';
import { buildStacks, type BuiltStack, type StackJob } from './build';
import { cached, cacheKey, readStackIndex, recordStacks } from './cache';
import type { FromWorker, ToWorker } from './worker';
import { jobLedgerKey, selectStacks, type StackRef } from './stack-order';
import {
  clusterProps,
  jobProps,
  registryProps,
  rulePriorities,
  serviceProps,
  stackWorkDir,
  type AdoptionRecord,
} from './props';

export {
  REGISTRY_STACK,
  clusterStackName,
  environmentStacks,
  jobLedgerKey,
  jobStackName,
  selectStacks,
  serviceStackName,
  stackSelector,
  type StackRef,
} from './stack-order';

export interface SynthOptions {
  /** Output folder. @default `<project>/cdktf.out` */
  readonly outDir?: string;
  /** Stack selection within the environments (`cluster`, `registry`, service names). @default all */
  readonly stacks?: readonly string[];
  /** Reuse stacks whose inputs did not change since the last synth into outDir. @default true */
  readonly cache?: boolean;
  /** Worker threads for large builds (1: build in this thread). @default one per core, for 100+ stacks */
  readonly workers?: number;
  /**
   * The released image of each service, per environment (environment → service → a `sha256:`
   * digest in the service's repository, or a full `repo@sha256:...` reference): what the release
   * store says runs there. src/ops reads the store; synth only uses what it is given.
   * @default the config's image.tag / image.digest for every service
   */
  readonly images?: ReleasedImages;
  /**
   * Services whose ECS service stays on a given task definition while the stack registers the new
   * one (environment → service → ARN): a release's deployment.before commands are running.
   * @default none: every ECS service runs its stack's task definition
   */
  readonly holds?: HeldTaskDefinitions;
  /**
   * Adopted services whose existing resources an apply already imported (environment → service →
   * the ECS service it imported), as the release store records them: their stacks have no `import`
   * blocks any more. src/ops reads the store.
   * @default none: every service with `adopt` gets its import blocks
   */
  readonly adopted?: AdoptedServices;
}

/** environment → service → the ECS service (name and cluster) an apply imported. */
export type AdoptedServices = ReadonlyMap<string, ReadonlyMap<string, AdoptionRecord>>;

/** environment → service → the task definition ARN its ECS service stays on. */
export type HeldTaskDefinitions = ReadonlyMap<string, ReadonlyMap<string, string>>;

/**
 * environment → service (or `jobs/<job>`, see jobLedgerKey) → `sha256:...` digest in its own
 * repository, or a full image reference.
 */
export type ReleasedImages = ReadonlyMap<string, ReadonlyMap<string, string>>;

export interface SynthesizedStack extends StackRef {
  /** Number of Terraform resources in the stack. */
  readonly resources: number;
  /** Folder of the stack's cdk.tf.json, relative to the project root when inside it. */
  readonly path: string;
  /** Absolute folder (the Terraform working directory). */
  readonly dir: string;
  /** True when the stack's inputs were unchanged and its JSON was reused. */
  readonly cached: boolean;
}

/** Below this many stacks to build, starting worker threads costs more than it saves. */
const WORKER_THRESHOLD = 100;

export function defaultOutDir(project: ResolvedProject): string {
  return join(project.root, 'cdktf.out');
}

/** Computes the plain-data job of a selected stack (props computed here, stacks built elsewhere). */
function jobMaker(
  project: ResolvedProject,
  envs: readonly ResolvedEnvironment[],
  outDir: string,
  images?: ReleasedImages,
  holds?: HeldTaskDefinitions,
  adopted?: AdoptedServices,
): (ref: StackRef) => StackJob & { ref: StackRef } {
  const priorities = new Map(envs.map((e) => [e.name, rulePriorities(e)]));
  return (ref) => {
    if (ref.kind === 'registry')
      return { ref, kind: 'registry', name: ref.name, props: registryProps(project, outDir, ref.name) };
    const env = envs.find((e) => e.name === ref.environment)!;
    if (ref.kind === 'cluster')
      return { ref, kind: 'cluster', name: ref.name, props: clusterProps(project, env, outDir) };
    if (ref.kind === 'job') {
      const job = (env.jobs ?? []).find((j) => j.name === ref.job)!;
      return {
        ref,
        kind: 'job',
        name: ref.name,
        props: jobProps(project, env, job, ref.name, outDir, images?.get(env.name)?.get(jobLedgerKey(job.name))),
      };
    }
    const svc = env.services.find((s) => s.name === ref.service)!;
    return {
      ref,
      kind: 'service',
      name: ref.name,
      props: serviceProps(
        project,
        env,
        svc,
        ref.name,
        outDir,
        priorities.get(env.name)!.get(svc.name),
        images?.get(env.name)?.get(svc.name),
        holds?.get(env.name)?.get(svc.name),
        adopted?.get(env.name)?.get(svc.name),
      ),
    };
  };
}

export function synthesize(
  project: ResolvedProject,
  envs: readonly ResolvedEnvironment[],
  options: SynthOptions = {},
): SynthesizedStack[] {
  const outDir = resolve(options.outDir ?? defaultOutDir(project));
  const refs = selectStacks(envs, options.stacks ?? []);
  const index = options.cache !== false ? readStackIndex(outDir) : new Map<string, never>();
  // With nothing to reuse, every selected stack is built: start the workers now, so they load while
  // the jobs are computed, and send them the jobs in batches as they come.
  const pool = index.size === 0 ? WorkerPool.start(outDir, refs.length, options.workers) : undefined;
  const makeJob = jobMaker(project, envs, outDir, options.images, options.holds, options.adopted);
  const jobs: Array<{ job: StackJob & { ref: StackRef }; dir: string }> = [];
  const toBuild: StackJob[] = [];
  const reused = new Map<string, number>();
  try {
    for (const ref of refs) {
      const job = makeJob(ref);
      const dir = stackWorkDir(outDir, job.name);
      const key = cacheKey(stripRef(job), lambdaSource(job));
      jobs.push({ job, dir });
      const hit = cached(index, dir, job.name, key);
      if (hit !== undefined) reused.set(job.name, hit.resources);
      else if (pool !== undefined) pool.add({ ...stripRef(job), cacheKey: key });
      else toBuild.push({ ...stripRef(job), cacheKey: key });
    }
  } catch (err) {
    pool?.stop();
    throw err;
  }
  const builtStacks = pool !== undefined ? pool.finish() : build(outDir, toBuild, options.workers);
  const built = new Map(builtStacks.map((b) => [b.name, b.resources]));
  recordStacks(outDir, new Map(builtStacks.flatMap((b) => (b.entry ? [[b.name, b.entry] as const] : []))));

  const result = jobs.map(({ job, dir }) => {
    const resources = reused.get(job.name) ?? built.get(job.name);
    if (resources === undefined) throw new Error(`synth did not build stack ${job.name}`);
    const rel = relative(project.root, dir);
    return { ...job.ref, resources, path: rel.startsWith('..') ? dir : rel, dir, cached: reused.has(job.name) };
  });
  writeManifest(outDir, result);
  return result;
}

function stripRef(job: StackJob & { ref: StackRef }): StackJob {
  const { ref: _ref, ...rest } = job;
  return rest as StackJob;
}

/** The draining Lambda's source is an input of a cluster stack that zips it. */
function lambdaSource(job: StackJob): string[] {
  if (job.kind !== 'cluster' || job.props.ec2?.draining !== 'lifecycle-hook') return [];
  const file = join(job.props.drainLambdaSource, 'index.js');
  return existsSync(file) ? [readFileSync(file, 'utf8')] : [];
}

/** Longest a worker may take before synth gives up on it. */
const WORKER_TIMEOUT_MS = 10 * 60_000;

/** Jobs per message to a worker: enough that messaging costs nothing, few enough that workers start early. */
const BATCH = 25;

/** How many workers for `jobs` stacks (1: build in this thread). */
function workerCount(jobs: number, workers?: number): number {
  const compiled = __filename.endsWith('.js'); // worker threads need the compiled worker (not ts-jest)
  const n = Math.min(workers ?? cpus().length, Math.ceil(jobs / BATCH));
  return !compiled || n <= 1 || (workers === undefined && jobs < WORKER_THRESHOLD) ? 1 : n;
}

/** Builds the jobs, in worker threads when there are many (see WorkerPool), else in this thread. */
function build(outDir: string, jobs: readonly StackJob[], workers?: number): BuiltStack[] {
  const pool = WorkerPool.start(outDir, jobs.length, workers);
  if (pool === undefined) return buildStacks(outDir, jobs);
  for (const job of jobs) pool.add(job);
  return pool.finish();
}

/**
 * Synth worker threads (./worker), one per core. Synchronous on purpose (callers stay simple): the
 * workers run on their own threads while this one computes jobs, then waits on a shared counter.
 */
class WorkerPool {
  private readonly finished = new Int32Array(new SharedArrayBuffer(4));
  private readonly workers: Array<{ readonly worker: Worker; readonly port: MessagePort; pending: StackJob[] }>;
  private next = 0;

  /** Starts the workers for `jobs` stacks, or returns undefined when they would cost more than they save. */
  static start(outDir: string, jobs: number, workers?: number): WorkerPool | undefined {
    const n = workerCount(jobs, workers);
    return n > 1 ? new WorkerPool(outDir, n) : undefined;
  }

  private constructor(outDir: string, n: number) {
    // cdktf creates these when missing (existsSync, then mkdirSync): two workers starting at once
    // would race to create them, and the loser fail with EEXIST.
    mkdirSync(join(outDir, 'stacks'), { recursive: true });
    this.workers = Array.from({ length: n }, () => {
      const { port1, port2 } = new MessageChannel();
      const worker = new Worker(join(__dirname, 'worker.js'), {
        workerData: { outDir, port: port2, finished: this.finished },
        transferList: [port2],
      });
      return { worker, port: port1, pending: [] };
    });
  }

  /** Queues a job. Jobs go round-robin, so each worker gets a similar mix of cluster and service stacks. */
  add(job: StackJob): void {
    const w = this.workers[this.next++ % this.workers.length]!;
    w.pending.push(job);
    if (w.pending.length >= BATCH) this.flush(w);
  }

  private flush(w: WorkerPool['workers'][number]): void {
    if (w.pending.length === 0) return;
    w.port.postMessage({ jobs: w.pending } satisfies ToWorker);
    w.pending = [];
  }

  /** Sends the last jobs, waits for every worker's stacks, and stops the workers. */
  finish(): BuiltStack[] {
    for (const w of this.workers) {
      this.flush(w);
      w.port.postMessage({ done: true } satisfies ToWorker);
    }
    const n = this.workers.length;
    const deadline = Date.now() + WORKER_TIMEOUT_MS;
    for (let done = Atomics.load(this.finished, 0); done < n; done = Atomics.load(this.finished, 0)) {
      if (Atomics.wait(this.finished, 0, done, Math.max(1, deadline - Date.now())) === 'timed-out') {
        this.stop();
        throw new Error(`synth workers did not finish within ${WORKER_TIMEOUT_MS / 60_000} minutes`);
      }
    }
    const replies = this.workers.map(
      ({ port }): FromWorker =>
        (receiveMessageOnPort(port)?.message as FromWorker | undefined) ?? {
          ok: false,
          message: 'a synth worker stopped without a result',
        },
    );
    this.stop();
    const failure = replies.find((r): r is Extract<FromWorker, { ok: false }> => !r.ok);
    if (failure !== undefined) throw Object.assign(new Error(failure.message), { stack: failure.stack });
    return replies.flatMap((r) => (r.ok ? r.built : []));
  }

  /** Stops the workers, whatever they are doing. */
  stop(): void {
    for (const { worker, port } of this.workers) {
      port.close();
      void worker.terminate();
    }
  }
}

/**
 * cdktf's manifest.json, listing every selected stack whether it was built now or reused, with the
 * stacks each depends on (./plan.ts: registry and cluster before services and jobs), so that the
 * manifest states the order and `cdktf deploy` of this app would keep it. Stacks are built in
 * separate apps (worker threads), so the order is declared here rather than by addDependency.
 */
function writeManifest(
  outDir: string,
  stacks: ReadonlyArray<{ readonly name: string; readonly dependsOn: readonly string[] }>,
): void {
  const version = (JSON.parse(readFileSync(require.resolve('cdktf/package.json'), 'utf8')) as { version: string })
    .version;
  const manifest = new Manifest(version, outDir, false);
  const selected = new Set(stacks.map((s) => s.name));
  for (const { name, dependsOn } of stacks) {
    const entry: StackManifest = {
      name,
      constructPath: name,
      workingDirectory: join(Manifest.stacksFolder, name),
      synthesizedStackPath: join(Manifest.stacksFolder, name, manifest.stackFileName),
      stackMetadataPath: join(Manifest.stacksFolder, name, Manifest.stackMetadataPath),
      annotations: [],
      // Only stacks of this synthesis: a selection (--stack) may leave out what it depends on.
      dependencies: dependsOn.filter((d) => selected.has(d)),
    };
    manifest.stacks[name] = entry;
  }
  manifest.writeToFile();
}
