/**
 * What `ecsdeploy init` finds in the folder before it asks anything: the folder's name (the
 * default project and service names), the port a Dockerfile EXPOSEs, a compose file to offer to
 * import, the files init would write that already exist, and whether ecsdeploy's JSON Schemas can
 * be referenced from the installed package instead of copied.
 */
import { existsSync, readFileSync } from 'node:fs';
import { basename, join, relative, resolve, sep } from 'node:path';
import { packageRoot } from '../../paths';
import { toName as nameFrom } from '../../config/names';

/** The file names Docker Compose looks for, in its own order of preference. */
export const COMPOSE_FILES = ['compose.yaml', 'compose.yml', 'docker-compose.yaml', 'docker-compose.yml'] as const;

export interface Detected {
  /** Absolute path of the project folder. */
  readonly dir: string;
  /** Its last path segment, as typed (sanitize with toName). */
  readonly folderName: string;
  /** The port of the Dockerfile's last EXPOSE with a numeric port. @default none */
  readonly dockerfilePort?: number;
  /** The compose file found (relative to dir). @default none */
  readonly composeFile?: string;
  /**
   * The folder of ecsdeploy's JSON Schemas relative to dir (with '/'), when the running package is
   * installed inside the project (node_modules/ecsdeploy/schemas): the files can reference it, and
   * stay in step with the installed version. @default none: init writes schemas/
   */
  readonly packageSchemas?: string;
}

export function detect(dir: string): Detected {
  const abs = resolve(dir);
  const dockerfile = join(abs, 'Dockerfile');
  const port = existsSync(dockerfile) ? exposedPort(readFileSync(dockerfile, 'utf8')) : undefined;
  const composeFile = COMPOSE_FILES.find((f) => existsSync(join(abs, f)));
  const schemas = installedSchemas(abs);
  return {
    dir: abs,
    folderName: basename(abs),
    ...(port !== undefined ? { dockerfilePort: port } : {}),
    ...(composeFile !== undefined ? { composeFile } : {}),
    ...(schemas !== undefined ? { packageSchemas: schemas } : {}),
  };
}

/**
 * The first port of the last EXPOSE instruction that names a number (`EXPOSE 8080`,
 * `EXPOSE 8080/tcp 9090`); EXPOSE lines with only variables (`EXPOSE $PORT`) are skipped. Line
 * continuations and comments are understood; the last EXPOSE is the final stage's in a multi-stage
 * build. (Only EXPOSE is read, so this is not a Dockerfile parser.)
 */
export function exposedPort(dockerfile: string): number | undefined {
  const instructions = dockerfile
    .replace(/\\\r?\n/g, ' ')
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('#'));
  let port: number | undefined;
  for (const line of instructions) {
    const m = /^EXPOSE\s+(.+)$/i.exec(line);
    if (!m) continue;
    for (const word of m[1]!.split(/\s+/)) {
      const p = /^(\d{1,5})(\/(tcp|udp))?$/i.exec(word);
      const n = p ? Number(p[1]) : NaN;
      if (n >= 1 && n <= 65535) {
        port = n;
        break;
      }
    }
  }
  return port;
}

function installedSchemas(dir: string): string | undefined {
  let schemas: string;
  try {
    schemas = join(packageRoot(), 'schemas');
  } catch {
    return undefined;
  }
  if (!existsSync(join(schemas, 'project.schema.json'))) return undefined;
  const rel = relative(dir, schemas);
  if (rel === '' || rel.startsWith('..') || resolve(dir, rel) !== schemas) return undefined;
  return rel.split(sep).join('/');
}

/**
 * A name that fits the configuration's names (a letter first, then lowercase letters, digits and
 * '-', at most `max` characters) made from any text, e.g. a folder name: `My_Shop.v2` → `my-shop-v2`.
 * `fallback` when nothing is left.
 */
export function toName(text: string, max: number, fallback = 'app'): string {
  return nameFrom(text, max) || fallback;
}
