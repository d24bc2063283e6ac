/**
 * End-to-end test support: a patched moto server (test/moto/server.py) that
 * Terraform's AWS provider can apply, re-plan and destroy against, plus the
 * toolchain detection tests use to skip with a one-line reason.
 *
 * Node stdlib only. See test/README.md.
 */
import { createHash } from 'node:crypto';
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import * as http from 'node:http';
import * as net from 'node:net';
import * as path from 'node:path';

/** The launcher that patches moto 5.2.1 before serving. */
export const MOTO_LAUNCHER = path.resolve(__dirname, '..', 'moto', 'server.py');
/** Realistic ECS environment proven against the launcher (see test/moto/smoke.sh). */
export const ECS_FIXTURE = path.resolve(__dirname, '..', 'moto', 'fixtures', 'ecs-env.tf');

const DEFAULT_TERRAFORM = '/usr/local/bin/terraform';
const DEFAULT_MIRROR = '/opt/tf-plugins';
const AWS_PROVIDER_DIR = path.join('registry.terraform.io', 'hashicorp', 'aws');

export interface MotoServer {
  /** e.g. http://127.0.0.1:41234 */
  endpoint: string;
  port: number;
  /** SIGTERM, then SIGKILL if still alive after a grace period. Idempotent. */
  stop(): Promise<void>;
  /** Tail of the server's stderr (request log; MOTO_LOG_ERRORS=1 adds error bodies). */
  logs(): string;
}

export interface StartMotoOptions {
  /** Python interpreter; defaults to toolchain().python. */
  python?: string;
  /** How long to wait for the server to answer HTTP (default 120 s: importing moto takes 30 s and more on a loaded machine). */
  startTimeoutMs?: number;
  /** Extra environment for the server (e.g. MOTO_LOG_ERRORS=1). */
  env?: NodeJS.ProcessEnv;
  /** The launcher script; defaults to MOTO_LAUNCHER (code compiled elsewhere, e.g. dist-bench/, passes the source tree's). */
  launcher?: string;
}

export interface Toolchain {
  /** terraform (or tofu) binary */
  terraform?: string;
  /** filesystem mirror directory holding registry.terraform.io/hashicorp/aws */
  mirror?: string;
  /** real python interpreter path (not a pyenv shim) with moto importable */
  python?: string;
  /** one human-readable reason per missing piece; empty when all present */
  missing: string[];
}

function which(bin: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    if (!dir) continue;
    const candidate = path.join(dir, bin);
    if (existsSync(candidate)) return candidate;
  }
  return undefined;
}

function findTerraform(): string | undefined {
  const fromEnv = process.env.ECSDEPLOY_TERRAFORM;
  if (fromEnv && existsSync(fromEnv)) return fromEnv;
  if (existsSync(DEFAULT_TERRAFORM)) return DEFAULT_TERRAFORM;
  return which('terraform') ?? which('tofu');
}

function findMirror(): string | undefined {
  const candidates = [process.env.TF_PROVIDER_MIRROR, DEFAULT_MIRROR].filter(
    (d): d is string => typeof d === 'string' && d.length > 0,
  );
  return candidates.find((dir) => existsSync(path.join(dir, AWS_PROVIDER_DIR)));
}

/**
 * Resolve the interpreter's real path (pyenv shims exec a child, so the shim's
 * pid would not be the server's) and check that moto imports.
 */
function findPython(): { python?: string; reason?: string } {
  const candidates = [process.env.ECSDEPLOY_PYTHON, 'python3'].filter(
    (p): p is string => typeof p === 'string' && p.length > 0,
  );
  let lastError = 'python3 not found';
  for (const candidate of candidates) {
    try {
      const out = execFileSync(candidate, ['-c', 'import sys, moto; print(sys.executable); print(moto.__version__)'], {
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'pipe'],
        timeout: 30_000,
      });
      const [exe, version] = out.trim().split('\n');
      if (exe && existsSync(exe)) {
        if (version !== '5.2.1') {
          // Still usable, but the launcher's patches target 5.2.1.
          process.emitWarning(`moto ${version} found; test/moto/server.py targets moto 5.2.1`);
        }
        return { python: exe };
      }
      lastError = `${candidate} reported no usable sys.executable`;
    } catch (err) {
      const stderr = (err as { stderr?: string }).stderr ?? '';
      lastError = /No module named ['"]?moto/.test(stderr)
        ? `${candidate} cannot import moto (pip install 'moto[server]==5.2.1')`
        : `${candidate} not usable: ${(err as Error).message.split('\n')[0]}`;
    }
  }
  return { reason: lastError };
}

let cachedToolchain: Toolchain | undefined;

/** Detect terraform, the AWS provider mirror and python+moto (cached). */
export function toolchain(): Toolchain {
  if (cachedToolchain) return cachedToolchain;
  const missing: string[] = [];
  const terraform = findTerraform();
  if (!terraform) missing.push(`terraform not found (${DEFAULT_TERRAFORM}, terraform or tofu on PATH)`);
  const mirror = findMirror();
  if (!mirror) missing.push(`AWS provider mirror not found (${path.join(DEFAULT_MIRROR, AWS_PROVIDER_DIR)})`);
  const { python, reason } = findPython();
  if (!python) missing.push(reason ?? 'python3 with moto not found');
  cachedToolchain = { terraform, mirror, python, missing };
  return cachedToolchain;
}

/** One-line skip reason, or undefined when everything is present. */
export function skipReason(): string | undefined {
  const { missing } = toolchain();
  return missing.length ? `e2e skipped: ${missing.join('; ')}` : undefined;
}

/**
 * Write a Terraform CLI config that installs hashicorp/aws from the
 * filesystem mirror (and anything else directly); returns its path. Point
 * TF_CLI_CONFIG_FILE at it.
 */
export function writeTerraformCliConfig(dir: string, mirror = toolchain().mirror ?? DEFAULT_MIRROR): string {
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, 'terraform.rc');
  const body = [
    'provider_installation {',
    '  filesystem_mirror {',
    `    path    = ${JSON.stringify(mirror)}`,
    '    include = ["registry.terraform.io/hashicorp/aws"]',
    '  }',
    '  direct {',
    '    exclude = ["registry.terraform.io/hashicorp/aws"]',
    '  }',
    '}',
    '',
  ].join('\n');
  writeFileSync(file, body);
  return file;
}

/** Environment for AWS SDKs / terraform talking to the emulator. */
export function awsTestEnv(endpoint: string): Record<string, string> {
  return {
    AWS_ACCESS_KEY_ID: 'test',
    AWS_SECRET_ACCESS_KEY: 'test',
    AWS_REGION: 'us-east-1',
    AWS_ENDPOINT_URL: endpoint,
    AWS_EC2_METADATA_DISABLED: 'true',
  };
}

/** A free TCP port on 127.0.0.1 (bound then released). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => (port ? resolve(port) : reject(new Error('could not allocate a port'))));
    });
  });
}

function answers(endpoint: string): Promise<boolean> {
  return new Promise((resolve) => {
    const req = http.get(`${endpoint}/moto-api/`, { timeout: 1_000 }, (res) => {
      res.resume();
      resolve(typeof res.statusCode === 'number');
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(false));
  });
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

function exited(child: ChildProcess): boolean {
  return child.exitCode !== null || child.signalCode !== null;
}

function waitForExit(child: ChildProcess, ms: number): Promise<boolean> {
  if (exited(child)) return Promise.resolve(true);
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      child.off('exit', onExit);
      resolve(false);
    }, ms);
    const onExit = () => {
      clearTimeout(timer);
      resolve(true);
    };
    child.once('exit', onExit);
  });
}

/**
 * Start the patched moto server on a free 127.0.0.1 port and wait until it
 * answers HTTP. Rejects (after killing the process) with the server's stderr
 * if it exits early or does not answer within the timeout.
 */
export async function startMoto(options: StartMotoOptions = {}): Promise<MotoServer> {
  const python = options.python ?? toolchain().python;
  if (!python) throw new Error(`cannot start moto: ${toolchain().missing.join('; ')}`);
  const timeoutMs = options.startTimeoutMs ?? 120_000;

  // Retry on the (rare) race where the released port is taken before bind.
  let lastError: Error | undefined;
  for (let attempt = 0; attempt < 3; attempt++) {
    const port = await freePort();
    const endpoint = `http://127.0.0.1:${port}`;
    const child = spawn(
      python,
      [options.launcher ?? MOTO_LAUNCHER, '--exit-with-parent', '-H', '127.0.0.1', '-p', String(port)],
      {
        env: { ...process.env, ...options.env, MOTO_PORT: String(port) },
        stdio: ['ignore', 'ignore', 'pipe'],
      },
    );
    let stderr = '';
    child.stderr?.setEncoding('utf8');
    child.stderr?.on('data', (chunk: string) => {
      stderr = (stderr + chunk).slice(-20_000); // keep the tail
    });
    let spawnError: Error | undefined;
    child.on('error', (err) => {
      spawnError = err;
    });

    const stop = async (): Promise<void> => {
      if (exited(child)) return;
      child.kill('SIGTERM');
      if (await waitForExit(child, 5_000)) return;
      child.kill('SIGKILL');
      await waitForExit(child, 5_000);
    };

    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (spawnError) break;
      if (exited(child)) break;
      if (await answers(endpoint)) {
        // The data listener keeps draining stderr, so the pipe never fills.
        return { endpoint, port, stop, logs: () => stderr };
      }
      await sleep(100);
    }
    const exitedByItself = exited(child); // else it did not answer in time, and stop() kills it
    await stop();
    const tail = stderr.trim().split('\n').slice(-30).join('\n');
    const why = spawnError
      ? `could not spawn ${python}: ${spawnError.message}`
      : exitedByItself && !/Address already in use/.test(stderr)
        ? `moto exited (code ${child.exitCode ?? child.signalCode})`
        : `moto did not answer on ${endpoint} within ${timeoutMs} ms`;
    lastError = new Error(`${why}\n--- moto stderr ---\n${tail || '(empty)'}`);
    if (!/Address already in use/.test(stderr)) break;
  }
  throw lastError ?? new Error('moto failed to start');
}

/**
 * A fake Docker image manifest, distinct for each `name` (ECR in moto computes the digest from it):
 * what the tests push to stand for an image a pipeline built.
 */
export function fakeManifest(name: string): string {
  const digest = (what: string) => `sha256:${createHash('sha256').update(`${what} ${name}`).digest('hex')}`;
  return JSON.stringify({
    schemaVersion: 2,
    mediaType: 'application/vnd.docker.distribution.manifest.v2+json',
    config: { mediaType: 'application/vnd.docker.container.image.v1+json', size: 1, digest: digest('config') },
    layers: [{ mediaType: 'application/vnd.docker.image.rootfs.diff.tar.gzip', size: 1, digest: digest('layer') }],
  });
}
