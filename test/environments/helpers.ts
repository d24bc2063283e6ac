/**
 * Doubles for the environment lifecycle tests: an in-memory S3 bucket with real conditional-write
 * semantics, a recording InfraRunner that resolves environments exactly like the real one (through
 * openEnvironments) and leaves Terraform's traces (stack folders, state files) where the engine
 * would, a fake clock, and a small project.
 */
import { existsSync, mkdirSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import type { ObjectKeysApi } from '../../src/aws/s3-keys';
import type { ObjectStoreApi } from '../../src/aws/s3-objects';
import { EcsdeployError } from '../../src/errors';
import type { S3Access } from '../../src/ops/environments';
import type {
  ApplyReport,
  ApplyRequest,
  DestroyReport,
  DestroyRequest,
  InfraRunner,
  PlanReport,
} from '../../src/ops/infra/types';
import { openEnvironments } from '../../src/ops/project';
import { environmentStacks, selectStacks } from '../../src/synth/stack-order';
import { projectWith } from '../config/fixture-project';
import type { EphemeralRecord } from '../../src/config/ephemeral';
import { manualClock, type ManualClock } from '../support/clock';

// ---------------------------------------------------------------------------------------------

export interface MemoryBucket {
  readonly access: S3Access;
  readonly objects: ObjectStoreApi;
  readonly keys: ObjectKeysApi;
  /** bucket/key → body */
  readonly data: Map<string, string>;
  /** Every key of a bucket, sorted. */
  list(bucket: string): string[];
}

/** S3 in memory: If-None-Match: * fails when the key exists, If-Match when the ETag differs. */
export function memoryS3(): MemoryBucket {
  const data = new Map<string, string>();
  const etags = new Map<string, string>();
  let n = 0;
  const id = (bucket: string, key: string) => `${bucket}/${key}`;
  const objects: ObjectStoreApi = {
    async get(bucket, key) {
      const body = data.get(id(bucket, key));
      return body === undefined ? undefined : { body, etag: etags.get(id(bucket, key))! };
    },
    async put(bucket, key, body, condition) {
      const k = id(bucket, key);
      if ('ifNoneMatch' in condition ? data.has(k) : etags.get(k) !== condition.ifMatch) return { written: false };
      const etag = `"${++n}"`;
      data.set(k, body);
      etags.set(k, etag);
      return { written: true, etag };
    },
  };
  const keys: ObjectKeysApi = {
    async list(bucket, prefix) {
      return [...data.keys()]
        .filter((k) => k.startsWith(`${bucket}/${prefix}`))
        .map((k) => k.slice(bucket.length + 1))
        .sort();
    },
    async remove(bucket, list) {
      for (const key of list) {
        data.delete(id(bucket, key));
        etags.delete(id(bucket, key));
      }
    },
  };
  return {
    access: () => ({ objects, keys }),
    objects,
    keys,
    data,
    list: (bucket) =>
      [...data.keys()]
        .filter((k) => k.startsWith(`${bucket}/`))
        .map((k) => k.slice(bucket.length + 1))
        .sort(),
  };
}

// ---------------------------------------------------------------------------------------------

/** The clock environments on demand are dated with, advanced by hand. */
export function fakeClock(start = '2026-11-24T10:00:00.000Z'): ManualClock {
  return manualClock(start);
}

export const HOUR = 3_600_000;

// ---------------------------------------------------------------------------------------------

export interface InfraCall {
  readonly op: 'apply' | 'destroy';
  readonly env: string;
  /** The stacks the run covered, in order. */
  readonly stacks: readonly string[];
}

export interface RecordingInfraOptions {
  /** Where the state of a stack goes: a local file (default) or an S3 object. */
  readonly state?:
    | { readonly kind: 'local'; readonly dir: string }
    | { readonly kind: 's3'; readonly bucket: MemoryBucket; readonly name: string; readonly prefix: string };
  /** apply: write state for this many stacks, then fail. */
  readonly failApplyAfter?: number;
  /** destroy: fail (after nothing) this many times, then work. */
  readonly failDestroyTimes?: number;
  /** Outputs written into the state of these stacks. */
  readonly outputs?: Record<string, Record<string, string>>;
}

export interface RecordingInfra extends InfraRunner {
  readonly calls: InfraCall[];
}

const EMPTY_PLAN = (env: string, operation: 'apply' | 'destroy'): PlanReport => ({
  environment: env,
  operation,
  changes: true,
  stacks: [],
  engine: { kind: 'terraform', version: '1.11.4' },
  logFile: '/dev/null',
  kept: [],
});

/**
 * An InfraRunner that does what the real one does around the engine — resolve the environment
 * (an unknown name must resolve from its record), pick the stacks, ask `confirm`, create stack
 * folders under cdktf.out/stacks/ and state files — and records each run.
 */
export function recordingInfra(options: RecordingInfraOptions = {}): RecordingInfra {
  const calls: InfraCall[] = [];
  let destroyFailures = options.failDestroyTimes ?? 0;
  const writeState = async (root: string, stack: string, resources: number) => {
    const outputs = Object.fromEntries(
      Object.entries(options.outputs?.[stack] ?? {}).map(([k, v]) => [k, { value: v, type: 'string' }]),
    );
    const body = JSON.stringify({
      version: 4,
      resources: Array.from({ length: resources }, (_, i) => ({ mode: 'managed', type: 'aws_thing', name: `r${i}` })),
      outputs,
    });
    const state = options.state ?? { kind: 'local', dir: join(root, '.ecsdeploy', 'state') };
    if (state.kind === 'local') {
      mkdirSync(state.dir, { recursive: true });
      writeFileSync(join(state.dir, `${stack}.tfstate`), body);
    } else {
      await state.bucket.objects
        .put(state.name, `${state.prefix}/${stack}.tfstate`, body, { ifNoneMatch: '*' })
        .then(async (r) => {
          if (!r.written) {
            const current = await state.bucket.objects.get(state.name, `${state.prefix}/${stack}.tfstate`);
            await state.bucket.objects.put(state.name, `${state.prefix}/${stack}.tfstate`, body, {
              ifMatch: current!.etag,
            });
          }
        });
    }
  };
  const stacksOf = async (req: { dir: string; env: string; stacks?: readonly string[] }) => {
    const { project, envs } = await openEnvironments(
      req.dir,
      [req.env],
      options.state?.kind === 's3' ? { s3: options.state.bucket.access } : {},
    );
    const refs = req.stacks?.length ? selectStacks(envs, req.stacks) : environmentStacks(envs[0]!);
    return { root: project.root, names: refs.map((r) => r.name) };
  };
  return {
    calls,
    async plan() {
      throw new Error('not used by the env lifecycle');
    },
    async apply(req: ApplyRequest): Promise<ApplyReport> {
      const { root, names } = await stacksOf(req);
      calls.push({ op: 'apply', env: req.env, stacks: names });
      const plan = EMPTY_PLAN(req.env, 'apply');
      if (req.confirm && !(await req.confirm(plan)))
        throw new EcsdeployError('Cancelled: nothing was applied.', { code: 'ECSDEPLOY_CANCELLED' });
      const applied = options.failApplyAfter === undefined ? names : names.slice(0, options.failApplyAfter);
      for (const name of applied) {
        mkdirSync(join(root, 'cdktf.out', 'stacks', name, '.terraform'), { recursive: true });
        writeFileSync(join(root, 'cdktf.out', 'stacks', name, 'cdk.tf.json'), '{}');
        await writeState(root, name, 3);
      }
      if (applied.length < names.length) {
        throw new EcsdeployError(
          `terraform apply failed for stack ${names[applied.length]}:\n  Error: creating ELBv2 Listener Rule: PriorityInUse`,
          { code: 'ECSDEPLOY_ENGINE_FAILED' },
        );
      }
      return {
        environment: req.env,
        plan,
        stacks: names.map((stack) => ({ stack, applied: true, summary: {} as never, outputs: {} })),
        logFile: '/dev/null',
      };
    },
    async destroy(req: DestroyRequest): Promise<DestroyReport> {
      const { root, names } = await stacksOf(req);
      calls.push({ op: 'destroy', env: req.env, stacks: names });
      const plan = EMPTY_PLAN(req.env, 'destroy');
      if (destroyFailures > 0) {
        destroyFailures--;
        throw new EcsdeployError(`terraform destroy failed for stack ${names[0]}:\n  Error: DependencyViolation`, {
          code: 'ECSDEPLOY_ENGINE_FAILED',
        });
      }
      if (req.confirm && !(await req.confirm(plan)))
        throw new EcsdeployError('Cancelled: nothing was destroyed.', { code: 'ECSDEPLOY_CANCELLED' });
      // Terraform leaves an empty state behind a destroy.
      for (const name of [...names].reverse()) await writeState(root, name, 0);
      return { environment: req.env, plan, destroyed: [...names].reverse(), kept: [], logFile: '/dev/null' };
    },
  };
}

// ---------------------------------------------------------------------------------------------

export const DEV_WITH_DOMAIN = `network:
  create:
    cidr: 10.0.0.0/16
loadBalancer:
  domain: dev.acme.example
  certificateArn: arn:aws:acm:us-east-1:123456789012:certificate/abc
cluster:
  ec2:
    instanceTypes: [t3.small]
    minSize: 1
    maxSize: 2
ephemeral:
  ttl: 48h
  maxTtl: 7d
`;

/**
 * The minimal project, with: dev (a domain, TTL 48h, at most 7d), prod (protected), and the services
 * api, web and admin-api (whose name makes `<env>-admin` + `api` a stack-name clash to refuse).
 */
export function lifecycleProject(files: Record<string, string> = {}): { dir: string; cleanup: () => void } {
  return projectWith({
    'environments/dev.yaml': DEV_WITH_DOMAIN,
    'environments/prod.yaml': `protected: true\nnetwork:\n  create:\n    cidr: 10.1.0.0/16\ncluster:\n  ec2:\n    instanceTypes: [t3.small]\n    minSize: 1\n    maxSize: 2\n`,
    'services/web.yaml': 'image:\n  tag: "2.0.0"\nport: 3000\nhttp:\n  paths: ["/*"]\n',
    'services/admin-api.yaml': 'image:\n  tag: "0.3.0"\nport: 8081\n',
    ...files,
  });
}

/** Every file under `dir` (relative), for before/after comparisons. */
export function filesUnder(dir: string): string[] {
  if (!existsSync(dir)) return [];
  const out: string[] = [];
  const walk = (d: string) => {
    for (const f of readdirSync(d)) {
      const full = join(d, f);
      if (statSync(full).isDirectory()) walk(full);
      else out.push(relative(dir, full));
    }
  };
  walk(dir);
  return out.sort();
}

/** An environment-on-demand record for tests: feature of `dev`, owned by alice, running `api`. */
export function ephemeralRecord(name: string, over: Partial<EphemeralRecord> = {}): EphemeralRecord {
  return {
    version: 1,
    name,
    base: 'dev',
    owner: 'alice',
    createdAt: '2026-11-24T10:00:00.000Z',
    expiresAt: '2026-11-26T10:00:00.000Z',
    isolated: false,
    services: ['api'],
    slot: 0,
    images: {},
    status: 'creating',
    ...over,
  };
}
