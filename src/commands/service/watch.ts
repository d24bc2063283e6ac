import * as Args from '@oclif/core/args';
import * as Flags from '@oclif/core/flags';
import { BaseCommand, envFlag, EXIT_CODES_SECTION } from '../../base-command';
import { parseTimeout, watchService, type DeployResult } from '../../ops/service';
import { withDeliveryUi } from '../../ui/delivery-run';
import { formatDeploy } from '../../ui/service-view';

export default class ServiceWatch extends BaseCommand {
  static override summary = 'Watch the rollout of the current release again, to its end, and record how it ended.';
  static override description = `For a release whose rollout was not watched to its end (deploy --no-wait, a timeout, Ctrl-C): follows its ECS or CodeDeploy deployment exactly as \`service deploy\` does, and records the outcome in the release (completed, failed or rolled back). A release whose outcome is already known is reported as it is.

${EXIT_CODES_SECTION}
  (watch: 0 when the deployment completed; 1 when it failed, was rolled back, or the timeout passed again)`;
  static override examples = [
    {
      description: 'Keep watching a rollout that timed out',
      command: '<%= config.bin %> <%= command.id %> orders --env prod',
    },
    {
      description: 'Watch for up to an hour',
      command: '<%= config.bin %> <%= command.id %> payments --env prod --timeout 1h',
    },
  ];
  static override enableJsonFlag = true;
  static override args = {
    service: Args.string({ description: 'Service to watch.', required: true }),
  };
  static override flags = {
    env: envFlag('Environment.', 'read'),
    timeout: Flags.string({ summary: 'How long to watch, e.g. 20m, 1h.' }),
  };

  public async run(): Promise<DeployResult> {
    const { args, flags } = await this.parse(ServiceWatch);
    const env = await this.environment(flags, 'read');
    const result = await withDeliveryUi({ json: this.jsonEnabled() }, (ui) =>
      watchService(
        {
          dir: flags.dir,
          env,
          service: args.service,
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
