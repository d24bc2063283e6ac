import { BaseCommand, EXIT_CODES_SECTION } from '../../base-command';
import { listEnvironments, type ListResult } from '../../ops/environments';
import { formatList } from '../../ui/env-view';

export default class EnvList extends BaseCommand {
  static override summary =
    'List the permanent environments and the environments on demand, with their owners and expiry.';
  static override description = `Permanent environments are the files in environments/; environments on demand are the records that \`env create\` keeps next to the Terraform state (.ecsdeploy/environments/, or the state bucket with an S3 backend), so every member of the team and CI see the same list.

For each environment on demand: its base, owner, age, expiry, services and status — creating, ready, failed (a create that did not finish: \`env destroy\` cleans it up), destroying (a destroy that did not finish: run it again) or expired (\`env gc\` destroys it). Nothing is asked of AWS or the engine: the status is what the record says.

${EXIT_CODES_SECTION}`;
  static override examples = [
    { description: 'Every environment', command: '<%= config.bin %> <%= command.id %>' },
    {
      description: 'As JSON, e.g. the names of expired ones',
      command:
        "<%= config.bin %> <%= command.id %> --json | jq -r '.environments[] | select(.onDemand.expired) | .name'",
    },
  ];
  static override enableJsonFlag = true;

  public async run(): Promise<ListResult> {
    const { flags } = await this.parse(EnvList);
    const result = await listEnvironments({ dir: flags.dir }, this.deps('environments'));
    if (!this.jsonEnabled()) this.log(formatList(result));
    return result;
  }
}
