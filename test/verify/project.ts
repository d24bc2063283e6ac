/** The example project in a temp folder, with service-file edits, opened as the checks see it. */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ResolvedEnvironment, ResolvedProject, ResolvedService } from '../../src/config/load';
import { openEnvironments } from '../../src/ops/project';
import type { ReleaseImage } from '../../src/ops/releases';
import { copyExampleProject } from '../support/example-project';
import { ACCOUNT, ORDERS_DIGEST } from './recorded';

export interface Opened {
  readonly dir: string;
  readonly project: ResolvedProject;
  readonly env: ResolvedEnvironment;
  service(name: string): ResolvedService;
  cleanup(): void;
}

/** `edit(file, text)` rewrites a file of the copy before it is loaded. */
export async function openExample(
  edit: (file: string, text: string) => string = (_f, t) => t,
  envName = 'dev',
): Promise<Opened> {
  const dir = mkdtempSync(join(tmpdir(), 'ecsdeploy-verify-'));
  copyExampleProject(dir);
  for (const file of [
    'services/orders.yaml',
    'services/payments.yaml',
    'services/web.yaml',
    `environments/${envName}.yaml`,
  ]) {
    const path = join(dir, file);
    writeFileSync(path, edit(file, readFileSync(path, 'utf8')));
  }
  const { project, envs } = await openEnvironments(dir, [envName]);
  const env = envs[0]!;
  return {
    dir,
    project,
    env,
    service: (name) => env.services.find((s) => s.name === name)!,
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}

export const ordersImage = (digest = ORDERS_DIGEST): ReleaseImage => ({
  requested: '1.4.3',
  repository: `${ACCOUNT}.dkr.ecr.eu-west-1.amazonaws.com/shop/orders`,
  tag: '1.4.3',
  digest,
  serviceRepository: true,
});

/** orders on Fargate, ARM64 (runtimePlatform). */
export const armFargate = (file: string, text: string) =>
  file === 'services/orders.yaml'
    ? text.replace(
        'launchType: ec2',
        'launchType: fargate\nruntimePlatform:\n  cpuArchitecture: ARM64\n  operatingSystemFamily: LINUX',
      )
    : text;
