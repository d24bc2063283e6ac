/**
 * A faster entry to cdktf's token resolution, with the same output.
 *
 * cdktf turns each element of a stack into Terraform JSON by resolving it: one generic function
 * visits every string, number, array and object of it, and at each one copies its options,
 * allocates a context with three closures and runs up to four regular expressions. At 20 × 100 that
 * was 40% of a synth worker's time, and most values it visits are plain: names, tags, ports, JSON
 * policies, and all of the document cdktf resolves a second time after merging the elements.
 *
 * `installFastResolve` puts a walker in front of it. The walker copies plain values itself and
 * hands every value that the original would treat specially to the original, with the options the
 * original would have given it: a string with a token marker (or one that its number-token pattern
 * matches), a number that is an encoded token, an array with list tokens, an object that is
 * resolvable, has map-token keys or is a construct, a function, a value nested deeper than the
 * original allows. So tokens, errors and their messages are cdktf's own. Only calls that enter
 * from outside (no enclosing resolution) take the walker; cdktf's recursive calls stay its own.
 *
 * test/synth/fast-resolve.test.ts compares both on tricky values and on whole synthesized stacks.
 */

/** The options cdktf's resolve takes (lib/tokens/private/resolve.js, not exported as a type). */
interface ResolveOptions {
  readonly scope: unknown;
  readonly resolver: unknown;
  readonly preparing: boolean;
  readonly prefix?: string[];
  readonly previousContext?: unknown;
}

type Resolve = ((obj: unknown, options: ResolveOptions) => unknown) & { original?: Resolve };

interface ResolveModule {
  resolve: Resolve;
}

/* eslint-disable @typescript-eslint/no-require-imports -- cdktf's private modules, as build.ts patches them */
const resolveModule = (): ResolveModule => require('cdktf/lib/tokens/private/resolve') as ResolveModule;

/** cdktf's own deepest nesting (resolve.js: "prefix.length > 200" throws). */
const MAX_DEPTH = 200;

/** Installs the walker in front of cdktf's resolve (once per module instance). */
export function installFastResolve(): void {
  const mod = resolveModule();
  if (mod.resolve.original !== undefined) return;
  mod.resolve = makeFastResolve(mod.resolve);
}

/** Puts cdktf's own resolve back (tests compare the two). */
export function uninstallFastResolve(): void {
  const mod = resolveModule();
  if (mod.resolve.original !== undefined) mod.resolve = mod.resolve.original;
}

export function makeFastResolve(original: Resolve): Resolve {
  const encoding = require('cdktf/lib/tokens/private/encoding') as {
    extractTokenDouble(x: number, checkType: boolean): number | undefined;
  };
  const { Token } = require('cdktf/lib/tokens/token') as {
    Token: { STRING_MAP_TOKEN_VALUE: string; ANY_MAP_TOKEN_VALUE: string; NUMBER_MAP_TOKEN_VALUE: number };
  };
  // The original's number-token pattern (encoding.js NUMBER_TOKEN_REGEX), without its `g` flag.
  const numberToken = /[-|\d|.+]+(e[-|\d|.|e|E|+]+)/;

  /**
   * True when the original returns the string as it is. Every token marker (string, list, map)
   * holds `TfToken[`; a string the original's number pattern matches may hold a number token.
   */
  const plainString = (s: string): boolean =>
    !s.includes('TfToken[') &&
    s !== Token.STRING_MAP_TOKEN_VALUE &&
    s !== Token.ANY_MAP_TOKEN_VALUE &&
    !numberToken.test(s);
  /**
   * A number the original resolves as a token (or rejects). Encoded tokens are doubles whose top 16
   * bits hold a marker (encoding.js), which makes them below -1e280: anything nearer zero is not one.
   */
  const tokenNumber = (x: number, list: boolean): boolean =>
    (list ? false : x === Token.NUMBER_MAP_TOKEN_VALUE) ||
    (!(Math.abs(x) < 1e250) && encoding.extractTokenDouble(x, list) !== undefined);
  /** An array element that may make the original treat the array as a list token (conservative: any marker). */
  const listTokenish = (x: unknown): boolean =>
    (typeof x === 'string' && x.includes('TfToken[')) || (typeof x === 'number' && tokenNumber(x, true));

  /**
   * What the original returns for `obj` at the key path `path` (the options it would have had
   * there). `path` is the walker's own stack of keys and array indexes, copied only here.
   */
  function delegate(obj: unknown, options: ResolveOptions, path: Array<string | number>): unknown {
    return original(obj, path.length === 0 ? options : { ...options, prefix: path.map(String) });
  }

  function walk(obj: unknown, options: ResolveOptions, path: Array<string | number>): unknown {
    if (path.length > MAX_DEPTH) return delegate(obj, options, path);
    switch (typeof obj) {
      case 'undefined':
        return undefined;
      case 'string':
        return plainString(obj) ? obj : delegate(obj, options, path);
      case 'number':
        return tokenNumber(obj, false) ? delegate(obj, options, path) : obj;
      case 'function':
        return delegate(obj, options, path);
      case 'object':
        break;
      default:
        return obj;
    }
    if (obj === null) return null;
    if (obj instanceof Date) return obj;
    if (Array.isArray(obj)) {
      if (obj.some(listTokenish)) return delegate(obj, options, path);
      const out: unknown[] = [];
      for (let i = 0; i < obj.length; i++) {
        if (!(i in obj)) continue; // a hole: the original's map keeps it, its filter drops it
        path.push(i);
        const value = walk(obj[i], options, path);
        path.pop();
        if (value !== undefined) out.push(value);
      }
      return out;
    }
    const record = obj as Record<string, unknown>;
    // Resolvable (a token object) or a construct (which the original rejects).
    if (typeof record.resolve === 'function' || (record._children !== undefined && record._metadata !== undefined))
      return delegate(obj, options, path);
    const keys = Object.keys(record);
    if (!keys.every(plainString)) return delegate(obj, options, path); // map tokens, tokens in keys
    const result: Record<string, unknown> = {};
    for (const key of keys) {
      path.push(key);
      const value = walk(record[key], options, path);
      path.pop();
      if (value !== undefined) result[key] = value;
    }
    return result;
  }

  const fast: Resolve = (obj, options) =>
    options.previousContext !== undefined || (options.prefix?.length ?? 0) > 0
      ? original(obj, options)
      : walk(obj, options, []);
  fast.original = original;
  return fast;
}
