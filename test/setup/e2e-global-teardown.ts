/**
 * Global teardown of the `e2e` jest project: stops the shared environments' builds if they still
 * run (a run cut short, or no file waited for them), waits for their motos to stop, and removes the
 * templates. A failed build keeps the folder: the failure messages of the files point at its log.
 */
import { existsSync, rmSync } from 'node:fs';
import { templateFiles } from '../e2e/shared-environment';
import { BUILD_KEY, type TemplateBuild } from './e2e-global-setup';

export default async function e2eGlobalTeardown(): Promise<void> {
  const build = (globalThis as Record<string, unknown>)[BUILD_KEY] as TemplateBuild | undefined;
  if (!build) return;
  delete (globalThis as Record<string, unknown>)[BUILD_KEY];
  const files = build.kinds.map((kind) => ({ kind, ...templateFiles(build.dir, kind) }));
  const finished = (f: (typeof files)[number]) => existsSync(f.ready) || existsSync(f.failed);
  if (!files.every(finished)) build.abort.abort(); // nobody waits any more: stop the applies (SIGINT) and their motos
  const failed = files.filter((f) => finished(f) && existsSync(f.failed));
  await build.building; // never rejects: buildTemplate records a failure in failed.json
  for (const f of failed)
    process.stderr.write(`e2e: the shared dev environment ${f.kind} failed to build; its log: ${f.log}\n`);
  if (failed.length === 0) rmSync(build.dir, { recursive: true, force: true });
}
