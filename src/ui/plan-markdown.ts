/**
 * `ecsdeploy plan --format markdown`: the plan as GitHub-flavoured Markdown, for a pull-request
 * comment or `$GITHUB_STEP_SUMMARY`. The same facts as the text view (./infra-view.ts): one table
 * row per stack, the changes to review per stack (folded), what was deferred, kept and warned.
 */
import type { PlanReport } from '../ops/infra';
import { details, note } from './infra-view';

/** A table cell: pipes and line breaks would end it. */
function cell(text: string | number): string {
  return String(text).replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');
}

export function formatPlanMarkdown(report: PlanReport): string {
  const verb = report.operation === 'destroy' ? 'Destroy plan' : 'Plan';
  const out = [`### ${verb} for \`${report.environment}\``, '', `${report.engine.kind} ${report.engine.version}`, ''];
  out.push('| Stack | Add | Change | Replace | Destroy | |', '| --- | ---: | ---: | ---: | ---: | --- |');
  for (const p of report.stacks) {
    const s = p.summary;
    // Replacements and destroys are what a reviewer must not miss: bold when there are any.
    const loud = (x: number): string => (x > 0 ? `**${x}**` : '0');
    const counts =
      s === undefined ? ['–', '–', '–', '–'] : [String(s.add), String(s.change), loud(s.replace), loud(s.destroy)];
    out.push(`| \`${cell(p.stack)}\` | ${counts.join(' | ')} | ${cell(note(p))} |`);
  }
  for (const p of report.stacks) {
    const lines = p.summary ? details(p.summary, report.operation) : [];
    if (lines.length === 0) continue;
    out.push(
      '',
      `<details><summary><code>${p.stack}</code>: what changes</summary>`,
      '',
      '```',
      ...lines,
      '```',
      '',
      '</details>',
    );
  }
  const deferred = report.stacks.filter((p) => p.status === 'deferred');
  if (deferred.length > 0) {
    out.push(
      '',
      'Deferred (planned once the stacks they read from are applied):',
      '',
      ...deferred.map((p) => `- \`${p.stack}\`: ${p.reason ?? ''}`),
    );
  }
  for (const k of report.kept) out.push('', `Kept: \`${k.stack}\` (${k.reason}).`);
  for (const w of report.warnings ?? []) out.push('', `> **Warning:** ${w}`);
  if (report.policyAllowances?.length)
    out.push(
      '',
      '**Security policy rules allowed to fail here** (`policy.allow`, docs/security.md):',
      '',
      ...report.policyAllowances.map((a) => `- \`${a.rule}\` (${a.file}): ${a.reason}`),
    );
  const changed = report.stacks.filter((p) => p.status === 'deferred' || p.summary?.changes).length;
  const replaced = report.stacks.reduce(
    (sum, p) => sum + (p.summary?.replace ?? 0) + (report.operation === 'apply' ? (p.summary?.destroy ?? 0) : 0),
    0,
  );
  out.push(
    '',
    report.changes
      ? `**${changed} of ${report.stacks.length} stack${report.stacks.length === 1 ? '' : 's'} ${report.operation === 'destroy' ? 'to destroy' : 'with changes'}**${replaced > 0 && report.operation === 'apply' ? ` — ${replaced} resource${replaced === 1 ? '' : 's'} replaced or destroyed: review them` : ''}.`
      : report.operation === 'destroy'
        ? 'Nothing to destroy.'
        : 'No changes: the infrastructure matches the configuration.',
  );
  return out.join('\n');
}
