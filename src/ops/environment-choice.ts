/**
 * Which environment a command works on, decided in one place for every command that takes --env:
 *
 *   1. --env NAME, as typed;
 *   2. else ECSDEPLOY_ENV;
 *   3. else `defaultEnvironment:` in ecsdeploy.yaml;
 *   4. else the project's only environment.
 *
 * A command that changes an environment (apply, destroy, service deploy and rollback, cluster roll)
 * never takes a protected one (`protected: true`) from 2-4: it must be typed, so that a default
 * never deploys to production by accident. A name that is neither a file in environments/ nor an
 * environment on demand is a usage error with a "did you mean" and the list.
 *
 * And the base of `env create NAME`: --from, else `ephemeral.defaultBase` in ecsdeploy.yaml, else
 * the only environment whose file has an `ephemeral:` block, else the only environment; never a
 * protected one by default either.
 *
 * Each default comes with a note that says which environment was taken and why: the command's
 * first progress line.
 */
import { join, resolve } from 'node:path';
import { existsSync, readdirSync } from 'node:fs';
import { UsageError } from '../errors';
import { permanentNames } from './environments/names';
import type { S3Access } from './environments/storage';

// The configuration and the record stores load on first use: most commands pass --env, and
// `--help` or a parse error needs neither.
/* eslint-disable @typescript-eslint/no-require-imports */
const defaults = () => require('../config/defaults') as typeof import('../config/defaults');
const suggest = () => require('../config/suggest') as typeof import('../config/suggest');
const onDemand = () => require('./environments/resolve') as typeof import('./environments/resolve');
const loader = () => require('../config/load') as typeof import('../config/load');
/* eslint-enable @typescript-eslint/no-require-imports */

/** `read`: the command only reads the environment; `change`: it changes it (a protected one must be typed). */
export type EnvironmentUse = 'read' | 'change';

export type EnvironmentSource = 'flag' | 'ECSDEPLOY_ENV' | 'defaultEnvironment' | 'only';

export interface EnvironmentChoice {
  readonly name: string;
  readonly source: EnvironmentSource;
  /** When not typed: which environment was taken and why, for the first progress line. */
  readonly note?: string;
}

export interface ChooseEnvironmentInput {
  readonly dir: string;
  /** --env as given; undefined when absent. */
  readonly flag?: string | undefined;
  readonly use: EnvironmentUse;
  /** The command as typed after `ecsdeploy` (`service deploy`), for messages. */
  readonly command: string;
  /** @default process.env */
  readonly env?: NodeJS.ProcessEnv;
  /** Where records kept in S3 are read (tests pass an in-memory one). */
  readonly s3?: S3Access;
}

const WHY: Record<Exclude<EnvironmentSource, 'flag'>, string> = {
  ECSDEPLOY_ENV: 'from ECSDEPLOY_ENV',
  defaultEnvironment: 'defaultEnvironment in ecsdeploy.yaml',
  only: "the project's only environment",
};

export async function chooseEnvironment(input: ChooseEnvironmentInput): Promise<EnvironmentChoice> {
  const root = resolve(input.dir);
  const fromEnv = (input.env ?? process.env)['ECSDEPLOY_ENV']?.trim();
  if (input.flag !== undefined) {
    await checkExists(root, input.flag, `--env ${input.flag}`, input.s3);
    return { name: input.flag, source: 'flag' };
  }
  const permanent = permanentNames(root);
  let choice: { name: string; source: Exclude<EnvironmentSource, 'flag'> } | undefined;
  if (fromEnv) {
    await checkExists(root, fromEnv, `ECSDEPLOY_ENV=${fromEnv}`, input.s3);
    choice = { name: fromEnv, source: 'ECSDEPLOY_ENV' };
  } else {
    const configured = onDemand().projectConfig(root).defaultEnvironment;
    if (configured !== undefined) {
      if (!permanent.includes(configured)) loader().loadProject(root, { environments: [] }); // throws the problem, with its line
      choice = { name: configured, source: 'defaultEnvironment' };
    } else if (permanent.length === 1) {
      choice = { name: permanent[0]!, source: 'only' };
    }
  }
  if (choice === undefined) {
    throw new UsageError(
      `${input.command} needs an environment: --env is not given, and this project has ${permanent.length === 0 ? 'no environments' : `${permanent.length} environments and no default`}.`,
      [`${listing(permanent)} Pass --env NAME or set defaultEnvironment.`],
    );
  }
  if (
    input.use === 'change' &&
    permanent.includes(choice.name) &&
    defaults().environmentFileFacts(root, choice.name).protected
  ) {
    throw new UsageError(
      `${input.command} changes environment '${choice.name}', which is protected (protected: true in environments/${choice.name}.yaml), and --env was not typed: a protected environment is never taken by default (here ${WHY[choice.source]}).`,
      [
        `Type it to work on it: ecsdeploy ${input.command} --env ${choice.name} ...`,
        `${listing(permanent)} Pass --env NAME for another.`,
      ],
    );
  }
  const hint = choice.source === 'only' ? '' : '; --env NAME for another';
  return { ...choice, note: `Environment: ${choice.name} (${WHY[choice.source]}${hint})` };
}

export type BaseSource = 'flag' | 'defaultBase' | 'ephemeral' | 'only';

export interface BaseChoice {
  readonly name: string;
  readonly source: BaseSource;
  /** When not typed: which base was taken and why, for the first progress line. */
  readonly note?: string;
}

/** The base environment of `env create NAME`: --from, else the project's default base (see the top of this file). */
export function chooseBase(input: { readonly dir: string; readonly flag?: string | undefined }): BaseChoice {
  if (input.flag !== undefined) return { name: input.flag, source: 'flag' };
  const root = resolve(input.dir);
  const permanent = permanentNames(root);
  const { environmentFileFacts } = defaults();
  const facts = new Map(permanent.map((n) => [n, environmentFileFacts(root, n)]));
  const configured = onDemand().projectConfig(root).ephemeral?.defaultBase;
  let choice: { name: string; source: Exclude<BaseSource, 'flag'>; why: string } | undefined;
  if (configured !== undefined) {
    if (!permanent.includes(configured) || facts.get(configured)!.protected)
      loader().loadProject(root, { environments: [] }); // throws the problem, with its line
    choice = { name: configured, source: 'defaultBase', why: 'ephemeral.defaultBase in ecsdeploy.yaml' };
  } else {
    const withBlock = permanent.filter((n) => facts.get(n)!.ephemeral);
    if (withBlock.length === 1)
      choice = {
        name: withBlock[0]!,
        source: 'ephemeral',
        why: `the only environment with an ephemeral: block, in environments/${withBlock[0]}.yaml`,
      };
    else if (permanent.length === 1)
      choice = { name: permanent[0]!, source: 'only', why: "the project's only environment" };
  }
  if (choice !== undefined && facts.get(choice.name)?.protected) {
    throw new UsageError(
      `env create makes environments from '${choice.name}' only when --from ${choice.name} is typed: it is protected (protected: true in environments/${choice.name}.yaml).`,
      [`${listing(permanent)} Pass --from NAME or set ephemeral.defaultBase.`],
    );
  }
  if (choice === undefined) {
    throw new UsageError(
      `env create needs a base environment: --from is not given, and ecsdeploy.yaml has no ephemeral.defaultBase.`,
      [`${listing(permanent)} Pass --from NAME or set ephemeral.defaultBase.`],
    );
  }
  return {
    name: choice.name,
    source: choice.source,
    note: `Base environment: ${choice.name} (${choice.why}; --from NAME for another)`,
  };
}

/** What a project offers for the flags and arguments that name things: its environments and services. */
export function projectChoices(dir: string): {
  readonly environments: readonly string[];
  readonly services: readonly string[];
} {
  const root = resolve(dir);
  const folder = join(root, 'services');
  const services = existsSync(folder)
    ? readdirSync(folder)
        .filter((f) => /\.ya?ml$/.test(f))
        .map((f) => f.replace(/\.ya?ml$/, ''))
        .sort()
    : [];
  return { environments: permanentNames(root), services };
}

function listing(permanent: readonly string[]): string {
  return permanent.length ? `Environments: ${permanent.join(', ')}.` : 'There is no environments/<name>.yaml yet.';
}

/** A permanent environment, or one on demand; else a usage error naming what exists. */
async function checkExists(root: string, name: string, given: string, s3: S3Access | undefined): Promise<void> {
  const permanent = permanentNames(root);
  if (permanent.includes(name)) return;
  const { projectRecordStore } = onDemand();
  const store = s3 === undefined ? projectRecordStore(root) : projectRecordStore(root, s3);
  if ((await store.get(name)) !== undefined) return;
  const others = (await store.list()).records.map((r) => r.record.name);
  const guess = suggest().closest(name, [...permanent, ...others]);
  throw new UsageError(
    `${given}: no environment '${name}'${guess ? `; did you mean '${guess}'?` : ''} (there is no environments/${name}.yaml, and no environment on demand of that name in ${store.location})`,
    [
      `${listing(permanent)}${others.length ? ` On demand: ${others.join(', ')}.` : ''} Pass --env NAME or set defaultEnvironment.`,
    ],
  );
}
