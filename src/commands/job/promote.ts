import * as Args from '@oclif/core/args';
import * as Flags from '@oclif/core/flags';
import { BaseCommand, EXIT_CODES_SECTION } from '../../base-command';
import { promoteJob, type JobDeployResult } from '../../ops/jobs';
import { withDeliveryUi } from '../../ui/delivery-run';
import { formatJobDeploy } from '../../ui/job-view';

export default class JobPromote extends BaseCommand {
  static override summary = "Release to one environment exactly the image of a job's latest release in another.";
  static override description = `Takes the latest release of the job in --from and deploys its digest to --to: a new release there (recorded as promoted from that release) and the <to>-job-<job> stack applied, as \`job deploy\` does. Only a release whose stack was applied in --from is promoted, unless --force.

${EXIT_CODES_SECTION}`;
  static override examples = [
    {
      description: 'Promote the report job from dev to prod',
      command: '<%= config.bin %> <%= command.id %> nightly-report --from dev --to prod',
    },
  ];
  static override enableJsonFlag = true;
  static override args = {
    job: Args.string({ description: 'Job to promote.', required: true }),
  };
  static override flags = {
    from: Flags.string({ summary: 'Environment whose latest release is promoted.', required: true }),
    to: Flags.string({ summary: 'Environment to deploy it to.', required: true }),
    message: Flags.string({ char: 'm', summary: 'Why (default: "promoted from <env> release #N").' }),
    force: Flags.boolean({ summary: 'Promote even when the latest release in --from was not applied.' }),
  };

  public async run(): Promise<JobDeployResult> {
    const { args, flags } = await this.parse(JobPromote);
    const result = await withDeliveryUi({ json: this.jsonEnabled() }, (ui) =>
      promoteJob(
        {
          dir: flags.dir,
          job: args.job,
          from: flags.from,
          to: flags.to,
          ...(flags.message ? { message: flags.message } : {}),
          force: flags.force,
          onEvent: ui.onEvent,
          signal: ui.signal,
        },
        this.deps('job'),
      ),
    );
    if (!this.jsonEnabled()) this.log(formatJobDeploy(result));
    return result;
  }
}
