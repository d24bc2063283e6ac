/**
 * Reading a Compose project the way `docker compose config` does, with positions: each file parsed
 * by the `yaml` library (anchors, aliases, `<<` merge keys, the `!reset` and `!override` tags),
 * interpolated (`${VAR}`, `${VAR:-default}`, `${VAR-default}`, `${VAR:?error}`, `${VAR?error}`,
 * `${VAR:+alt}`, `$$`) from the shell environment and the `.env` file, validated against the
 * Compose Specification's JSON Schema, then merged in order by the specification's merge rules.
 * Every problem names the compose file, line and key.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Document, LineCounter, Node } from 'yaml';
import type { ConfigProblem } from '../../errors';
import { closest } from '../../config/suggest';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const yamlLib = () => require('yaml') as typeof import('yaml');

export type Path = ReadonlyArray<string | number>;

/** `!reset`: the key is removed from what earlier files said. */
export const RESET = Symbol('compose !reset');
/** `!override`: the value replaces what earlier files said instead of merging with it. */
export class Override {
  constructor(readonly value: unknown) {}
}

export interface ComposeFile {
  /** As shown to the user: relative to the project directory. */
  readonly file: string;
  readonly absolute: string;
  /** The data after interpolation (RESET and Override markers where the file used those tags). */
  readonly data: Record<string, unknown>;
  readonly doc: Document.Parsed;
  readonly lines: LineCounter;
}

/** Where a value of the merged model came from. */
export interface Origin {
  readonly file: string;
  readonly line: number;
  readonly column: number;
}

/** Parses one compose file; syntax errors are problems with their line. */
export function parseComposeFile(
  absolute: string,
  display: string,
  problems: ConfigProblem[],
): { data: Record<string, unknown>; doc: Document.Parsed; lines: LineCounter } | undefined {
  let text: string;
  try {
    text = readFileSync(absolute, 'utf8');
  } catch (err) {
    const reason = (err as NodeJS.ErrnoException).code === 'ENOENT' ? 'file not found' : (err as Error).message;
    problems.push({ file: display, key: '', message: reason });
    return undefined;
  }
  const { LineCounter, parseDocument, isMap, isSeq } = yamlLib();
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true, merge: true });
  const at = (offset: number | undefined) => (offset === undefined ? { line: 1, col: 1 } : lines.linePos(offset));
  for (const err of doc.errors) {
    const pos = at(err.pos[0]);
    const message =
      err.code === 'DUPLICATE_KEY'
        ? 'duplicate key: this key appears earlier in the same mapping'
        : err.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '');
    problems.push({ file: display, line: pos.line, column: pos.col, key: '', message: `YAML: ${message}` });
  }
  if (doc.errors.length > 0) return undefined;
  let data: unknown;
  try {
    data = doc.toJS({ maxAliasCount: 1000 }) ?? {};
  } catch (err) {
    problems.push({
      file: display,
      line: 1,
      column: 1,
      key: '',
      message: `YAML: ${(err as Error).message.split('\n')[0]}`,
    });
    return undefined;
  }
  if (data === null || typeof data !== 'object' || Array.isArray(data)) {
    problems.push({
      file: display,
      line: 1,
      column: 1,
      key: '',
      message: 'expected a mapping of keys (services:, volumes:, ...) at the top of the file',
    });
    return undefined;
  }
  // `!reset` and `!override` are tags the yaml library leaves on the nodes (with an unresolved-tag warning).
  markTags(doc.contents, data, isMap, isSeq);
  return { data: data as Record<string, unknown>, doc, lines };
}

/** Replaces the data of `!reset` values by RESET and wraps `!override` values in Override, walking the document and the data together. */
function markTags(node: unknown, data: unknown, isMap: (n: unknown) => boolean, isSeq: (n: unknown) => boolean): void {
  if (isMap(node) && data !== null && typeof data === 'object') {
    for (const pair of (node as { items: Array<{ key: { value?: unknown } | null; value: unknown }> }).items) {
      const key = String(pair.key?.value);
      const rec = data as Record<string, unknown>;
      if (!(key in rec)) continue;
      const tag = (pair.value as { tag?: string } | null)?.tag;
      if (tag === '!reset') rec[key] = RESET;
      else if (tag === '!override') rec[key] = new Override(rec[key]);
      else markTags(pair.value, rec[key], isMap, isSeq);
    }
  } else if (isSeq(node) && Array.isArray(data)) {
    (node as { items: unknown[] }).items.forEach((item, i) => markTags(item, data[i], isMap, isSeq));
  }
}

/** The line of `path` in one parsed file, following aliases and `<<` merge keys; undefined when the file does not hold it. */
export function lineOf(
  f: Pick<ComposeFile, 'doc' | 'lines'>,
  path: Path,
): { line: number; column: number; depth: number } {
  const { isMap, isSeq, isScalar, isAlias, isPair } = yamlLib();
  let node: unknown = f.doc.contents;
  let target: Node | undefined;
  let depth = 0;
  const deref = (n: unknown): unknown => (isAlias(n) ? n.resolve(f.doc) : n);
  const find = (map: unknown, key: string, seen = 0): { key: Node; value: unknown } | undefined => {
    const m = deref(map);
    if (!isMap(m) || seen > 20) return undefined;
    for (const p of m.items) {
      if (isPair(p) && isScalar(p.key) && typeof p.key.value !== 'symbol' && String(p.key.value) === key)
        return { key: p.key as Node, value: p.value };
    }
    for (const p of m.items) {
      // With merge keys on, the key's value is a symbol whose source is `<<`.
      if (isPair(p) && isScalar(p.key) && (p.key.value === '<<' || (p.key as { source?: string }).source === '<<')) {
        const sources = isSeq(deref(p.value)) ? (deref(p.value) as { items: unknown[] }).items : [p.value];
        for (const s of sources) {
          const hit = find(s, key, seen + 1);
          if (hit) return hit;
        }
      }
    }
    return undefined;
  };
  for (const seg of path) {
    node = deref(node);
    if (isMap(node)) {
      const hit = find(node, String(seg));
      if (hit === undefined) break;
      target = hit.key;
      node = hit.value;
    } else if (isSeq(node) && typeof seg === 'number' && seg < node.items.length) {
      node = node.items[seg];
      target = (deref(node) ?? target) as Node;
    } else if (isSeq(node) && typeof seg === 'string') {
      // `environment: [KEY=value]`, `depends_on: [db]`: the item that names the key.
      const item = node.items.find(
        (i) =>
          isScalar(deref(i)) &&
          (String((deref(i) as { value: unknown }).value) === seg ||
            String((deref(i) as { value: unknown }).value).startsWith(`${seg}=`)),
      );
      if (item === undefined) break;
      node = item;
      target = deref(item) as Node;
    } else break;
    depth++;
  }
  const offset = target?.range?.[0];
  const pos = offset === undefined ? { line: 1, col: 1 } : f.lines.linePos(offset);
  return { line: pos.line, column: pos.col, depth };
}

/** Where `path` is said last among the files (the deepest match wins; the last file on a tie). */
export function originOf(files: readonly ComposeFile[], path: Path): Origin {
  const { depth: _depth, ...origin } = locatePath(files, path);
  return origin;
}

/** originOf, with how many segments of `path` the best file holds. */
export function locatePath(files: readonly ComposeFile[], path: Path): Origin & { depth: number } {
  let best: Origin & { depth: number } = { file: files[0]?.file ?? '', line: 1, column: 1, depth: 0 };
  for (const f of files) {
    const at = lineOf(f, path);
    if (at.depth >= best.depth && at.depth > 0)
      best = { file: f.file, line: at.line, column: at.column, depth: at.depth };
  }
  return best;
}

export function formatKey(path: Path): string {
  return path.map((seg, i) => (typeof seg === 'number' ? `[${seg}]` : i === 0 ? seg : `.${seg}`)).join('');
}

// ---------------------------------------------------------------------------------------------
// Interpolation

const NAME = /^[A-Za-z_][A-Za-z0-9_]*/;
const BRACED = /^([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?+])([\s\S]*))?$/;
const ESCAPE_HINT = 'write $$ for a literal $';

/**
 * Interpolates one string as Compose does. Returns the result, or a message for `${VAR:?err}` /
 * `${VAR?err}` with an unset variable, or for a malformed expression (a `$` that starts none).
 */
export function interpolate(
  text: string,
  vars: Readonly<Record<string, string | undefined>>,
): { value: string } | { error: string } {
  let out = '';
  let i = 0;
  while (i < text.length) {
    const ch = text[i]!;
    if (ch !== '$') {
      out += ch;
      i++;
      continue;
    }
    const next = text[i + 1];
    if (next === '$') {
      out += '$';
      i += 2;
      continue;
    }
    if (next === '{') {
      // The closing brace, past nested ${...} in a default.
      let depth = 1;
      let j = i + 2;
      for (; j < text.length; j++) {
        if (text[j] === '$' && text[j + 1] === '{') {
          depth++;
          j++;
        } else if (text[j] === '}' && --depth === 0) break;
      }
      if (depth > 0)
        return { error: `invalid interpolation format in "${text}": \${ without its closing }; ${ESCAPE_HINT}` };
      const r = braced(text.slice(i + 2, j), vars);
      if ('error' in r) return r;
      out += r.value;
      i = j + 1;
      continue;
    }
    const name = NAME.exec(text.slice(i + 1));
    if (!name)
      return { error: `invalid interpolation format in "${text}": a $ must start \${VAR} or $VAR; ${ESCAPE_HINT}` };
    out += vars[name[0]] ?? '';
    i += 1 + name[0].length;
  }
  return { value: out };
}

function braced(
  inner: string,
  vars: Readonly<Record<string, string | undefined>>,
): { value: string } | { error: string } {
  const m = BRACED.exec(inner);
  if (!m)
    return {
      error: `invalid interpolation format for \${${inner}}: use \${VAR}, \${VAR:-default} or \${VAR:?message}; ${ESCAPE_HINT}`,
    };
  const [, name, op, arg = ''] = m;
  const v = vars[name!];
  const unsetOrEmpty = v === undefined || v === '';
  const nested = () => interpolate(arg, vars);
  const required = (missing: boolean, state: string) => {
    if (!missing) return { value: v ?? '' };
    const msg = nested();
    return { error: `required variable ${name} is ${state}${'value' in msg && msg.value ? `: ${msg.value}` : ''}` };
  };
  switch (op) {
    case undefined:
      return { value: v ?? '' };
    case ':-':
      return unsetOrEmpty ? nested() : { value: v };
    case '-':
      return v === undefined ? nested() : { value: v };
    case ':+':
      return unsetOrEmpty ? { value: '' } : nested();
    case '+':
      return v === undefined ? { value: '' } : nested();
    case ':?':
      return required(unsetOrEmpty, v === undefined ? 'not set' : 'empty');
    default: // '?'
      return required(v === undefined, 'not set');
  }
}

/** Interpolates every string value (never keys) of a file's data, in place; problems point at the value. */
export function interpolateData(
  f: Omit<ComposeFile, 'data'> & { data: unknown },
  vars: Readonly<Record<string, string | undefined>>,
  problems: ConfigProblem[],
): void {
  const walk = (value: unknown, path: Array<string | number>, set: (v: unknown) => void): void => {
    if (typeof value === 'string') {
      if (!value.includes('$')) return;
      const r = interpolate(value, vars);
      if ('error' in r) {
        const at = lineOf(f, path);
        problems.push({ file: f.file, line: at.line, column: at.column, key: formatKey(path), message: r.error });
      } else set(r.value);
    } else if (value instanceof Override) {
      walk(value.value, path, (v) => set(new Override(v)));
    } else if (Array.isArray(value)) {
      value.forEach((item, i) => walk(item, [...path, i], (v) => (value[i] = v)));
    } else if (value !== null && typeof value === 'object') {
      const rec = value as Record<string, unknown>;
      // Extension fields are not interpolated by Compose either when unused; they are dropped anyway.
      for (const k of Object.keys(rec)) if (!k.startsWith('x-')) walk(rec[k], [...path, k], (v) => (rec[k] = v));
    }
  };
  walk(f.data, [], () => undefined);
}

// ---------------------------------------------------------------------------------------------
// The Compose Specification's JSON Schema

type Validator = ((data: unknown) => boolean) & { errors?: AjvError[] | null };
interface AjvError {
  instancePath: string;
  keyword: string;
  params: Record<string, unknown>;
  message?: string;
  schemaPath: string;
}

let validator: Validator | undefined;
let schemaDoc: Record<string, unknown> | undefined;

/**
 * The compose-spec JSON Schema (draft-07) as the `dclint` package ships it, kept in step with
 * github.com/compose-spec/compose-spec by its maintainers; compiled with ajv once per process.
 */
export function composeSchema(): Record<string, unknown> {
  if (schemaDoc) return schemaDoc;
  // The package's exports map hides the file; its folder is found from package.json (exported).
  const dir = dirname(require.resolve('dclint/package.json'));
  schemaDoc = JSON.parse(readFileSync(join(dir, 'schemas', 'compose.schema.json'), 'utf8')) as Record<string, unknown>;
  return schemaDoc;
}

function compile(): Validator {
  if (validator) return validator;
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const Ajv = (require('ajv') as { default: new (o: object) => { compile: (s: object) => Validator } }).default;
  const { $schema: _draft, ...schema } = composeSchema();
  validator = new Ajv({ allErrors: true, strict: false, validateSchema: false }).compile(schema);
  return validator;
}

/** Schema problems of one file (after interpolation), each with its line and key. */
export function validateComposeFile(f: ComposeFile, problems: ConfigProblem[]): void {
  const validate = compile();
  if (validate(stripMarkers(f.data))) return;
  const found: ConfigProblem[] = [];
  for (const e of pickErrors(validate.errors ?? [])) {
    const path = pointerPath(e.instancePath, f.data);
    const extra = e.keyword === 'additionalProperties' ? String(e.params['additionalProperty']) : undefined;
    const full = extra === undefined ? path : [...path, extra];
    const at = lineOf(f, full);
    found.push({
      file: f.file,
      line: at.line,
      column: at.column,
      key: formatKey(full),
      message: describeError(e, full, extra),
    });
  }
  // In the file's order.
  problems.push(...found.sort((a, b) => (a.line ?? 0) - (b.line ?? 0) || (a.column ?? 0) - (b.column ?? 0)));
}

/** Markers become what the schema sees: `!reset` values vanish, `!override` is its value. */
function stripMarkers(value: unknown): unknown {
  if (value === RESET) return null;
  if (value instanceof Override) return stripMarkers(value.value);
  if (Array.isArray(value)) return value.filter((v) => v !== RESET).map(stripMarkers);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value)
        .filter(([, v]) => v !== RESET)
        .map(([k, v]) => [k, stripMarkers(v)]),
    );
  }
  return value;
}

function pointerPath(pointer: string, data: unknown): Array<string | number> {
  if (pointer === '') return [];
  let cur: unknown = data;
  return pointer
    .slice(1)
    .split('/')
    .map((raw) => {
      const seg = raw.replace(/~1/g, '/').replace(/~0/g, '~');
      const out = Array.isArray(cur) && /^\d+$/.test(seg) ? Number(seg) : seg;
      cur = cur !== null && typeof cur === 'object' ? (cur as Record<string | number, unknown>)[out] : undefined;
      return out;
    });
}

/**
 * ajv reports every branch of every oneOf; keep, per value, the errors that say most: unknown keys
 * and enum values first, then the deepest value's own type errors, never the oneOf summaries.
 */
function pickErrors(errors: readonly AjvError[]): AjvError[] {
  const concrete = errors.filter((e) => e.keyword !== 'oneOf' && e.keyword !== 'anyOf' && e.keyword !== 'if');
  const byPath = new Map<string, AjvError[]>();
  for (const e of concrete) byPath.set(e.instancePath, [...(byPath.get(e.instancePath) ?? []), e]);
  const paths = [...byPath.keys()];
  // A value with errors below it is reported there, not as "must be string" of another branch.
  const deepest = paths.filter(
    (p) =>
      byPath.get(p)!.some((e) => e.keyword === 'additionalProperties') ||
      !paths.some((q) => q !== p && q.startsWith(`${p}/`)),
  );
  const out: AjvError[] = [];
  for (const p of deepest) {
    const es = byPath.get(p)!;
    const unknown = es.filter((e) => e.keyword === 'additionalProperties');
    if (unknown.length > 0) {
      const seen = new Set<string>();
      for (const e of unknown) {
        const k = String(e.params['additionalProperty']);
        if (!seen.has(k)) out.push(e);
        seen.add(k);
      }
      continue;
    }
    const types = es.filter((e) => e.keyword === 'type');
    if (types.length > 0) {
      const allowed = [
        ...new Set(types.flatMap((e) => ([] as string[]).concat(e.params['type'] as string | string[]))),
      ];
      out.push({ ...types[0]!, params: { type: allowed } });
      continue;
    }
    out.push(es[0]!);
  }
  return out;
}

function describeError(e: AjvError, path: Path, extra: string | undefined): string {
  if (extra !== undefined) {
    const known = knownKeys(path.slice(0, -1));
    const guess = closest(extra, known);
    const where =
      path.length === 1
        ? 'at the top of a Compose file'
        : path[0] === 'services' && path.length === 3
          ? 'in a Compose service'
          : `under ${formatKey(path.slice(0, -1))}`;
    return `unknown key '${extra}' ${where}${guess ? ` (did you mean '${guess}'?)` : ''}; extension fields start with x-`;
  }
  switch (e.keyword) {
    case 'type': {
      const types = (e.params['type'] as string[]).map((t) =>
        t === 'array' ? 'a list' : t === 'object' ? 'a mapping' : `a ${t}`,
      );
      return `must be ${types.join(' or ')}`;
    }
    case 'enum':
      return `must be one of ${(e.params['allowedValues'] as unknown[]).map((v) => String(v)).join(', ')}`;
    case 'required':
      return `missing required key '${String(e.params['missingProperty'])}'`;
    case 'uniqueItems':
      return 'holds the same item twice';
    default:
      return e.message ?? e.keyword;
  }
}

/** The keys the schema knows at a path (for "did you mean"). */
function knownKeys(path: Path): string[] {
  const s = composeSchema() as {
    properties: Record<string, unknown>;
    definitions: Record<string, { properties?: Record<string, unknown> }>;
  };
  if (path.length === 0) return Object.keys(s.properties);
  if (path[0] === 'services' && path.length === 2) return Object.keys(s.definitions['service']?.properties ?? {});
  if (path[0] === 'services' && path.length === 3 && path[2] === 'healthcheck')
    return Object.keys(s.definitions['healthcheck']?.properties ?? {});
  if (path[0] === 'services' && path.length === 3 && path[2] === 'deploy')
    return Object.keys(s.definitions['deployment']?.properties ?? {});
  return [];
}

// ---------------------------------------------------------------------------------------------
// Merging (compose-spec merge.md)

/** Keys whose value a later file replaces rather than merges. */
const REPLACED = new Set(['command', 'entrypoint']);
/** Sequences of unique resources: the unique key of an item. */
const UNIQUE: Record<string, (item: unknown) => string> = {
  ports: (p) => {
    const x = normalizePort(p);
    return `${x.host_ip ?? ''}|${x.target}|${x.published ?? ''}|${x.protocol ?? 'tcp'}`;
  },
  volumes: (v) => (typeof v === 'string' ? shortVolumeTarget(v) : String((v as { target?: unknown }).target)),
  secrets: (s) =>
    typeof s === 'string'
      ? s
      : String((s as { target?: unknown; source?: unknown }).target ?? (s as { source?: unknown }).source),
  configs: (s) =>
    typeof s === 'string'
      ? s
      : String((s as { target?: unknown; source?: unknown }).target ?? (s as { source?: unknown }).source),
};
/** Lists that Compose merges as mappings (`KEY=value` items). */
const AS_MAPPING = new Set(['environment', 'labels', 'annotations', 'sysctls', 'extra_hosts']);

/** Merges the files' data in order; `!reset` removes, `!override` replaces. */
export function mergeFiles(datas: readonly unknown[]): Record<string, unknown> {
  let out: unknown = {};
  for (const d of datas) out = mergeValue(out, d, []);
  return clean(out) as Record<string, unknown>;
}

function mergeValue(base: unknown, over: unknown, path: readonly string[]): unknown {
  if (over === RESET) return undefined;
  if (over instanceof Override) return clean(over.value);
  const key = path[path.length - 1] ?? '';
  const inService = path.length === 3 && path[0] === 'services';
  if (inService && AS_MAPPING.has(key)) return mergeMaps(listToMap(base), listToMap(over), path);
  // depends_on: the list form is the mapping form with condition service_started.
  if (inService && key === 'depends_on') return mergeMaps(dependsToMap(base), dependsToMap(over), path);
  // A single string is a list of one (env_file: a.env, then env_file: [b.env] appends).
  if (
    inService &&
    (key === 'env_file' || key === 'dns' || key === 'dns_search' || key === 'tmpfs') &&
    typeof over === 'string' &&
    base !== undefined
  )
    return mergeValue(base, [over], path);
  if (
    inService &&
    (key === 'env_file' || key === 'dns' || key === 'dns_search' || key === 'tmpfs') &&
    typeof base === 'string'
  )
    return mergeValue([base], over, path);
  if (inService && REPLACED.has(key)) return over;
  if (path.length === 4 && path[0] === 'services' && path[2] === 'healthcheck' && key === 'test') return over;
  if (Array.isArray(over)) {
    if (!Array.isArray(base)) return over.filter((v) => v !== RESET);
    const unique = inService ? UNIQUE[key] : undefined;
    if (unique) {
      const out = [...base];
      for (const item of over) {
        const i = out.findIndex((b) => safe(() => unique(b)) === safe(() => unique(item)));
        if (i >= 0)
          out[i] = isPlainObject(out[i]) && isPlainObject(item) ? mergeMaps(out[i], item, [...path, String(i)]) : item;
        else out.push(item);
      }
      return out;
    }
    return [...base, ...over];
  }
  if (isPlainObject(over)) {
    if (!isPlainObject(base)) return mergeMaps({}, over, path);
    return mergeMaps(base, over, path);
  }
  return over;
}

function mergeMaps(base: unknown, over: unknown, path: readonly string[]): Record<string, unknown> {
  const out: Record<string, unknown> = { ...(isPlainObject(base) ? base : {}) };
  for (const [k, v] of Object.entries(isPlainObject(over) ? over : {})) {
    const merged = mergeValue(out[k], v, [...path, k]);
    if (merged === undefined) delete out[k];
    else out[k] = merged;
  }
  return out;
}

function dependsToMap(v: unknown): unknown {
  return Array.isArray(v) ? Object.fromEntries(v.map((name) => [String(name), { condition: 'service_started' }])) : v;
}

function listToMap(v: unknown): Record<string, unknown> | unknown {
  if (!Array.isArray(v)) return v;
  const out: Record<string, unknown> = {};
  for (const item of v) {
    const s = String(item);
    const eq = s.indexOf('=');
    if (eq < 0) out[s] = null;
    else out[s.slice(0, eq)] = s.slice(eq + 1);
  }
  return out;
}

function clean(v: unknown): unknown {
  if (v === RESET) return undefined;
  if (v instanceof Override) return clean(v.value);
  if (Array.isArray(v)) return v.filter((x) => x !== RESET).map(clean);
  if (isPlainObject(v)) {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) {
      const c = clean(x);
      if (c !== undefined) out[k] = c;
    }
    return out;
  }
  return v;
}

/** The unique key of an item; an item whose key cannot be read is its own (it is then appended). */
function safe(f: () => string): string {
  try {
    return f();
  } catch (err) {
    return `unreadable: ${(err as Error).message}`;
  }
}

export function isPlainObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v) && !(v instanceof Override);
}

// ---------------------------------------------------------------------------------------------
// Short syntaxes shared by merging and mapping

export interface PortSpec {
  readonly target: string;
  readonly published?: string;
  readonly host_ip?: string;
  readonly protocol?: string;
  readonly name?: string;
  readonly app_protocol?: string;
}

/** `[HOST_IP:][PUBLISHED:]TARGET[/PROTOCOL]` (IPv6 host ips in brackets), a number, or the long form. */
export function normalizePort(p: unknown): PortSpec {
  if (typeof p === 'number') return { target: String(p) };
  if (typeof p === 'string') {
    const [main, protocol] = p.split('/') as [string, string | undefined];
    let hostIp: string | undefined;
    let rest = main;
    const v6 = /^\[([^\]]+)\]:(.*)$/.exec(main);
    if (v6) {
      hostIp = v6[1];
      rest = v6[2]!;
    }
    const parts = rest.split(':');
    if (!v6 && parts.length === 3) hostIp = parts.shift();
    const target = parts.pop()!;
    const published = parts.pop();
    return {
      target,
      ...(published !== undefined && published !== '' ? { published } : {}),
      ...(hostIp ? { host_ip: hostIp } : {}),
      ...(protocol ? { protocol } : {}),
    };
  }
  const o = p as Record<string, unknown>;
  return {
    target: String(o['target']),
    ...(o['published'] !== undefined ? { published: String(o['published']) } : {}),
    ...(o['host_ip'] !== undefined ? { host_ip: String(o['host_ip']) } : {}),
    ...(o['protocol'] !== undefined ? { protocol: String(o['protocol']) } : {}),
    ...(o['name'] !== undefined ? { name: String(o['name']) } : {}),
    ...(o['app_protocol'] !== undefined ? { app_protocol: String(o['app_protocol']) } : {}),
  };
}

/** The container path of a short volume `[SOURCE:]TARGET[:MODE]`. */
export function shortVolumeTarget(v: string): string {
  const parts = v.split(':');
  return parts.length === 1 ? parts[0]! : parts[1]!;
}
