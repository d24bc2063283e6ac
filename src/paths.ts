/** Where ecsdeploy's own files are, from source (ts-jest) or from dist/. Node built-ins only. */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';

let root: string | undefined;

/** The package root: the folder holding ecsdeploy's package.json and stacks/. */
export function packageRoot(): string {
  if (root !== undefined) return root;
  let dir = __dirname;
  while (!existsSync(join(dir, 'package.json')) || !existsSync(join(dir, 'stacks'))) {
    const up = dirname(dir);
    if (up === dir) throw new Error(`ecsdeploy package root not found above ${__dirname}`);
    dir = up;
  }
  root = dir;
  return root;
}

/** Source folder of the lifecycle-hook draining Lambda (zipped into the cluster stack). */
export function drainLambdaSource(): string {
  return join(packageRoot(), 'stacks', 'lambda', 'drain');
}
