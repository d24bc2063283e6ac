/** The human view of the `env` commands (stdout). --json prints their results themselves. */
import type {
  CreateResult,
  DestroyEnvironmentResult,
  ExtendResult,
  GcResult,
  ListResult,
  OnDemandEnvironment,
  RecordProblem,
  ServiceUrl,
  ShowResult,
} from '../ops/environments';
import { table } from './table';

/** 90 minutes → `1h30m`; 3 days 4 hours → `3d4h`: the two largest units. */
export function span(ms: number): string {
  const m = Math.floor(Math.abs(ms) / 60_000);
  const parts: Array<[number, string]> = [
    [Math.floor(m / 1440), 'd'],
    [Math.floor((m % 1440) / 60), 'h'],
    [m % 60, 'm'],
  ];
  const first = parts.findIndex(([n]) => n > 0);
  if (first < 0) return '0m';
  return parts
    .slice(first, first + 2)
    .filter(([n]) => n > 0)
    .map(([n, u]) => `${n}${u}`)
    .join('');
}

/** `in 1d2h` or `3h ago (expired)`. */
export function expiry(env: Pick<OnDemandEnvironment, 'expiresAt'>, now: Date): string {
  const left = Date.parse(env.expiresAt) - now.getTime();
  return left > 0 ? `in ${span(left)}` : `${span(left)} ago (expired)`;
}

function status(env: OnDemandEnvironment): string {
  return env.status === 'ready' && env.expired ? 'expired' : env.status;
}

function urlLines(urls: readonly ServiceUrl[]): string[] {
  if (urls.length === 0) return [];
  const w = Math.max(...urls.map((u) => u.service.length));
  return urls.map(
    (u) =>
      `  ${u.service.padEnd(w)}  ${u.url ?? `(${u.note ?? 'no URL'})`}${u.header ? `  with header ${u.header}` : ''}`,
  );
}

function problemLines(problems: readonly RecordProblem[]): string[] {
  return problems.length === 0
    ? []
    : [
        '',
        `Records that could not be read (${problems.length}):`,
        ...problems.map((p) => `  ${p.message.split('\n')[0]}`),
      ];
}

export function formatCreate(r: CreateResult): string {
  const e = r.environment;
  const out = [
    `Environment ${e.name} is ready: made from ${e.base}${e.isolated ? ' with its own cluster' : ` on ${e.base}'s cluster`}, owned by ${e.owner}, expires ${e.expiresAt} (${span(Date.parse(e.expiresAt) - Date.parse(e.createdAt))} after creation).`,
    `Stacks: ${r.stacks.join(', ')}.`,
  ];
  const images = Object.entries(e.images);
  if (images.length > 0) out.push('', 'Images:', ...images.map(([s, i]) => `  ${s}  ${i}`));
  if (r.urls.length > 0) out.push('', 'URLs:', ...urlLines(r.urls));
  out.push(
    '',
    `Extend it with \`ecsdeploy env extend ${e.name} --ttl 24h\`; remove it with \`ecsdeploy env destroy ${e.name}\`.`,
  );
  return out.join('\n');
}

export function formatList(r: ListResult): string {
  const now = new Date(r.now);
  const rows = r.environments.map((e) => {
    const d = e.onDemand;
    if (d === undefined)
      return [e.name, 'permanent', '-', '-', '-', '-', e.services.join(','), e.protected ? 'protected' : 'permanent'];
    return [
      e.name,
      d.isolated ? 'on demand (isolated)' : 'on demand',
      d.base,
      d.owner,
      span(now.getTime() - Date.parse(d.createdAt)),
      expiry(d, now),
      d.services.join(','),
      status(d),
    ];
  });
  const out = [table(['NAME', 'KIND', 'BASE', 'OWNER', 'AGE', 'EXPIRES', 'SERVICES', 'STATUS'], rows)];
  const expired = r.environments.filter((e) => e.onDemand?.expired).length;
  if (expired > 0) out.push('', `${expired} expired: \`ecsdeploy env gc\` destroys ${expired === 1 ? 'it' : 'them'}.`);
  out.push(...problemLines(r.problems));
  return out.join('\n');
}

export function formatShow(r: ShowResult, now: Date): string {
  const d = r.onDemand;
  const out = [
    `${r.name}  (${r.kind === 'permanent' ? (r.protected ? 'permanent, protected' : 'permanent') : 'on demand'}, ${r.region})`,
  ];
  if (d !== undefined) {
    out.push(
      `  base      ${d.base}${d.isolated ? ' (own cluster)' : ` (shares its cluster and load balancer)`}`,
      `  owner     ${d.owner}`,
      `  created   ${d.createdAt} (${span(now.getTime() - Date.parse(d.createdAt))} ago)`,
      `  expires   ${d.expiresAt} (${expiry(d, now)})`,
      `  status    ${status(d)}${d.statusReason ? `: ${d.statusReason}; remove what it made with \`ecsdeploy env destroy ${r.name} --yes\`` : ''}`,
      `  record    ${d.record}`,
    );
  }
  out.push(
    '',
    table(
      ['STACK', 'KIND', 'STATE'],
      r.stacks.map((s) => [
        s.name,
        s.owned ? s.kind : `${s.kind} (shared, not destroyed with it)`,
        s.applied ? `applied (${s.resources ?? '?'} resources)` : 'not applied',
      ]),
    ),
  );
  if (r.urls.length > 0) out.push('', 'URLs:', ...urlLines(r.urls));
  out.push(
    '',
    table(
      ['SERVICE', 'IMAGE', 'FROM'],
      r.releases.map((x) => [
        x.service,
        x.image,
        x.release
          ? `release #${x.release.id} (${x.release.kind}, ${x.release.status}, by ${x.release.createdBy} at ${x.release.createdAt})`
          : x.source === 'record'
            ? `taken at creation`
            : 'configuration',
      ]),
    ),
  );
  return out.join('\n');
}

export function formatExtend(r: ExtendResult, now: Date): string {
  const e = r.environment;
  return `${e.name} now expires ${e.expiresAt} (${expiry(e, now)}); it was ${r.previousExpiresAt}.`;
}

export function formatDestroyEnvironment(r: DestroyEnvironmentResult): string {
  if (!r.found) return `There is no environment on demand named ${r.environment}: nothing to destroy.`;
  const out = [`Environment ${r.environment} is gone.`];
  if (r.destroyed.length > 0) out.push(`Destroyed: ${r.destroyed.join(', ')}.`);
  if (r.empty.length > 0) out.push(`Had nothing to destroy: ${r.empty.join(', ')}.`);
  if (r.removed.length > 0) out.push('Removed:', ...r.removed.map((x) => `  ${x}`));
  return out.join('\n');
}

export function formatGc(r: GcResult): string {
  const now = new Date(r.now);
  if (r.expired.length === 0) return ['No environment on demand has expired.', ...problemLines(r.problems)].join('\n');
  const rows = r.expired.map((e) => {
    const failure = r.failed.find((f) => f.name === e.name);
    const outcome = r.dryRun
      ? 'would be destroyed'
      : r.destroyed.includes(e.name)
        ? 'destroyed'
        : failure
          ? `FAILED: ${failure.message.split('\n')[0]}`
          : r.notStarted.includes(e.name)
            ? 'not started (interrupted)'
            : 'left alone (extended or removed meanwhile)';
    return [e.name, e.base, e.owner, expiry(e, now), outcome];
  });
  const out = [table(['NAME', 'BASE', 'OWNER', 'EXPIRED', r.dryRun ? 'DRY RUN' : 'OUTCOME'], rows)];
  if (r.dryRun) out.push('', `${r.expired.length} expired; nothing was destroyed (--dry-run).`);
  else
    out.push(
      '',
      `${r.destroyed.length} of ${r.expired.length} expired environment${r.expired.length === 1 ? '' : 's'} destroyed${r.failed.length ? `, ${r.failed.length} failed (run \`ecsdeploy env destroy NAME\` on each for details)` : ''}.`,
    );
  out.push(...problemLines(r.problems));
  return out.join('\n');
}
