/**
 * `terraform validate` of synthesized stacks with the real AWS provider from the offline mirror:
 * one harness for every test that needs it. Without terraform or the mirror the tests skip with a
 * notice, and fail in CI (isCI: any value of CI but '', 0 and false).
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isCI } from '../../src/ui/prompt';
import { toolchain, writeTerraformCliConfig } from './moto';

export interface Validation {
  readonly valid: boolean;
  readonly diagnostics: Array<{ summary: string; detail?: string }>;
}

export interface TerraformValidate {
  /** `describe`, or `describe.skip` (with a notice) where terraform or the mirror is missing. */
  readonly describe: jest.Describe;
  /** `terraform init -backend=false` then `terraform validate -json` in a stack's folder. */
  validate(dir: string): Validation;
  /** Removes the plugin cache and CLI configuration (call in afterAll). */
  cleanup(): void;
}

/** `what` names the tests in the notice printed when they are skipped. */
export function terraformValidate(what: string): TerraformValidate {
  const { terraform, mirror } = toolchain();
  const missing = [!terraform && 'terraform', !mirror && 'the AWS provider mirror (/opt/tf-plugins)'].filter(Boolean);
  if (missing.length > 0 && isCI()) {
    throw new Error(`${what} needs ${missing.join(' and ')}, and CI must have them (.ci/run installs nothing else)`);
  }
  if (missing.length > 0) console.warn(`${what} skipped: ${missing.join(' and ')} not found`);
  let work: string | undefined;
  let env: NodeJS.ProcessEnv | undefined;
  const run = (dir: string, args: string[]): string => {
    if (env === undefined) {
      work = mkdtempSync(join(tmpdir(), 'ecsdeploy-validate-'));
      env = {
        ...process.env,
        TF_CLI_CONFIG_FILE: writeTerraformCliConfig(work, mirror),
        TF_PLUGIN_CACHE_DIR: join(work, 'plugins'),
        TF_IN_AUTOMATION: '1',
        CHECKPOINT_DISABLE: '1',
      };
      mkdirSync(env['TF_PLUGIN_CACHE_DIR']!, { recursive: true });
    }
    return execFileSync(terraform!, args, {
      cwd: dir,
      env,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
      timeout: 120_000,
    });
  };
  return {
    describe: missing.length > 0 ? describe.skip : describe,
    validate: (dir) => {
      run(dir, ['init', '-backend=false', '-input=false', '-no-color']);
      return JSON.parse(run(dir, ['validate', '-json', '-no-color'])) as Validation;
    },
    cleanup: () => {
      if (work !== undefined) rmSync(work, { recursive: true, force: true });
    },
  };
}
