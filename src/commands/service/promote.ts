import * as Args from '@oclif/core/args';
import * as Flags from '@oclif/core/flags';
import { BaseCommand, EXIT_CODES_SECTION } from '../../base-command';
import { parseTimeout, promoteService, type DeployResult } from '../../ops/service';
import { withDeliveryUi } from '../../ui/delivery-run';
import { formatDeploy } from '../../ui/service-view';

export default class ServicePromote extends BaseCommand {
  static override summary = 'Deploy to one environment exactly the image whose rollout completed in another.';
  static override description = `Takes the latest release of the service in --from and deploys its digest, byte for byte the same image, to --to: a new release there (recorded as promoted from that release), the <to>-<service> stack applied, the rollout watched to its end exactly as \`service deploy\` does. The ECR repository is shared by every environment, so nothing is copied or rebuilt.

Only what is proven is promoted: when the latest rollout in --from did not complete (it failed, was rolled back, or is still pending), promote refuses, unless --force.

Before anything changes, it runs the checks of \`ecsdeploy verify\` for the service in --to; a problem stops it with exit 1 and nothing changed. --no-verify skips them.

${EXIT_CODES_SECTION}
  (promote: 0 only when the new deployment completed; 1 when it failed, was rolled back, or the timeout passed)`;
  static override examples = [
    {
      description: 'Promote what runs in dev to prod',
      command: '<%= config.bin %> <%= command.id %> orders --from dev --to prod',
    },
    {
      description: 'Promote from staging even though its last rollout is still pending',
      command: '<%= config.bin %> <%= command.id %> orders --from staging --to prod --force',
    },
  ];
  static override enableJsonFlag = true;
  static override args = {
    service: Args.string({ description: 'Service to promote.', required: true }),
  };
  static override flags = {
    from: Flags.string({ summary: 'Environment whose latest completed release is promoted.', required: true }),
    to: Flags.string({ summary: 'Environment to deploy it to.', required: true }),
    message: Flags.string({ char: 'm', summary: 'Why (default: "promoted from <env> release #N").' }),
    force: Flags.boolean({ summary: 'Promote even when the latest rollout in --from did not complete.' }),
    wait: Flags.boolean({
      summary: 'Watch the rollout to its end (--no-wait: return once the stack is applied).',
      default: true,
      allowNo: true,
    }),
    timeout: Flags.string({ summary: 'How long to watch the rollout, e.g. 20m, 1h.' }),
    verify: Flags.boolean({
      summary:
        'First run the checks of `ecsdeploy verify` for this service in --to; a problem stops the promote with nothing changed (--no-verify skips them).',
      default: true,
      allowNo: true,
    }),
  };

  public async run(): Promise<DeployResult> {
    const { args, flags } = await this.parse(ServicePromote);
    const result = await withDeliveryUi({ json: this.jsonEnabled() }, (ui) =>
      promoteService(
        {
          dir: flags.dir,
          service: args.service,
          from: flags.from,
          to: flags.to,
          ...(flags.message ? { message: flags.message } : {}),
          force: flags.force,
          wait: flags.wait,
          verify: flags.verify,
          ...(flags.timeout ? { timeoutMs: parseTimeout(flags.timeout) } : {}),
          ...ui,
        },
        this.deps('service'),
      ),
    );
    if (!this.jsonEnabled()) this.log(formatDeploy(result));
    return result;
  }
}
