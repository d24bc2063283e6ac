/**
 * The questions of `ecsdeploy init`, each also a flag: an answer given as a flag is checked and
 * never asked; the others are asked through an injected Prompter (a terminal, or a test), or take
 * their defaults with --yes. Where nobody can answer and --yes is not given, init stops with the
 * flags it would need instead of waiting for an answer that cannot come.
 */
import { z } from 'zod';
import { MAX_SERVICE_NAME } from '../../config/load';
import { ProjectSchema } from '../../config/schema';
import { EcsdeployError, ExitCode, UsageError } from '../../errors';
import { toName, type Detected } from './detect';

/** One question: the flag that answers it, what is asked, and the answer taken by default. */
export interface Question {
  /** The flag that answers it, without dashes: `project`, `region`, `state-bucket`, ... */
  readonly flag: string;
  readonly message: string;
  /** Shown in brackets and taken on an empty answer. @default none: an answer is needed */
  readonly default?: string;
  /** The answers accepted, when there is a fixed set. @default any */
  readonly choices?: readonly string[];
}

/**
 * Asks questions and returns the typed answer ('' takes the default), or undefined when nobody
 * will answer (the input ended, Ctrl-C). `problem` says why an answer was refused, before it is
 * asked again.
 */
export interface Prompter {
  ask(question: Question): Promise<string | undefined>;
  problem(message: string): void;
}

/** The image of the first service. */
export type ImageAnswer =
  { readonly tag: string; readonly repository?: string } | { readonly digest: string; readonly repository?: string };

export type LaunchType = 'fargate' | 'ec2';

export interface InitAnswers {
  readonly project: string;
  readonly region: string;
  readonly state: { readonly backend: 'local' } | { readonly backend: 's3'; readonly bucket: string };
  /** Also write environments/prod.yaml. */
  readonly prod: boolean;
  /** Import the compose file found instead of writing a sample service. */
  readonly importCompose: boolean;
  /** The first service (absent when the compose file is imported instead). */
  readonly service?: {
    readonly name: string;
    readonly image: ImageAnswer;
    readonly port: number;
    readonly launchType: LaunchType;
  };
}

/** The answers given as flags; every one optional (strings as typed, checked here). */
export interface GivenAnswers {
  readonly project?: string;
  readonly region?: string;
  readonly state?: string;
  readonly stateBucket?: string;
  readonly prod?: boolean;
  readonly importCompose?: boolean;
  readonly service?: string;
  readonly image?: string;
  readonly port?: string;
  readonly launchType?: string;
}

export interface AnswerOptions {
  readonly detected: Detected;
  readonly given: GivenAnswers;
  /** Take the default of every question not answered by a flag. */
  readonly yes: boolean;
  /** Who answers the other questions; undefined where nobody can (no terminal, CI). */
  readonly prompter?: Prompter;
  /** AWS_REGION / AWS_DEFAULT_REGION, for the default region. @default process.env */
  readonly env?: NodeJS.ProcessEnv;
}

/** The default image tag of the first service, in its own ECR repository. */
export const DEFAULT_TAG = '0.1.0';
export const DEFAULT_PORT = 8080;
export const DEFAULT_REGION = 'eu-west-1';

const REGION = ProjectSchema.shape.region;
const projectName = ProjectSchema.shape.project;
const serviceName = z
  .string()
  .regex(/^[a-z][a-z0-9-]*$/, "must start with a letter and use only lowercase letters, digits and '-'")
  .max(MAX_SERVICE_NAME, `must be at most ${MAX_SERVICE_NAME} characters (it is part of AWS resource names)`);
const bucket = z
  .string()
  .regex(
    /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/,
    "must be an S3 bucket name: 3 to 63 lowercase letters, digits, '.' and '-'",
  );
const port = z.coerce
  .number({ error: 'must be a port number' })
  .int('must be a whole number')
  .min(1, 'must be between 1 and 65535')
  .max(65535, 'must be between 1 and 65535');
const yesNo = z
  .string()
  .trim()
  .toLowerCase()
  .regex(/^(y|yes|n|no)$/, 'answer y or n')
  .transform((s) => s.startsWith('y'));

const TAG = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;
const DIGEST = /^sha256:[0-9a-f]{64}$/;
/**
 * A tag of the service's own ECR repository (`1.0.0`), a digest there (`sha256:...`), or another
 * repository's image with its tag or digest (`ghcr.io/acme/api:1.0.0`, `nginx@sha256:...`).
 */
export function parseImage(text: string): Parsed<ImageAnswer> {
  const s = text.trim();
  if (DIGEST.test(s)) return { value: { digest: s } };
  if (TAG.test(s)) return { value: { tag: s } };
  const at = s.indexOf('@');
  if (at > 0) {
    const digest = s.slice(at + 1);
    return DIGEST.test(digest)
      ? { value: { repository: s.slice(0, at), digest } }
      : { problem: 'the digest after @ must be sha256: and 64 hex digits' };
  }
  const colon = s.lastIndexOf(':');
  if (colon > s.lastIndexOf('/') && colon > 0) {
    const tag = s.slice(colon + 1);
    return TAG.test(tag)
      ? { value: { repository: s.slice(0, colon), tag } }
      : { problem: `'${tag}' is not an image tag` };
  }
  return {
    problem: `give a tag of the service's own ECR repository (${DEFAULT_TAG}), or an image with its tag or digest (ghcr.io/acme/api:1.0.0, nginx@sha256:...)`,
  };
}

export function showImage(image: ImageAnswer): string {
  const id = 'tag' in image ? image.tag : image.digest;
  if (image.repository === undefined) return id;
  return `${image.repository}${'tag' in image ? ':' : '@'}${id}`;
}

class Asker {
  constructor(private readonly opts: AnswerOptions) {}

  /**
   * The answer to one question: the flag's value (an error if invalid), else the prompter's
   * (asked again until valid), else the default with --yes, else a usage error naming the flag.
   */
  async answer<T>(q: Question, given: string | undefined, parse: (text: string) => Parsed<T>): Promise<T> {
    if (given !== undefined) {
      const v = parse(given);
      if ('problem' in v)
        throw new UsageError(`--${q.flag} ${given}: ${v.problem}.`, [
          `See \`ecsdeploy init --help\` for every flag, with examples.`,
        ]);
      return v.value;
    }
    const { prompter, yes } = this.opts;
    if (yes || prompter === undefined) {
      if (q.default === undefined) {
        throw new UsageError(
          `init needs --${q.flag}, which has no default${yes ? '' : ', and there is no terminal to ask on'}: ${q.message}`,
          [`Pass --${q.flag} VALUE.`],
        );
      }
      if (!yes) throw noTerminal(q);
      const v = parse(q.default);
      if ('problem' in v) throw new Error(`default of --${q.flag} is invalid: ${v.problem}`);
      return v.value;
    }
    for (;;) {
      const typed = await prompter.ask(q);
      if (typed === undefined)
        throw new EcsdeployError('Interrupted: nothing was written.', {
          code: 'ECSDEPLOY_INTERRUPTED',
          exitCode: ExitCode.Interrupted,
        });
      const text = typed.trim() === '' ? q.default : typed.trim();
      if (text === undefined) {
        prompter.problem('An answer is needed.');
        continue;
      }
      const v = parse(text);
      if ('value' in v) return v.value;
      prompter.problem(`${text}: ${v.problem}.`);
    }
  }

  async confirm(q: Question, given: boolean | undefined): Promise<boolean> {
    if (given !== undefined) return given;
    return this.answer(q, undefined, (t) => zodParse(yesNo, t));
  }
}

function noTerminal(q: Question): UsageError {
  return new UsageError(
    `init asks questions, and there is no terminal to ask on (stdin is not a terminal, or CI is set); the first unanswered one: ${q.message.replace(/\s*$/, '')} (--${q.flag}).`,
    [
      'Pass --yes to take the defaults (shown by `ecsdeploy init --help`), and flags for the answers you want otherwise.',
    ],
  );
}

/** A checked answer, or why it was refused. */
type Parsed<T> = { readonly value: T } | { readonly problem: string };

function zodParse<T>(schema: z.ZodType<T>, text: string): Parsed<T> {
  const r = schema.safeParse(text);
  return r.success ? { value: r.data } : { problem: r.error.issues[0]?.message ?? 'invalid' };
}

function choice<T extends string>(choices: readonly T[]) {
  return (text: string): Parsed<T> => {
    const t = text.trim().toLowerCase() as T;
    return choices.includes(t) ? { value: t } : { problem: `one of ${choices.join(', ')}` };
  };
}

/** Every answer init needs, in the order a person is asked. */
export async function resolveAnswers(opts: AnswerOptions): Promise<InitAnswers> {
  const { detected, given } = opts;
  const env = opts.env ?? process.env;
  const a = new Asker(opts);

  const project = await a.answer(
    {
      flag: 'project',
      message: 'Project name (the first part of every AWS resource name)?',
      default: toName(detected.folderName, 20),
    },
    given.project,
    (t) => zodParse(projectName, t),
  );
  const envRegion = [env['AWS_REGION'], env['AWS_DEFAULT_REGION']].find(
    (r) => r !== undefined && REGION.safeParse(r).success,
  );
  const region = await a.answer(
    { flag: 'region', message: 'AWS region?', default: envRegion ?? DEFAULT_REGION },
    given.region,
    (t) => zodParse(REGION, t),
  );

  const backendGiven = given.state ?? (given.stateBucket !== undefined ? 's3' : undefined);
  const backend = await a.answer(
    {
      flag: 'state',
      message:
        'Where to keep Terraform state and release records: local (.ecsdeploy/, one machine) or s3 (a bucket, for a team and CI)?',
      default: 'local',
      choices: ['local', 's3'],
    },
    backendGiven,
    choice(['local', 's3'] as const),
  );
  if (backend === 'local' && given.stateBucket !== undefined)
    throw new UsageError('--state-bucket is for --state s3; with --state local, state is kept under .ecsdeploy/.');
  const state: InitAnswers['state'] =
    backend === 's3'
      ? {
          backend: 's3',
          bucket: await a.answer(
            { flag: 'state-bucket', message: 'S3 bucket for state and release records (it must exist)?' },
            given.stateBucket,
            (t) => zodParse(bucket, t),
          ),
        }
      : { backend: 'local' };

  const prod = await a.confirm(
    {
      flag: 'prod',
      message: 'Also write environments/prod.yaml (a protected production environment)?',
      default: 'n',
      choices: ['y', 'n'],
    },
    given.prod,
  );

  const importCompose =
    detected.composeFile === undefined
      ? false
      : await a.confirm(
          {
            flag: 'import-compose',
            message: `Import the services of ${detected.composeFile} instead of writing a sample service?`,
            default: 'y',
            choices: ['y', 'n'],
          },
          given.importCompose,
        );
  if (importCompose) {
    for (const [flag, value] of [
      ['service', given.service],
      ['image', given.image],
      ['port', given.port],
      ['launch-type', given.launchType],
    ] as const) {
      if (value !== undefined)
        throw new UsageError(
          `--${flag} is for the sample service, and --import-compose takes the services of ${detected.composeFile} instead.`,
          ['Pass --no-import-compose to write the sample service.'],
        );
    }
    return { project, region, state, prod, importCompose };
  }
  if (given.importCompose === true)
    throw new UsageError(
      '--import-compose: there is no compose file here (compose.yaml, compose.yml, docker-compose.yaml or docker-compose.yml).',
    );

  const name = await a.answer(
    {
      flag: 'service',
      message: 'Name of the first service (services/<name>.yaml)?',
      default: toName(detected.folderName, MAX_SERVICE_NAME),
    },
    given.service,
    (t) => zodParse(serviceName, t),
  );
  const image = await a.answer(
    {
      flag: 'image',
      message: `Its image: a tag of its own ECR repository ${project}/${name} (created by the registry stack), or another image with its tag or digest?`,
      default: DEFAULT_TAG,
    },
    given.image,
    parseImage,
  );
  const portNumber = await a.answer(
    {
      flag: 'port',
      message: `The port it listens on${detected.dockerfilePort !== undefined ? ' (EXPOSEd by the Dockerfile)' : ''}?`,
      default: String(detected.dockerfilePort ?? DEFAULT_PORT),
    },
    given.port,
    (t) => zodParse(port, t),
  );
  const launchType = await a.answer(
    {
      flag: 'launch-type',
      message: 'Launch type: fargate (no instances to run) or ec2 (instances of the cluster)?',
      default: 'fargate',
      choices: ['fargate', 'ec2'],
    },
    given.launchType,
    choice(['fargate', 'ec2'] as const),
  );
  return { project, region, state, prod, importCompose, service: { name, image, port: portNumber, launchType } };
}
