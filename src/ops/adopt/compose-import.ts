/**
 * The work of `ecsdeploy import compose` (the types and the docs are in ./compose.ts): find and read
 * the Compose files, group services into tasks, ask what is left open, map each task to a service
 * file (./compose-map.ts), check every file with the real loader's schemas, and write them.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, isAbsolute, join, relative, resolve } from 'node:path';
import { ConfigError, EcsdeployError, UsageError, formatProblem, type ConfigProblem } from '../../errors';
import { MAX_SERVICE_NAME } from '../../config/load';
import { ServiceFileSchema, ServiceSchema } from '../../config/schema';
import { toProblems } from '../../config/issues';
import { closest } from '../../config/suggest';
import type { ImportComposeOptions, ImportComposeResult, MappingRow, ServiceFileOut } from './compose';
import {
  interpolate,
  interpolateData,
  isPlainObject,
  locatePath,
  mergeFiles,
  originOf,
  parseComposeFile,
  validateComposeFile,
  type ComposeFile,
  type Origin,
  type Path,
} from './compose-source';
import { mapTask, renderServiceFile, type TaskPlan } from './compose-map';
import { toName } from '../../config/names';

/** What `docker compose` looks for, in order, when no -f is given. */
export const DEFAULT_COMPOSE_FILES = ['compose.yaml', 'compose.yml', 'docker-compose.yaml', 'docker-compose.yml'];
const SERVICE_NAME = /^[a-z][a-z0-9-]*$/;
const EFS_ID = /^fs-[0-9a-f]{8,40}$/;

export async function importCompose(o: ImportComposeOptions): Promise<ImportComposeResult> {
  const cwd = resolve(o.cwd);
  const shellEnv = o.env ?? process.env;
  const composePaths = composeFilesOf(cwd, o.files);
  const display = (abs: string) => relative(cwd, abs) || abs;
  const projectDir = dirname(composePaths[0]!);

  // Variables: the .env file, then the shell (which wins, as in Compose).
  const envPath = o.envFile !== undefined ? resolve(cwd, o.envFile) : join(projectDir, '.env');
  if (o.envFile !== undefined && !existsSync(envPath))
    throw new UsageError(`--env-file ${o.envFile}: file not found (relative to ${cwd}).`);
  const envFile = existsSync(envPath) ? display(envPath) : undefined;
  const vars: Record<string, string | undefined> = { ...(envFile ? readEnvFile(envPath, shellEnv) : {}), ...shellEnv };

  // Each file: parse, interpolate, validate against the Compose Specification's schema.
  const problems: ConfigProblem[] = [];
  const files: ComposeFile[] = [];
  for (const abs of composePaths) {
    const parsed = parseComposeFile(abs, display(abs), problems);
    if (!parsed) continue;
    const f: ComposeFile = { file: display(abs), absolute: abs, ...parsed };
    interpolateData(f, vars, problems);
    validateComposeFile(f, problems);
    files.push(f);
  }
  if (problems.length > 0) throw composeError(problems);

  const model = mergeFiles(files.map((f) => f.data));
  files.push(...resolveIncludes(model, files, projectDir, vars, display, problems));
  if (problems.length > 0) throw composeError(problems);
  const bases = resolveExtends(model, files, projectDir, vars, display, problems);
  if (problems.length > 0) throw composeError(problems);
  const services = isPlainObject(model['services']) ? model['services'] : {};
  if (Object.keys(services).length === 0) {
    throw composeError([
      { file: files[0]!.file, line: 1, column: 1, key: 'services', message: 'no services to import' },
    ]);
  }
  const rows: MappingRow[] = [];
  const warnings: string[] = [];
  // A key a service inherited through extends is found where its base says it.
  const locate = (path: Path, within: readonly ComposeFile[], hops: number): Origin & { depth: number } => {
    const found = locatePath(within, path);
    const base =
      path[0] === 'services' && path.length > 2 && found.depth < path.length && hops < 10
        ? bases.get(`${within === files ? '' : within[0]!.file}#${String(path[1])}`)
        : undefined;
    if (base === undefined) return found;
    const inherited = locate(['services', base.service, ...path.slice(2)], base.files, hops + 1);
    return inherited.depth > found.depth ? inherited : found;
  };
  const at = (path: Path): Origin => {
    const { depth: _depth, ...origin } = locate(path, files, 0);
    return origin;
  };

  // Top-level keys other than services.
  for (const key of Object.keys(model)) {
    if (key === 'services' || key === 'volumes' || key === 'secrets') continue;
    const note = key.startsWith('x-')
      ? 'extension field: ignored (anchors and merge keys that use it were resolved)'
      : key === 'name'
        ? "the Compose project name; ecsdeploy's project is named in ecsdeploy.yaml"
        : key === 'version'
          ? 'obsolete in the Compose Specification'
          : key === 'networks'
            ? 'tasks run in the environment VPC (awsvpc); services reach each other through Service Connect'
            : key === 'include'
              ? 'the included files were read (with the same variables): their services are imported with the others'
              : 'no ECS equivalent';
    const { file, line } = at([key]);
    if (key === 'include') rows.push({ service: '', key, status: 'mapped', to: 'services/*.yaml', note, file, line });
    else rows.push({ service: '', key, status: 'dropped', to: '', note, file, line });
  }

  // Profiles: services none of whose profiles is active are skipped.
  // --profile, else COMPOSE_PROFILES (of the shell or .env), as Compose reads it.
  const active = new Set(
    o.profiles ??
      (vars['COMPOSE_PROFILES'] ?? '')
        .split(',')
        .map((p) => p.trim())
        .filter((p) => p !== ''),
  );
  const skipped: Array<{ service: string; profiles: string[]; file: string; line: number }> = [];
  const chosen: string[] = [];
  for (const [name, svc] of Object.entries(services)) {
    const profiles = isPlainObject(svc) && Array.isArray(svc['profiles']) ? svc['profiles'].map(String) : [];
    if (profiles.length > 0 && !profiles.some((p) => active.has(p))) {
      const { file, line } = at(['services', name, 'profiles']);
      skipped.push({ service: name, profiles, file, line });
      rows.push({
        service: name,
        key: 'profiles',
        status: 'dropped',
        to: '',
        note: `skipped: profile ${profiles.join(', ')} not active (--profile)`,
        file,
        line,
      });
    } else chosen.push(name);
  }
  for (const p of o.profiles ?? []) {
    const known = Object.values(services).some(
      (s) => isPlainObject(s) && Array.isArray(s['profiles']) && s['profiles'].includes(p),
    );
    if (!known) throw new UsageError(`--profile ${p}: no service of the Compose files has this profile.`);
  }
  if (chosen.length === 0)
    throw new UsageError('Every service of the Compose files is in an inactive profile; activate one with --profile.');

  // Tasks: each service not made a sidecar is a task of its own, holding the sidecars given to it.
  const groups = groupSidecars(
    chosen,
    services,
    o.sidecars ?? [],
    skipped.map((s) => s.service),
  );
  const names = serviceNames(groups.map((g) => g.main));

  // The load balancer: --expose, else a question, else none.
  const expose = await chooseExpose(o, groups, services);
  // Named volumes: EFS ids given, asked, or a task volume with a warning.
  const efs = await chooseVolumes(o, groups, services, model);

  const region = o.region ?? projectRegion(cwd) ?? 'us-east-1';
  const out: ServiceFileOut[] = [];
  const planned: Array<{ plan: TaskPlan; path: string; content: string }> = [];
  const allNames = new Map(groups.map((g) => [g.main, names.get(g.main)!]));
  for (const g of groups) {
    const name = names.get(g.main)!;
    const plan = mapTask({
      name,
      main: g.main,
      sidecars: g.sidecars,
      services,
      model,
      projectDir,
      vars,
      region,
      expose: expose.filter((e) => e.service === g.main || g.sidecars.includes(e.service)),
      exposedCount: expose.length,
      efs,
      serviceNames: allNames,
      skipped: new Set(skipped.map((s) => s.service)),
      at,
      problems,
    });
    rows.push(...plan.rows);
    warnings.push(...plan.warnings);
    if (problems.length > 0) continue; // reported together below
    const path = join('services', `${name}.yaml`);
    const content = renderServiceFile(
      plan,
      files.map((f) => f.file),
    );
    checkOutput(path, name, content);
    planned.push({ plan, path, content });
  }
  if (problems.length > 0) throw composeError(problems);

  if (!o.dryRun) {
    const existing = planned.filter((p) => existsSync(join(cwd, p.path)));
    if (existing.length > 0 && !o.force) {
      throw new UsageError(
        `${existing.map((p) => p.path).join(', ')} already exist${existing.length === 1 ? 's' : ''}; nothing was written.`,
        ['Pass --force to overwrite them, or --dry-run to see the files without writing.'],
      );
    }
    mkdirSync(join(cwd, 'services'), { recursive: true });
    for (const p of planned) writeFileSync(join(cwd, p.path), p.content);
  }
  for (const p of planned)
    out.push({
      name: p.plan.name,
      path: p.path,
      content: p.content,
      from: [p.plan.main, ...p.plan.sidecars],
      written: !o.dryRun,
    });

  // Top-level keys first, then each service in the Compose order; within one, by file and line.
  const serviceOrder = ['', ...Object.keys(services)];
  const fileOrder = (file: string) => {
    const i = files.findIndex((f) => f.file === file);
    return i < 0 ? files.length : i;
  };
  rows.sort(
    (a, b) =>
      serviceOrder.indexOf(a.service) - serviceOrder.indexOf(b.service) ||
      fileOrder(a.file) - fileOrder(b.file) ||
      a.line - b.line,
  );
  return {
    composeFiles: files.map((f) => f.file),
    ...(envFile ? { envFile } : {}),
    files: out,
    rows,
    skipped,
    warnings: [...new Set(warnings)],
  };
}

/** A ConfigError (exit 2, the problems in --json) that says it is about the Compose input. */
function composeError(problems: readonly ConfigProblem[]): ConfigError {
  const err = new ConfigError(problems, ['Fix the Compose file at the lines named above, then import again.']);
  const n = problems.length;
  err.message = err.message.replace(
    /^The configuration has \d+ problems?:/,
    `The Compose input has ${n} problem${n === 1 ? '' : 's'}:`,
  );
  return err;
}

/** The -f files (relative to cwd), or the first default file found plus its override file. */
function composeFilesOf(cwd: string, files: readonly string[] | undefined): string[] {
  if (files !== undefined && files.length > 0) {
    return files.map((f) => {
      const abs = isAbsolute(f) ? f : resolve(cwd, f);
      if (!existsSync(abs)) throw new UsageError(`-f ${f}: file not found (relative to ${cwd}).`);
      return abs;
    });
  }
  const first = DEFAULT_COMPOSE_FILES.map((f) => join(cwd, f)).find((f) => existsSync(f));
  if (first === undefined) {
    throw new UsageError(`No Compose file in ${cwd}: looked for ${DEFAULT_COMPOSE_FILES.join(', ')}.`, [
      'Name the file with -f, e.g. `ecsdeploy import compose -f deploy/compose.prod.yaml`.',
    ]);
  }
  const override = first.replace(/\.(ya?ml)$/, '.override.$1');
  return existsSync(override) ? [first, override] : [first];
}

/** A .env file as Compose reads it (dotenv syntax; values may use ${VAR} of the shell or of earlier lines). */
export function readEnvFile(
  path: string,
  shellEnv: Readonly<Record<string, string | undefined>>,
): Record<string, string> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { parse } = require('dotenv') as typeof import('dotenv');
  const raw = parse(readFileSync(path));
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(raw)) {
    const r = interpolate(v, { ...out, ...shellEnv });
    out[k] = 'value' in r ? r.value : v;
  }
  return out;
}

/**
 * `include:` (short or long form): each entry's files, merged together, bring their services,
 * volumes and secrets; a name defined twice is an error, as in Compose. Relative env_file and
 * extends paths of included services are made absolute (they are relative to the included file).
 */
function resolveIncludes(
  model: Record<string, unknown>,
  files: readonly ComposeFile[],
  projectDir: string,
  vars: Record<string, string | undefined>,
  display: (abs: string) => string,
  problems: ConfigProblem[],
  depth = 0,
): ComposeFile[] {
  const include = model['include'];
  if (!Array.isArray(include)) return [];
  const added: ComposeFile[] = [];
  include.forEach((entry, i) => {
    const paths =
      typeof entry === 'string'
        ? [entry]
        : ([] as unknown[]).concat((entry as Record<string, unknown>)['path']).map(String);
    const origin = originOf(files, ['include', i]);
    if (depth > 5) {
      problems.push({ ...origin, key: `include[${i}]`, message: 'include nests more than 5 levels deep (a cycle?)' });
      return;
    }
    const included: ComposeFile[] = [];
    for (const p of paths) {
      const abs = resolve(projectDir, p);
      if (!existsSync(abs)) {
        problems.push({
          ...origin,
          key: `include[${i}]`,
          message: `${p}: file not found (relative to the first Compose file's folder)`,
        });
        continue;
      }
      const parsed = parseComposeFile(abs, display(abs), problems);
      if (!parsed) continue;
      const f: ComposeFile = { file: display(abs), absolute: abs, ...parsed };
      interpolateData(f, vars, problems);
      validateComposeFile(f, problems);
      included.push(f);
    }
    if (included.length === 0) return;
    const sub = mergeFiles(included.map((f) => f.data));
    const subDir = dirname(included[0]!.absolute);
    added.push(...included, ...resolveIncludes(sub, included, subDir, vars, display, problems, depth + 1));
    for (const section of ['services', 'volumes', 'secrets', 'configs', 'networks']) {
      if (!isPlainObject(sub[section])) continue;
      const into = isPlainObject(model[section]) ? model[section] : (model[section] = {} as Record<string, unknown>);
      for (const [name, value] of Object.entries(sub[section])) {
        if (name in into) {
          if (section !== 'networks')
            problems.push({
              ...origin,
              key: `include[${i}]`,
              message: `${section}.${name} is defined both here and in ${paths.join(', ')}; Compose refuses that too`,
            });
          continue;
        }
        into[name] = section === 'services' && isPlainObject(value) ? absolutePaths(value, subDir) : value;
      }
    }
  });
  return added;
}

function absolutePaths(svc: Record<string, unknown>, dir: string): Record<string, unknown> {
  const abs = (p: unknown) => (typeof p === 'string' ? resolve(dir, p) : p);
  const out = { ...svc };
  const envFile = out['env_file'];
  if (envFile !== undefined) {
    const one = (e: unknown) => (isPlainObject(e) ? { ...e, path: abs(e['path']) } : abs(e));
    out['env_file'] = Array.isArray(envFile) ? envFile.map(one) : one(envFile);
  }
  if (isPlainObject(out['extends']) && typeof out['extends']['file'] === 'string')
    out['extends'] = { ...out['extends'], file: abs(out['extends']['file']) };
  return out;
}

/** `extends:` of a service: the base service (of this model, or of another file) merged under it. */
function resolveExtends(
  model: Record<string, unknown>,
  files: readonly ComposeFile[],
  projectDir: string,
  vars: Record<string, string | undefined>,
  display: (abs: string) => string,
  problems: ConfigProblem[],
): Map<string, { service: string; files: readonly ComposeFile[] }> {
  const services = isPlainObject(model['services']) ? model['services'] : {};
  const resolving = new Set<string>();
  /** `<file>#<service>` (file empty for the main files) → the service it extends and where that is. */
  const bases = new Map<string, { service: string; files: readonly ComposeFile[] }>();
  const resolveOne = (
    name: string,
    pool: Record<string, unknown>,
    where: (key: ReadonlyArray<string | number>) => { file: string; line: number; column: number },
    scope: string,
    scopeFiles: readonly ComposeFile[],
  ): Record<string, unknown> | undefined => {
    const svc = pool[name];
    if (!isPlainObject(svc) || svc['extends'] === undefined) return isPlainObject(svc) ? svc : undefined;
    const ext = svc['extends'];
    const spec = typeof ext === 'string' ? { service: ext } : (ext as { service: string; file?: string });
    const origin = where(['services', name, 'extends']);
    if (resolving.has(name)) {
      problems.push({ ...origin, key: `services.${name}.extends`, message: 'extends forms a cycle' });
      return svc;
    }
    resolving.add(name);
    let base: Record<string, unknown> | undefined;
    if (spec.file !== undefined) {
      const abs = resolve(projectDir, spec.file);
      const parsed = parseComposeFile(abs, display(abs), problems);
      if (parsed) {
        const f: ComposeFile = { file: display(abs), absolute: abs, ...parsed };
        interpolateData(f, vars, problems);
        validateComposeFile(f, problems);
        const pool2 = isPlainObject(mergeFiles([f.data])['services'])
          ? (mergeFiles([f.data])['services'] as Record<string, unknown>)
          : {};
        base =
          pool2[spec.service] !== undefined
            ? resolveOne(spec.service, pool2, (k) => originOf([f], k), f.file, [f])
            : undefined;
        if (base !== undefined) bases.set(`${scope}#${name}`, { service: spec.service, files: [f] });
      }
    } else {
      base = pool[spec.service] !== undefined ? resolveOne(spec.service, pool, where, scope, scopeFiles) : undefined;
      if (base !== undefined) bases.set(`${scope}#${name}`, { service: spec.service, files: scopeFiles });
    }
    resolving.delete(name);
    if (base === undefined) {
      const known = Object.keys(pool);
      const guess = closest(spec.service, known);
      problems.push({
        ...origin,
        key: `services.${name}.extends`,
        message: `no service '${spec.service}' to extend${spec.file ? ` in ${spec.file}` : ''}${guess ? ` (did you mean '${guess}'?)` : ''}`,
      });
      return svc;
    }
    const { extends: _e, ...own } = svc;
    const { depends_on: _d, ...inherited } = base; // Compose does not inherit depends_on
    const merged = (
      mergeFiles([{ services: { s: inherited } }, { services: { s: own } }])['services'] as Record<
        string,
        Record<string, unknown>
      >
    )['s']!;
    pool[name] = merged;
    return merged;
  };
  for (const name of Object.keys(services)) resolveOne(name, services, (k) => originOf(files, k), '', files);
  return bases;
}

interface Group {
  readonly main: string;
  readonly sidecars: string[];
}

/**
 * `--sidecar web=nginx`: nginx runs in web's task. A sidecar given alone (`--sidecar nginx`) goes
 * with the one service that depends on it, or that it depends on.
 */
function groupSidecars(
  chosen: readonly string[],
  services: Record<string, unknown>,
  sidecars: NonNullable<ImportComposeOptions['sidecars']>,
  skipped: readonly string[],
): Group[] {
  const known = (n: string, flag: string) => {
    if (chosen.includes(n)) return;
    if (skipped.includes(n))
      throw new UsageError(`--sidecar ${flag}: service '${n}' is in an inactive profile; activate it with --profile.`);
    const guess = closest(n, chosen);
    throw new UsageError(
      `--sidecar ${flag}: no Compose service '${n}'${guess ? `; did you mean '${guess}'?` : ''} (services: ${chosen.join(', ')}).`,
    );
  };
  const deps = (n: string): string[] => {
    const d = (services[n] as Record<string, unknown>)['depends_on'];
    return Array.isArray(d) ? d.map(String) : isPlainObject(d) ? Object.keys(d) : [];
  };
  const ownerOf = new Map<string, string>();
  for (const s of sidecars) {
    const flag = s.service ? `${s.service}=${s.sidecar}` : s.sidecar;
    known(s.sidecar, flag);
    let main = s.service;
    if (!main) {
      const sidecarNames = new Set(sidecars.map((x) => x.sidecar));
      const candidates = chosen.filter(
        (n) => n !== s.sidecar && !sidecarNames.has(n) && (deps(n).includes(s.sidecar) || deps(s.sidecar).includes(n)),
      );
      if (candidates.length !== 1) {
        throw new UsageError(
          `--sidecar ${s.sidecar}: ${candidates.length === 0 ? 'no service depends on it (or is depended on by it)' : `${candidates.join(' and ')} are related to it`}, so which task it joins is not clear; write --sidecar SERVICE=${s.sidecar}.`,
        );
      }
      main = candidates[0]!;
    }
    known(main, flag);
    if (main === s.sidecar) throw new UsageError(`--sidecar ${flag}: a service cannot be its own sidecar.`);
    const prev = ownerOf.get(s.sidecar);
    if (prev !== undefined && prev !== main)
      throw new UsageError(
        `--sidecar ${flag}: '${s.sidecar}' is already a sidecar of '${prev}'; a container belongs to one task.`,
      );
    ownerOf.set(s.sidecar, main);
  }
  for (const [sidecar, main] of ownerOf) {
    if (ownerOf.has(main))
      throw new UsageError(
        `--sidecar ${main}=${sidecar}: '${main}' is itself a sidecar of '${ownerOf.get(main)}'; give every sidecar to the main service of the task.`,
      );
  }
  return chosen
    .filter((n) => !ownerOf.has(n))
    .map((main) => ({ main, sidecars: chosen.filter((n) => ownerOf.get(n) === main) }));
}

/** ecsdeploy service names from Compose names: lowercase letters, digits and '-', at most 16 characters. */
function serviceNames(mains: readonly string[]): Map<string, string> {
  const out = new Map<string, string>();
  const used = new Map<string, string>();
  for (const m of mains) {
    const n = serviceNameOf(m, MAX_SERVICE_NAME);
    const other = used.get(n);
    if (other !== undefined)
      throw new UsageError(
        `Compose services '${other}' and '${m}' both become the ecsdeploy service '${n}' (names are lowercase letters, digits and '-', at most ${MAX_SERVICE_NAME} characters); rename one in the Compose file.`,
      );
    used.set(n, m);
    out.set(m, n);
  }
  return out;
}

/** The ecsdeploy service name of a Compose service: its name made to fit, else `svc-<name>`. */
export function serviceNameOf(composeName: string, max: number): string {
  const n = toName(composeName, max);
  return SERVICE_NAME.test(n) ? n : toName(`svc-${composeName}`, max);
}

async function chooseExpose(
  o: ImportComposeOptions,
  groups: readonly Group[],
  services: Record<string, unknown>,
): Promise<Array<{ service: string; port: number }>> {
  const portsOf = (n: string) => {
    const ps = (services[n] as Record<string, unknown>)['ports'];
    return (Array.isArray(ps) ? ps : [])
      .map((p) => publishedAndTarget(p))
      .filter((p): p is { published?: number; target: number } => p !== undefined);
  };
  const inTasks = groups.flatMap((g) => [g.main, ...g.sidecars]);
  if (o.expose !== undefined) {
    return o.expose.map((e) => {
      if (!inTasks.includes(e.service)) {
        const guess = closest(e.service, inTasks);
        throw new UsageError(
          `--expose ${e.service}:${e.port}: no Compose service '${e.service}' is imported${guess ? `; did you mean '${guess}'?` : ''}.`,
        );
      }
      const ps = portsOf(e.service);
      const hit = ps.find((p) => p.published === e.port) ?? ps.find((p) => p.target === e.port);
      const expose = (services[e.service] as Record<string, unknown>)['expose'];
      const exposed = Array.isArray(expose) && expose.map((x) => Number(String(x).split('/')[0])).includes(e.port);
      if (hit === undefined && !exposed) {
        throw new UsageError(
          `--expose ${e.service}:${e.port}: '${e.service}' neither publishes nor exposes port ${e.port}${ps.length ? ` (its ports: ${ps.map((p) => (p.published ? `${p.published}:${p.target}` : p.target)).join(', ')})` : ''}.`,
        );
      }
      return { service: e.service, port: hit?.target ?? e.port };
    });
  }
  if (!o.prompter) return [];
  const candidates = inTasks.flatMap((n) =>
    portsOf(n)
      .filter((p) => p.published !== undefined)
      .map((p) => ({ service: n, port: p.target, published: p.published! })),
  );
  if (candidates.length === 0) return [];
  const answer = await o.prompter.choose('Which published port should the load balancer front?', [
    ...candidates.map((c) => ({
      value: `${c.service}:${c.port}`,
      label: `${c.service}: published ${c.published} → container port ${c.port}`,
    })),
    { value: '', label: 'none: a worker, or I will add http: later' },
  ]);
  if (!answer) return [];
  const [service, port] = answer.split(':');
  return [{ service: service!, port: Number(port) }];
}

export function publishedAndTarget(p: unknown): { published?: number; target: number } | undefined {
  if (typeof p === 'number') return { target: p };
  if (typeof p === 'string') {
    const main = p.split('/')[0]!.replace(/^\[[^\]]+\]:/, '');
    const parts = main.split(':');
    const target = Number(parts[parts.length - 1]);
    const published = parts.length >= 2 ? Number(parts[parts.length - 2]) : undefined;
    if (!Number.isInteger(target)) return undefined;
    return {
      target,
      ...(published !== undefined && Number.isInteger(published) && parts[parts.length - 2] !== ''
        ? { published }
        : {}),
    };
  }
  if (isPlainObject(p)) {
    const target = Number(p['target']);
    const published = p['published'] === undefined ? undefined : Number(p['published']);
    if (!Number.isInteger(target)) return undefined;
    return { target, ...(published !== undefined && Number.isInteger(published) ? { published } : {}) };
  }
  return undefined;
}

async function chooseVolumes(
  o: ImportComposeOptions,
  groups: readonly Group[],
  services: Record<string, unknown>,
  model: Record<string, unknown>,
): Promise<Record<string, string>> {
  const named = new Set<string>();
  const declared = isPlainObject(model['volumes']) ? Object.keys(model['volumes']) : [];
  for (const n of groups.flatMap((g) => [g.main, ...g.sidecars])) {
    const vs = (services[n] as Record<string, unknown>)['volumes'];
    for (const v of Array.isArray(vs) ? vs : []) {
      const source =
        typeof v === 'string'
          ? v.includes(':')
            ? v.split(':')[0]!
            : ''
          : isPlainObject(v) && (v['type'] ?? 'volume') === 'volume'
            ? String(v['source'] ?? '')
            : '';
      if (source !== '' && declared.includes(source)) named.add(source);
    }
  }
  const out: Record<string, string> = {};
  for (const [v, id] of Object.entries(o.efsVolumes ?? {})) {
    if (!named.has(v))
      throw new UsageError(
        `--efs ${v}=${id}: no imported service mounts a named volume '${v}'${named.size ? ` (named volumes: ${[...named].join(', ')})` : ''}.`,
      );
    if (!EFS_ID.test(id))
      throw new UsageError(`--efs ${v}=${id}: must be an EFS file system id such as fs-0123456789abcdef0.`);
    out[v] = id;
  }
  if (!o.prompter) return out;
  for (const v of named) {
    if (out[v] !== undefined) continue;
    for (;;) {
      const answer = (
        await o.prompter.ask(
          `EFS file system id for the named volume '${v}' (empty: a task volume, lost when the task stops):`,
          '',
        )
      )?.trim();
      if (!answer) break;
      if (EFS_ID.test(answer)) {
        out[v] = answer;
        break;
      }
    }
  }
  return out;
}

function projectRegion(cwd: string): string | undefined {
  try {
    const text = readFileSync(join(cwd, 'ecsdeploy.yaml'), 'utf8');
    const m = /^region:\s*["']?([a-z]{2}(-[a-z]+)+-\d)["']?\s*$/m.exec(text);
    return m?.[1];
  } catch {
    return undefined;
  }
}

/** Every file must load cleanly with the real loader's schemas: anything else is a bug of the mapping. */
function checkOutput(path: string, name: string, content: string): void {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { parse } = require('yaml') as typeof import('yaml');
  const data = parse(content) as unknown;
  const file = ServiceFileSchema.safeParse(data);
  const problems: string[] = [];
  if (!file.success)
    problems.push(
      ...file.error.issues
        .flatMap((i) => toProblems(i, ServiceFileSchema, data))
        .map((p) => `${p.path.join('.')}: ${p.message}`),
    );
  else {
    const { $schema: _s, environments: _e, ...body } = file.data as Record<string, unknown>;
    // As the loader does: the main container is named after the service.
    const svc = ServiceSchema.safeParse({ containerName: name, ...body });
    if (!svc.success) problems.push(...svc.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`));
  }
  if (problems.length > 0) {
    throw new EcsdeployError(
      `The service file generated for ${path} does not load:\n${problems.map((p) => `  ${formatProblem({ file: path, key: '', message: p })}`).join('\n')}`,
      { suggestions: ['This is a bug of `import compose`: please report it with the Compose file.'] },
    );
  }
}
