/** The names of the permanent environments: the files in environments/, listed without parsing any (the synth fast path uses it). */
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

const YAML_FILE = /\.ya?ml$/;

export function permanentNames(root: string): string[] {
  const dir = join(root, 'environments');
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => YAML_FILE.test(f))
    .map((f) => f.replace(YAML_FILE, ''))
    .sort();
}
