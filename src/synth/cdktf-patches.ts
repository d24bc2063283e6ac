/* eslint-disable @typescript-eslint/no-require-imports -- cdktf's private modules, which is what is fenced here */
/**
 * Every change ecsdeploy makes to cdktf's own behaviour, in one place. Each makes synthesis faster
 * and none changes a byte of its output (test/synth/cdktf-patches.test.ts synthesizes the examples
 * with the patches on and off and compares every file):
 *
 *   stack-traces     cdktf records a full stack trace on every token it creates (thousands per
 *                    stack) only to decorate error messages: a quarter of synth time at a few
 *                    hundred stacks. Switched off (lib/tokens/private/stack-trace).
 *   fast-resolve     a walker in front of cdktf's generic value resolution that copies plain values
 *                    itself and hands everything else to cdktf (./fast-resolve.ts): 40% of a worker's time.
 *   cross-stack-pass cdktf resolves every element once before synthesis only to find references
 *                    between stacks; ours never hold one (they share values through remote-state
 *                    outputs, and a synth test checks it), so EcsdeployStack.prepareStack skips the pass.
 *   stable-stringify in the CLI bundle only, scripts/bundle.js puts ./stable-stringify.ts in place of
 *                    json-stable-stringify, which cdktf uses to write cdk.tf.json (a third of a second
 *                    per thousand stacks); with the patches off it hands every call to the library.
 *   util-isarray     cdktf calls util.isArray (TerraformOutput), which Node deprecated (DEP0044) and
 *                    warns about on every synth from Node 22 on; util.isArray becomes Array.isArray,
 *                    which is what it always was, without the warning.
 *
 * They are written against cdktf's private modules as of exactly PATCHED_CDKTF_VERSION. With any
 * other version none is installed and one warning says so; ECSDEPLOY_CDKTF_PATCHES=off leaves cdktf
 * as it is (the same output, slower). Only ecsdeploy's own synthesis installs them
 * (./build.ts): `cdktf synth` of cdktf.json's app and code that builds the stacks itself get cdktf
 * unchanged unless they call installCdktfPatches.
 */
import { EcsdeployStack } from '../../stacks/base';
import { installFastResolve, uninstallFastResolve } from './fast-resolve';

export const PATCHED_CDKTF_VERSION = '0.21.0';

export const CDKTF_PATCHES = [
  'stack-traces',
  'fast-resolve',
  'cross-stack-pass',
  'stable-stringify',
  'util-isarray',
] as const;

/** Read by ./stable-stringify.ts, which lives in another bundle (dist/bundle/cdktf.js) of the same thread. */
export const STABLE_STRINGIFY_SWITCH = Symbol.for('ecsdeploy.cdktf-patches.stable-stringify');

export interface CdktfPatchState {
  readonly installed: boolean;
  /** Why they are not installed: switched off, or another cdktf version (then also a warning was emitted). */
  readonly reason?: string;
}

type StackTraceModule = { captureStackTrace: (() => string[]) & { original?: () => string[] } };
const stackTraceModule = (): StackTraceModule => require('cdktf/lib/tokens/private/stack-trace') as StackTraceModule;

let warned = false;

/** Node's util module as cdktf reads it (util.isArray is typed away in @types/node, but there at run time). */
const nodeUtil = require('node:util') as { isArray: (value: unknown) => value is unknown[] };
let deprecatedIsArray: ((value: unknown) => value is unknown[]) | undefined;

/** Installs every patch, unless ECSDEPLOY_CDKTF_PATCHES=off or cdktf is not the version they were written for. */
export function installCdktfPatches(env: NodeJS.ProcessEnv = process.env, version = cdktfVersion()): CdktfPatchState {
  if (env['ECSDEPLOY_CDKTF_PATCHES'] === 'off') {
    uninstallCdktfPatches();
    return { installed: false, reason: 'ECSDEPLOY_CDKTF_PATCHES=off' };
  }
  if (version !== PATCHED_CDKTF_VERSION) {
    uninstallCdktfPatches();
    const reason = `cdktf is ${version}, and ecsdeploy's synthesis patches were written for ${PATCHED_CDKTF_VERSION}: running cdktf unpatched (the same output, slower)`;
    if (!warned) process.emitWarning(reason, { code: 'ECSDEPLOY_CDKTF_PATCHES' });
    warned = true;
    return { installed: false, reason };
  }
  const traces = stackTraceModule();
  if (traces.captureStackTrace.original === undefined) {
    const original = traces.captureStackTrace;
    traces.captureStackTrace = Object.assign(() => [], { original });
  }
  installFastResolve();
  EcsdeployStack.crossStackPass = false;
  if (nodeUtil.isArray !== Array.isArray) {
    deprecatedIsArray = nodeUtil.isArray;
    nodeUtil.isArray = Array.isArray;
  }
  (globalThis as Record<symbol, unknown>)[STABLE_STRINGIFY_SWITCH] = true;
  return { installed: true };
}

/** Puts cdktf back as it is (tests compare both; ECSDEPLOY_CDKTF_PATCHES=off). */
export function uninstallCdktfPatches(): void {
  const traces = stackTraceModule();
  if (traces.captureStackTrace.original !== undefined) traces.captureStackTrace = traces.captureStackTrace.original;
  uninstallFastResolve();
  EcsdeployStack.crossStackPass = true;
  if (deprecatedIsArray !== undefined) nodeUtil.isArray = deprecatedIsArray;
  deprecatedIsArray = undefined;
  (globalThis as Record<symbol, unknown>)[STABLE_STRINGIFY_SWITCH] = false;
}

function cdktfVersion(): string {
  return (require('cdktf/package.json') as { version: string }).version;
}
