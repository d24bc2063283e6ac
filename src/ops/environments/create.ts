/**
 * `env create NAME --from BASE`: an environment on demand, recorded next to the state and applied.
 *
 * 1. The name is checked (DNS-safe, short enough for AWS names, not taken, and its stack names
 *    collide with no other environment's); the base is loaded; TTL, owner and services are checked.
 * 2. Each service takes the image of the base's current release (`--image service=REF` overrides;
 *    a service the base never released keeps its configured image).
 * 3. The record is written with status `creating`, only if no record of that name exists, holding
 *    the lowest free slot among the base's environments on demand (a slot numbers its listener
 *    rules; two creates that picked the same slot at once are told apart right after writing).
 * 4. Its stacks are applied (a shared environment: only its service stacks). Success: `ready`.
 *    Failure: `failed`, and `env destroy NAME` cleans up whatever was made. Declining the plan
 *    before anything is applied removes the record again.
 */
import {
  allocateSlot,
  checkEnvironmentName,
  EphemeralRecordSchema,
  resolveEphemeral,
  ttlMs,
  type EphemeralRecord,
} from '../../config/ephemeral';
import { loadProject, type ResolvedEnvironment, type ResolvedProject } from '../../config/load';
import { closest } from '../../config/suggest';
import { EcsdeployError, UsageError } from '../../errors';
import { AwsClients } from '../../aws/clients';
import { ecrApi } from '../../aws/ecr';
import { environmentStacks } from '../../synth/stack-order';
import { assertAccount } from '../accounts';
import type { ApplyReport, Confirm, InfraEvent } from '../infra/types';
import { imageUri } from '../releases/model';
import { thisProcess } from '../local-process';
import { resolveImage } from '../releases/image';
import { projectReleaseStore, registryTarget, releasedImages } from '../releases';
import {
  describeRecord,
  environmentDeps,
  updateRecord,
  workspace,
  type EnvironmentDeps,
  type ImageResolver,
  type OnDemandEnvironment,
  type Workspace,
} from './context';
import { resolveOwner } from './owner';
import type { StoredRecord } from './records';
import { serviceUrls, type ServiceUrl } from './urls';
import { repositoryName } from '../../../stacks/names';
import { dateOf } from '../../clock';

export interface CreateRequest {
  /** Project folder. */
  readonly dir: string;
  readonly name: string;
  /** The permanent environment it is made from. */
  readonly from: string;
  /** @default the base's `ephemeral.ttl` */
  readonly ttl?: string;
  /** @default $ECSDEPLOY_OWNER, $GITHUB_ACTOR, $USER */
  readonly owner?: string;
  /** @default every service of the base */
  readonly services?: readonly string[];
  /** `service=REF` overrides of the released images. */
  readonly images?: readonly string[];
  /** Its own cluster and load balancer instead of the base's. */
  readonly isolated?: boolean;
  /** Asked with the plan before anything is applied. @default apply without asking */
  readonly confirm?: Confirm;
  readonly onEvent?: (event: InfraEvent) => void;
  readonly signal?: AbortSignal;
  /** Wait this long for a state lock held by another run (--lock-timeout). @default fail at once */
  readonly lockTimeout?: string;
}

export interface CreateResult {
  readonly environment: OnDemandEnvironment;
  /** Its stacks, in the order they were applied. */
  readonly stacks: readonly string[];
  readonly urls: readonly ServiceUrl[];
  readonly apply: ApplyReport;
}

/** Every stack name of the existing environments: a new environment's may collide with none. */
function takenStackNames(
  ws: Workspace,
  records: readonly EphemeralRecord[],
  serviceFiles: readonly string[],
): Map<string, string> {
  const taken = new Map<string, string>();
  // A permanent environment may deploy any service of the project (all are counted, to be safe).
  for (const env of ws.permanent) for (const unit of ['cluster', ...serviceFiles]) taken.set(`${env}-${unit}`, env);
  for (const r of records)
    for (const unit of [...(r.isolated ? ['cluster'] : []), ...r.services]) taken.set(`${r.name}-${unit}`, r.name);
  return taken;
}

function chooseServices(base: ResolvedEnvironment, requested: readonly string[] | undefined): string[] {
  const available = base.services.map((s) => s.name);
  if (requested === undefined || requested.length === 0) return available;
  const chosen = [
    ...new Set(
      requested
        .flatMap((s) => s.split(','))
        .map((s) => s.trim())
        .filter(Boolean),
    ),
  ];
  for (const s of chosen) {
    if (available.includes(s)) continue;
    const guess = closest(s, available);
    throw new UsageError(
      `--services ${s}: '${base.name}' has no service '${s}'${guess ? `; did you mean '${guess}'?` : ''}`,
      [`Services of ${base.name}: ${available.join(', ')}.`],
    );
  }
  return chosen;
}

/** `service=REF` pairs, each naming a chosen service once. */
function imageOverrides(pairs: readonly string[], services: readonly string[]): Map<string, string> {
  const out = new Map<string, string>();
  for (const pair of pairs) {
    const eq = pair.indexOf('=');
    const service = eq > 0 ? pair.slice(0, eq).trim() : '';
    const ref = eq > 0 ? pair.slice(eq + 1).trim() : '';
    if (!service || !ref)
      throw new UsageError(`--image ${pair}: expected SERVICE=IMAGE`, [
        'For example --image orders=1.4.2 or --image web=sha256:<digest>.',
      ]);
    if (!services.includes(service)) {
      const guess = closest(service, services);
      throw new UsageError(
        `--image ${pair}: '${service}' is not one of this environment's services${guess ? `; did you mean '${guess}'?` : ''}`,
        [`Its services: ${services.join(', ')}.`],
      );
    }
    if (out.has(service))
      throw new UsageError(`--image ${pair}: ${service} is given twice`, ['Give one --image per service.']);
    out.set(service, ref);
  }
  return out;
}

/** `--image` through ECR, like `service deploy`: tags become digests; mutable tags are refused. */
function ecrImageResolver(
  project: ResolvedProject,
  base: ResolvedEnvironment,
  environments: readonly string[],
): ImageResolver {
  const target = registryTarget(project, base);
  const ecr = ecrApi(new AwsClients(target));
  return async (service, ref) => {
    const svc = base.services.find((s) => s.name === service)!;
    const image = await resolveImage(ref, {
      ecr,
      region: target.region,
      repositoryName: repositoryName(project.config.project, service),
      ...(svc.image.repository ? { configuredRepository: svc.image.repository } : {}),
      environments,
      allowMutableTag: false,
    });
    return image.serviceRepository ? image.digest : imageUri(image);
  };
}

function checkTtl(base: ResolvedEnvironment, ttl: string | undefined): number {
  const { ttl: defaultTtl, maxTtl } = base.config.ephemeral;
  const ms = ttlMs(ttl ?? defaultTtl, ttl === undefined ? `ephemeral.ttl in ${base.file}:` : '--ttl');
  const max = ttlMs(maxTtl, `ephemeral.maxTtl in ${base.file}:`);
  if (ms > max) {
    throw new UsageError(
      `--ttl ${ttl ?? defaultTtl}: longer than ${maxTtl}, the longest an environment made from '${base.name}' may live (ephemeral.maxTtl in ${base.file})`,
      [
        `Give --ttl ${maxTtl} or less, and extend it later with \`ecsdeploy env extend NAME --ttl ...\`; or raise ephemeral.maxTtl in ${base.file}.`,
      ],
    );
  }
  return ms;
}

/**
 * After writing: another create that read the records at the same moment may hold the same slot.
 * The one created first (then by name) keeps it; the other moves to the next free slot.
 */
async function claimSlot(ws: Workspace, stored: StoredRecord): Promise<StoredRecord> {
  let current = stored;
  for (let attempt = 0; attempt < 5 && !current.record.isolated; attempt++) {
    const { records } = await ws.records.list();
    const others = records
      .map((r) => r.record)
      .filter((r) => r.name !== current.record.name && r.base === current.record.base && !r.isolated);
    const first = (r: EphemeralRecord) => [r.createdAt, r.name].join(' ');
    const ahead = others.filter((r) => r.slot === current.record.slot && first(r) < first(current.record));
    if (ahead.length === 0) return current;
    const slot = allocateSlot(others, current.record.base);
    current = (await updateRecord(ws.records, current.record.name, (r) => ({ ...r, slot }))) ?? current;
  }
  return current;
}

/** Failures whose own advice is to run the same command again. */
const RETRY_CODES = new Set(['ECSDEPLOY_INTERRUPTED', 'ECSDEPLOY_CANCELLED']);

export async function createEnvironment(
  req: CreateRequest,
  deps: EnvironmentDeps = environmentDeps(),
): Promise<CreateResult> {
  // First: a --lock-timeout that is no duration is a usage error before anything is recorded.
  const infra = deps.infra(req.lockTimeout !== undefined ? { lockTimeout: req.lockTimeout } : {});
  const ws = workspace(req.dir, deps);
  const { name, from } = req;
  const { records, problems } = await ws.records.list();
  if (!ws.permanent.includes(from)) {
    const onDemand = records.find((r) => r.record.name === from);
    const guess = closest(from, ws.permanent);
    throw new UsageError(
      onDemand
        ? `--from ${from}: '${from}' is itself an environment on demand; environments are made from a permanent one`
        : `--from ${from}: no environment '${from}'${guess ? `; did you mean '${guess}'?` : ''} (there is no environments/${from}.yaml)`,
      [
        onDemand
          ? `Make it from its base: --from ${onDemand.record.base}.`
          : `Permanent environments: ${ws.permanent.join(', ')}.`,
      ],
    );
  }
  checkEnvironmentName(name, [...ws.permanent, ...records.map((r) => r.record.name), ...problems.map((p) => p.name)]);

  const project = loadProject(ws.root, { environments: [from] });
  const base = project.environments[0]!;
  // An environment on demand lives in its base's account, with its base's role: check it before anything is recorded.
  await assertAccount(base, deps.identity ? { identity: deps.identity } : {});
  const services = chooseServices(base, req.services);
  const isolated = req.isolated === true;
  const taken = takenStackNames(
    ws,
    records.map((r) => r.record),
    project.repositories.map((r) => r.service),
  );
  const clash = [...(isolated ? ['cluster'] : []), ...services].map((u) => `${name}-${u}`).find((s) => taken.has(s));
  if (clash !== undefined) {
    throw new UsageError(
      `environment name '${name}': its stack ${clash} would have the same name as a stack of '${taken.get(clash)}'`,
      ["Choose a name that does not start with another environment's name followed by a service name, e.g. pr-1234."],
    );
  }
  const ttl = checkTtl(base, req.ttl);
  const owner = resolveOwner(req.owner, deps.env);

  const overrides = imageOverrides(req.images ?? [], services);
  const released = (
    await releasedImages(
      deps.releases ?? projectReleaseStore(project, base),
      base,
      services.filter((s) => !overrides.has(s)),
    )
  ).get(base.name);
  const resolveRef = deps.resolveImage ?? ecrImageResolver(project, base, ws.permanent);
  const images: Record<string, string> = {};
  for (const s of services) {
    const override = overrides.get(s);
    const image = override !== undefined ? await resolveRef(s, override) : released?.get(s);
    if (image !== undefined) images[s] = image;
  }

  const now = dateOf(ws.clock);
  const shared = records.map((r) => r.record).filter((r) => !r.isolated);
  const record: EphemeralRecord = EphemeralRecordSchema.parse({
    version: 1,
    name,
    base: from,
    owner,
    createdAt: now.toISOString(),
    expiresAt: new Date(now.getTime() + ttl).toISOString(),
    isolated,
    services,
    slot: isolated ? 0 : allocateSlot(shared, from),
    images,
    status: 'creating',
    creator: thisProcess(),
  });
  const version = await ws.records.create(record);
  if (version === undefined) {
    throw new UsageError(`environment '${name}' already exists (someone created it a moment ago)`, [
      `Choose another name, or see it with \`ecsdeploy env show ${name}\`.`,
    ]);
  }
  const claimed = await claimSlot(ws, { record, version });

  // Nothing is applied if the first question is answered no: then the record goes too.
  let asked = 0;
  let declinedFirst = false;
  const confirm: Confirm | undefined =
    req.confirm === undefined
      ? undefined
      : async (plan) => {
          const yes = await req.confirm!(plan);
          if (asked++ === 0 && !yes) declinedFirst = true;
          return yes;
        };
  let apply: ApplyReport;
  try {
    apply = await infra.apply({
      dir: ws.root,
      env: name,
      ...(confirm ? { confirm } : {}),
      ...(req.onEvent ? { onEvent: req.onEvent } : {}),
      ...(req.signal ? { signal: req.signal } : {}),
    });
  } catch (err) {
    if (declinedFirst) {
      await ws.records.remove(name);
      throw err;
    }
    await updateRecord(ws.records, name, (r) => finished(r, 'failed'));
    const e = err instanceof EcsdeployError ? err : undefined;
    throw new EcsdeployError(
      `Creating environment '${name}' failed; it is recorded as failed.\n${e?.message ?? String((err as Error)?.message ?? err)}`,
      {
        code: e?.code ?? 'ECSDEPLOY_FAILED',
        exitCode: e?.exitCode,
        // "Run the same command again" does not hold here: the name is taken now.
        suggestions: [
          ...(e === undefined || RETRY_CODES.has(e.code) ? [] : e.suggestions),
          `Remove everything it made with \`ecsdeploy env destroy ${name} --yes\`, then create it again.`,
        ],
        cause: err,
      },
    );
  }
  const ready = (await updateRecord(ws.records, name, (r) => finished(r, 'ready')))?.record ?? {
    ...claimed.record,
    status: 'ready' as const,
  };
  const env = resolveEphemeral(base, ready);
  return {
    environment: describeRecord(ws, ready),
    stacks: environmentStacks(env).map((s) => s.name),
    urls: await serviceUrls(env, ws.state),
    apply,
  };
}

/** The record once `env create` has ended: its status, and no `creator` (it only tells while creating). */
function finished(record: EphemeralRecord, status: 'ready' | 'failed'): EphemeralRecord {
  const { creator: _creator, ...rest } = record;
  return { ...rest, status };
}
