/** The bundled example project's files, and one way to copy them: every test that needs a copy uses this. */
import { cpSync, existsSync } from 'node:fs';
import { join } from 'node:path';

export const REPO = join(__dirname, '..', '..');

/** What makes the bundled project: the project file and its environments, services and jobs. */
export const PROJECT_ENTRIES = ['ecsdeploy.yaml', 'environments', 'services', 'jobs'] as const;

/** Copies the bundled project into `dir`. */
export function copyExampleProject(dir: string): void {
  for (const entry of PROJECT_ENTRIES)
    if (existsSync(join(REPO, entry))) cpSync(join(REPO, entry), join(dir, entry), { recursive: true });
}
