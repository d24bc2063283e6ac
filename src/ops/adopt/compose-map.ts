/**
 * One task of a Compose project (a service, plus the services grouped into it as sidecars) → the
 * body of one ecsdeploy service file, key by key, with a row per Compose key saying whether it was
 * mapped, approximated or dropped. docs/adoption.md holds the same table for people.
 */
import { readFileSync, existsSync } from 'node:fs';
import { relative, resolve } from 'node:path';
import type { ConfigProblem } from '../../errors';
import { FARGATE_SIZES } from '../../config/schema';
import type { MappingRow, RowStatus } from './compose';
import { interpolate, isPlainObject, normalizePort, type Path } from './compose-source';
import { CAPABILITIES as ECS_CAPABILITIES, ULIMIT_NAMES } from '../../config/container';

export interface TaskInput {
  /** The ecsdeploy service name (file services/<name>.yaml). */
  readonly name: string;
  /** Compose service of the main container. */
  readonly main: string;
  /** Compose services run as sidecars of this task. */
  readonly sidecars: readonly string[];
  readonly services: Record<string, unknown>;
  readonly model: Record<string, unknown>;
  /** Folder of the first compose file: relative paths (env_file) start there. */
  readonly projectDir: string;
  readonly vars: Readonly<Record<string, string | undefined>>;
  /** Region of placeholder secret ARNs. */
  readonly region: string;
  /** Load-balanced ports of this task's containers (container ports). */
  readonly expose: ReadonlyArray<{ readonly service: string; readonly port: number }>;
  /** How many ports are load-balanced in the whole import (one: it takes every path). */
  readonly exposedCount: number;
  /** Named volume → EFS file system id. */
  readonly efs: Readonly<Record<string, string>>;
  /** Compose main service → ecsdeploy service name, for every task of the import. */
  readonly serviceNames: ReadonlyMap<string, string>;
  /** Compose services skipped (inactive profiles). */
  readonly skipped: ReadonlySet<string>;
  readonly at: (path: Path) => { file: string; line: number; column: number };
  readonly problems: ConfigProblem[];
}

export interface TaskPlan {
  readonly name: string;
  readonly main: string;
  readonly sidecars: readonly string[];
  /** The service file's keys, in the order they are written. */
  readonly body: Record<string, unknown>;
  readonly rows: MappingRow[];
  readonly warnings: string[];
  /** Comments written next to values (path in body → text). */
  readonly comments: Array<{ path: Array<string | number>; text: string }>;
}

const SIDECAR_NAME_MAX = 32;
const IMAGE_TAG = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;
const DIGEST = /^sha256:[0-9a-f]{64}$/;
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
/** Environment variables whose value is a credential: it goes to a secret, never into the file. */
const SECRET_NAME = /(PASSWORD|PASSWD|SECRET|TOKEN|API_?KEY|PRIVATE_?KEY|CREDENTIALS?)$/i;
const LOG_DRIVERS = ['awslogs', 'splunk', 'awsfirelens', 'none'];
const CAPABILITIES = new Set<string>(ECS_CAPABILITIES);

/** Keys with no ECS equivalent on Fargate, and why. */
const DROPPED: Record<string, string> = {
  container_name: 'the container is named after the service (or sidecars.<name>)',
  hostname: 'ECS names the task; services find each other by Service Connect names',
  domainname: 'ECS names the task; services find each other by Service Connect names',
  networks: 'tasks run in the environment VPC (awsvpc); reach other services through Service Connect (serviceConnect)',
  network_mode: 'Fargate tasks use awsvpc networking',
  links: 'reach other services through Service Connect (serviceConnect)',
  external_links: 'reach other services through Service Connect (serviceConnect)',
  restart: 'ECS replaces the stopped tasks of a service itself',
  privileged: 'Fargate does not run privileged containers',
  extra_hosts: 'Fargate does not support extraHosts',
  dns: 'Fargate uses the VPC resolver',
  dns_search: 'Fargate uses the VPC resolver',
  dns_opt: 'Fargate uses the VPC resolver',
  devices: 'Fargate exposes no host devices',
  gpus: 'Fargate has no GPUs',
  tmpfs: 'Fargate has no tmpfs mounts: use a task volume',
  shm_size: 'Fargate does not support sharedMemorySize',
  sysctls: 'not modeled by ecsdeploy',
  stop_signal: 'ECS sends SIGTERM: set STOPSIGNAL in the image',
  pull_policy: 'ECS pulls the image for every task',
  develop: 'Compose Watch is for local development',
  configs: 'bake the content into the image, or read it from an S3 environment file (environmentFiles)',
  tty: 'a service task has no terminal (`ecsdeploy service exec` opens one)',
  stdin_open: 'a service task has no terminal (`ecsdeploy service exec` opens one)',
  pid: "Fargate supports pidMode 'task' only",
  ipc: 'Fargate does not support ipcMode',
  security_opt: 'not supported on Fargate',
  cgroup_parent: 'not supported on Fargate',
  attach: 'logs go to CloudWatch Logs (`ecsdeploy service logs`)',
  post_start: 'no ECS equivalent: run it in the entrypoint',
  pre_stop: 'no ECS equivalent: handle SIGTERM in the application',
  label_file: 'read the labels into labels:',
  annotations: 'no ECS equivalent',
};

type Row = Omit<MappingRow, 'file' | 'line'>;

export function mapTask(t: TaskInput): TaskPlan {
  const rows: MappingRow[] = [];
  const warnings: string[] = [];
  const comments: TaskPlan['comments'] = [];
  const volumes: Array<Record<string, unknown>> = [];
  const containerNames = new Map<string, string>([[t.main, t.name]]);
  for (const s of t.sidecars) containerNames.set(s, sidecarName(s));

  const row = (svc: string, key: Path, status: RowStatus, to: string, note: string) => {
    const r: Row = {
      service: svc,
      key: key
        .map((k) => (typeof k === 'number' ? `[${k}]` : k))
        .join('.')
        .replace(/\.\[/g, '['),
      status,
      to,
      note,
    };
    const { file, line } = t.at(['services', svc, ...key]);
    rows.push({ ...r, file, line });
  };

  const mapped = new Map<string, Mapped>();
  for (const svc of [t.main, ...t.sidecars]) {
    const isMain = svc === t.main;
    mapped.set(
      svc,
      mapContainer(
        t,
        svc,
        isMain,
        isMain ? '' : `sidecars.${containerNames.get(svc)}.`,
        row,
        warnings,
        comments,
        volumes,
        containerNames,
      ),
    );
  }

  // depends_on: within the task → dependsOn; between services → dropped (ECS starts services independently).
  for (const svc of [t.main, ...t.sidecars]) {
    const c = mapped.get(svc)!;
    const prefix = svc === t.main ? '' : `sidecars.${containerNames.get(svc)}.`;
    const deps = dependsOf((t.services[svc] as Record<string, unknown>)['depends_on']);
    const out: Array<{ containerName: string; condition: string }> = [];
    for (const d of deps) {
      const key = ['depends_on', d.service];
      if (t.skipped.has(d.service)) {
        row(svc, key, 'dropped', '', `'${d.service}' is in an inactive profile`);
        continue;
      }
      const target = containerNames.get(d.service);
      if (target === undefined) {
        const other = t.serviceNames.get(d.service);
        row(
          svc,
          key,
          'dropped',
          '',
          `'${d.service}' is ${other ? `the separate service '${other}'` : 'not imported'}: ECS starts services independently; reach it through Service Connect and retry until it answers (or --sidecar ${t.main}=${d.service} to run it in this task)`,
        );
        continue;
      }
      let condition =
        d.condition === 'service_healthy'
          ? 'HEALTHY'
          : d.condition === 'service_completed_successfully'
            ? 'SUCCESS'
            : 'START';
      let status: RowStatus = 'mapped';
      let note = `${d.condition} → ${condition}`;
      const tc = mapped.get(d.service)!;
      if (condition === 'HEALTHY' && tc.container['healthCheck'] === undefined) {
        condition = 'START';
        status = 'approximated';
        note = `'${d.service}' has no healthcheck ECS can run, so START instead of HEALTHY`;
      }
      if (condition === 'SUCCESS') {
        if (d.service === t.main) {
          row(svc, key, 'dropped', '', 'the main container is essential: nothing may wait for it to exit');
          continue;
        }
        tc.container['essential'] = false;
        note += `; sidecars.${target}.essential: false (it is expected to exit)`;
      }
      out.push({ containerName: target, condition });
      row(svc, key, status, `${prefix}dependsOn`, note);
    }
    if (out.length > 0) c.container['dependsOn'] = out;
  }

  // Size: the sum of the containers' limits, rounded up to a Fargate size.
  const body: Record<string, unknown> = {};
  const main = mapped.get(t.main)!;
  const from = [t.main, ...t.sidecars].join(', ');
  body['description'] = `Imported from Compose service${t.sidecars.length ? 's' : ''} ${from}`;
  body['image'] = main.image;
  body['launchType'] = 'fargate';
  let cpu = 0;
  let memory = 0;
  let sized = false;
  for (const m of mapped.values()) {
    if (m.cpu !== undefined || m.memory !== undefined) sized = true;
    cpu += m.cpu ?? 0;
    memory += m.memory ?? 0;
  }
  const size = sized ? fargateSize(cpu, memory) : undefined;
  if (sized && size === undefined) {
    const at = t.at(['services', t.main, 'deploy', 'resources']);
    t.problems.push({
      ...at,
      key: `services.${t.main}.deploy.resources`,
      message: `the task needs ${cpu} CPU units and ${memory} MiB, more than the largest Fargate size (16384 units, 122880 MiB)`,
    });
  }
  for (const [k, v] of Object.entries(main.container)) body[k] = v;
  if (size) {
    body['cpu'] = size[0];
    body['memory'] = size[1];
    const exact = size[0] === cpu && size[1] === memory;
    const key = main.sizeKey ??
      mapped.get(t.sidecars.find((s) => mapped.get(s)!.sizeKey) ?? t.main)?.sizeKey ?? ['deploy'];
    const svc = main.sizeKey ? t.main : (t.sidecars.find((s) => mapped.get(s)!.sizeKey) ?? t.main);
    row(
      svc,
      key,
      exact ? 'mapped' : 'approximated',
      'cpu, memory',
      `${exact ? '' : `the task's ${cpu ? `${cpu} CPU units` : 'unset CPU'} and ${memory ? `${memory} MiB` : 'unset memory'} rounded up to the Fargate size `}cpu ${size[0]}, memory ${size[1]}${t.sidecars.length ? ' (all containers of the task)' : ''}`,
    );
  }
  if (main.count !== undefined) body['count'] = main.count;
  if (volumes.length > 0) body['volumes'] = volumes;
  if (main.runtimePlatform) body['runtimePlatform'] = main.runtimePlatform;
  if (t.sidecars.length > 0) {
    const sidecars: Record<string, unknown> = {};
    for (const s of t.sidecars) {
      const m = mapped.get(s)!;
      sidecars[containerNames.get(s)!] = {
        image: m.sidecarImage,
        ...(m.cpu !== undefined ? { cpu: m.cpu } : {}),
        ...(m.memory !== undefined ? { memory: m.memory } : {}),
        ...m.container,
      };
      if (m.count !== undefined)
        row(s, ['deploy', 'replicas'], 'dropped', '', `a sidecar runs once in each of ${t.name}'s tasks`);
    }
    body['sidecars'] = sidecars;
  }

  // The load balancer.
  const lb = t.expose[0];
  if (lb) {
    const paths = t.exposedCount === 1 ? ['/*'] : [`/${t.name}`, `/${t.name}/*`];
    const onMain = lb.service === t.main;
    const ports = (mapped.get(lb.service)!.ports ?? []).length;
    body['http'] = {
      ...(onMain ? {} : { containerName: containerNames.get(lb.service) }),
      ...(ports > 1 || !onMain ? { containerPort: lb.port } : {}),
      paths,
    };
    row(
      lb.service,
      ['ports'],
      t.exposedCount === 1 ? 'mapped' : 'approximated',
      'http',
      `the load balancer sends ${paths.join(', ')} to container port ${lb.port}${t.exposedCount === 1 ? '' : '; adjust http.paths or http.hosts'}`,
    );
    for (const extra of t.expose.slice(1))
      row(
        extra.service,
        ['ports'],
        'dropped',
        '',
        `one load-balanced port per service: ${lb.service}:${lb.port} was taken, not ${extra.service}:${extra.port}`,
      );
  }

  return { name: t.name, main: t.main, sidecars: t.sidecars, body, rows, warnings, comments };
}

interface Mapped {
  /** Container keys (the main container's go to the top of the file). */
  readonly container: Record<string, unknown>;
  readonly image: Record<string, string>;
  readonly sidecarImage: string;
  readonly cpu?: number;
  readonly memory?: number;
  readonly count?: number;
  readonly ports?: readonly number[];
  readonly runtimePlatform?: Record<string, string>;
  /** The Compose key that set the size (for the table). */
  readonly sizeKey?: Path;
}

function mapContainer(
  t: TaskInput,
  svc: string,
  isMain: boolean,
  prefix: string,
  row: (svc: string, key: Path, status: RowStatus, to: string, note: string) => void,
  warnings: string[],
  comments: TaskPlan['comments'],
  volumes: Array<Record<string, unknown>>,
  containerNames: ReadonlyMap<string, string>,
): Mapped {
  const s = t.services[svc] as Record<string, unknown>;
  const c: Record<string, unknown> = {};
  const done = new Set<string>(['depends_on', 'profiles', 'extends']);
  const r = (key: Path, status: RowStatus, to: string, note: string) =>
    row(svc, key, status, to === '' ? '' : `${prefix}${to}`, note);
  const commentAt = (path: Array<string | number>, text: string) =>
    comments.push({ path: isMain ? path : ['sidecars', containerNames.get(svc)!, ...path], text });

  // image and build
  let image: Record<string, string> = { tag: 'latest' };
  let sidecarImage = `${svc}:latest`;
  done.add('image').add('build');
  if (typeof s['image'] === 'string') {
    const ref = parseImage(s['image']);
    sidecarImage = s['image'];
    if (
      ref.repository === '' ||
      (ref.tag !== undefined && !IMAGE_TAG.test(ref.tag)) ||
      (ref.digest !== undefined && !DIGEST.test(ref.digest))
    ) {
      const at = t.at(['services', svc, 'image']);
      t.problems.push({
        ...at,
        key: `services.${svc}.image`,
        message: `'${s['image']}' is not an image reference such as nginx:1.27 or ghcr.io/acme/api@sha256:<64 hex digits>`,
      });
    }
    image = {
      ...(ref.repository ? { repository: ref.repository } : {}),
      ...(ref.digest ? { digest: ref.digest } : { tag: ref.tag ?? 'latest' }),
    };
    if (isMain) {
      const approx = ref.tag === undefined && ref.digest === undefined;
      r(
        ['image'],
        approx ? 'approximated' : 'mapped',
        'image',
        approx
          ? 'no tag: latest assumed; pin a version (deploys refuse moving tags without --allow-mutable-tag)'
          : 'repository and tag (or digest)',
      );
    } else r(['image'], 'mapped', 'image', 'the full image reference');
    if (s['build'] !== undefined)
      r(['build'], 'dropped', '', 'ecsdeploy deploys images, not builds: build and push the image in CI');
  } else {
    if (s['build'] !== undefined) {
      r(
        ['build'],
        'approximated',
        'image',
        isMain
          ? "ecsdeploy deploys images, not builds: build in CI, push to the service's ECR repository, deploy with --image; image.tag latest until then"
          : `ecsdeploy deploys images, not builds: set sidecars.${containerNames.get(svc)}.image to the pushed image`,
      );
      warnings.push(
        `${svc}: Compose builds it; build and push the image in CI (ecsdeploy deploys images, not builds).`,
      );
    } else
      r(
        ['image'],
        'approximated',
        'image',
        isMain
          ? "no image: tag latest of the service's ECR repository assumed"
          : `no image: set sidecars.${containerNames.get(svc)}.image`,
      );
  }

  // command, entrypoint
  for (const [key, to] of [
    ['command', 'command'],
    ['entrypoint', 'entryPoint'],
  ] as const) {
    done.add(key);
    const v = s[key];
    if (v === undefined || v === null) continue;
    const list = Array.isArray(v) ? v.map(String) : shellSplit(String(v));
    if (list.length === 0) {
      r(
        [key],
        'dropped',
        '',
        `an empty ${key} clears the image's ${key === 'command' ? 'CMD' : 'ENTRYPOINT'}; ECS has no way to say that`,
      );
      continue;
    }
    c[to] = list;
    r([key], 'mapped', to, Array.isArray(v) ? 'exec form' : 'split into words as Compose does');
  }

  // working_dir, user
  done.add('working_dir').add('user');
  if (s['working_dir'] !== undefined) {
    const wd = String(s['working_dir']);
    if (wd.startsWith('/')) {
      c['workingDirectory'] = wd;
      r(['working_dir'], 'mapped', 'workingDirectory', '');
    } else r(['working_dir'], 'dropped', '', 'must be an absolute path in ECS');
  }
  if (s['user'] !== undefined) {
    c['user'] = String(s['user']);
    r(['user'], 'mapped', 'user', '');
  }

  // ports and expose
  done.add('ports').add('expose');
  const mappings: Array<{ containerPort: number; protocol: string; name?: string; appProtocol?: string }> = [];
  const addPort = (containerPort: number, protocol: string, name?: string, appProtocol?: string) => {
    if (mappings.some((m) => m.containerPort === containerPort && m.protocol === protocol)) return;
    mappings.push({ containerPort, protocol, ...(name ? { name } : {}), ...(appProtocol ? { appProtocol } : {}) });
  };
  const exposedHere = t.expose.filter((e) => e.service === svc).map((e) => e.port);
  (Array.isArray(s['ports']) ? s['ports'] : []).forEach((p, i) => {
    const spec = normalizePort(p);
    const protocol = (spec.protocol ?? 'tcp').toLowerCase();
    if (!/^\d+$/.test(spec.target) || (protocol !== 'tcp' && protocol !== 'udp')) {
      r(
        ['ports', i],
        'dropped',
        '',
        `port ${spec.target}${spec.protocol ? `/${spec.protocol}` : ''}: ranges and protocols other than tcp/udp are not modeled`,
      );
      return;
    }
    const target = Number(spec.target);
    const name = spec.name ? portName(spec.name) : undefined;
    const app =
      spec.app_protocol && ['http', 'http2', 'grpc'].includes(spec.app_protocol) ? spec.app_protocol : undefined;
    addPort(target, protocol, name, app);
    if (exposedHere.includes(target)) return; // the http row says it
    if (spec.published !== undefined) {
      r(
        ['ports', i],
        'approximated',
        'port',
        `container port ${target}; published port ${spec.published} is not reachable from outside: --expose ${svc}:${spec.published} puts it behind the load balancer, Service Connect reaches it inside`,
      );
    } else r(['ports', i], 'mapped', 'port', `container port ${target}`);
  });
  (Array.isArray(s['expose']) ? s['expose'] : []).forEach((p, i) => {
    const [port, protocol = 'tcp'] = String(p).split('/');
    if (!/^\d+$/.test(port!)) {
      r(['expose', i], 'dropped', '', 'port ranges are not modeled');
      return;
    }
    addPort(Number(port), protocol);
    r(
      ['expose', i],
      'mapped',
      'port',
      `container port ${port}, for Service Connect and the other containers of the task`,
    );
  });
  if (
    mappings.length === 1 &&
    mappings[0]!.protocol === 'tcp' &&
    mappings[0]!.name === undefined &&
    mappings[0]!.appProtocol === undefined
  )
    c['port'] = mappings[0]!.containerPort;
  else if (mappings.length > 0)
    c['portMappings'] = mappings.map((m) => ({
      ...(m.name ? { name: m.name } : {}),
      containerPort: m.containerPort,
      ...(m.protocol !== 'tcp' ? { protocol: m.protocol } : {}),
      ...(m.appProtocol ? { appProtocol: m.appProtocol } : {}),
    }));

  // env_file, then environment (which wins, as in Compose)
  done.add('env_file').add('environment');
  const variables: Record<string, string> = {};
  const secrets: Record<string, string> = {};
  /** Which env_file item each variable came from (for the table). */
  const fromFile = new Map<string, Path>();
  const envFiles = s['env_file'] === undefined ? [] : ([] as unknown[]).concat(s['env_file']);
  envFiles.forEach((e, i) => {
    const spec =
      typeof e === 'string'
        ? { path: e, required: true }
        : {
            path: String((e as Record<string, unknown>)['path']),
            required: (e as Record<string, unknown>)['required'] !== false,
          };
    const key = Array.isArray(s['env_file']) ? ['env_file', i] : ['env_file'];
    const abs = resolve(t.projectDir, spec.path);
    const shown = relative(t.projectDir, abs);
    if (!existsSync(abs)) {
      if (spec.required) {
        const at = t.at(['services', svc, ...key]);
        t.problems.push({
          ...at,
          key: `services.${svc}.${key.join('.').replace(/\.(\d+)/, '[$1]')}`,
          message: `env file ${shown} not found (paths are relative to the first Compose file's folder); Compose stops here too, and required: false makes it optional`,
        });
      } else r(key, 'dropped', '', `${shown} does not exist (required: false)`);
      return;
    }
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { parse } = require('dotenv') as typeof import('dotenv');
    const values = parse(readFileSync(abs));
    for (const [k, v] of Object.entries(values)) {
      const x = interpolate(v, t.vars);
      variables[k] = 'value' in x ? x.value : v;
      fromFile.set(k, key);
    }
    r(
      key,
      'approximated',
      'variables',
      `${Object.keys(values).length} values of ${shown} copied into variables (or secrets); for values kept out of the file, upload it to S3 and use environmentFiles`,
    );
  });
  const env = s['environment'];
  const envEntries: Array<[string, unknown]> = Array.isArray(env)
    ? env.map((item) => {
        const str = String(item);
        const eq = str.indexOf('=');
        return eq < 0 ? [str, null] : [str.slice(0, eq), str.slice(eq + 1)];
      })
    : isPlainObject(env)
      ? Object.entries(env)
      : [];
  for (const [k, v] of envEntries) {
    const key = ['environment', k];
    if (v === null || v === undefined) {
      const fromShell = t.vars[k];
      if (fromShell === undefined) {
        r(key, 'dropped', '', `no value given and ${k} is not set in the shell or .env`);
        delete variables[k];
        continue;
      }
      variables[k] = fromShell;
    } else variables[k] = String(v);
  }
  const secretKeys: string[] = [];
  for (const k of Object.keys(variables)) {
    const fromEnv = envEntries.some(([x]) => x === k);
    const key = fromEnv ? ['environment', k] : (fromFile.get(k) ?? ['env_file']);
    if (!ENV_NAME.test(k)) {
      r(key, 'dropped', '', `'${k}' is not a valid environment variable name for ECS`);
      delete variables[k];
      continue;
    }
    if (SECRET_NAME.test(k)) {
      delete variables[k];
      secrets[k] = placeholderArn(t.region, `${t.name}/${k}`);
      secretKeys.push(k);
      r(key, 'approximated', `secrets.${k}`, 'looks like a credential: not copied; a placeholder secret ARN to fill');
      commentAt(['secrets', k], `TODO: the ARN of the secret holding ${k} (its value was not copied)`);
      continue;
    }
    if (fromEnv) r(key, 'mapped', `variables.${k}`, '');
  }
  if (secretKeys.length > 0) {
    const many = secretKeys.length > 1;
    warnings.push(
      `${svc}: ${secretKeys.join(', ')} ${many ? 'look like credentials' : 'looks like a credential'}; store ${many ? 'them' : 'it'} in Secrets Manager or SSM and put ${many ? 'their ARNs' : 'its ARN'} in place of the placeholder${many ? 's' : ''}.`,
    );
  }

  // secrets: never copied as values; each is a placeholder ARN, read as an environment variable.
  done.add('secrets');
  (Array.isArray(s['secrets']) ? s['secrets'] : []).forEach((sec, i) => {
    const source = typeof sec === 'string' ? sec : String((sec as Record<string, unknown>)['source']);
    const target = typeof sec === 'string' ? sec : String((sec as Record<string, unknown>)['target'] ?? source);
    const envName = target
      .replace(/^.*\//, '')
      .toUpperCase()
      .replace(/[^A-Z0-9_]/g, '_')
      .replace(/^(\d)/, '_$1');
    secrets[envName] = placeholderArn(t.region, `${t.name}/${source}`);
    r(
      ['secrets', i],
      'approximated',
      `secrets.${envName}`,
      `Compose mounts it at /run/secrets/${target}; ECS gives it as the variable ${envName}: fill the placeholder ARN`,
    );
    commentAt(
      ['secrets', envName],
      `TODO: the ARN of the secret '${source}' (Compose file /run/secrets/${target}; here the variable ${envName})`,
    );
    warnings.push(
      `${svc}: secret '${source}' is a placeholder ARN in ${t.name}.yaml; store the value in Secrets Manager or SSM and put its ARN there (the application reads the variable ${envName}, not /run/secrets/${target}).`,
    );
  });
  if (Object.keys(variables).length > 0) c['variables'] = variables;
  if (Object.keys(secrets).length > 0) c['secrets'] = secrets;

  // healthcheck
  done.add('healthcheck');
  if (isPlainObject(s['healthcheck'])) {
    const h = s['healthcheck'];
    const test = h['test'];
    const disabled = h['disable'] === true || h['disable'] === 'true' || (Array.isArray(test) && test[0] === 'NONE');
    if (disabled) r(['healthcheck'], 'dropped', '', 'disabled in Compose: no container health check');
    else if (test === undefined)
      r(['healthcheck'], 'dropped', '', "no test: the image's HEALTHCHECK is not used by ECS; set healthCheck.command");
    else {
      const list = Array.isArray(test) ? test.map(String) : [];
      const command =
        typeof test === 'string'
          ? ['CMD-SHELL', test]
          : list[0] === 'CMD' || list[0] === 'CMD-SHELL'
            ? list
            : ['CMD', ...list];
      const hc: Record<string, unknown> = { command };
      const notes: string[] = [];
      const seconds = (key: string, to: string, min: number, max: number) => {
        if (h[key] === undefined) return;
        const secs = durationSeconds(String(h[key]));
        if (secs === undefined) {
          notes.push(`${key} ${String(h[key])} is not a duration`);
          return;
        }
        const v = Math.min(max, Math.max(min, Math.ceil(secs)));
        if (v !== secs) notes.push(`${key} ${String(h[key])} → ${v}s (ECS: whole seconds, ${min}-${max})`);
        hc[to] = v;
      };
      seconds('interval', 'interval', 5, 300);
      seconds('timeout', 'timeout', 2, 120);
      if (h['retries'] !== undefined && !Number.isFinite(Number(h['retries'])))
        notes.push(`retries ${String(h['retries'])} is not a number`);
      else if (h['retries'] !== undefined) {
        const n = Number(h['retries']);
        const v = Math.min(10, Math.max(1, Math.round(n)));
        if (v !== n) notes.push(`retries ${String(h['retries'])} → ${v} (ECS: 1-10)`);
        hc['retries'] = v;
      }
      seconds('start_period', 'startPeriod', 0, 300);
      if (h['start_interval'] !== undefined) notes.push('start_interval dropped (ECS has none)');
      c['healthCheck'] = hc;
      r(['healthcheck'], notes.length ? 'approximated' : 'mapped', 'healthCheck', notes.join('; '));
    }
  }

  // deploy, scale and the legacy resource keys
  done.add('deploy').add('scale').add('cpus').add('mem_limit').add('mem_reservation');
  const deploy = isPlainObject(s['deploy']) ? s['deploy'] : {};
  let count: number | undefined;
  const countKey =
    deploy['replicas'] !== undefined ? ['deploy', 'replicas'] : s['scale'] !== undefined ? ['scale'] : undefined;
  if (countKey) {
    const n = Number(countKey.length === 2 ? deploy['replicas'] : s['scale']);
    if (!Number.isInteger(n) || n < 0) r(countKey, 'dropped', '', 'not a whole number of tasks');
    else {
      count = n;
      if (isMain) r(countKey, 'mapped', 'count', '');
    }
  }
  const resources = isPlainObject(deploy['resources']) ? deploy['resources'] : {};
  const limits = isPlainObject(resources['limits']) ? resources['limits'] : {};
  const reservations = isPlainObject(resources['reservations']) ? resources['reservations'] : {};
  let sizeKey: Path | undefined;
  const cpusRaw = limits['cpus'] ?? s['cpus'] ?? reservations['cpus'];
  const memRaw = limits['memory'] ?? s['mem_limit'] ?? reservations['memory'];
  const cpuNumber = Number(cpusRaw);
  const cpu =
    cpusRaw === undefined || !Number.isFinite(cpuNumber) || cpuNumber <= 0
      ? undefined
      : Math.max(1, Math.round(cpuNumber * 1024));
  // ECS wants at least 6 MiB for a container.
  const memory = memRaw === undefined ? undefined : mapOpt(mebibytes(memRaw), (m) => Math.max(6, m));
  if (cpusRaw !== undefined || memRaw !== undefined) {
    sizeKey =
      limits['cpus'] !== undefined || limits['memory'] !== undefined
        ? ['deploy', 'resources', 'limits']
        : s['cpus'] !== undefined
          ? ['cpus']
          : s['mem_limit'] !== undefined
            ? ['mem_limit']
            : ['deploy', 'resources', 'reservations'];
    if (memRaw !== undefined && memory === undefined)
      r(sizeKey, 'dropped', '', `memory ${String(memRaw)} is not a size such as 512m or 1g`);
    if (cpusRaw !== undefined && cpu === undefined)
      r(sizeKey, 'dropped', '', `cpus ${String(cpusRaw)} is not a number of CPUs such as 0.5`);
  }
  const resRaw = reservations['memory'] ?? s['mem_reservation'];
  if (resRaw !== undefined && (limits['memory'] !== undefined || s['mem_limit'] !== undefined)) {
    const mib = mebibytes(resRaw);
    if (mib !== undefined && mib >= 4) {
      c['memoryReservation'] = mib;
      r(
        reservations['memory'] !== undefined ? ['deploy', 'resources', 'reservations', 'memory'] : ['mem_reservation'],
        'mapped',
        'memoryReservation',
        `${mib} MiB (soft limit)`,
      );
    }
  }
  if (reservations['devices'] !== undefined)
    r(['deploy', 'resources', 'reservations', 'devices'], 'dropped', '', 'Fargate has no devices or GPUs');
  for (const k of Object.keys(deploy)) {
    if (k === 'replicas' || k === 'resources') continue;
    const note =
      k === 'mode'
        ? deploy['mode'] === 'global'
          ? 'global: ECS daemon scheduling is not modeled; count sets the number of tasks'
          : 'replicated is what an ECS service does'
        : k === 'restart_policy'
          ? 'ECS replaces the stopped tasks of a service itself'
          : k === 'update_config' || k === 'rollback_config'
            ? 'rollouts are set by deployment (minimumHealthyPercent, maximumPercent, circuitBreaker, strategy)'
            : k === 'placement'
              ? 'Fargate places tasks itself'
              : k.startsWith('x-')
                ? 'extension field: ignored'
                : 'no ECS equivalent';
    r(['deploy', k], 'dropped', '', note);
  }

  // ulimits
  done.add('ulimits');
  if (isPlainObject(s['ulimits'])) {
    const out: Array<Record<string, unknown>> = [];
    for (const [name, v] of Object.entries(s['ulimits'])) {
      if (!(ULIMIT_NAMES as readonly string[]).includes(name)) {
        r(['ulimits', name], 'dropped', '', `ECS has no ulimit '${name}'`);
        continue;
      }
      const soft = isPlainObject(v) ? Number(v['soft']) : Number(v);
      const hard = isPlainObject(v) ? Number(v['hard']) : Number(v);
      if (!Number.isInteger(soft) || !Number.isInteger(hard)) {
        r(['ulimits', name], 'dropped', '', 'soft and hard limits must be whole numbers');
        continue;
      }
      out.push({ name, softLimit: soft, hardLimit: hard });
      r(['ulimits', name], 'mapped', 'ulimits', '');
    }
    if (out.length) c['ulimits'] = out;
  }

  // linuxParameters: init, cap_add, cap_drop
  done.add('init').add('cap_add').add('cap_drop');
  const lp: Record<string, unknown> = {};
  if (s['init'] === true) {
    lp['initProcessEnabled'] = true;
    r(['init'], 'mapped', 'linuxParameters.initProcessEnabled', '');
  }
  const caps: Record<string, string[]> = {};
  for (const [key, to] of [
    ['cap_add', 'add'],
    ['cap_drop', 'drop'],
  ] as const) {
    const list = Array.isArray(s[key]) ? s[key].map((x) => String(x).toUpperCase().replace(/^CAP_/, '')) : [];
    list.forEach((cap, i) => {
      if (!CAPABILITIES.has(cap)) r([key, i], 'dropped', '', `unknown capability ${cap}`);
      else if (to === 'add' && cap !== 'SYS_PTRACE')
        r([key, i], 'dropped', '', `Fargate can add only SYS_PTRACE, not ${cap}`);
      else {
        (caps[to] ??= []).push(cap);
        r([key, i], 'mapped', `linuxParameters.capabilities.${to}`, '');
      }
    });
  }
  if (Object.keys(caps).length) lp['capabilities'] = caps;
  if (Object.keys(lp).length) c['linuxParameters'] = lp;

  // stop_grace_period, read_only, labels
  done.add('stop_grace_period').add('read_only').add('labels');
  if (s['stop_grace_period'] !== undefined) {
    const secs = durationSeconds(String(s['stop_grace_period']));
    if (secs === undefined) r(['stop_grace_period'], 'dropped', '', 'not a duration');
    else {
      const v = Math.min(120, Math.max(2, Math.ceil(secs)));
      c['stopTimeout'] = v;
      r(
        ['stop_grace_period'],
        v === secs ? 'mapped' : 'approximated',
        'stopTimeout',
        v === secs ? '' : `${String(s['stop_grace_period'])} → ${v}s (ECS: 2-120 seconds)`,
      );
    }
  }
  if (s['read_only'] === true) {
    c['readonlyRootFilesystem'] = true;
    r(['read_only'], 'mapped', 'readonlyRootFilesystem', '');
  }
  const labels = s['labels'];
  const labelEntries = Array.isArray(labels)
    ? labels.map((l) => {
        const str = String(l);
        const eq = str.indexOf('=');
        return eq < 0 ? [str, ''] : [str.slice(0, eq), str.slice(eq + 1)];
      })
    : isPlainObject(labels)
      ? Object.entries(labels).map(([k, v]) => [k, v === null ? '' : String(v)])
      : [];
  if (labelEntries.length) {
    c['dockerLabels'] = Object.fromEntries(labelEntries);
    r(['labels'], 'mapped', 'dockerLabels', '');
  }

  // volumes
  done.add('volumes').add('volumes_from');
  const mountPoints: Array<Record<string, unknown>> = [];
  const declared = isPlainObject(t.model['volumes']) ? t.model['volumes'] : {};
  (Array.isArray(s['volumes']) ? s['volumes'] : []).forEach((v, i) => {
    const spec = volumeSpec(v);
    const key = ['volumes', i];
    if (spec.type === 'bind' || (spec.type === 'volume' && spec.source !== undefined && /^[./~]/.test(spec.source))) {
      r(
        key,
        'dropped',
        '',
        `bind mount of ${spec.source ?? '?'}: Fargate has no host folders; bake the files into the image, or use EFS`,
      );
      warnings.push(
        `${svc}: the bind mount ${spec.source ?? ''}:${spec.target} was dropped (Fargate has no host folders).`,
      );
      return;
    }
    if (spec.type !== 'volume') {
      r(key, 'dropped', '', `${spec.type} mounts are not supported on Fargate`);
      return;
    }
    const named = spec.source !== undefined && spec.source in declared;
    const volName = volumeName(
      spec.source ?? `${containerNames.get(svc)}${spec.target.replace(/[^A-Za-z0-9]+/g, '-')}`,
    );
    if (!volumes.some((x) => x['name'] === volName)) {
      const fs = named ? t.efs[spec.source!] : undefined;
      volumes.push(fs ? { name: volName, efsVolumeConfiguration: { fileSystemId: fs } } : { name: volName });
      if (named && !fs)
        warnings.push(
          `${svc}: the named volume '${spec.source}' became a task volume, lost when the task stops; give it an EFS file system (--efs ${spec.source}=fs-...) to keep its data.`,
        );
    }
    mountPoints.push({
      sourceVolume: volName,
      containerPath: spec.target,
      ...(spec.readOnly ? { readOnly: true } : {}),
    });
    const fs = named ? t.efs[spec.source!] : undefined;
    r(
      key,
      fs ? 'mapped' : 'approximated',
      'mountPoints',
      fs
        ? `volume ${volName} on EFS ${fs}`
        : named
          ? `volume ${volName}: a task volume, lost when the task stops (--efs ${spec.source}=fs-... for EFS)`
          : `anonymous volume → task volume ${volName}`,
    );
  });
  if (mountPoints.length) c['mountPoints'] = mountPoints;
  const vf = Array.isArray(s['volumes_from']) ? s['volumes_from'] : [];
  const volumesFrom: Array<Record<string, unknown>> = [];
  vf.forEach((x, i) => {
    const [source, mode] = String(x).split(':');
    const name = containerNames.get(source!);
    if (name === undefined)
      r(
        ['volumes_from', i],
        'dropped',
        '',
        `'${source}' is not in this task (only containers of one task share volumes)`,
      );
    else {
      volumesFrom.push({ sourceContainer: name, ...(mode === 'ro' ? { readOnly: true } : {}) });
      r(['volumes_from', i], 'mapped', 'volumesFrom', '');
    }
  });
  if (volumesFrom.length) c['volumesFrom'] = volumesFrom;

  // logging
  done.add('logging');
  if (isPlainObject(s['logging'])) {
    const driver = String(s['logging']['driver'] ?? 'json-file');
    if (LOG_DRIVERS.includes(driver) && driver !== 'awsfirelens') {
      const options = isPlainObject(s['logging']['options'])
        ? Object.fromEntries(Object.entries(s['logging']['options']).map(([k, v]) => [k, String(v)]))
        : {};
      c['logConfiguration'] = { logDriver: driver, ...(Object.keys(options).length ? { options } : {}) };
      r(['logging'], 'mapped', 'logConfiguration', '');
    } else
      r(
        ['logging'],
        'dropped',
        '',
        `driver ${driver}: Fargate logs through awslogs (the default: the service's log group), splunk or FireLens`,
      );
  }

  // platform → runtimePlatform (the task's)
  done.add('platform');
  let runtimePlatform: Record<string, string> | undefined;
  if (s['platform'] !== undefined) {
    const p = String(s['platform']);
    const arch = /^linux\/(arm64|aarch64)/.test(p) ? 'ARM64' : /^linux\/(amd64|x86_64)/.test(p) ? 'X86_64' : undefined;
    if (arch === undefined) r(['platform'], 'dropped', '', `${p}: ecsdeploy runs linux/amd64 or linux/arm64`);
    else if (!isMain) r(['platform'], 'dropped', '', "the task's platform is the main container's");
    else {
      runtimePlatform = { cpuArchitecture: arch };
      r(['platform'], 'mapped', 'runtimePlatform.cpuArchitecture', arch);
    }
  }

  // Everything else: extension fields and keys without an ECS equivalent.
  for (const k of Object.keys(s)) {
    if (done.has(k)) continue;
    r([k], 'dropped', '', k.startsWith('x-') ? 'extension field: ignored' : (DROPPED[k] ?? 'no ECS equivalent'));
  }

  return {
    container: c,
    image,
    sidecarImage,
    ...(cpu !== undefined ? { cpu } : {}),
    ...(memory !== undefined ? { memory } : {}),
    ...(count !== undefined ? { count } : {}),
    ports: mappings.map((m) => m.containerPort),
    ...(runtimePlatform ? { runtimePlatform } : {}),
    ...(sizeKey ? { sizeKey } : {}),
  };
}

/** The YAML text of a service file: a header, the body, and the TODO comments next to their values. */
export function renderServiceFile(plan: TaskPlan, composeFiles: readonly string[]): string {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { Document, isScalar } = require('yaml') as typeof import('yaml');
  const doc = new Document(plan.body);
  for (const { path, text } of plan.comments) {
    const node = doc.getIn(path, true);
    if (isScalar(node)) node.comment = ` ${text}`;
  }
  const from = [plan.main, ...plan.sidecars].join(', ');
  doc.commentBefore = [
    ' yaml-language-server: $schema=../schemas/service.schema.json',
    ` Imported by \`ecsdeploy import compose\` from ${composeFiles.join(' + ')} (${from}).`,
    ' Review it: the table the command printed says what was approximated or dropped.',
  ].join('\n');
  return doc.toString({ lineWidth: 0 });
}

// ---------------------------------------------------------------------------------------------

function dependsOf(d: unknown): Array<{ service: string; condition: string }> {
  if (Array.isArray(d)) return d.map((x) => ({ service: String(x), condition: 'service_started' }));
  if (isPlainObject(d))
    return Object.entries(d).map(([service, v]) => ({
      service,
      condition: isPlainObject(v) && typeof v['condition'] === 'string' ? v['condition'] : 'service_started',
    }));
  return [];
}

function sidecarName(composeName: string): string {
  let n = composeName
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .replace(/^[^a-z]+/, '')
    .replace(/-+/g, '-');
  n = n.slice(0, SIDECAR_NAME_MAX).replace(/-+$/, '');
  return n === '' ? 'sidecar' : n;
}

function portName(name: string): string {
  return (
    name
      .toLowerCase()
      .replace(/[^a-z0-9-]+/g, '-')
      .replace(/^[^a-z0-9]+/, '')
      .slice(0, 64) || 'port'
  );
}

function volumeName(source: string): string {
  const n = source
    .replace(/[^A-Za-z0-9_-]+/g, '-')
    .replace(/^[^A-Za-z0-9]+/, '')
    .slice(0, 255);
  return n === '' ? 'data' : n;
}

function placeholderArn(region: string, name: string): string {
  return `arn:aws:secretsmanager:${region}:000000000000:secret:${name.replace(/[^A-Za-z0-9/_+=.@-]+/g, '-')}`;
}

interface VolumeSpec {
  readonly type: string;
  readonly source?: string;
  readonly target: string;
  readonly readOnly: boolean;
}

function volumeSpec(v: unknown): VolumeSpec {
  if (typeof v === 'string') {
    const parts = v.split(':');
    if (parts.length === 1) return { type: 'volume', target: parts[0]!, readOnly: false };
    const [source, target, mode = ''] = parts;
    const bind = /^[./~]/.test(source!);
    return {
      type: bind ? 'bind' : 'volume',
      source: source!,
      target: target!,
      readOnly: mode.split(',').includes('ro'),
    };
  }
  const o = v as Record<string, unknown>;
  return {
    type: String(o['type'] ?? 'volume'),
    ...(o['source'] !== undefined ? { source: String(o['source']) } : {}),
    target: String(o['target']),
    readOnly: o['read_only'] === true,
  };
}

/** `nginx:1.25`, `ghcr.io/acme/api:2.0@sha256:...`, `registry:5000/team/app`. */
export function parseImage(ref: string): { repository: string; tag?: string; digest?: string } {
  let rest = ref;
  let digest: string | undefined;
  const at = rest.indexOf('@');
  if (at >= 0) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
  }
  const slash = rest.lastIndexOf('/');
  const colon = rest.lastIndexOf(':');
  let tag: string | undefined;
  if (colon > slash) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
  }
  return { repository: rest, ...(tag !== undefined ? { tag } : {}), ...(digest !== undefined ? { digest } : {}) };
}

/** Compose (Go) durations: `1m30s`, `1.5s`, `100ms`, `2h` → seconds. */
export function durationSeconds(text: string): number | undefined {
  const t = text.trim();
  if (/^\d+$/.test(t)) return Number(t); // a bare number of seconds, as some files write
  const unit: Record<string, number> = { ns: 1e-9, us: 1e-6, µs: 1e-6, ms: 1e-3, s: 1, m: 60, h: 3600 };
  const re = /(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|ms|s|m|h)/gy;
  let total = 0;
  let pos = 0;
  for (let m = re.exec(t); m; m = re.exec(t)) {
    total += Number(m[1]) * unit[m[2]!]!;
    pos = re.lastIndex;
  }
  return pos === t.length && pos > 0 ? Math.round(total * 1000) / 1000 : undefined;
}

/** Compose byte sizes: `512m`, `1g`, `1.5gb`, `268435456` (bytes) → MiB, rounded up. */
export function mebibytes(v: unknown): number | undefined {
  const m = /^(\d+(?:\.\d+)?)\s*([kmgt]?)b?$/i.exec(String(v).trim());
  if (!m) return undefined;
  const pow = { '': 0, 'k': 1, 'm': 2, 'g': 3, 't': 4 }[m[2]!.toLowerCase() as '' | 'k' | 'm' | 'g' | 't'];
  const bytes = Number(m[1]) * 1024 ** pow;
  return Math.ceil(bytes / 1024 ** 2);
}

function mapOpt<T, U>(v: T | undefined, f: (x: T) => U): U | undefined {
  return v === undefined ? undefined : f(v);
}

/** The smallest Fargate size with at least this CPU and memory. */
export function fargateSize(cpu: number, memory: number): [number, number] | undefined {
  for (const [c, mems] of FARGATE_SIZES) {
    if (c < cpu) continue;
    const m = mems.find((x) => x >= memory);
    if (m !== undefined) return [c, m];
  }
  return undefined;
}

/** Splits a command string into words as Compose does (POSIX shell quoting, no expansion). */
export function shellSplit(text: string): string[] {
  const out: string[] = [];
  let cur = '';
  let inWord = false;
  let quote: '"' | "'" | undefined;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (quote === "'") {
      if (ch === "'") quote = undefined;
      else cur += ch;
    } else if (quote === '"') {
      if (ch === '"') quote = undefined;
      else if (ch === '\\' && i + 1 < text.length && '"\\$`'.includes(text[i + 1]!)) cur += text[++i];
      else cur += ch;
    } else if (ch === "'" || ch === '"') {
      quote = ch;
      inWord = true;
    } else if (ch === '\\' && i + 1 < text.length) {
      cur += text[++i];
      inWord = true;
    } else if (/\s/.test(ch)) {
      if (inWord) out.push(cur);
      cur = '';
      inWord = false;
    } else {
      cur += ch;
      inWord = true;
    }
  }
  if (inWord) out.push(cur);
  return out;
}
