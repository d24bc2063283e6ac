/**
 * Finding the Terraform engine: `terraform` or OpenTofu's `tofu`, 1.6 or later. The choice comes
 * from ECSDEPLOY_ENGINE, else `engine:` in ecsdeploy.yaml: `auto` (terraform, then tofu, on PATH),
 * a name looked up on PATH, or a path to a binary. When none is found the error says what was
 * looked for and how to install or point at one.
 */
import { execFile } from 'node:child_process';
import { accessSync, constants, statSync } from 'node:fs';
import { delimiter, isAbsolute, join, resolve } from 'node:path';
import { EcsdeployError, ExitCode } from '../errors';

export type EngineKind = 'terraform' | 'tofu';

export interface Engine {
  readonly kind: EngineKind;
  /** Absolute path of the binary. */
  readonly path: string;
  /** e.g. `1.11.4`. */
  readonly version: string;
}

/** Oldest engine ecsdeploy drives (`-json` plan/apply output, `removed` blocks, S3 backend options). */
export const MIN_ENGINE_VERSION = '1.6.0';
/** Oldest engine with S3 state locking by lock file (`use_lockfile`), for both terraform and tofu. */
export const MIN_LOCKFILE_VERSION = '1.10.0';

const INSTALL_HINTS = [
  'Install Terraform 1.6 or later (https://developer.hashicorp.com/terraform/install) or OpenTofu 1.6 or later (https://opentofu.org/docs/intro/install/).',
  'Or point ecsdeploy at a binary: `engine: /path/to/terraform` in ecsdeploy.yaml, or ECSDEPLOY_ENGINE=/path/to/tofu in the environment.',
];

export class EngineNotFoundError extends EcsdeployError {
  constructor(message: string, exitCode: ExitCode, suggestions: readonly string[] = INSTALL_HINTS) {
    super(message, { code: 'ECSDEPLOY_ENGINE_NOT_FOUND', exitCode, suggestions });
    this.name = 'EngineNotFoundError';
  }
}

export interface FindEngineOptions {
  /** `engine:` of ecsdeploy.yaml. @default 'auto' */
  readonly setting?: string;
  /** Where ECSDEPLOY_ENGINE and PATH are read. @default process.env */
  readonly env?: NodeJS.ProcessEnv;
  /** Relative engine paths are taken from here (the project folder). @default process.cwd() */
  readonly cwd?: string;
}

/** Which setting wins and where it came from, for messages. */
function chosenSetting(options: FindEngineOptions): { value: string; source: string } {
  const fromEnv = options.env?.['ECSDEPLOY_ENGINE']?.trim();
  if (fromEnv) return { value: fromEnv, source: 'ECSDEPLOY_ENGINE' };
  return { value: options.setting ?? 'auto', source: '`engine:` in ecsdeploy.yaml' };
}

function isExecutableFile(file: string): boolean {
  try {
    if (!statSync(file).isFile()) return false;
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** The first `name` on PATH that is an executable file. */
export function onPath(name: string, pathVar: string | undefined): string | undefined {
  for (const dir of (pathVar ?? '').split(delimiter)) {
    if (dir && isExecutableFile(join(dir, name))) return join(dir, name);
  }
  return undefined;
}

/** `Terraform v1.11.4` / `OpenTofu v1.8.0` (first line of `<engine> version`). */
export function parseVersionOutput(text: string): { kind: EngineKind; version: string } | undefined {
  const m = /^(Terraform|OpenTofu) v(\d+\.\d+\.\d+)/m.exec(text);
  if (!m) return undefined;
  return { kind: m[1] === 'OpenTofu' ? 'tofu' : 'terraform', version: m[2]! };
}

export function compareVersions(a: string, b: string): number {
  const pa = a.split('.').map(Number);
  const pb = b.split('.').map(Number);
  for (let i = 0; i < 3; i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

function versionOf(path: string, env: NodeJS.ProcessEnv): Promise<string> {
  return new Promise((done, fail) => {
    execFile(
      path,
      ['version'],
      { env: { ...env, CHECKPOINT_DISABLE: '1' }, timeout: 30_000, encoding: 'utf8' },
      (err, stdout, stderr) => {
        if (err && !stdout) fail(new Error(`${(err as Error).message}${stderr ? `: ${stderr.trim()}` : ''}`));
        else done(stdout);
      },
    );
  });
}

/** Resolve the engine to use, check its version, or throw an EngineNotFoundError saying what to do. */
export async function findEngine(options: FindEngineOptions = {}): Promise<Engine> {
  const env = options.env ?? process.env;
  const { value, source } = chosenSetting({ ...options, env });
  const pathVar = env['PATH'];
  let path: string | undefined;
  if (value === 'auto') {
    path = onPath('terraform', pathVar) ?? onPath('tofu', pathVar);
    if (path === undefined) {
      throw new EngineNotFoundError(
        `No Terraform engine found: looked for \`terraform\` and \`tofu\` on PATH (${pathVar || 'empty'}). ecsdeploy needs Terraform or OpenTofu ${MIN_ENGINE_VERSION.replace(/\.0$/, '')} or later to plan and apply stacks.`,
        ExitCode.Failed,
      );
    }
  } else if (value.includes('/') || value.includes('\\')) {
    path = isAbsolute(value) ? value : resolve(options.cwd ?? process.cwd(), value);
    if (!isExecutableFile(path)) {
      throw new EngineNotFoundError(`The engine ${value} (from ${source}) is not an executable file.`, ExitCode.Usage, [
        `Fix ${source}: a path to a terraform or tofu binary, a name on PATH ('terraform', 'tofu'), or 'auto'.`,
        ...INSTALL_HINTS.slice(0, 1),
      ]);
    }
  } else {
    path = onPath(value, pathVar);
    if (path === undefined) {
      throw new EngineNotFoundError(
        `The engine \`${value}\` (from ${source}) is not on PATH (${pathVar || 'empty'}).`,
        ExitCode.Usage,
        [
          `Install it, put its folder on PATH, or set ${source} to its full path, or to 'auto' (terraform, then tofu).`,
          ...INSTALL_HINTS.slice(0, 1),
        ],
      );
    }
  }

  let output: string;
  try {
    output = await versionOf(path, env);
  } catch (err) {
    throw new EngineNotFoundError(`Could not run \`${path} version\`: ${(err as Error).message}`, ExitCode.Failed, [
      `Check that ${path} is a working terraform or tofu binary for this machine, or choose another through ${source}.`,
    ]);
  }
  const parsed = parseVersionOutput(output);
  if (parsed === undefined) {
    throw new EngineNotFoundError(
      `${path} (from ${source}) does not look like Terraform or OpenTofu: \`version\` printed "${output.split('\n')[0] ?? ''}".`,
      ExitCode.Usage,
      INSTALL_HINTS,
    );
  }
  if (compareVersions(parsed.version, MIN_ENGINE_VERSION) < 0) {
    throw new EngineNotFoundError(
      `${parsed.kind} ${parsed.version} at ${path} is too old: ecsdeploy needs ${parsed.kind} ${MIN_ENGINE_VERSION.replace(/\.0$/, '')} or later.`,
      ExitCode.Failed,
      INSTALL_HINTS,
    );
  }
  return { kind: parsed.kind, path, version: parsed.version };
}
