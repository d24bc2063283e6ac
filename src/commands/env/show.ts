import * as Args from '@oclif/core/args';
import { BaseCommand, EXIT_CODES_SECTION } from '../../base-command';
import { showEnvironment, type ShowResult } from '../../ops/environments';
import { formatShow } from '../../ui/env-view';

export default class EnvShow extends BaseCommand {
  static override summary =
    'Show an environment: its stacks and whether they are applied, its URLs, and the image each service runs.';
  static override description = `Works for permanent environments and environments on demand. Stacks: the environment's own (and, for an environment on demand on a shared cluster, the base's cluster it runs on), each with the number of resources in its Terraform state. URLs: where each HTTP service answers — NAME.<base domain> for an environment on demand, or the load balancer's DNS name with the header it needs. Images: each service's current release in this environment, else the image taken when the environment was created, else the configured one.

Read from the records, the state and the release store only: no engine, and no AWS call with local state.

${EXIT_CODES_SECTION}`;
  static override examples = [
    { description: 'An environment on demand', command: '<%= config.bin %> <%= command.id %> feature-login' },
    {
      description: 'Its URLs as JSON',
      command: "<%= config.bin %> <%= command.id %> pr-1234 --json | jq -r '.urls[].url'",
    },
  ];
  static override enableJsonFlag = true;
  static override args = {
    name: Args.string({ description: 'Environment name.', required: true }),
  };

  public async run(): Promise<ShowResult> {
    const { args, flags } = await this.parse(EnvShow);
    const result = await showEnvironment({ dir: flags.dir, name: args.name }, this.deps('environments'));
    if (!this.jsonEnabled()) this.log(formatShow(result, new Date()));
    return result;
  }
}
