/**
 * `ecsdeploy import compose`: a Compose project → one service file per Compose service (or per
 * task, when some services are grouped as sidecars), with a table of what was mapped, approximated
 * and dropped, each row pointing at the Compose file and line it came from.
 *
 * Plain data in, plain data out: `ecsdeploy init` calls this too. Questions (which port the load
 * balancer fronts, where a named volume lives) go through an injected prompter; without one, the
 * answers given in the options (or the documented defaults) are used and nothing is asked.
 */

/** Asks the user; returns undefined when there is nobody to answer (or Ctrl-C). */
export interface ComposePrompter {
  /** Pick one of `choices` (their `value`); the first choice is the default. */
  choose(
    question: string,
    choices: ReadonlyArray<{ readonly value: string; readonly label: string }>,
  ): Promise<string | undefined>;
  /** Free text; `defaultAnswer` when the answer is empty. */
  ask(question: string, defaultAnswer?: string): Promise<string | undefined>;
}

export interface ImportComposeOptions {
  /** The project directory: compose files are read relative to it, service files go to <cwd>/services/. */
  readonly cwd: string;
  /** Compose files, merged in order as `docker compose -f a -f b` does. Default: the first of compose.yaml, compose.yml, docker-compose.yaml, docker-compose.yml in cwd, plus its .override file. */
  readonly files?: readonly string[];
  /** Variables for interpolation, relative to cwd. Default: `.env` next to the first compose file, when present. */
  readonly envFile?: string;
  /** The shell environment for interpolation (it wins over the env file, as in Compose). Default: process.env. */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Activated Compose profiles (`--profile`); services whose profiles are all inactive are skipped. */
  readonly profiles?: readonly string[];
  /**
   * Sidecar grouping (`--sidecar web=nginx`): Compose service `sidecar` runs as a sidecar in the task
   * of Compose service `service`. Without `service`, the one service related to it by depends_on.
   */
  readonly sidecars?: ReadonlyArray<{ readonly service?: string; readonly sidecar: string }>;
  /** The Compose services the load balancer fronts, each on one port (the published port or the container port). */
  readonly expose?: ReadonlyArray<{ readonly service: string; readonly port: number }>;
  /** Named volume → EFS file system id. A named volume not listed here is asked for, or else becomes a task-scoped volume with a warning. */
  readonly efsVolumes?: Readonly<Record<string, string>>;
  /** Region for placeholder secret ARNs. Default: ecsdeploy.yaml's region when readable, else us-east-1. */
  readonly region?: string;
  /** Compute the files and the table without writing anything. */
  readonly dryRun?: boolean;
  /** Overwrite service files that exist. */
  readonly force?: boolean;
  /** Asks what the options leave open. Without it nothing is asked. */
  readonly prompter?: ComposePrompter;
}

export type RowStatus = 'mapped' | 'approximated' | 'dropped';

/** One line of the mapping table. */
export interface MappingRow {
  /** The Compose service (empty for top-level keys). */
  readonly service: string;
  /** The Compose key, e.g. `deploy.resources.limits.cpus`. */
  readonly key: string;
  readonly status: RowStatus;
  /** The service-file key it became (empty when dropped). */
  readonly to: string;
  readonly note: string;
  /** Compose file (relative to cwd) and line the value came from. */
  readonly file: string;
  readonly line: number;
}

export interface ServiceFileOut {
  /** ecsdeploy service name (the file is services/<name>.yaml). */
  readonly name: string;
  /** Path relative to cwd. */
  readonly path: string;
  /** The YAML text. */
  readonly content: string;
  /** The Compose services it holds: the main container first, then its sidecars. */
  readonly from: readonly string[];
  /** Whether it was written (false on a dry run). */
  readonly written: boolean;
}

export interface ImportComposeResult {
  /** The compose files read, relative to cwd, in merge order. */
  readonly composeFiles: readonly string[];
  readonly envFile?: string;
  readonly files: readonly ServiceFileOut[];
  readonly rows: readonly MappingRow[];
  /** Services skipped because none of their profiles is active. */
  readonly skipped: ReadonlyArray<{
    readonly service: string;
    readonly profiles: readonly string[];
    readonly file: string;
    readonly line: number;
  }>;
  /** Things the user must do before deploying (fill secret ARNs, ...), one sentence each. */
  readonly warnings: readonly string[];
}

export { importCompose } from './compose-import';
