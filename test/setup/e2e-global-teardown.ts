/**
 * Global teardown of the `e2e` jest project: stops the shared environment's build if it still runs
 * (a run cut short, or no file waited for it), waits for its moto to stop, and removes the template.
 * A failed build keeps its folder: the failure messages of the files point at its log.
 */
import { existsSync, rmSync } from 'node:fs';
import { templateFiles } from '../e2e/shared-environment';
import { BUILD_KEY, type TemplateBuild } from './e2e-global-setup';

export default async function e2eGlobalTeardown(): Promise<void> {
  const build = (globalThis as Record<string, unknown>)[BUILD_KEY] as TemplateBuild | undefined;
  if (!build) return;
  delete (globalThis as Record<string, unknown>)[BUILD_KEY];
  const f = templateFiles(build.dir);
  const finished = existsSync(f.ready) || existsSync(f.failed);
  if (!finished) build.abort.abort(); // nobody waits for it any more: stop its apply (SIGINT) and its moto
  await build.building; // never rejects: buildTemplate records a failure in failed.json
  if (finished && existsSync(f.failed))
    process.stderr.write(`e2e: the shared dev environment failed to build; its log: ${f.log}\n`);
  else rmSync(build.dir, { recursive: true, force: true });
}
