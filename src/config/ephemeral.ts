/**
 * Environments on demand: their record (what `env create` writes, next to the state) and how one
 * resolves from its base environment. Pure: reading and writing records is src/ops' job.
 *
 * An environment on demand shares its base's cluster and load balancer unless it is isolated: it
 * then has only service stacks, reached through listener rules that match its own host name
 * (`<name>.<base domain>`) or, without a domain, an `X-Ecsdeploy-Env: <name>` header. Each one holds
 * a slot (0..MAX_SLOTS-1) among the environments of its base; its rules take priorities
 * `1 + slot*100 + i`, all below the base environment's (from AUTO_PRIORITY_START), so they are
 * evaluated first and never collide.
 */
import { z } from 'zod';
import { UsageError } from '../errors';
import type { ResolvedEnvironment, ResolvedService } from './load';
import { DURATION_EXAMPLES, parseDuration } from '../duration';
import { closest } from './suggest';

/** Listener-rule priorities of base environments start here; everything below belongs to slots. */
export const AUTO_PRIORITY_START = 20000;
export const SLOT_SIZE = 100;
export const MAX_SLOTS = AUTO_PRIORITY_START / SLOT_SIZE - 1; // 199: priorities 1..19900
/** DNS label, and short enough for `<project>-<name>-<service>-green` AWS names with a hash. */
export const EPHEMERAL_NAME = /^[a-z]([a-z0-9-]*[a-z0-9])?$/;
export const MAX_EPHEMERAL_NAME = 24;
/** Header that routes to an environment on demand when its base has no domain. */
export const ENV_HEADER = 'X-Ecsdeploy-Env';

export const EphemeralRecordSchema = z.strictObject({
  version: z.literal(1),
  name: z.string().regex(EPHEMERAL_NAME).max(MAX_EPHEMERAL_NAME),
  base: z.string(),
  owner: z.string().min(1),
  createdAt: z.iso.datetime(),
  expiresAt: z.iso.datetime(),
  isolated: z.boolean(),
  services: z.array(z.string()),
  slot: z
    .number()
    .int()
    .min(0)
    .max(MAX_SLOTS - 1),
  /** service → image reference (a digest from the base's release, or what --image gave). */
  images: z.record(z.string(), z.string()).default({}),
  status: z.enum(['creating', 'ready', 'failed', 'destroying']),
  /** The `env create` process that wrote it: while it is `creating`, a process gone from this host means it was killed. */
  creator: z.strictObject({ host: z.string().min(1), pid: z.number().int().positive() }).optional(),
});
export type EphemeralRecord = z.infer<typeof EphemeralRecordSchema>;

/** What a resolved environment knows about being on demand. */
export interface EphemeralInfo {
  readonly base: string;
  readonly slot: number;
  readonly isolated: boolean;
  readonly owner: string;
  readonly createdAt: string;
  readonly expiresAt: string;
}

/** A time to live (`48h`, `2d12h`) → milliseconds, or a usage error naming where it came from. */
export function ttlMs(text: string, flag = '--ttl'): number {
  const ms = parseDuration(text);
  if (ms === undefined || ms === 0)
    throw new UsageError(`${flag} ${text}: expected a duration such as ${DURATION_EXAMPLES}`, [
      `For example ${flag} 48h.`,
    ]);
  return ms;
}

/** A name for a new environment: DNS-safe, short enough for AWS names, not taken. */
export function checkEnvironmentName(name: string, taken: readonly string[]): void {
  const problems: string[] = [];
  if (!EPHEMERAL_NAME.test(name))
    problems.push(
      "use lowercase letters, digits and '-', starting with a letter and not ending with '-' (it becomes a host name)",
    );
  if (name.length > MAX_EPHEMERAL_NAME)
    problems.push(
      `use at most ${MAX_EPHEMERAL_NAME} characters (it is part of AWS resource names such as target groups, 32 characters)`,
    );
  if (problems.length > 0)
    throw new UsageError(`environment name '${name}': ${problems.join('; ')}`, [
      'For example feature-login or pr-1234.',
    ]);
  if (taken.includes(name))
    throw new UsageError(`environment '${name}' already exists`, [
      `Choose another name, or remove it first with \`ecsdeploy env destroy ${name}\`.`,
    ]);
}

/** The lowest slot no other environment of the same base holds. */
export function allocateSlot(others: ReadonlyArray<Pick<EphemeralRecord, 'base' | 'slot'>>, base: string): number {
  const used = new Set(others.filter((r) => r.base === base).map((r) => r.slot));
  for (let slot = 0; slot < MAX_SLOTS; slot++) if (!used.has(slot)) return slot;
  throw new UsageError(
    `environment '${base}' already hosts ${MAX_SLOTS} environments on demand, the most its load balancer's rule priorities allow`,
    ['Destroy expired ones with `ecsdeploy env gc`, or create this one with --isolated.'],
  );
}

/** Splits an image reference into what a service's `image` block holds. */
export function imageBlock(ref: string): ResolvedService['image'] {
  if (/^sha256:[0-9a-f]{64}$/.test(ref)) return { digest: ref };
  const at = ref.indexOf('@sha256:');
  if (at > 0) return { repository: ref.slice(0, at), digest: ref.slice(at + 1) };
  const colon = ref.lastIndexOf(':');
  if (colon > ref.lastIndexOf('/')) {
    const repository = ref.slice(0, colon);
    return repository.includes('/') || repository.includes('.')
      ? { repository, tag: ref.slice(colon + 1) }
      : { tag: ref.slice(colon + 1) };
  }
  return { tag: ref };
}

/**
 * The environment on demand as a resolved environment: its base's configuration, only the chosen
 * services (no scheduled jobs), the smaller sizes of the base's `ephemeral` block, and its own images.
 */
export function resolveEphemeral(base: ResolvedEnvironment, record: EphemeralRecord): ResolvedEnvironment {
  const defaults = base.config.ephemeral;
  const services = record.services.map((name) => {
    const svc = base.services.find((s) => s.name === name);
    if (svc === undefined) {
      const guess = closest(
        name,
        base.services.map((s) => s.name),
      );
      throw new UsageError(
        `service '${name}' is not deployed in '${base.name}'${guess ? `; did you mean '${guess}'?` : ''}`,
        [`Services of ${base.name}: ${base.services.map((s) => s.name).join(', ')}.`],
      );
    }
    const image = record.images[name];
    const scaling =
      svc.scaling === undefined
        ? undefined
        : {
            ...svc.scaling,
            min: Math.min(svc.scaling.min, defaults.count),
            max: Math.max(1, Math.min(svc.scaling.max, defaults.maxCount)),
            schedules: [],
          };
    // An adopted service stays the base's: the environment on demand runs a copy of its own.
    const { adopt: _adopt, ...own } = svc;
    return {
      ...own,
      count: defaults.count,
      ...(scaling ? { scaling: { ...scaling, min: Math.min(scaling.min, scaling.max) } } : {}),
      ...(image !== undefined ? { image: imageBlock(image) } : {}),
      http: svc.http === undefined ? undefined : { ...svc.http, priority: undefined },
    } as ResolvedService;
  });
  const info: EphemeralInfo = {
    base: base.name,
    slot: record.slot,
    isolated: record.isolated,
    owner: record.owner,
    createdAt: record.createdAt,
    expiresAt: record.expiresAt,
  };
  // Scheduled jobs stay with the permanent environment: an environment on demand runs none.
  const { jobs: _jobs, ...permanent } = base;
  return {
    ...permanent,
    name: record.name,
    file: `.ecsdeploy/environments/${record.name}.json`,
    config: { ...base.config, protected: false, ...(record.isolated ? ownCluster(base.config) : {}) },
    // Not the expiry: `env extend` would then re-tag every resource. The record holds it.
    tags: { ...base.tags, 'ecsdeploy:base': base.name, 'ecsdeploy:owner': record.owner },
    services,
    ephemeral: info,
  };
}

/**
 * An isolated environment on demand creates its own cluster and load balancer, also when its base
 * runs on existing ones (`cluster.existing`, `loadBalancer.existing`): with Fargate capacity, as the
 * base's capacity is the existing cluster's.
 */
function ownCluster(config: ResolvedEnvironment['config']): Partial<ResolvedEnvironment['config']> {
  if (config.cluster.existing === undefined && config.loadBalancer.existing === undefined) return {};
  const { existing: _cluster, ...cluster } = config.cluster;
  const { existing: _lb, ...loadBalancer } = config.loadBalancer;
  return { cluster: config.cluster.existing !== undefined ? { ...cluster, fargate: true } : cluster, loadBalancer };
}
