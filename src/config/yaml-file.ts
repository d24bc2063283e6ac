/**
 * A YAML file parsed with source positions, so every problem can name its line and column.
 *
 * Two parsers, one answer. js-yaml reads the data: it is 4-6x faster than `yaml` on a cold start,
 * which is most of what `config validate` and every other command spend on the configuration. The
 * `yaml` library (a full YAML 1.2 document model with source ranges) runs only when a position or
 * a syntax error must be reported. js-yaml is trusted only with the plain documents both libraries
 * read alike (YAML 1.2 core schema, one document, no tags, anchors, aliases or directives, no
 * duplicate, collection or null keys, no float beyond double range); anything else goes to `yaml`,
 * whose verdict was the only one before.
 * test/config/yaml-file.test.ts holds both to the same data on every YAML file of the repository.
 */
import { readFileSync } from 'node:fs';
import { CORE_SCHEMA, EVENT_ID, SCALAR_STYLE_PLAIN, constructFromEvents, parseEvents } from 'js-yaml';
import type { Document, LineCounter, Node } from 'yaml';
import type { ConfigProblem } from '../errors';
import type { Path, RawProblem } from './issues';

/** Loaded on the first file that needs positions: most runs never do. */
// eslint-disable-next-line @typescript-eslint/no-require-imports
const yamlLib = () => require('yaml') as typeof import('yaml');

interface Located {
  readonly doc: Document.Parsed;
  readonly lines: LineCounter;
}

export class YamlFile {
  private located: Located | undefined;

  private constructor(
    /** Path relative to the project root, as shown to the user. */
    readonly file: string,
    private readonly text: string,
    /** The parsed data, or undefined when the file has syntax errors. */
    readonly data: unknown,
    readonly syntaxProblems: readonly ConfigProblem[],
    located?: Located,
  ) {
    this.located = located;
  }

  static read(absolutePath: string, displayPath: string): YamlFile {
    let text: string;
    try {
      text = readFileSync(absolutePath, 'utf8');
    } catch (err) {
      const reason = (err as NodeJS.ErrnoException).code === 'ENOENT' ? 'file not found' : (err as Error).message;
      return new YamlFile(displayPath, '', undefined, [{ file: displayPath, key: '', message: reason }]);
    }
    return YamlFile.parse(text, displayPath);
  }

  static parse(text: string, displayPath: string): YamlFile {
    const plain = plainData(text);
    if (plain !== undefined) {
      const data = plain.value ?? {};
      if (isMapping(data)) return new YamlFile(displayPath, text, data, []);
    }
    return YamlFile.parseLocated(text, displayPath);
  }

  /** The `yaml` library's reading: data, syntax errors and warnings, each with its position. */
  private static parseLocated(text: string, displayPath: string): YamlFile {
    const located = locate(text);
    const { doc, lines } = located;
    const problems: ConfigProblem[] = [];
    const at = (offset: number | undefined) => (offset === undefined ? { line: 1, col: 1 } : lines.linePos(offset));
    for (const err of [...doc.errors, ...doc.warnings]) {
      const pos = at(err.pos[0]);
      const message =
        err.code === 'DUPLICATE_KEY'
          ? 'duplicate key: this key appears earlier in the same mapping'
          : firstLine(err.message);
      problems.push({ file: displayPath, line: pos.line, column: pos.col, key: '', message: `YAML: ${message}` });
    }
    if (doc.errors.length > 0) return new YamlFile(displayPath, text, undefined, problems, located);
    let data: unknown;
    try {
      data = doc.toJS({ maxAliasCount: 100 }) ?? {};
    } catch (err) {
      // An alias without its anchor, or too many aliases: `yaml` reports these only when building the data.
      const pos = at(unresolvedAlias(doc)?.range?.[0]);
      problems.push({
        file: displayPath,
        line: pos.line,
        column: pos.col,
        key: '',
        message: `YAML: ${firstLine((err as Error).message)}`,
      });
      return new YamlFile(displayPath, text, undefined, problems, located);
    }
    if (!isMapping(data)) {
      problems.push({
        file: displayPath,
        line: 1,
        column: 1,
        key: '',
        message: `expected a mapping of keys at the top of the file, got ${Array.isArray(data) ? 'a list' : typeof data}`,
      });
      return new YamlFile(displayPath, text, undefined, problems, located);
    }
    return new YamlFile(displayPath, text, data, problems, located);
  }

  private get doc(): Document.Parsed | undefined {
    if (this.located === undefined && this.text !== '') this.located = locate(this.text);
    return this.located?.doc;
  }

  /** Does the document hold a value at this path? */
  has(path: Path): boolean {
    return this.nodeAt(path).depth === path.length;
  }

  /** The raw value at a path (undefined when absent). */
  get(path: Path): unknown {
    let cur: unknown = this.data;
    for (const seg of path) {
      if (cur === null || typeof cur !== 'object') return undefined;
      cur = (cur as Record<string | number, unknown>)[seg];
    }
    return cur;
  }

  problem(raw: RawProblem, prefix: Path = []): ConfigProblem {
    const full = [...prefix, ...raw.path];
    const { node, keyNode, depth } = this.nodeAt(full);
    const target = raw.atKey || depth < full.length ? (keyNode ?? node) : (node ?? keyNode);
    const offset = target?.range?.[0];
    const lines = this.located?.lines;
    const pos = offset === undefined || lines === undefined ? { line: 1, col: 1 } : lines.linePos(offset);
    return { file: this.file, line: pos.line, column: pos.col, key: formatPath(full), message: raw.message };
  }

  /** Walks as far along `path` as the document goes; returns that node, its key node and the depth. */
  private nodeAt(path: Path): { node?: Node; keyNode?: Node; depth: number } {
    const { isMap, isPair, isScalar, isSeq } = yamlLib();
    let node: unknown = this.doc?.contents;
    let keyNode: Node | undefined;
    let depth = 0;
    for (const seg of path) {
      if (isMap(node)) {
        const pair = node.items.find((p) => isPair(p) && isScalar(p.key) && String(p.key.value) === String(seg));
        if (pair === undefined) break;
        keyNode = pair.key as Node;
        node = pair.value;
      } else if (isSeq(node) && typeof seg === 'number' && seg < node.items.length) {
        node = node.items[seg];
        keyNode = node as Node;
      } else {
        break;
      }
      depth++;
    }
    return { node: (node ?? undefined) as Node | undefined, keyNode, depth };
  }
}

export function formatPath(path: Path): string {
  return path.map((seg, i) => (typeof seg === 'number' ? `[${seg}]` : i === 0 ? seg : `.${seg}`)).join('');
}

function firstLine(message: string): string {
  return message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '');
}

function locate(text: string): Located {
  const { LineCounter, parseDocument } = yamlLib();
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true, strict: true });
  return { doc, lines };
}

function isMapping(data: unknown): data is Record<string, unknown> {
  return data !== null && typeof data === 'object' && !Array.isArray(data);
}

const NULL = /^(~|null|Null|NULL|)$/;
const FLOAT = /^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$/;

/**
 * js-yaml's reading of a plain document: `{ value }` (value undefined for an empty file), or
 * undefined when the text uses anything the two parsers might read differently, or fails to parse.
 */
export function plainData(text: string): { value: unknown } | undefined {
  try {
    const events = parseEvents(text, {});
    let documents = 0;
    // For each open mapping, whether its next node is a key; collections as keys are not plain.
    const open: Array<{ mapping: boolean; atKey: boolean }> = [];
    for (const e of events) {
      if (e.type === EVENT_ID.POP) {
        open.pop();
        continue;
      }
      if (e.type === EVENT_ID.DOCUMENT) {
        if (++documents > 1 || e.directives.length > 0) return undefined;
        open.push({ mapping: false, atKey: false });
        continue;
      }
      if (e.type === EVENT_ID.ALIAS || e.tagStart !== -1 || e.anchorStart !== -1) return undefined;
      const parent = open[open.length - 1];
      const atKey = parent?.mapping === true && parent.atKey;
      if (parent?.mapping) parent.atKey = !parent.atKey;
      if (atKey && e.type !== EVENT_ID.SCALAR) return undefined;
      if (e.type === EVENT_ID.SCALAR && e.style === SCALAR_STYLE_PLAIN) {
        const raw = text.slice(e.valueStart, e.valueEnd);
        // A null key (`~:`) is "null" to one library and "" to the other; a float beyond double
        // range is a string to one and Infinity to the other.
        if (atKey && NULL.test(raw)) return undefined;
        if (FLOAT.test(raw) && !Number.isFinite(Number(raw))) return undefined;
      }
      if (e.type !== EVENT_ID.SCALAR) open.push({ mapping: e.type === EVENT_ID.MAPPING, atKey: true });
    }
    const docs = constructFromEvents(events, { source: text, schema: CORE_SCHEMA, json: false });
    return { value: docs[0] ?? undefined };
  } catch {
    return undefined; // a syntax error or a duplicate key: `yaml` says where
  }
}

function unresolvedAlias(doc: Document.Parsed): Node | undefined {
  const { visit, isAlias } = yamlLib();
  let found: Node | undefined;
  visit(doc, {
    Alias(_key, node) {
      if (isAlias(node) && node.resolve(doc) === undefined) {
        found = node;
        return visit.BREAK;
      }
      return undefined;
    },
  });
  return found;
}
