import * as Flags from '@oclif/core/flags';
import { BaseCommand, EXIT_CODES_SECTION } from '../../base-command';
import { importService, type ImportResult } from '../../ops/adopt';
import { formatImport } from '../../ui/import-view';

export default class ImportService extends BaseCommand {
  static override summary =
    'Write a service file that takes over an ECS service running outside ecsdeploy, without replacing it.';
  static override description = `Reads the live ECS service, its task definition, its target group and the listener rule that forwards to it, its Application Auto Scaling target and target tracking policies, and its log group, in the region (and endpoint) of --env, and writes services/<name>.yaml (name: --name, else the ECS service name) that reproduces them.

What every environment shares goes at the top of the file; what belongs to --env goes under environments.<env>: the desired count, scaling, the subnets and security groups, and \`adopt:\`, which names the running service, cluster, task definition family, target group, listener rule, scaling policies and log group. The first \`ecsdeploy plan --env ENV\` then imports them and shows in-place updates, never a replacement of the running service; they keep their names afterwards.

The table says what each field became: mapped, approximated (and how), through \`overrides:\` (no key says it), replaced (the execution role and the Service Connect namespace are ecsdeploy's), or not imported. The file is checked as \`ecsdeploy config validate\` would before it is written; an existing file is kept unless --force, and --dry-run prints it instead. The next steps name the environment keys to set (cluster.existing, loadBalancer.existing) when the environment file lacks them. docs/adoption.md has the mapping field by field.

${EXIT_CODES_SECTION}`;
  static override examples = [
    {
      description: 'Take over the orders service of the shop cluster in prod',
      command: '<%= config.bin %> <%= command.id %> --cluster shop --service orders --env prod',
    },
    {
      description: 'See the file and the mapping first',
      command:
        '<%= config.bin %> <%= command.id %> --cluster shop --service orders-api-v2 --env prod --name orders --dry-run',
    },
  ];
  static override enableJsonFlag = true;
  static override flags = {
    'cluster': Flags.string({
      summary: 'The ECS cluster the service runs on (name or ARN).',
      required: true,
      helpValue: 'CLUSTER',
    }),
    'service': Flags.string({ summary: 'The ECS service name.', required: true, helpValue: 'NAME' }),
    'env': Flags.string({
      char: 'e',
      summary:
        'The environment it runs in: its region, endpoint and credentials read it, and the file gets environments.<env>.',
      required: true,
      helpValue: 'NAME',
    }),
    'name': Flags.string({
      char: 'n',
      summary: 'Service name: the file services/<name>.yaml (default: from the ECS service name).',
      helpValue: 'NAME',
    }),
    'force': Flags.boolean({ summary: 'Overwrite services/<name>.yaml if it exists.' }),
    'dry-run': Flags.boolean({ summary: 'Print the file and the table; write nothing.' }),
  };

  public async run(): Promise<ImportResult> {
    const { flags } = await this.parse(ImportService);
    const result = await importService({
      dir: flags.dir,
      cluster: flags.cluster,
      service: flags.service,
      env: flags.env,
      ...(flags.name !== undefined ? { name: flags.name } : {}),
      force: flags.force,
      dryRun: flags['dry-run'],
      ...(this.jsonEnabled() ? {} : { onProgress: (line: string) => this.logToStderr(line) }),
    });
    if (!this.jsonEnabled()) this.log(formatImport(result));
    return result;
  }
}
