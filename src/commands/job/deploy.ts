import * as Args from '@oclif/core/args';
import * as Flags from '@oclif/core/flags';
import { BaseCommand, envFlag, EXIT_CODES_SECTION } from '../../base-command';
import { deployJob, type JobDeployResult } from '../../ops/jobs';
import { withDeliveryUi } from '../../ui/delivery-run';
import { formatJobDeploy } from '../../ui/job-view';

export default class JobDeploy extends BaseCommand {
  static override summary = 'Release an image of a scheduled job to an environment: its schedule runs it from then on.';
  static override description = `Resolves --image to an immutable digest (a tag of the job's ECR repository <project>/jobs/<job> is looked up in ECR; a digest or a full repo@sha256:... reference is taken as it is), records a new release in the job's ledger (the image, its digest, who, when, --message), and applies only the <env>-job-<job> stack: the task definition with that image and the schedule that runs it. The release is completed once the stack is applied; what the runs do, \`job list\` shows.

Without --image, it deploys the image the job file names for that environment (image.tag or image.digest, after its environments.<env> overrides). Without --env, the default environment (never a protected one).

${EXIT_CODES_SECTION}`;
  static override examples = [
    {
      description: 'Release the image tagged with a git SHA to dev',
      command: '<%= config.bin %> <%= command.id %> nightly-report --env dev --image 3f9c2ab',
    },
    {
      description: 'Release the image the job file names for prod',
      command: '<%= config.bin %> <%= command.id %> nightly-report --env prod',
    },
  ];
  static override enableJsonFlag = true;
  static override args = {
    job: Args.string({ description: 'Job to deploy (a file jobs/<name>.yaml).', required: true }),
  };
  static override flags = {
    'env': envFlag('Environment to deploy to.', 'change'),
    'image': Flags.string({
      char: 'i',
      summary:
        "Image: a tag of the job's ECR repository, sha256:<digest>, or <repository>@sha256:<digest>. Default: the job file's image.tag or image.digest for the environment.",
    }),
    'message': Flags.string({ char: 'm', summary: 'Why: recorded with the release (and shown by job history).' }),
    'allow-mutable-tag': Flags.boolean({
      summary: 'Accept a tag such as latest or prod (it is still pinned to its digest now).',
    }),
  };

  public async run(): Promise<JobDeployResult> {
    const { args, flags } = await this.parse(JobDeploy);
    const env = await this.environment(flags, 'change');
    const result = await withDeliveryUi({ json: this.jsonEnabled() }, (ui) =>
      deployJob(
        {
          dir: flags.dir,
          env,
          job: args.job,
          ...(flags.image !== undefined ? { image: flags.image } : {}),
          ...(flags.message ? { message: flags.message } : {}),
          allowMutableTag: flags['allow-mutable-tag'],
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
