import * as Args from '@oclif/core/args';
import * as Flags from '@oclif/core/flags';
import { BaseCommand, envFlag, EXIT_CODES_SECTION } from '../../base-command';
import { parseTimeout, rollbackService, type DeployResult } from '../../ops/service';
import { withDeliveryUi } from '../../ui/delivery-run';
import { formatDeploy } from '../../ui/service-view';

export default class ServiceRollback extends BaseCommand {
  static override summary =
    'Deploy again the image of an earlier release: the previous completed one, or the one named.';
  static override description = `Without --to: the newest release before the current one whose rollout completed and whose image differs from the current image. With --to: that release (see \`service history\` for the numbers). The rollback is a new release (recorded as a rollback to that release), deployed and watched exactly like \`service deploy\`: the stack is applied with that digest and the rollout followed to its end.

${EXIT_CODES_SECTION}
  (rollback: 0 only when the new deployment completed; 1 when it failed, was rolled back, or the timeout passed)`;
  static override examples = [
    {
      description: 'Back to the previous good release',
      command: '<%= config.bin %> <%= command.id %> orders --env prod',
    },
    { description: 'Back to release 12', command: '<%= config.bin %> <%= command.id %> orders --env prod --to 12' },
  ];
  static override enableJsonFlag = true;
  static override args = {
    service: Args.string({ description: 'Service to roll back.', required: true }),
  };
  static override flags = {
    'env': envFlag('Environment.', 'change'),
    'to': Flags.string({ summary: 'Release to go back to: its number (12 or #12), as `service history` lists it.' }),
    'message': Flags.string({ char: 'm', summary: 'Why (default: "rollback to release #N").' }),
    'wait': Flags.boolean({
      summary: 'Watch the rollout to its end (--no-wait: return once the stack is applied).',
      default: true,
      allowNo: true,
    }),
    'timeout': Flags.string({ summary: 'How long to watch the rollout, e.g. 20m, 1h.' }),
    'run-before': Flags.boolean({
      summary:
        "Run the service file's deployment.before commands again (they ran when that image was first deployed; by default a rollback skips them).",
    }),
  };

  public async run(): Promise<DeployResult> {
    const { args, flags } = await this.parse(ServiceRollback);
    const env = await this.environment(flags, 'change');
    const result = await withDeliveryUi({ json: this.jsonEnabled() }, (ui) =>
      rollbackService(
        {
          dir: flags.dir,
          env,
          service: args.service,
          ...(flags.to ? { to: flags.to } : {}),
          ...(flags.message ? { message: flags.message } : {}),
          wait: flags.wait,
          ...(flags.timeout ? { timeoutMs: parseTimeout(flags.timeout) } : {}),
          runBefore: flags['run-before'],
          ...ui,
        },
        this.deps('service'),
      ),
    );
    if (!this.jsonEnabled()) this.log(formatDeploy(result));
    return result;
  }
}
