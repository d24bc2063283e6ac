/** The human views of the service commands (stdout). --json prints the results themselves. */
import type { LogEvent } from '../aws/logs';
import type { DeployResult, ReleaseHistory, ServiceList, ServiceStatus } from '../ops/service';
import { shortDigest, type Release } from '../ops/releases';
import { shortTaskDefinition } from '../ops/deploy-watch';
import { deploymentLines } from './delivery-view';
import { table } from './table';

function imageOf(r: Pick<Release, 'image'>): string {
  return r.image.tag ? `${r.image.tag} (${shortDigest(r.image.digest)})` : shortDigest(r.image.digest);
}

function outcomeOf(r: Pick<Release, 'rollout'>): string {
  return r.rollout.status === 'rolled-back' ? 'rolled back' : r.rollout.status;
}

/** A finished deploy (the failures are errors, rendered by the base command). */
export function formatDeploy(result: DeployResult): string {
  const r = result.release;
  const head = `Release #${r.id} of ${result.service} in ${result.environment}: ${imageOf(r)}`;
  if (!result.watched) {
    if (r.rollout.status !== 'pending') return `${head} is ${outcomeOf(r)}; nothing to watch.`;
    return [
      `${head} applied; its rollout was not watched.`,
      ...(result.next ? [`Watch it: ${result.next[0]}`] : []),
    ].join('\n');
  }
  const td = result.taskDefinition ? ` (${shortTaskDefinition(result.taskDefinition)})` : '';
  return `${head} rolled out${td}: ${result.strategy === 'rolling' ? 'the ECS deployment completed and runs the desired number of tasks' : 'the CodeDeploy deployment succeeded'}.`;
}

export function formatStatus(s: ServiceStatus): string {
  const out: string[] = [];
  out.push(`${s.service} in ${s.environment} (${s.strategy})`);
  out.push(
    s.release
      ? `  release   #${s.release.id} ${imageOf(s.release)}, ${outcomeOf(s.release)}, by ${s.release.createdBy} at ${s.release.createdAt}${s.release.message ? `: ${s.release.message}` : ''}`
      : '  release   none recorded (the configured image)',
  );
  if (s.latest)
    out.push(
      `  latest    #${s.latest.id} ${imageOf(s.latest)}, ${outcomeOf(s.latest)}${s.latest.rollout.reason ? `: ${s.latest.rollout.reason}` : ''}`,
    );
  if (s.ecs) {
    out.push(
      `  ECS       ${s.ecs.cluster}/${s.ecs.service} ${s.ecs.status}: ${s.ecs.running} running, ${s.ecs.pending} pending, ${s.ecs.desired} desired`,
    );
    if (s.ecs.image) out.push(`  image     ${s.ecs.image}`);
    out.push('', 'Deployments:', ...deploymentLines(s.ecs.deployments, 'the current release').map((l) => `  ${l}`));
  }
  for (const tg of s.targets) {
    const byState = new Map<string, number>();
    for (const t of tg.targets) byState.set(t.state, (byState.get(t.state) ?? 0) + 1);
    const summary = [...byState].map(([state, n]) => `${n} ${state}`).join(', ') || 'no targets';
    out.push(
      '',
      `Targets of ${tg.targetGroupArn.slice(tg.targetGroupArn.indexOf('targetgroup/') + 'targetgroup/'.length)}: ${summary}`,
    );
    for (const t of tg.targets.filter((x) => x.state !== 'healthy'))
      out.push(`  ${t.id}${t.port ? `:${t.port}` : ''} ${t.state}${t.description ? `: ${t.description}` : ''}`);
  }
  if (s.ecs?.events.length)
    out.push(
      '',
      'Latest events:',
      ...s.ecs.events.map((e) => `  ${e.at.slice(0, 19).replace('T', ' ')}  ${e.message}`),
    );
  if (s.warnings.length) out.push('', ...s.warnings.map((w) => `! ${w}`));
  return out.join('\n');
}

export function formatList(list: ServiceList): string {
  const rows = list.services.map((s) => [
    s.service,
    s.release ? `#${s.release.id} ${imageOf(s.release)}` : '-',
    s.release ? outcomeOf(s.release) : '-',
    s.desired === undefined ? 'not in ECS' : `${s.running}/${s.desired}${s.pending ? ` (+${s.pending} pending)` : ''}`,
    s.rollout ?? '-',
    s.deployments === undefined ? '-' : String(s.deployments),
    s.strategy,
  ]);
  return `${list.environment} (cluster ${list.cluster})\n\n${table(['SERVICE', 'RELEASE', 'OUTCOME', 'RUNNING', 'ROLLOUT', 'DEPLOYMENTS', 'STRATEGY'], rows)}`;
}

export function formatHistory(h: ReleaseHistory): string {
  if (h.releases.length === 0) return `No releases of ${h.service} in ${h.environment} yet (${h.store}).`;
  const rows = h.releases.map((r) => [
    `${r.id === h.current ? '▸' : ' '}#${r.id}`,
    r.createdAt.slice(0, 19).replace('T', ' '),
    imageOf(r),
    r.kind === 'promote' && r.promotedFrom
      ? `promote from ${r.promotedFrom.environment} #${r.promotedFrom.release}`
      : r.kind === 'rollback' && r.rollbackTo
        ? `rollback to #${r.rollbackTo}`
        : r.kind,
    outcomeOf(r),
    r.createdBy,
    r.message ?? r.rollout.reason ?? '',
  ]);
  // deployment.before steps, per release that ran them.
  const before = h.releases.flatMap((r) =>
    (r.before?.steps ?? []).map(
      (st, i) =>
        `  #${r.id} before ${i + 1}/${r.before!.steps.length} \`${st.command}\` (${st.container}): ${st.status}${st.exitCode !== undefined && st.status === 'failed' ? `, exit code ${st.exitCode}` : ''}${st.reason && st.status === 'failed' ? ` (${st.reason})` : ''}`,
    ),
  );
  return `${h.service} in ${h.environment} (${h.store}), newest first; ▸ runs now\n\n${table(['RELEASE', 'WHEN (UTC)', 'IMAGE', 'KIND', 'OUTCOME', 'BY', 'MESSAGE'], rows)}${before.length ? `\n\nBefore the ECS service was updated (deployment.before):\n${before.join('\n')}` : ''}`;
}

export function formatLogLine(e: LogEvent): string {
  const task = e.stream.slice(e.stream.lastIndexOf('/') + 1, e.stream.lastIndexOf('/') + 13);
  return `${new Date(e.timestamp).toISOString().slice(0, 23).replace('T', ' ')} ${task.padEnd(12)} ${e.message}`;
}
