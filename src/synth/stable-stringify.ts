/**
 * json-stable-stringify 1.x, for the one way cdktf calls it (`stringify(value, { space })`, to
 * write cdk.tf.json and manifest.json), without its per-node overhead: it re-creates the indent
 * string, looks each object up in a list of the ones being visited, and calls every array method
 * through call-bind. At a thousand stacks that was a third of a second per synth thread.
 *
 * scripts/bundle.js substitutes it for the library in the cdktf bundle; the output must be the
 * library's byte for byte (test/synth/stable-stringify.test.ts compares them on every stack the
 * examples synthesize and on tricky values), which includes its quirks: keys in code-unit order,
 * `undefined` and functions dropped from objects and `null` in arrays, an empty array or object
 * written as an opening bracket, a newline, the indent and the closing bracket, and `toJSON`.
 */
import { createRequire } from 'node:module';

type Options = { readonly space?: string | number };

/** Set to false by src/synth/cdktf-patches.ts when the patches are off: then the library itself answers. */
const SWITCH = Symbol.for('ecsdeploy.cdktf-patches.stable-stringify');
let library: ((value: unknown, opts?: Options) => string | undefined) | undefined;

function stableStringify(value: unknown, opts?: Options): string | undefined {
  if ((globalThis as Record<symbol, unknown>)[SWITCH] === false) {
    // cdktf's own copy (a bundled dependency of cdktf), loaded from beside it at run time.
    library ??= createRequire(require.resolve('cdktf/package.json'))('json-stable-stringify') as typeof library;
    return library!(value, opts);
  }
  if (opts !== undefined && (typeof opts !== 'object' || Object.keys(opts).some((k) => k !== 'space'))) {
    throw new TypeError('ecsdeploy stable-stringify supports only { space } (see src/synth/stable-stringify.ts)');
  }
  const space = typeof opts?.space === 'number' ? ' '.repeat(opts.space) : (opts?.space ?? '');
  const colon = space ? ': ' : ':';
  const indents: string[] = [];
  const indentAt = (level: number): string => (indents[level] ??= space ? `\n${space.repeat(level)}` : '');
  const visiting = new Set<object>();

  function write(node: unknown, level: number): string | undefined {
    if (node && typeof (node as { toJSON?: unknown }).toJSON === 'function')
      node = (node as { toJSON(): unknown }).toJSON();
    if (node === undefined) return undefined;
    if (typeof node !== 'object' || node === null) return JSON.stringify(node);
    const inner = indentAt(level + 1);
    const close = indentAt(level);
    if (Array.isArray(node)) {
      let out = '[';
      for (let i = 0; i < node.length; i++) out += (i ? ',' : '') + inner + (write(node[i], level + 1) ?? 'null');
      return `${out}${close}]`;
    }
    if (visiting.has(node)) throw new TypeError('Converting circular structure to JSON');
    visiting.add(node);
    const keys = Object.keys(node).sort();
    let out = '{';
    let first = true;
    for (const key of keys) {
      const value = write((node as Record<string, unknown>)[key], level + 1);
      if (!value) continue;
      out += (first ? '' : ',') + inner + JSON.stringify(key) + colon + value;
      first = false;
    }
    visiting.delete(node);
    return `${out}${close}}`;
  }

  return write(value, 0);
}

export = stableStringify;
