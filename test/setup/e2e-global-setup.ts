/**
 * Global setup of the `e2e` jest project: starts building the shared dev environments the selected
 * files use (`base`, dev's registry and cluster, and `whole`, every stack of dev; each applied once
 * against a moto of its own, side by side; test/e2e/shared-environment.ts) and returns at once, so
 * the files that need no template run meanwhile. The files that build on one wait for it in
 * `devEnvironment()` or `wholeDevEnvironment()`. test/setup/e2e-global-teardown.ts stops what this
 * started.
 *
 * Skipped, with the same one-line notice as the files, when terraform, the provider mirror or moto
 * is missing; in CI that fails the run. Not started when no selected file uses a template, nor
 * with ECSDEPLOY_E2E_SHARED=off (each file then makes its apply itself).
 */
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isCI } from '../../src/ui/prompt';
import { skipReason } from '../support/moto';
import {
  buildTemplate,
  SHARED_DIR_ENV,
  sharedMode,
  templateFiles,
  templatesUsedBy,
  type TemplateKind,
} from '../e2e/shared-environment';

export interface TemplateBuild {
  readonly dir: string;
  readonly kinds: readonly TemplateKind[];
  readonly building: Promise<void>;
  readonly abort: AbortController;
}
/** Shared with the teardown, which runs in this process. */
export const BUILD_KEY = '__ecsdeployE2eTemplateBuild';

interface PatternConfig {
  readonly rootDir: string;
  readonly testPathPatterns?: { toExecutor?(o: { rootDir: string }): { isMatch(p: string): boolean } };
}

/**
 * The templates the selected e2e files use (a file calls devEnvironment() or
 * wholeDevEnvironment()); when the selection cannot be read, those any file uses.
 */
export function templatesNeeded(globalConfig: PatternConfig, dir = join(__dirname, '..', 'e2e')): TemplateKind[] {
  const executor = globalConfig.testPathPatterns?.toExecutor?.({ rootDir: globalConfig.rootDir });
  const needed = new Set<TemplateKind>();
  for (const f of readdirSync(dir).filter((name) => name.endsWith('.test.ts'))) {
    const file = join(dir, f);
    if (executor && !executor.isMatch(file)) continue;
    for (const kind of templatesUsedBy(readFileSync(file, 'utf8'))) needed.add(kind);
  }
  return (['base', 'whole'] as const).filter((k) => needed.has(k));
}

/**
 * What the global setup does: `skip` (a tool is missing; each file says which), `off`
 * (ECSDEPLOY_E2E_SHARED=off), `unused` (no selected file uses a template) or `build`.
 * Throws in CI when a tool is missing, and on a switch value that is neither on nor off.
 */
export function setupDecision(
  globalConfig: PatternConfig,
  env: NodeJS.ProcessEnv,
  missing: string | undefined,
  e2eDir?: string,
): 'skip' | 'off' | 'unused' | 'build' {
  if (missing !== undefined) {
    if (isCI(env))
      throw new Error(`${missing}; CI must have terraform, the provider mirror and moto (.ci/run checks them)`);
    return 'skip';
  }
  if (sharedMode(env) === 'off') return 'off';
  return templatesNeeded(globalConfig, e2eDir).length > 0 ? 'build' : 'unused';
}

export default function e2eGlobalSetup(globalConfig: PatternConfig): void {
  const decision = setupDecision(globalConfig, process.env, skipReason());
  if (decision === 'off')
    process.stderr.write('\ne2e: ECSDEPLOY_E2E_SHARED=off: each file makes its apply of dev itself\n');
  if (decision !== 'build') return;
  const kinds = templatesNeeded(globalConfig);
  const dir = mkdtempSync(join(tmpdir(), 'ecsdeploy-e2e-shared-'));
  process.env[SHARED_DIR_ENV] = dir; // the workers, started after this, inherit it
  const abort = new AbortController();
  // Side by side: each is mostly the provider waiting on its moto (a load balancer's creation alone waits 60 s).
  const building = Promise.all(kinds.map((kind) => buildTemplate(dir, kind, abort.signal))).then(() => undefined);
  const build: TemplateBuild = { dir, kinds, abort, building };
  (globalThis as Record<string, unknown>)[BUILD_KEY] = build;
  for (const kind of kinds)
    process.stderr.write(`\ne2e: building the shared dev environment ${kind}; log: ${templateFiles(dir, kind).log}\n`);
}
