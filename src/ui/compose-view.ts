/** The human view of `ecsdeploy import compose`: the mapping table, the files, what is left to do. */
import type { ImportComposeResult, MappingRow } from '../ops/adopt/compose';
import { table } from './table';

/** The table of what was mapped, approximated and dropped, each with its compose file:line. */
export function formatMappingTable(rows: readonly MappingRow[]): string {
  return table(
    ['AT', 'SERVICE', 'COMPOSE KEY', 'STATUS', 'SERVICE FILE KEY', 'NOTE'],
    rows.map((r) => [`${r.file}:${r.line}`, r.service || '-', r.key, r.status, r.to || '-', r.note]),
  );
}

export function formatImport(result: ImportComposeResult, options: { readonly dryRun: boolean }): string {
  const out: string[] = [];
  if (options.dryRun) {
    for (const f of result.files)
      out.push(`--- ${f.path} (from ${f.from.join(', ')}; not written: --dry-run)`, f.content.trimEnd(), '');
  }
  out.push(formatMappingTable(result.rows), '');
  const counts = (['mapped', 'approximated', 'dropped'] as const)
    .map((s) => `${result.rows.filter((r) => r.status === s).length} ${s}`)
    .join(', ');
  out.push(
    `${result.composeFiles.join(' + ')}${result.envFile ? ` (variables from ${result.envFile})` : ''}: ${counts}.`,
  );
  if (result.skipped.length > 0)
    out.push(
      `Skipped (profile not active): ${result.skipped.map((s) => `${s.service} [${s.profiles.join(', ')}]`).join(', ')}.`,
    );
  out.push(
    options.dryRun
      ? `Would write ${result.files.map((f) => f.path).join(', ')}.`
      : `Wrote ${result.files.map((f) => f.path).join(', ')}; check them with \`ecsdeploy config validate\`.`,
  );
  if (result.warnings.length > 0) out.push('', 'Before deploying:', ...result.warnings.map((w) => `  - ${w}`));
  return out.join('\n');
}
