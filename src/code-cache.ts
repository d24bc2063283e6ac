/**
 * Loads a bundled CommonJS file through V8's code cache: what Node 22's `module.enableCompileCache()`
 * does, for the one file that matters, on the Node 20 our machines run.
 *
 * Compiling JavaScript is most of a short command's start: without a cache V8 parses and compiles
 * every function the command touches on every run. With one, it deserializes the compiled code
 * instead. The cache sits next to the bundle (`<file>.cache`); the build writes it after a warm-up
 * run (scripts/bundle.js). V8 itself checks that the cache matches the source, the V8 version and
 * its flags; a missing or rejected cache only costs the compile, and the process then writes a new
 * one on exit when it can (atomically: write a temporary file, then rename). A read-only install
 * just runs uncached. ECSDEPLOY_CODE_CACHE=off neither reads nor writes it (to measure what it saves).
 *
 * Node built-ins only: this module is loaded before anything else.
 */
import { readFileSync, realpathSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import Module from 'node:module';
import { dirname } from 'node:path';
import { Script } from 'node:vm';
import { threadId } from 'node:worker_threads';

/** The internals of CommonJS loading this relies on; stable since Node 0.x and used the same way by v8-compile-cache. */
interface ModuleInternals {
  _cache: Record<string, Module>;
  _nodeModulePaths(dir: string): string[];
  _resolveFilename(request: string, parent: Module, isMain: boolean, options?: { paths?: string[] }): string;
  _resolveLookupPaths(request: string, parent: Module): string[] | null;
  _extensions: NodeJS.RequireExtensions;
  wrap(source: string): string;
}

export interface CodeCacheStatus {
  readonly file: string;
  /** 'used': compiled code came from the cache; otherwise why it did not. */
  readonly cache: 'used' | 'missing' | 'rejected';
}

const loaded = new Map<string, CodeCacheStatus>();

/**
 * Requires `file` (a CommonJS bundle) as `require(file)` would, compiling it from the code cache
 * next to it when V8 accepts that cache. The module is registered under its real path, so a later
 * `require(file)` (oclif loading its commands from the same bundle) returns the same exports.
 */
export function requireCached<T>(file: string, parent: NodeJS.Module = module): T {
  const filename = realpathSync(file);
  const M = Module as unknown as ModuleInternals;
  const existing = M._cache[filename];
  if (existing !== undefined) return existing.exports as T;

  const cacheFile = `${filename}.cache`;
  const enabled = process.env['ECSDEPLOY_CODE_CACHE'] !== 'off';
  let cachedData: Buffer | undefined;
  try {
    cachedData = enabled ? readFileSync(cacheFile) : undefined;
  } catch {
    cachedData = undefined;
  }
  const script = new Script(M.wrap(readFileSync(filename, 'utf8')), { filename, cachedData });
  const status: CodeCacheStatus = {
    file: filename,
    cache: cachedData === undefined ? 'missing' : script.cachedDataRejected ? 'rejected' : 'used',
  };
  loaded.set(filename, status);
  if (status.cache !== 'used' && enabled) {
    // Written at exit, so the cache holds every function this run compiled, not just the top level.
    process.once('exit', () => writeCache(script, cacheFile));
  }

  const mod = new Module(filename, parent);
  mod.filename = filename;
  mod.paths = M._nodeModulePaths(dirname(filename));
  M._cache[filename] = mod;
  const main = require.main;
  const requireFn = Object.assign((id: string) => mod.require(id), {
    resolve: Object.assign(
      (request: string, options?: { paths?: string[] }) => M._resolveFilename(request, mod, false, options),
      {
        paths: (request: string) => M._resolveLookupPaths(request, mod),
      },
    ),
    main,
    extensions: M._extensions,
    cache: M._cache,
  });
  const wrapper = script.runInThisContext({ displayErrors: true }) as (
    exports: unknown,
    require: unknown,
    module: Module,
    filename: string,
    dirname: string,
  ) => void;
  try {
    wrapper.call(mod.exports, mod.exports, requireFn, mod, filename, dirname(filename));
  } catch (err) {
    delete M._cache[filename];
    throw err;
  }
  mod.loaded = true;
  return mod.exports as T;
}

/** How each cached file was loaded in this process (for `bench/` and the tests). */
export function codeCacheStatus(): CodeCacheStatus[] {
  return [...loaded.values()];
}

function writeCache(script: Script, cacheFile: string): void {
  const tmp = `${cacheFile}.${process.pid}-${threadId}.tmp`; // synth's worker threads share the pid
  try {
    writeFileSync(tmp, script.createCachedData());
    renameSync(tmp, cacheFile);
  } catch {
    rmSync(tmp, { force: true }); // a read-only install runs without a cache
  }
}
