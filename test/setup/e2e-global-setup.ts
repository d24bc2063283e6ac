/**
 * Global setup of the `e2e` jest project: starts building the shared dev environment (dev's
 * registry and cluster applied once against a moto of its own; test/e2e/shared-environment.ts) and
 * returns at once, so the files that need no template run meanwhile. The files that build on it wait
 * for it in `devEnvironment()`. test/setup/e2e-global-teardown.ts stops what this started.
 *
 * Skipped, with the same one-line notice as the files, when terraform, the provider mirror or moto
 * is missing; in CI that fails the run. Not started when no selected file uses the template, nor
 * with ECSDEPLOY_E2E_SHARED=off (each file then applies dev's registry and cluster itself).
 */
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isCI } from '../../src/ui/prompt';
import { skipReason } from '../support/moto';
import { buildTemplate, SHARED_DIR_ENV, sharedMode, templateFiles } from '../e2e/shared-environment';

export interface TemplateBuild {
  readonly dir: string;
  readonly building: Promise<void>;
  readonly abort: AbortController;
}
/** Shared with the teardown, which runs in this process. */
export const BUILD_KEY = '__ecsdeployE2eTemplateBuild';

interface PatternConfig {
  readonly rootDir: string;
  readonly testPathPatterns?: { toExecutor?(o: { rootDir: string }): { isMatch(p: string): boolean } };
}

/** Whether a selected file calls devEnvironment() (when the selection cannot be read: yes). */
function templateNeeded(globalConfig: PatternConfig, dir = join(__dirname, '..', 'e2e')): boolean {
  const users = readdirSync(dir)
    .filter((f) => f.endsWith('.test.ts'))
    .map((f) => join(dir, f))
    .filter((f) => readFileSync(f, 'utf8').includes('devEnvironment('));
  const executor = globalConfig.testPathPatterns?.toExecutor?.({ rootDir: globalConfig.rootDir });
  return executor ? users.some((f) => executor.isMatch(f)) : users.length > 0;
}

/**
 * What the global setup does: `skip` (a tool is missing; each file says which), `off`
 * (ECSDEPLOY_E2E_SHARED=off), `unused` (no selected file calls devEnvironment()) or `build`.
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
  return templateNeeded(globalConfig, e2eDir) ? 'build' : 'unused';
}

export default function e2eGlobalSetup(globalConfig: PatternConfig): void {
  const decision = setupDecision(globalConfig, process.env, skipReason());
  if (decision === 'off')
    process.stderr.write("\ne2e: ECSDEPLOY_E2E_SHARED=off: each file applies dev's registry and cluster itself\n");
  if (decision !== 'build') return;
  const dir = mkdtempSync(join(tmpdir(), 'ecsdeploy-e2e-shared-'));
  process.env[SHARED_DIR_ENV] = dir; // the workers, started after this, inherit it
  const abort = new AbortController();
  const build: TemplateBuild = { dir, abort, building: buildTemplate(dir, abort.signal) };
  (globalThis as Record<string, unknown>)[BUILD_KEY] = build;
  process.stderr.write(
    `\ne2e: building the shared dev environment (registry + cluster); log: ${templateFiles(dir).log}\n`,
  );
}
