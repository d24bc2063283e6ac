import * as Args from '@oclif/core/args';
import * as Flags from '@oclif/core/flags';
import { BaseCommand, EXIT_CODES_SECTION } from '../../base-command';
import { importTaskDefinition, type ImportResult } from '../../ops/adopt';
import { formatImport } from '../../ui/import-view';

export default class ImportTaskDefinition extends BaseCommand {
  static override summary =
    'Write a service file from an ECS task definition: a JSON file, or a registered revision by ARN.';
  static override description = `For teams that keep task definitions as JSON. FILE is what \`aws ecs describe-task-definition\` prints ({"taskDefinition": ..., "tags": ...}), a bare task definition, or \`aws ecs register-task-definition\` input JSON; an ARN is read with DescribeTaskDefinition in the region (and endpoint) of --env.

The essential container with a port becomes the main container (the file's top-level keys), the others sidecars. Container fields map 1:1 to keys of the same name; the task's cpu, memory, network mode, runtime platform, storage, volumes, PID/IPC mode and task role (kept by ARN) too. The image is split into image.repository and image.tag or image.digest. What no key says goes into \`overrides:\` on the task definition, and the table lists it; the execution role and family are replaced by ecsdeploy's own (derived, least privilege).

The file is checked as \`ecsdeploy config validate\` would before it is written to services/<name>.yaml (name: --name, else the family); an existing file is kept unless --force. --dry-run prints it instead. docs/adoption.md has the mapping field by field. To take over a service that runs, use \`ecsdeploy import service\`.

${EXIT_CODES_SECTION}`;
  static override examples = [
    {
      description: 'Import a task definition saved as JSON',
      command:
        'aws ecs describe-task-definition --task-definition orders:42 --include TAGS > orders.json\n<%= config.bin %> <%= command.id %> orders.json',
    },
    {
      description: 'Under another name, printing the file without writing it',
      command: '<%= config.bin %> <%= command.id %> taskdef.json --name orders --dry-run',
    },
    {
      description: 'A registered revision, read in the region of dev',
      command:
        '<%= config.bin %> <%= command.id %> arn:aws:ecs:eu-west-1:123456789012:task-definition/orders:42 --env dev',
    },
  ];
  static override enableJsonFlag = true;
  static override args = {
    source: Args.string({ description: 'A task definition JSON file, or a task definition ARN.', required: true }),
  };
  static override flags = {
    'name': Flags.string({
      char: 'n',
      summary: 'Service name: the file services/<name>.yaml (default: from the family).',
      helpValue: 'NAME',
    }),
    'env': Flags.string({
      char: 'e',
      summary: 'For an ARN: the environment whose region, endpoint and credentials read it.',
      helpValue: 'NAME',
    }),
    'force': Flags.boolean({ summary: 'Overwrite services/<name>.yaml if it exists.' }),
    'dry-run': Flags.boolean({ summary: 'Print the file and the table; write nothing.' }),
  };

  public async run(): Promise<ImportResult> {
    const { args, flags } = await this.parse(ImportTaskDefinition);
    const result = await importTaskDefinition({
      dir: flags.dir,
      source: args.source,
      ...(flags.name !== undefined ? { name: flags.name } : {}),
      ...(flags.env !== undefined ? { env: flags.env } : {}),
      force: flags.force,
      dryRun: flags['dry-run'],
      ...(this.jsonEnabled() ? {} : { onProgress: (line: string) => this.logToStderr(line) }),
    });
    if (!this.jsonEnabled()) this.log(formatImport(result));
    return result;
  }
}
