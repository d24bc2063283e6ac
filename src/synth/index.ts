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
import { MessageChannel, receiveMessageOnPort, Worker } from 'node:worker_threads';
import { Manifest, type StackManifest } from 'cdktf';
import type { ResolvedEnvironment, ResolvedProject } from '../config/load';
import { buildStacks, type BuiltStack, type StackJob } from './build';
import { cached, cacheKey, readStackIndex, recordStacks } from './cache';
import { selectStacks, type StackRef } from './plan';
import { clusterProps, registryProps, rulePriorities, serviceProps, stackWorkDir } from './props';

export { REGISTRY_STACK, clusterStackName, environmentStacks, selectStacks, serviceStackName, type StackRef } from './plan';

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
}

/** environment → service → `sha256:...` digest in the service's repository, or a full image reference. */
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

/** The plain-data jobs for the selected stacks (props computed here, stacks built elsewhere). */
export function stackJobs(project: ResolvedProject, envs: readonly ResolvedEnvironment[], outDir: string, selection: readonly string[] = [], images?: ReleasedImages): Array<StackJob & { ref: StackRef }> {
  const priorities = new Map(envs.map((e) => [e.name, rulePriorities(e)]));
  return selectStacks(envs, selection).map((ref) => {
    if (ref.kind === 'registry') return { ref, kind: 'registry', name: ref.name, props: registryProps(project, outDir, ref.name) };
    const env = envs.find((e) => e.name === ref.environment)!;
    if (ref.kind === 'cluster') return { ref, kind: 'cluster', name: ref.name, props: clusterProps(project, env, outDir) };
    const svc = env.services.find((s) => s.name === ref.service)!;
    return { ref, kind: 'service', name: ref.name, props: serviceProps(project, env, svc, ref.name, outDir, priorities.get(env.name)!.get(svc.name), images?.get(env.name)?.get(svc.name)) };
  });
}

export function synthesize(project: ResolvedProject, envs: readonly ResolvedEnvironment[], options: SynthOptions = {}): SynthesizedStack[] {
  const outDir = resolve(options.outDir ?? defaultOutDir(project));
  const jobs = stackJobs(project, envs, outDir, options.stacks ?? [], options.images).map((job) => ({ job, dir: stackWorkDir(outDir, job.name), key: cacheKey(stripRef(job), lambdaSource(job)) }));
  const reused = new Map<string, number>();
  if (options.cache !== false) {
    const index = readStackIndex(outDir);
    for (const { job, dir, key } of jobs) {
      const hit = cached(index, dir, job.name, key);
      if (hit !== undefined) reused.set(job.name, hit.resources);
    }
  }
  const toBuild = jobs.filter(({ job }) => !reused.has(job.name));
  const builtStacks = build(outDir, toBuild.map(({ job, key }) => ({ ...stripRef(job), cacheKey: key })), options.workers);
  const built = new Map(builtStacks.map((b) => [b.name, b.resources]));
  recordStacks(outDir, new Map(builtStacks.flatMap((b) => (b.entry ? [[b.name, b.entry] as const] : []))));

  const result = jobs.map(({ job, dir }) => {
    const resources = reused.get(job.name) ?? built.get(job.name);
    if (resources === undefined) throw new Error(`synth did not build stack ${job.name}`);
    const rel = relative(project.root, dir);
    return { ...job.ref, resources, path: rel.startsWith('..') ? dir : rel, dir, cached: reused.has(job.name) };
  });
  writeManifest(outDir, result.map((s) => s.name));
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

/**
 * Builds the jobs, in worker threads when there are many. Synchronous on purpose (callers stay
 * simple): the workers run on their own threads while this one waits on a shared counter.
 */
function build(outDir: string, jobs: readonly StackJob[], workers?: number): BuiltStack[] {
  const compiled = __filename.endsWith('.js'); // worker threads need the compiled worker (not ts-jest)
  const n = Math.min(workers ?? cpus().length, Math.ceil(jobs.length / 25));
  if (!compiled || n <= 1 || (workers === undefined && jobs.length < WORKER_THRESHOLD)) return buildStacks(outDir, jobs);
  // cdktf creates these when missing (existsSync, then mkdirSync): two workers starting at once
  // would race to create them, and the loser fail with EEXIST.
  mkdirSync(join(outDir, 'stacks'), { recursive: true });
  // Interleave so each worker gets a similar mix of cluster and service stacks.
  const batches: StackJob[][] = Array.from({ length: n }, () => []);
  jobs.forEach((job, i) => batches[i % n]!.push(job));
  const finished = new Int32Array(new SharedArrayBuffer(4));
  const started = batches.map((batch) => {
    const { port1, port2 } = new MessageChannel();
    const worker = new Worker(join(__dirname, 'worker.js'), { workerData: { outDir, jobs: batch, port: port2, finished }, transferList: [port2] });
    return { worker, port: port1 };
  });
  const deadline = Date.now() + WORKER_TIMEOUT_MS;
  for (let done = Atomics.load(finished, 0); done < n; done = Atomics.load(finished, 0)) {
    if (Atomics.wait(finished, 0, done, Math.max(1, deadline - Date.now())) === 'timed-out') {
      for (const { worker } of started) void worker.terminate();
      throw new Error(`synth workers did not finish within ${WORKER_TIMEOUT_MS / 60_000} minutes`);
    }
  }
  const replies = started.map(({ worker, port }) => {
    const reply = receiveMessageOnPort(port)?.message as { ok: boolean; built?: BuiltStack[]; message?: string; stack?: string } | undefined;
    port.close();
    void worker.terminate();
    return reply ?? { ok: false, message: 'a synth worker stopped without a result' };
  });
  const failure = replies.find((r) => !r.ok);
  if (failure !== undefined) throw Object.assign(new Error(failure.message), { stack: failure.stack });
  return replies.flatMap((r) => r.built ?? []);
}

/** cdktf's manifest.json, listing every selected stack whether it was built now or reused. */
function writeManifest(outDir: string, names: readonly string[]): void {
  const version = (JSON.parse(readFileSync(require.resolve('cdktf/package.json'), 'utf8')) as { version: string }).version;
  const manifest = new Manifest(version, outDir, false);
  for (const name of names) {
    const entry: StackManifest = {
      name,
      constructPath: name,
      workingDirectory: join(Manifest.stacksFolder, name),
      synthesizedStackPath: join(Manifest.stacksFolder, name, manifest.stackFileName),
      stackMetadataPath: join(Manifest.stacksFolder, name, Manifest.stackMetadataPath),
      annotations: [],
      dependencies: [],
    };
    manifest.stacks[name] = entry;
  }
  manifest.writeToFile();
}
