/** The human views of the job commands (stdout). --json prints the results themselves. */
import type { JobDeployResult, JobList } from '../ops/jobs';
import { shortDigest } from '../ops/releases';
import { shortTaskDefinition } from '../ops/deploy-watch';
import { table } from './table';

export function formatJobDeploy(r: JobDeployResult): string {
  const image = r.release.image.tag
    ? `${r.release.image.tag} (${shortDigest(r.release.image.digest)})`
    : shortDigest(r.release.image.digest);
  return `Release #${r.release.id} of job ${r.job} in ${r.environment}: ${image}, task definition ${shortTaskDefinition(r.taskDefinition)}; schedule ${r.schedule} ${r.enabled ? 'enabled' : 'paused (enabled: false)'}.`;
}

export function formatJobList(list: JobList): string {
  if (list.jobs.length === 0) return `${list.environment} has no scheduled jobs.`;
  const rows = list.jobs.map((j) => {
    const last = j.lastRuns[0];
    return [
      j.job,
      j.schedule,
      j.state,
      j.nextRun ? j.nextRun.slice(0, 16).replace('T', ' ') : '-',
      j.release ? `#${j.release.id} ${j.release.image}` : '-',
      last
        ? `${last.outcome}${last.exitCode !== undefined && last.outcome === 'failed' ? ` (exit ${last.exitCode})` : ''} ${last.startedAt?.slice(0, 16).replace('T', ' ') ?? ''} by ${last.by}`
        : '-',
      j.deadLetters === undefined ? '-' : String(j.deadLetters),
    ];
  });
  const runs = list.jobs.flatMap((j) =>
    j.lastRuns.map(
      (r) =>
        `  ${j.job} ${r.taskId} ${r.startedAt?.replace('T', ' ').slice(0, 19) ?? ''} by ${r.by}: ${r.outcome}${r.exitCode !== undefined ? `, exit code ${r.exitCode}` : ''}${r.reason ? ` (${r.reason})` : ''}`,
    ),
  );
  return `${list.environment} (cluster ${list.cluster})\n\n${table(['JOB', 'SCHEDULE', 'STATE', 'NEXT RUN (UTC)', 'RELEASE', 'LAST RUN', 'DEAD LETTERS'], rows)}${runs.length ? `\n\nLast runs (ECS keeps stopped tasks about an hour):\n${runs.join('\n')}` : ''}`;
}
