import * as Args from '@oclif/core/args';
import * as Flags from '@oclif/core/flags';
import { BaseCommand, envFlag, EXIT_CODES_SECTION } from '../../base-command';
import { releaseHistory, type ReleaseHistory } from '../../ops/service';
import { formatHistory } from '../../ui/service-view';

export default class ServiceHistory extends BaseCommand {
  static override summary = 'Show the release ledger of a service in an environment, newest first.';
  static override description = `Every release recorded for the service in the environment (deploys, promotions, rollbacks): its number, when, the image and its digest, who, why, and how its rollout ended (pending, completed, failed, rolled back). The current release, the one that runs, is marked. The numbers are what \`service rollback --to\` takes. The ledger lives in the release store of ecsdeploy.yaml (releases:): .ecsdeploy/releases/ by default, or S3.

${EXIT_CODES_SECTION}`;
  static override examples = [
    { description: 'What ran in prod lately?', command: '<%= config.bin %> <%= command.id %> orders --env prod' },
    {
      description: 'The last 5, as JSON',
      command: '<%= config.bin %> <%= command.id %> orders --env prod --limit 5 --json',
    },
  ];
  static override enableJsonFlag = true;
  static override args = {
    service: Args.string({ description: 'Service.', required: true }),
  };
  static override flags = {
    env: envFlag('Environment.', 'read'),
    limit: Flags.integer({ char: 'n', summary: 'Show only the newest N releases.', min: 1 }),
  };

  public async run(): Promise<ReleaseHistory> {
    const { args, flags } = await this.parse(ServiceHistory);
    const env = await this.environment(flags, 'read');
    const history = await releaseHistory(
      {
        dir: flags.dir,
        env,
        service: args.service,
        ...(flags.limit ? { limit: flags.limit } : {}),
      },
      this.deps('serviceRead'),
    );
    if (!this.jsonEnabled()) this.log(formatHistory(history));
    return history;
  }
}
