/** The human view of plan, apply and destroy reports (stdout). --json prints the reports themselves. */
import type { ApplyReport, DestroyReport, PlanReport, StackPlan } from '../ops/infra';
import type { AttributeChange, Highlight, PlanSummary, ResourceAction } from '../terraform';
import { table } from './table';

const SYMBOL: Record<ResourceAction, string> = {
  create: '+',
  update: '~',
  replace: '-/+',
  delete: '-',
  import: '<=',
  move: '->',
  forget: '(forget)',
};

export function note(p: StackPlan): string {
  if (p.status === 'deferred')
    return `deferred: planned once ${p.waitsFor?.join(', ')} ${p.waitsFor?.length === 1 ? 'is' : 'are'} applied`;
  const s = p.summary!;
  if (!s.changes) return 'no changes';
  if (s.resources.length === 0) return `outputs only (${s.outputs})`;
  if (p.adoption !== undefined) return adoptionNote(p.adoption);
  return [s.import && `${s.import} to import`, s.move && `${s.move} moved`, s.forget && `${s.forget} to forget`]
    .filter(Boolean)
    .join(', ');
}

/** An adopted service's stack: what it imports, and whether its ECS service is replaced. */
export function adoptionNote(a: NonNullable<StackPlan['adoption']>): string {
  const imports = a.imports > 0 ? `imports ${a.imports}, ` : '';
  if (a.replaced === undefined) return `${imports}no replacement of an imported ECS service`;
  const verb = a.replaced.action === 'delete' ? 'DESTROYS' : 'REPLACES';
  return `${imports}${verb} the imported ECS service ${a.serviceName}${a.replaced.because.length ? ` (forced by ${a.replaced.because.join(', ')})` : ''}: apply refuses it without --allow-replace`;
}

function attribute(c: AttributeChange): string {
  const name = c.container ? `${c.attribute} (${c.container})` : c.attribute;
  if (c.from !== undefined && c.to !== undefined) return `${name}: ${c.from} → ${c.to}`;
  if (c.to !== undefined) return `${name}: ${c.to}`;
  return `${name}: ${c.from} → (removed)`;
}

function highlight(h: Highlight): string[] {
  return [
    `  ${SYMBOL[h.action]} ${h.resource} ${h.name}  (${h.address})`,
    ...h.changes.map((c) => `      ${attribute(c)}`),
  ];
}

/**
 * What to review in one stack: the highlighted ECS changes, and every other resource changed in
 * place, replaced or destroyed (new resources are only counted; a destroy plan only counts).
 */
export function details(s: PlanSummary, operation: PlanReport['operation']): string[] {
  const highlighted = new Set(s.highlights.map((h) => h.address));
  const others =
    operation === 'destroy' ? [] : s.resources.filter((r) => r.action !== 'create' && !highlighted.has(r.address));
  return [
    ...s.highlights.flatMap(highlight),
    ...others.map(
      (r) =>
        `  ${SYMBOL[r.action]} ${r.address}  (${r.action}${r.importing && r.action !== 'import' ? ', imported' : ''}${r.replacePaths?.length ? `, forced by ${r.replacePaths.join(', ')}` : ''})`,
    ),
  ];
}

function counts(s: PlanSummary | undefined): Array<string | number> {
  return s === undefined ? ['-', '-', '-', '-'] : [s.add, s.change, s.replace, s.destroy];
}

/** The plan: one row per stack, then the changes that matter, per stack. */
export function formatPlan(report: PlanReport): string {
  const title = report.followUp
    ? `Planned now that the stacks they read from are applied (${report.environment}):`
    : `${report.operation === 'destroy' ? 'Destroy plan' : 'Plan'} for ${report.environment} (${report.engine.kind} ${report.engine.version}):`;
  const rows = report.stacks.map((p) => [p.stack, ...counts(p.summary), note(p)]);
  const out = [title, '', table(['STACK', 'ADD', 'CHANGE', 'REPLACE', 'DESTROY', ''], rows)];
  for (const p of report.stacks) {
    const lines = p.summary ? details(p.summary, report.operation) : [];
    if (lines.length > 0) out.push('', p.stack, ...lines);
  }
  const deferred = report.stacks.filter((p) => p.status === 'deferred');
  if (deferred.length > 0)
    out.push(
      '',
      'Deferred (the engine cannot plan them before the stacks they read from exist or change):',
      ...deferred.map((p) => `  ${p.stack}: ${p.reason}`),
    );
  for (const k of report.kept) out.push('', `Kept: ${k.stack} (${k.reason}).`);
  for (const w of report.warnings ?? []) out.push('', `Warning: ${w}`);
  if (report.policyAllowances?.length)
    out.push(
      '',
      'Security policy rules allowed to fail here (policy.allow; docs/security.md):',
      ...report.policyAllowances.map((a) => `  ${a.rule} (${a.file}): ${a.reason}`),
    );
  const changed = report.stacks.filter((p) => p.status === 'deferred' || p.summary?.changes).length;
  out.push(
    '',
    report.changes
      ? `${changed} of ${report.stacks.length} stack${report.stacks.length === 1 ? '' : 's'} ${report.operation === 'destroy' ? 'to destroy' : 'with changes'}.`
      : report.operation === 'destroy'
        ? 'Nothing to destroy.'
        : 'No changes: the infrastructure matches the configuration.',
  );
  return out.join('\n');
}

function value(v: unknown): string {
  return typeof v === 'string' ? v : JSON.stringify(v);
}

export function formatApply(report: ApplyReport): string {
  const applied = report.stacks.filter((s) => s.applied).map((s) => s.stack);
  const unchanged = report.stacks.filter((s) => !s.applied).map((s) => s.stack);
  const out = [applied.length ? `Applied: ${applied.join(', ')}.` : 'Nothing to apply: no changes.'];
  if (applied.length && unchanged.length) out.push(`Unchanged: ${unchanged.join(', ')}.`);
  const withOutputs = report.stacks.filter((s) => Object.keys(s.outputs).length > 0);
  if (withOutputs.length > 0) {
    out.push('', 'Outputs:');
    for (const s of withOutputs) {
      out.push(`  ${s.stack}`);
      const w = Math.max(...Object.keys(s.outputs).map((k) => k.length));
      for (const [k, v] of Object.entries(s.outputs)) out.push(`    ${k.padEnd(w)} = ${value(v)}`);
    }
  }
  return out.join('\n');
}

export function formatDestroy(report: DestroyReport): string {
  const out = [
    report.destroyed.length
      ? `Destroyed: ${report.destroyed.join(', ')}.`
      : 'Nothing was destroyed: no resources left in these stacks.',
  ];
  for (const k of report.kept) out.push(`Kept: ${k.stack} (${k.reason}).`);
  return out.join('\n');
}
