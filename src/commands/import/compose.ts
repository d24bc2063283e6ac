import * as Args from '@oclif/core/args';
import * as Flags from '@oclif/core/flags';
import { BaseCommand, EXIT_CODES_SECTION } from '../../base-command';
import { UsageError } from '../../errors';
import { importCompose, type ComposePrompter, type ImportComposeResult } from '../../ops/adopt/compose';
import { formatImport } from '../../ui/compose-view';
import { ask, interactive } from '../../ui/prompt';

export default class ImportCompose extends BaseCommand {
  static override summary =
    'Write one service file per Compose service, with a table of what was mapped, approximated and dropped.';
  static override description = `Reads a Compose file (compose.yaml, compose.yml, docker-compose.yaml or docker-compose.yml in the project folder, plus its .override file; or the files given with -f, merged as \`docker compose -f a -f b\` merges them), interpolates \${VAR}, \${VAR:-default}, \${VAR:?message} and $$ from the shell and the .env file, validates it against the Compose Specification's JSON Schema (errors name the compose file, line and key), and writes services/<name>.yaml for each Compose service, on Fargate.

Each Compose key becomes the service-file key ECS names it by (image, command → command, entrypoint → entryPoint, environment and env_file → variables, healthcheck → healthCheck with durations in seconds, deploy.replicas → count, deploy.resources → cpu and memory rounded up to a Fargate size, user, working_dir, ulimits, volumes, logging, labels → dockerLabels, ...). What has no equivalent is dropped, and the table says so, each row with the compose file:line. docs/adoption.md has the whole mapping.

Never copied as values: Compose secrets, and variables named like credentials (*PASSWORD, *SECRET, *TOKEN, *API_KEY, ...). Each becomes a placeholder secret ARN marked TODO, and a warning.

The load balancer fronts what --expose names (SERVICE:PORT, the published or the container port); on a terminal without --expose, the command asks which published port. Named volumes become EFS volumes with --efs VOLUME=fs-..., are asked for on a terminal, or else become task volumes (with a warning: their data ends with the task). Bind mounts are dropped with a warning.

--sidecar MAIN=SIDECAR runs Compose service SIDECAR as a sidecar in the task of MAIN (one service file for both); its depends_on between the two becomes dependsOn with START, HEALTHY or SUCCESS. --sidecar SIDECAR alone picks the one service related to it by depends_on. depends_on between separate services is dropped (ECS starts services independently; use Service Connect).

Services whose profiles are all inactive are skipped and listed; --profile activates one. x-* extension fields are ignored and listed.

--dry-run prints the service files instead of writing them. Existing service files are kept unless --force.

${EXIT_CODES_SECTION}`;
  static override examples = [
    {
      description: 'Import compose.yaml of the project folder; ask which port the load balancer fronts',
      command: '<%= config.bin %> <%= command.id %>',
    },
    {
      description: 'See the files without writing them, web behind the load balancer on its published port 8080',
      command: '<%= config.bin %> <%= command.id %> --dry-run --expose web:8080',
    },
    {
      description: 'Two files merged, the debug profile on, nginx in the task of web, the db volume on EFS',
      command:
        '<%= config.bin %> <%= command.id %> -f compose.yaml -f compose.prod.yaml --profile debug --sidecar web=nginx --efs db-data=fs-0123456789abcdef0',
    },
    {
      description: 'In a script: no questions, the result as JSON',
      command: '<%= config.bin %> <%= command.id %> compose.yaml --expose api:3000 --force --json',
    },
  ];
  static override enableJsonFlag = true;
  static override args = {
    file: Args.string({ description: 'A Compose file (the same as one -f).', required: false }),
  };
  static override flags = {
    'file': Flags.string({
      char: 'f',
      summary: 'Compose file; repeat to merge several, in order, as Compose does.',
      multiple: true,
      helpValue: 'FILE',
    }),
    'env-file': Flags.string({
      summary: 'Variables for interpolation (default: .env next to the first Compose file).',
      helpValue: 'FILE',
    }),
    'profile': Flags.string({ summary: 'Activate a Compose profile; repeatable.', multiple: true, helpValue: 'NAME' }),
    'sidecar': Flags.string({
      summary: 'MAIN=SIDECAR: run Compose service SIDECAR as a sidecar in the task of MAIN; repeatable.',
      multiple: true,
      helpValue: 'MAIN=SIDECAR',
    }),
    'expose': Flags.string({
      summary:
        'SERVICE:PORT behind the load balancer (published or container port); repeatable. Without it, a terminal is asked.',
      multiple: true,
      helpValue: 'SERVICE:PORT',
    }),
    'efs': Flags.string({
      summary: 'VOLUME=fs-...: the named volume lives on this EFS file system; repeatable.',
      multiple: true,
      helpValue: 'VOLUME=FS_ID',
    }),
    'dry-run': Flags.boolean({ summary: 'Print the service files instead of writing them.' }),
    'force': Flags.boolean({ summary: 'Overwrite service files that exist.' }),
  };

  public async run(): Promise<ImportComposeResult> {
    const { args, flags } = await this.parse(ImportCompose);
    const files = [...(args.file ? [args.file] : []), ...(flags.file ?? [])];
    const asked = interactive() && !this.jsonEnabled();
    const result = await importCompose({
      cwd: flags.dir,
      ...(files.length ? { files } : {}),
      ...(flags['env-file'] ? { envFile: flags['env-file'] } : {}),
      ...(flags.profile ? { profiles: flags.profile } : {}),
      ...(flags.sidecar ? { sidecars: flags.sidecar.map(parseSidecar) } : {}),
      // Not asked (a script, CI, --json): no --expose means no load balancer.
      ...(flags.expose ? { expose: flags.expose.map(parseExpose) } : asked ? {} : { expose: [] }),
      ...(flags.efs ? { efsVolumes: Object.fromEntries(flags.efs.map(parseEfs)) } : {}),
      dryRun: flags['dry-run'],
      force: flags.force,
      ...(asked ? { prompter: terminalPrompter } : {}),
    });
    if (!this.jsonEnabled()) this.log(formatImport(result, { dryRun: flags['dry-run'] }));
    return result;
  }
}

function parseSidecar(v: string): { service?: string; sidecar: string } {
  const m = /^(?:([^=\s]+)=)?([^=\s]+)$/.exec(v);
  if (!m) throw new UsageError(`--sidecar ${v}: expected MAIN=SIDECAR (e.g. web=nginx) or SIDECAR.`);
  return { ...(m[1] ? { service: m[1] } : {}), sidecar: m[2]! };
}

function parseExpose(v: string): { service: string; port: number } {
  const m = /^([^:\s]+):(\d{1,5})$/.exec(v);
  if (!m || Number(m[2]) < 1 || Number(m[2]) > 65535)
    throw new UsageError(`--expose ${v}: expected SERVICE:PORT (e.g. web:8080).`);
  return { service: m[1]!, port: Number(m[2]) };
}

function parseEfs(v: string): [string, string] {
  const m = /^([^=\s]+)=(\S+)$/.exec(v);
  if (!m) throw new UsageError(`--efs ${v}: expected VOLUME=FS_ID (e.g. db-data=fs-0123456789abcdef0).`);
  return [m[1]!, m[2]!];
}

const terminalPrompter: ComposePrompter = {
  async choose(question, choices) {
    const lines = choices.map((c, i) => `  ${i + 1}) ${c.label}`).join('\n');
    for (;;) {
      const answer = await ask(`${question}\n${lines}\nChoose 1-${choices.length} [1]: `);
      if (answer === undefined) return undefined;
      const n = answer.trim() === '' ? 1 : Number(answer.trim());
      if (Number.isInteger(n) && n >= 1 && n <= choices.length) return choices[n - 1]!.value;
    }
  },
  async ask(question, defaultAnswer) {
    const answer = await ask(`${question} `);
    if (answer === undefined) return undefined;
    return answer.trim() === '' ? defaultAnswer : answer.trim();
  },
};
