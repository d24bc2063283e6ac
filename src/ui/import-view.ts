/** The human view of `ecsdeploy import`: the mapping table, where the file went (or the file itself, for --dry-run), and the next steps. */
import { renderTable, type ImportResult } from '../ops/adopt';

export function formatImport(r: ImportResult): string {
  const lines = [renderTable(r.rows).trimEnd(), ''];
  if (r.written)
    lines.push(
      `Wrote ${r.file}${r.overrides.length ? ` (${r.overrides.length} field${r.overrides.length === 1 ? '' : 's'} through overrides:, listed above)` : ''}.`,
    );
  else lines.push(`--dry-run: ${r.file} was not written. It would hold:`, '', r.content.trimEnd());
  lines.push('', 'Next:', ...r.nextSteps.map((s, i) => `  ${i + 1}. ${s}`));
  return lines.join('\n');
}
