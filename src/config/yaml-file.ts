/** A YAML file parsed with source positions, so every problem can name its line and column. */
import { readFileSync } from 'node:fs';
import { Document, LineCounter, isMap, isPair, isScalar, isSeq, parseDocument, type Node } from 'yaml';
import type { ConfigProblem } from '../errors';
import type { Path, RawProblem } from './issues';

export class YamlFile {
  private constructor(
    /** Path relative to the project root, as shown to the user. */
    readonly file: string,
    private readonly doc: Document.Parsed | undefined,
    private readonly lines: LineCounter,
    /** The parsed data, or undefined when the file has syntax errors. */
    readonly data: unknown,
    readonly syntaxProblems: readonly ConfigProblem[],
  ) {}

  static read(absolutePath: string, displayPath: string): YamlFile {
    let text: string;
    try {
      text = readFileSync(absolutePath, 'utf8');
    } catch (err) {
      const reason = (err as NodeJS.ErrnoException).code === 'ENOENT' ? 'file not found' : (err as Error).message;
      return new YamlFile(displayPath, undefined, new LineCounter(), undefined, [{ file: displayPath, key: '', message: reason }]);
    }
    return YamlFile.parse(text, displayPath);
  }

  static parse(text: string, displayPath: string): YamlFile {
    const lines = new LineCounter();
    const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true, strict: true });
    const problems: ConfigProblem[] = [];
    for (const err of [...doc.errors, ...doc.warnings]) {
      const pos = lines.linePos(err.pos[0]);
      const message = err.code === 'DUPLICATE_KEY' ? 'duplicate key: this key appears earlier in the same mapping' : firstLine(err.message);
      problems.push({ file: displayPath, line: pos.line, column: pos.col, key: '', message: `YAML: ${message}` });
    }
    if (doc.errors.length > 0) return new YamlFile(displayPath, doc, lines, undefined, problems);
    const data: unknown = doc.toJS({ maxAliasCount: 100 }) ?? {};
    if (data === null || typeof data !== 'object' || Array.isArray(data)) {
      problems.push({ file: displayPath, line: 1, column: 1, key: '', message: `expected a mapping of keys at the top of the file, got ${Array.isArray(data) ? 'a list' : typeof data}` });
      return new YamlFile(displayPath, doc, lines, undefined, problems);
    }
    return new YamlFile(displayPath, doc, lines, data, problems);
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
    const pos = offset === undefined ? { line: 1, col: 1 } : this.lines.linePos(offset);
    return { file: this.file, line: pos.line, column: pos.col, key: formatPath(full), message: raw.message };
  }

  /** Walks as far along `path` as the document goes; returns that node, its key node and the depth. */
  private nodeAt(path: Path): { node?: Node; keyNode?: Node; depth: number } {
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
