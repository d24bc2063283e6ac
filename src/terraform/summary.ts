/**
 * A human-sized summary of one stack's plan, from the engine's JSON plan (`show -json <planfile>`):
 * how many resources are added, changed in place, replaced and destroyed, and, for ECS services,
 * task definitions and CodeDeploy deployment groups, the changes that matter to whoever approves
 * the plan: image from → to, cpu and memory, desired count, deployment strategy.
 *
 * Counts differ from the engine's "Plan: X to add, Y to change, Z to destroy" on one point: a
 * replacement is counted once, as `replace`, not as one add plus one destroy.
 */
import { z } from 'zod';
import type { UiMessage } from './process';

const ChangeSchema = z.looseObject({
  actions: z.array(z.string()),
  before: z.unknown().optional(),
  after: z.unknown().optional(),
  after_unknown: z.unknown().optional(),
  importing: z.unknown().optional(),
  /** Attribute paths that force the replacement (actions delete + create). */
  replace_paths: z.array(z.array(z.union([z.string(), z.number()]))).optional(),
});

const ResourceChangeSchema = z.looseObject({
  address: z.string(),
  mode: z.string().optional(),
  type: z.string(),
  name: z.string(),
  previous_address: z.string().optional(),
  change: ChangeSchema,
});

/** The parts of the JSON plan format (format_version 1.x) the summary reads. */
export const PlanJsonSchema = z.looseObject({
  format_version: z.string(),
  resource_changes: z.array(ResourceChangeSchema).default([]),
  output_changes: z.record(z.string(), ChangeSchema).default({}),
});
export type PlanJson = z.infer<typeof PlanJsonSchema>;

export type ResourceAction = 'create' | 'update' | 'replace' | 'delete' | 'import' | 'move' | 'forget';

export interface ResourceChange {
  readonly address: string;
  readonly type: string;
  readonly action: ResourceAction;
  /** Imported by this plan (an `import` block), whatever else it does to it. */
  readonly importing?: true;
  /** A replacement: the attributes that force it, as dotted paths (`load_balancer.0.target_group_arn`). */
  readonly replacePaths?: readonly string[];
}

/** One attribute that matters, as display text. `from` absent: new; `to` absent: gone. */
export interface AttributeChange {
  /** `image`, `cpu`, `memory`, `desired count`, `deployment`, `min healthy %`, `max %`, `task definition`. */
  readonly attribute: string;
  /** The container, for per-container attributes (image). */
  readonly container?: string;
  readonly from?: string;
  /** `(known after apply)` when the engine cannot know it yet. */
  readonly to?: string;
}

export interface Highlight {
  readonly address: string;
  readonly resource: 'task definition' | 'service' | 'deployment group';
  /** Task definition family, service name or deployment group name. */
  readonly name: string;
  readonly action: ResourceAction;
  readonly changes: readonly AttributeChange[];
}

export interface PlanSummary {
  /** Anything to apply: resources, or outputs only. */
  readonly changes: boolean;
  readonly add: number;
  readonly change: number;
  readonly replace: number;
  readonly destroy: number;
  /** Resources imported (with or without changes: an imported resource changed in place counts in `change` too), moved to a new address, or removed from the state without being destroyed. */
  readonly import: number;
  readonly move: number;
  readonly forget: number;
  /** Outputs whose value changes. */
  readonly outputs: number;
  /** Resources that exist and stay as they are (0 with `add` > 0: the stack does not exist yet). */
  readonly unchanged: number;
  /** Every resource with something to do, in plan order. */
  readonly resources: readonly ResourceChange[];
  readonly highlights: readonly Highlight[];
}

export const UNKNOWN = '(known after apply)';

export const NO_CHANGES: PlanSummary = Object.freeze({
  changes: false,
  add: 0,
  change: 0,
  replace: 0,
  destroy: 0,
  import: 0,
  move: 0,
  forget: 0,
  outputs: 0,
  unchanged: 0,
  resources: [],
  highlights: [],
});

type Change = z.infer<typeof ChangeSchema>;
type Obj = Record<string, unknown>;

export function resourceAction(rc: z.infer<typeof ResourceChangeSchema>): ResourceAction | undefined {
  const a = rc.change.actions;
  if (a.includes('delete') && a.includes('create')) return 'replace';
  if (a.includes('create')) return 'create';
  if (a.includes('update')) return 'update';
  if (a.includes('delete')) return 'delete';
  if (a.includes('forget')) return 'forget';
  if (rc.change.importing !== undefined && rc.change.importing !== null) return 'import';
  if (rc.previous_address !== undefined && rc.previous_address !== rc.address) return 'move';
  return undefined; // no-op, read
}

/** Summarize a JSON plan (`show -json`). Throws when the text is not a JSON plan. */
export function summarizePlan(plan: unknown): PlanSummary {
  const parsed = PlanJsonSchema.parse(plan);
  const counts = { add: 0, change: 0, replace: 0, destroy: 0, import: 0, move: 0, forget: 0, unchanged: 0 };
  const resources: ResourceChange[] = [];
  const highlights: Highlight[] = [];
  for (const rc of parsed.resource_changes) {
    if (rc.mode === 'data') continue;
    const action = resourceAction(rc);
    if (action === undefined) {
      if (rc.change.actions.includes('no-op')) counts.unchanged++;
      continue;
    }
    counts[COUNT_OF[action]]++;
    const importing = rc.change.importing !== undefined && rc.change.importing !== null;
    if (importing && action !== 'import') counts.import++;
    const replacePaths = action === 'replace' ? (rc.change.replace_paths ?? []).map((p) => p.join('.')) : [];
    resources.push({
      address: rc.address,
      type: rc.type,
      action,
      ...(importing ? { importing: true as const } : {}),
      ...(replacePaths.length ? { replacePaths } : {}),
    });
    const h = highlight(rc.address, rc.type, action, rc.change);
    if (h !== undefined) highlights.push(h);
  }
  const outputs = Object.values(parsed.output_changes).filter((c) => c.actions.some((a) => a !== 'no-op')).length;
  return { changes: resources.length > 0 || outputs > 0, ...counts, outputs, resources, highlights };
}

const COUNT_OF: Record<ResourceAction, 'add' | 'change' | 'replace' | 'destroy' | 'import' | 'move' | 'forget'> = {
  create: 'add',
  update: 'change',
  replace: 'replace',
  delete: 'destroy',
  import: 'import',
  move: 'move',
  forget: 'forget',
};

function obj(v: unknown): Obj {
  return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Obj) : {};
}

function display(v: unknown): string | undefined {
  if (v === undefined || v === null || v === '') return undefined;
  return typeof v === 'string' ? v : JSON.stringify(v);
}

/** One top-level attribute, before and after (UNKNOWN when only the apply will tell). */
function attr(
  change: Change,
  key: string,
  label: string,
  format: (v: unknown) => string | undefined = display,
): AttributeChange | undefined {
  const from = format(obj(change.before)[key]);
  const to = obj(change.after_unknown)[key] === true ? UNKNOWN : format(obj(change.after)[key]);
  if (from === to) return undefined;
  return { attribute: label, ...(from !== undefined ? { from } : {}), ...(to !== undefined ? { to } : {}) };
}

interface Container {
  readonly name: string;
  readonly image?: string;
}

function containers(json: unknown): Container[] | undefined {
  if (typeof json !== 'string') return undefined;
  try {
    const list = JSON.parse(json) as unknown;
    return Array.isArray(list)
      ? list.map((c) => ({ name: String(obj(c)['name']), image: display(obj(c)['image']) }))
      : undefined;
  } catch {
    return undefined;
  }
}

function taskDefinitionChanges(change: Change): AttributeChange[] {
  const out: AttributeChange[] = [];
  const before = containers(obj(change.before)['container_definitions']) ?? [];
  const afterUnknown = obj(change.after_unknown)['container_definitions'] === true;
  const after = afterUnknown ? undefined : (containers(obj(change.after)['container_definitions']) ?? []);
  const names = [...new Set([...before.map((c) => c.name), ...(after ?? []).map((c) => c.name)])];
  for (const name of names) {
    const from = before.find((c) => c.name === name)?.image;
    const to = afterUnknown ? UNKNOWN : after?.find((c) => c.name === name)?.image;
    if (from !== to)
      out.push({
        attribute: 'image',
        container: name,
        ...(from !== undefined ? { from } : {}),
        ...(to !== undefined ? { to } : {}),
      });
  }
  for (const [key, label] of [
    ['cpu', 'cpu'],
    ['memory', 'memory'],
  ] as const) {
    const c = attr(change, key, label);
    if (c) out.push(c);
  }
  return out;
}

/** `arn:aws:ecs:...:task-definition/shop-dev-orders:3` → `shop-dev-orders:3`. */
function revision(v: unknown): string | undefined {
  const s = display(v);
  return s?.replace(/^arn:.*:task-definition\//, '');
}

function strategy(v: unknown): string | undefined {
  const type = display(obj(Array.isArray(v) ? v[0] : v)['type']);
  if (type === undefined) return undefined;
  return type === 'ECS' ? 'rolling (ECS)' : type === 'CODE_DEPLOY' ? 'CodeDeploy' : type;
}

function serviceChanges(change: Change): AttributeChange[] {
  return [
    attr(change, 'desired_count', 'desired count'),
    attr(change, 'task_definition', 'task definition', revision),
    attr(change, 'deployment_controller', 'deployment', strategy),
    attr(change, 'deployment_minimum_healthy_percent', 'min healthy %'),
    attr(change, 'deployment_maximum_percent', 'max %'),
  ].filter((c): c is AttributeChange => c !== undefined);
}

function highlight(address: string, type: string, action: ResourceAction, change: Change): Highlight | undefined {
  if (action === 'delete' || action === 'forget' || action === 'move' || action === 'import') return undefined;
  const after = obj(change.after);
  const before = obj(change.before);
  const name = (key: string) => display(after[key]) ?? display(before[key]) ?? address;
  let h: Omit<Highlight, 'changes'> | undefined;
  let changes: AttributeChange[] = [];
  if (type === 'aws_ecs_task_definition') {
    h = { address, resource: 'task definition', name: name('family'), action };
    changes = taskDefinitionChanges(change);
  } else if (type === 'aws_ecs_service') {
    h = { address, resource: 'service', name: name('name'), action };
    changes = serviceChanges(change);
  } else if (type === 'aws_codedeploy_deployment_group') {
    h = { address, resource: 'deployment group', name: name('deployment_group_name'), action };
    const c = attr(change, 'deployment_config_name', 'deployment');
    changes = c ? [c] : [];
  }
  return h && changes.length > 0 ? { ...h, changes } : undefined;
}

/** The JSON UI's planned_change actions → ours (noop and read are not changes). */
const UI_ACTIONS: Partial<Record<string, ResourceAction>> = {
  create: 'create',
  update: 'update',
  replace: 'replace',
  delete: 'delete',
  import: 'import',
  move: 'move',
  remove: 'forget',
  forget: 'forget',
};

/**
 * The summary of a destroy plan from the engine's streamed messages (`plan -destroy -json`), which
 * list every resource to delete: no `show -json` needed. Attribute highlights are not made for
 * destroys; `unchanged` is not known (0).
 */
export function summarizeDestroyPlan(messages: readonly UiMessage[]): PlanSummary {
  const counts = { add: 0, change: 0, replace: 0, destroy: 0, import: 0, move: 0, forget: 0 };
  const resources: ResourceChange[] = [];
  for (const m of messages) {
    const action = m.type === 'planned_change' && m.change ? UI_ACTIONS[m.change.action] : undefined;
    if (action === undefined) continue;
    counts[COUNT_OF[action]]++;
    resources.push({ address: m.change!.resource.addr, type: m.change!.resource.resource_type ?? '', action });
  }
  return { changes: resources.length > 0, ...counts, outputs: 0, unchanged: 0, resources, highlights: [] };
}

/**
 * The summary of what a one-step `apply -auto-approve -json` planned and applied, from its streamed
 * messages (no saved plan, so no `show -json`: counts and resources, no highlights). Drift found by
 * its refresh (`resource_drift`) counts as a change: the state was brought up to date.
 */
export function summarizeAppliedStream(messages: readonly UiMessage[]): PlanSummary {
  const planned = summarizeDestroyPlan(messages);
  const drift = messages.some((m) => m.type === 'resource_drift');
  const outputs = messages.some(
    (m) =>
      m.type === 'outputs' && Object.values(m.outputs ?? {}).some((o) => o.action !== undefined && o.action !== 'noop'),
  );
  return { ...planned, changes: planned.changes || drift || outputs };
}
