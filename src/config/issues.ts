/**
 * Turns zod issues into problems that point at a file, line, column and key path, with a
 * "did you mean" for unknown keys and enum values.
 */
import type { z } from 'zod';
import { closest } from './suggest';

export type Path = ReadonlyArray<string | number>;

/** A zod issue reduced to what we report: where, and what is wrong. */
export interface RawProblem {
  readonly path: Path;
  readonly message: string;
  /** Point at the key itself (unknown keys) rather than its value. */
  readonly atKey?: boolean;
}

type AnyIssue = z.core.$ZodIssue;
type Def = { type: string; [k: string]: unknown };

function defOf(schema: unknown): Def | undefined {
  return (schema as { _zod?: { def?: Def } } | undefined)?._zod?.def;
}

/** The object keys a schema accepts at `path`, following optional/default/array/record/union/pipe. */
export function knownKeysAt(schema: unknown, path: Path): string[] {
  const found: string[] = [];
  const visit = (s: unknown, rest: Path, depth: number): void => {
    const def = defOf(s);
    if (def === undefined || depth > 64) return;
    switch (def.type) {
      case 'optional':
      case 'default':
      case 'nullable':
      case 'prefault':
      case 'readonly':
      case 'nonoptional':
      case 'catch':
        return visit(def['innerType'], rest, depth + 1);
      case 'pipe':
        return visit(def['in'], rest, depth + 1);
      case 'union':
        for (const option of def['options'] as unknown[]) visit(option, rest, depth + 1);
        return;
      case 'object': {
        const shape = def['shape'] as Record<string, unknown>;
        if (rest.length === 0) {
          found.push(...Object.keys(shape));
          return;
        }
        const next = shape[String(rest[0])];
        if (next !== undefined) visit(next, rest.slice(1), depth + 1);
        return;
      }
      case 'array':
        if (rest.length > 0) visit(def['element'], rest.slice(1), depth + 1);
        return;
      case 'record':
        if (rest.length > 0) visit(def['valueType'], rest.slice(1), depth + 1);
        return;
      default:
        return;
    }
  };
  visit(schema, path, 0);
  return [...new Set(found)].filter((k) => k !== '$schema');
}

function valueAt(data: unknown, path: Path): unknown {
  let cur: unknown = data;
  for (const seg of path) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string | number, unknown>)[seg];
  }
  return cur;
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  if (typeof value === 'string') return `the string ${JSON.stringify(value)}`;
  return `${typeof value} ${String(value)}`;
}

const TYPE_NAMES: Record<string, string> = {
  object: 'a mapping',
  array: 'a list',
  string: 'a string',
  number: 'a number',
  int: 'a whole number',
  boolean: 'true or false',
  record: 'a mapping',
};

/** Flatten one zod issue into problems, resolving unions to the branch the user meant. */
export function toProblems(issue: AnyIssue, schema: unknown, data: unknown, prefix: Path = []): RawProblem[] {
  const path: Path = [...prefix, ...issue.path.map((p) => (typeof p === 'symbol' ? String(p) : p))];
  switch (issue.code) {
    case 'unrecognized_keys': {
      const known = knownKeysAt(schema, path);
      return issue.keys.map((key) => {
        const guess = closest(key, known);
        const hint = guess
          ? `; did you mean '${guess}'?`
          : known.length
            ? `; expected one of: ${known.join(', ')}`
            : '';
        return { path: [...path, key], message: `unknown key '${key}'${hint}`, atKey: true };
      });
    }
    case 'invalid_type': {
      const actual = valueAt(data, path);
      const expected = TYPE_NAMES[issue.expected] ?? issue.expected;
      if (actual === undefined) return [{ path, message: `is required (${expected})`, atKey: true }];
      // A schema's own message for a wrong type (e.g. an account id written as a YAML number).
      if (!issue.message.startsWith('Invalid input'))
        return [{ path, message: `${issue.message} (got ${describe(actual)})` }];
      return [{ path, message: `expected ${expected}, got ${describe(actual)}` }];
    }
    case 'invalid_value': {
      const allowed = issue.values.map((v) => String(v));
      const actual = valueAt(data, path);
      const guess = typeof actual === 'string' ? closest(actual, allowed) : undefined;
      const hint = guess ? `; did you mean '${guess}'?` : '';
      return [{ path, message: `must be one of: ${allowed.join(', ')} (got ${describe(actual)})${hint}` }];
    }
    case 'invalid_union': {
      const branches = issue.errors;
      const options = (issue as { options?: unknown[] }).options;
      if (branches.length === 0 && Array.isArray(options)) {
        // A discriminated union whose discriminator matched no option: it is an enum to the user.
        const allowed = options.map(String);
        const actual = valueAt(data, path);
        const guess = typeof actual === 'string' ? closest(actual, allowed) : undefined;
        return [
          {
            path,
            message: `must be one of: ${allowed.join(', ')} (got ${describe(actual)})${guess ? `; did you mean '${guess}'?` : ''}`,
          },
        ];
      }
      if (branches.length === 0) return [{ path, message: issue.message }];
      // The branch with the fewest problems is the one the user meant (e.g. network.create vs vpcId).
      const ranked = branches
        .map((b) => b.flatMap((i) => toProblems(i, schema, data, path)))
        .sort((a, b) => a.length - b.length);
      return ranked[0]!;
    }
    case 'too_small':
    case 'too_big': {
      const actual = valueAt(data, path);
      if (issue.origin === 'array' && issue.code === 'too_small') {
        return [
          {
            path,
            message: `needs at least ${String(issue.minimum)} item(s)${issue.message.startsWith('Too small') ? '' : ` (${issue.message})`}`,
          },
        ];
      }
      const custom = !/^(Too (small|big)|Number must|String must)/.test(issue.message);
      if (custom) return [{ path, message: `${issue.message} (got ${describe(actual)})` }];
      const bound =
        issue.code === 'too_small' ? `at least ${String(issue.minimum)}` : `at most ${String(issue.maximum)}`;
      const what = issue.origin === 'string' ? ` characters long` : '';
      return [{ path, message: `must be ${bound}${what} (got ${describe(actual)})` }];
    }
    case 'invalid_format': {
      const actual = valueAt(data, path);
      const custom = !issue.message.startsWith('Invalid');
      return [
        { path, message: `${custom ? issue.message : `must be a valid ${issue.format}`} (got ${describe(actual)})` },
      ];
    }
    case 'not_multiple_of':
      return [{ path, message: `must be a multiple of ${String(issue.divisor)}` }];
    default: {
      const actual = valueAt(data, path);
      const withValue = actual !== undefined && typeof actual !== 'object' ? ` (got ${describe(actual)})` : '';
      return [{ path, message: `${issue.message}${withValue}` }];
    }
  }
}
