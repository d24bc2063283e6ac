/** `env list`, `env show` and `env extend`: reading and extending what is recorded. */
import { ttlMs } from '../../config/ephemeral';
import { loadProject, type ResolvedEnvironment } from '../../config/load';
import { UsageError } from '../../errors';
import { environmentStacks, hostClusterStack, type StackKind } from '../../synth/stack-order';
import { projectReleaseStore } from '../releases';
import { currentRelease, synthImage, type Release } from '../releases/model';
import {
  describeRecord,
  environmentDeps,
  updateRecord,
  workspace,
  type OnDemandEnvironment,
  type StoreDeps,
} from './context';
import { refusePermanent } from './destroy';
import type { RecordProblem } from './records';
import { noSuchEnvironment, resolveWithRecords } from './resolve';
import { serviceUrls, type ServiceUrl } from './urls';
import { dateOf } from '../../clock';

export type EnvironmentKind = 'permanent' | 'on-demand';

export interface EnvironmentListing {
  readonly name: string;
  readonly kind: EnvironmentKind;
  readonly services: readonly string[];
  /** permanent: `protected: true` in its file. */
  readonly protected?: boolean;
  /** on demand: its record. */
  readonly onDemand?: OnDemandEnvironment;
}

export interface ListResult {
  /** The time `expired` was judged at (ISO). */
  readonly now: string;
  /** Permanent environments first (by name), then environments on demand (by name). */
  readonly environments: readonly EnvironmentListing[];
  /** Records that could not be read. */
  readonly problems: readonly RecordProblem[];
}

export async function listEnvironments(
  req: { readonly dir: string },
  deps: StoreDeps = environmentDeps(),
): Promise<ListResult> {
  const ws = workspace(req.dir, deps);
  const project = loadProject(ws.root);
  const { records, problems } = await ws.records.list();
  return {
    now: dateOf(ws.clock).toISOString(),
    environments: [
      ...project.environments.map((e) => ({
        name: e.name,
        kind: 'permanent' as const,
        services: e.services.map((s) => s.name),
        protected: e.config.protected,
      })),
      ...records.map(({ record }) => ({
        name: record.name,
        kind: 'on-demand' as const,
        services: record.services,
        onDemand: describeRecord(ws, record),
      })),
    ],
    problems,
  };
}

export interface StackStatus {
  readonly name: string;
  readonly kind: StackKind;
  /** False for the base's cluster that a shared environment on demand runs on. */
  readonly owned: boolean;
  /** Managed resources in its state; 0 when it has none; undefined when the state could not be read. */
  readonly resources?: number;
  readonly applied: boolean;
}

export interface ServiceRelease {
  readonly service: string;
  /** The image its stack is synthesized with: its current release's, else the record's, else the configured tag or digest. */
  readonly image: string;
  /** Where that image comes from. */
  readonly source: 'release' | 'record' | 'config';
  /** Its current release in this environment, if it has one. */
  readonly release?: Pick<Release, 'id' | 'kind' | 'createdAt' | 'createdBy'> & {
    readonly status: Release['rollout']['status'];
  };
}

export interface ShowResult {
  readonly name: string;
  readonly kind: EnvironmentKind;
  readonly region: string;
  readonly protected: boolean;
  readonly onDemand?: OnDemandEnvironment;
  readonly stacks: readonly StackStatus[];
  readonly urls: readonly ServiceUrl[];
  readonly releases: readonly ServiceRelease[];
}

function configuredImage(env: ResolvedEnvironment, service: string): string {
  const image = env.services.find((s) => s.name === service)!.image;
  const id = image.digest ?? image.tag ?? '';
  if (image.repository === undefined) return id;
  return image.digest ? `${image.repository}@${image.digest}` : `${image.repository}:${id}`;
}

export async function showEnvironment(
  req: { readonly dir: string; readonly name: string },
  deps: StoreDeps = environmentDeps(),
): Promise<ShowResult> {
  const ws = workspace(req.dir, deps);
  const permanent = ws.permanent.includes(req.name);
  const stored = permanent ? undefined : await ws.records.get(req.name);
  if (!permanent && stored === undefined) throw await noSuchEnvironment(ws.root, req.name, ws.records);
  const { project, envs } = resolveWithRecords(ws.root, [req.name], stored ? [stored.record] : []);
  const env = envs[0]!;

  const own = environmentStacks(env).filter((s) => s.kind !== 'registry');
  const host = hostClusterStack(env);
  const refs = [
    ...(own.some((s) => s.name === host) ? [] : [{ name: host, kind: 'cluster' as const, owned: false }]),
    ...own.map((s) => ({ name: s.name, kind: s.kind, owned: true })),
  ];
  const states = await Promise.all(refs.map((s) => ws.state.read(s.name)));
  const stacks = refs.map((s, i) => {
    const st = states[i];
    return {
      ...s,
      ...(st === undefined ? { resources: 0 } : st.resources === undefined ? {} : { resources: st.resources }),
      applied: st !== undefined && st.resources !== 0,
    };
  });

  const store = deps.releases ?? projectReleaseStore(project);
  const releases = await Promise.all(
    env.services.map(async (svc): Promise<ServiceRelease> => {
      const release = currentRelease((await store.read(env.name, svc.name)).ledger);
      if (release !== undefined) {
        return {
          service: svc.name,
          image: synthImage(release),
          source: 'release',
          release: {
            id: release.id,
            kind: release.kind,
            createdAt: release.createdAt,
            createdBy: release.createdBy,
            status: release.rollout.status,
          },
        };
      }
      const recorded = stored?.record.images[svc.name];
      return recorded !== undefined
        ? { service: svc.name, image: recorded, source: 'record' }
        : { service: svc.name, image: configuredImage(env, svc.name), source: 'config' };
    }),
  );
  return {
    name: env.name,
    kind: permanent ? 'permanent' : 'on-demand',
    region: env.region,
    protected: env.config.protected,
    ...(stored ? { onDemand: describeRecord(ws, stored.record) } : {}),
    stacks,
    urls: await serviceUrls(env, ws.state),
    releases,
  };
}

export interface ExtendResult {
  readonly environment: OnDemandEnvironment;
  readonly previousExpiresAt: string;
}

/**
 * Pushes the expiry back by `ttl` (from now, when it has already expired), as long as that is at
 * most the base's `ephemeral.maxTtl` from now.
 */
export async function extendEnvironment(
  req: { readonly dir: string; readonly name: string; readonly ttl: string },
  deps: StoreDeps = environmentDeps(),
): Promise<ExtendResult> {
  const ws = workspace(req.dir, deps);
  refusePermanent(ws, req.name, 'extend');
  const stored = await ws.records.get(req.name);
  if (stored === undefined) throw await noSuchEnvironment(ws.root, req.name, ws.records);
  const ms = ttlMs(req.ttl);
  const base = loadProject(ws.root, { environments: [stored.record.base] }).environments[0]!;
  const maxTtl = base.config.ephemeral.maxTtl;
  const max = ttlMs(maxTtl, `ephemeral.maxTtl in ${base.file}:`);
  const now = ws.clock.now();
  let previous = stored.record.expiresAt;
  const updated = await updateRecord(ws.records, req.name, (r) => {
    previous = r.expiresAt;
    if (r.status === 'destroying') {
      throw new UsageError(`environment '${r.name}' is being destroyed; it cannot be extended`, [
        `If a destroy stopped half-way, finish it: ecsdeploy env destroy ${r.name}.`,
      ]);
    }
    const expires = Math.max(Date.parse(r.expiresAt), now) + ms;
    if (expires - now > max) {
      const left = Math.max(0, Math.floor((max - (Date.parse(r.expiresAt) - now)) / 3_600_000));
      throw new UsageError(
        `--ttl ${req.ttl}: '${r.name}' would then expire more than ${maxTtl} from now, the longest an environment made from '${r.base}' may live ahead (ephemeral.maxTtl in ${base.file})`,
        [
          left > 0
            ? `Extend it by at most ${left}h now, and again later.`
            : `It already expires ${maxTtl} from now; extend it again later.`,
        ],
      );
    }
    return { ...r, expiresAt: new Date(expires).toISOString() };
  });
  if (updated === undefined) throw await noSuchEnvironment(ws.root, req.name, ws.records);
  return { environment: describeRecord(ws, updated.record), previousExpiresAt: previous };
}
