import * as Args from '@oclif/core/args';
import * as Flags from '@oclif/core/flags';
import { BaseCommand, envFlag, EXIT_CODES_SECTION } from '../../base-command';
import { jobHistory, type JobHistory as History } from '../../ops/jobs';
import { formatHistory } from '../../ui/service-view';

export default class JobHistory extends BaseCommand {
  static override summary = 'Show the release ledger of a scheduled job in an environment, newest first.';
  static override description = `Every release recorded for the job in the environment (deploys and promotions): its number, when, the image and its digest, who, why, and whether its stack was applied. The ledger sits next to the services' in the release store (key jobs/<job>).

${EXIT_CODES_SECTION}`;
  static override examples = [
    {
      description: 'What was released in prod lately?',
      command: '<%= config.bin %> <%= command.id %> nightly-report --env prod',
    },
  ];
  static override enableJsonFlag = true;
  static override args = {
    job: Args.string({ description: 'Job.', required: true }),
  };
  static override flags = {
    env: envFlag('Environment.', 'read'),
    limit: Flags.integer({ char: 'n', summary: 'Show only the newest N releases.', min: 1 }),
  };

  public async run(): Promise<History> {
    const { args, flags } = await this.parse(JobHistory);
    const env = await this.environment(flags, 'read');
    const history = await jobHistory(
      {
        dir: flags.dir,
        env,
        job: args.job,
        ...(flags.limit ? { limit: flags.limit } : {}),
      },
      this.deps('job'),
    );
    if (!this.jsonEnabled()) this.log(formatHistory(history));
    return history;
  }
}
