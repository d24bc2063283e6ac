import * as Args from '@oclif/core/args';
import * as Flags from '@oclif/core/flags';
import { BaseCommand, envFlag, EXIT_CODES_SECTION } from '../base-command';
import { verifyEnvironment, type VerifyReport } from '../ops/verify';
import { formatVerify } from '../ui/verify-view';

export default class Verify extends BaseCommand {
  static override summary = 'Check, without changing anything, what would make a deploy fail after it started.';
  static override description = `For each service (all of the environment's when none is named), with the image \`service deploy SERVICE --env ENV\` would deploy (--image, else the service file's image.tag or image.digest, resolved to its digest in ECR):

  image            every container's image exists in ECR (by digest)
  platform         its manifest list, OCI index or config blob offers the task's platform (runtimePlatform; on EC2, the instance types' architecture)
  secret           every SSM parameter and Secrets Manager secret exists (metadata only: no value is read)
  environment-file every environmentFiles S3 object exists
  read-permission  the execution role may read each of them (IAM policy simulation of its policies plus the grants the apply writes)
  role             the execution and task roles exist (after the first apply) and ECS tasks may assume them
  target-group     the load balancer's target group forwards HTTP to the container's port, and the health check has a path
  capacity         Fargate offers the task's size, or the largest EC2 instance type of the cluster can hold it
  account          the credentials belong to the environment's account:

One line per check: ok, PROBLEM, or "not checked" with the reason (an image outside ECR, a role not created yet, an API the endpoint does not offer). \`service deploy\` and \`service promote\` run these checks for their service before anything changes (--no-verify skips them).

${EXIT_CODES_SECTION}
  (verify: 0 when no check found a problem, "not checked" included; 1 when one did)`;
  static override examples = [
    { description: 'Check every service of prod', command: '<%= config.bin %> <%= command.id %> --env prod' },
    {
      description: 'Check orders and payments in dev',
      command: '<%= config.bin %> <%= command.id %> orders payments --env dev',
    },
    {
      description: 'Check an image before deploying it, as JSON for a pipeline',
      command: '<%= config.bin %> <%= command.id %> orders --env dev --image 1.4.3 --json',
    },
  ];
  static override enableJsonFlag = true;
  static override strict = false;
  static override args = {
    services: Args.string({
      description: 'Services to check (files services/<name>.yaml); default: every service of the environment.',
    }),
  };
  static override flags = {
    env: envFlag('Environment to check.', 'read'),
    image: Flags.string({
      char: 'i',
      summary:
        "The image to check for the one SERVICE named, as `service deploy --image` takes it: a tag of the service's ECR repository, sha256:<digest>, or <repository>@sha256:<digest>.",
    }),
  };

  public async run(): Promise<VerifyReport> {
    const { argv, flags } = await this.parse(Verify);
    const env = await this.environment(flags, 'read');
    const report = await verifyEnvironment({
      dir: flags.dir,
      env,
      services: argv as string[],
      ...(flags.image !== undefined ? { image: flags.image } : {}),
    });
    if (report.problems > 0) {
      if (this.jsonEnabled()) this.logJson(report);
      else this.log(formatVerify(report));
      return this.exit(1);
    }
    if (!this.jsonEnabled()) this.log(formatVerify(report));
    return report;
  }
}
