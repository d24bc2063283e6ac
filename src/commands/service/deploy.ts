import * as Args from '@oclif/core/args';
import * as Flags from '@oclif/core/flags';
import { BaseCommand, envFlag, EXIT_CODES_SECTION } from '../../base-command';
import { deployService, parseTimeout, type DeployResult } from '../../ops/service';
import { withDeliveryUi } from '../../ui/delivery-run';
import { formatDeploy } from '../../ui/service-view';

export default class ServiceDeploy extends BaseCommand {
  static override summary = 'Deploy an image of a service to an environment and watch the rollout to its end.';
  static override description = `Resolves --image to an immutable digest (a tag of the service's ECR repository is looked up in ECR; a digest or a full repo@sha256:... reference is taken as it is), records a new release (the image, its digest, who, when, --message, the release it replaces), applies only the <env>-<service> stack, and watches the rollout until ECS says how it ended.

Without --image, it deploys the image the service file names for that environment (image.tag or image.digest, after the file's environments.<env> overrides), resolved to its digest the same way: in a GitOps flow the file is the source of truth, and a commit that changes image.tag is deployed by \`ecsdeploy service deploy SERVICE --env ENV\`.

Without --env, it takes the environment of ECSDEPLOY_ENV, else defaultEnvironment in ecsdeploy.yaml, else the project's only environment, and says which; never a protected environment, which must be typed.

Rolling services: ecsdeploy follows its own ECS deployment, showing the deployments (primary / active), running / pending / desired tasks, the rollout state, new service events, and why failed tasks stopped. It succeeds only when that deployment is PRIMARY, COMPLETED and runs the desired number of tasks. If the circuit breaker rolls it back, the command says so, with ECS's reasons, exits 1, records the release as rolled back, and applies the stack again so that Terraform says what runs again.

Blue-green, canary and linear services: the stack registers the new task definition, then ecsdeploy creates the CodeDeploy deployment with its AppSpec and watches its lifecycle events and traffic shifting until CodeDeploy reports it succeeded, failed or rolled back. Ctrl-C asks whether to stop the deployment and roll it back; only a yes does.

Before anything changes, it runs the checks of \`ecsdeploy verify\` for the service (the image exists and offers the task's platform, secrets and environment files exist and the execution role may read them, roles, target group, capacity, account); a problem stops it with exit 1 and nothing changed. --no-verify skips them.

Tags that move (latest, prod, stable, an environment's name, ...) are refused unless --allow-mutable-tag: a release must say exactly which image runs. When two deploys of one service start together, one records its release and the other stops with a conflict, having changed nothing.

A service taken over with \`ecsdeploy import service\` (adopt: in its file) is never replaced by a deploy: if the plan of its stack would replace or destroy the ECS service, deploy stops before applying anything (exit 1) and says which attribute forces it, unless --allow-replace.

When --timeout passes first, the command exits 1 saying what still runs; the rollout goes on, and \`ecsdeploy service watch\` watches it again. With --no-wait it returns once the stack is applied.

${EXIT_CODES_SECTION}
  (deploy: 0 only when the new deployment completed; 1 when it failed, was rolled back, or the timeout passed)`;
  static override examples = [
    {
      description:
        'Deploy the image services/orders.yaml names for prod (image.tag, after its environments.prod overrides), pinned to its digest',
      command: '<%= config.bin %> <%= command.id %> orders --env prod',
    },
    {
      description: 'Deploy the image tagged with a git SHA to dev',
      command: '<%= config.bin %> <%= command.id %> orders --env dev --image 3f9c2ab',
    },
    {
      description: 'Deploy by digest, saying why, waiting up to 30 minutes',
      command:
        '<%= config.bin %> <%= command.id %> orders --env prod --image sha256:4d5e... --message "fix rounding" --timeout 30m',
    },
    {
      description: 'In a pipeline: apply and return, JSON for the next step',
      command: '<%= config.bin %> <%= command.id %> orders --env dev --image 1.4.3 --no-wait --json',
    },
  ];
  static override enableJsonFlag = true;
  static override args = {
    service: Args.string({ description: 'Service to deploy (a file services/<name>.yaml).', required: true }),
  };
  static override flags = {
    'env': envFlag('Environment to deploy to.', 'change'),
    'image': Flags.string({
      char: 'i',
      summary:
        "Image: a tag of the service's ECR repository, sha256:<digest>, or <repository>@sha256:<digest>. Default: the service file's image.tag or image.digest for the environment.",
    }),
    'message': Flags.string({ char: 'm', summary: 'Why: recorded with the release (and shown by service history).' }),
    'wait': Flags.boolean({
      summary: 'Watch the rollout to its end (--no-wait: return once the stack is applied).',
      default: true,
      allowNo: true,
    }),
    'timeout': Flags.string({
      summary:
        'How long to watch the rollout, e.g. 20m, 1h (default: 20m, plus traffic shifting and termination wait for CodeDeploy).',
    }),
    'allow-mutable-tag': Flags.boolean({
      summary: 'Accept a tag such as latest or prod (it is still pinned to its digest now).',
    }),
    'allow-replace': Flags.boolean({
      summary: 'Apply even if the plan replaces or destroys an adopted ECS service (adopt: in the service file).',
    }),
    'verify': Flags.boolean({
      summary:
        'First run the checks of `ecsdeploy verify` for this service; a problem stops the deploy with nothing changed (--no-verify skips them).',
      default: true,
      allowNo: true,
    }),
  };

  public async run(): Promise<DeployResult> {
    const { args, flags } = await this.parse(ServiceDeploy);
    const env = await this.environment(flags, 'change');
    const result = await withDeliveryUi({ json: this.jsonEnabled() }, (ui) =>
      deployService(
        {
          dir: flags.dir,
          env,
          service: args.service,
          ...(flags.image !== undefined ? { image: flags.image } : {}),
          ...(flags.message ? { message: flags.message } : {}),
          wait: flags.wait,
          ...(flags.timeout ? { timeoutMs: parseTimeout(flags.timeout) } : {}),
          allowMutableTag: flags['allow-mutable-tag'],
          ...(flags['allow-replace'] ? { allowReplace: true } : {}),
          verify: flags.verify,
          ...ui,
        },
        this.deps('service'),
      ),
    );
    if (!this.jsonEnabled()) this.log(formatDeploy(result));
    return result;
  }
}
