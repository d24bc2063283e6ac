/**
 * The policy suite's model: rules are pure functions over a synthesized stack's Terraform JSON
 * (cdk.tf.json), each mirroring one published rule of Checkov, named by its ID (docs/security.md).
 */

/** A Terraform JSON document (what cdktf writes, and what `*.tf.json` files hold). */
export interface TfJson {
  resource?: Record<string, Record<string, Record<string, unknown>>>;
  data?: Record<string, Record<string, Record<string, unknown>>>;
  [key: string]: unknown;
}

/** What a check sees besides the resource: the whole document (for rules that follow references). */
export interface RuleContext {
  readonly json: TfJson;
  /** The resource's logical id (its Terraform address is `<type>.<id>`). */
  readonly id: string;
  readonly type: string;
}

export interface Rule {
  /** Our name for the rule (kebab-case). */
  readonly id: string;
  /** The Checkov rule it mirrors; allowances name this. */
  readonly checkovId: string;
  readonly title: string;
  /** The resource types it looks at. */
  readonly resourceTypes: readonly string[];
  /** The failures of one resource, each a sentence naming the attribute at fault; none: it passes. */
  readonly check: (resource: Record<string, unknown>, ctx: RuleContext) => string[];
}

/** One failed rule on one resource. */
export interface Finding {
  readonly rule: string;
  readonly checkovId: string;
  /** `<stack>: <type>.<id>` (or the document's name). */
  readonly where: string;
  readonly message: string;
}

/** A rule allowed to fail, with its reason, as written in ecsdeploy.yaml or an environment file. */
export interface Allowance {
  readonly rule: string;
  readonly reason: string;
  /** The file that allows it. */
  readonly file: string;
}

// --- Helpers for reading Terraform JSON: cdktf writes a nested block as an object or a list of them.

/** The blocks of a nested-block attribute, whatever its shape. */
export function blocks(value: unknown): Array<Record<string, unknown>> {
  if (value === undefined || value === null) return [];
  const list = Array.isArray(value) ? value : [value];
  return list.filter((b): b is Record<string, unknown> => typeof b === 'object' && b !== null && !Array.isArray(b));
}

/** The first block of a nested-block attribute. */
export function block(value: unknown): Record<string, unknown> | undefined {
  return blocks(value)[0];
}

/** A boolean attribute as Terraform reads it (true, "true"). */
export function isTrue(value: unknown): boolean {
  return value === true || value === 'true';
}

/** The container definitions of an aws_ecs_task_definition (a JSON string in Terraform). */
export function containers(td: Record<string, unknown>): Array<Record<string, unknown>> {
  const raw = td['container_definitions'];
  const parsed: unknown = typeof raw === 'string' ? JSON.parse(raw) : raw;
  return Array.isArray(parsed) ? (parsed as Array<Record<string, unknown>>) : [];
}

/** Every resource of the document as [type, id, body]. */
export function allResources(json: TfJson): Array<[string, string, Record<string, unknown>]> {
  return Object.entries(json.resource ?? {}).flatMap(([type, byId]) =>
    Object.entries(byId).map(([id, body]) => [type, id, body] as [string, string, Record<string, unknown>]),
  );
}

/** A reference to an attribute of a resource, as cdktf writes it: `${type.id.attr}`. */
export function ref(type: string, id: string, attr: string): string {
  return `\${${type}.${id}.${attr}}`;
}
