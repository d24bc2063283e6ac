import * as Args from '@oclif/core/args';
import * as Flags from '@oclif/core/flags';
import { BaseCommand, envFlag, EXIT_CODES_SECTION } from '../../base-command';
import { serviceStatus, type ServiceStatus } from '../../ops/service';
import { formatStatus } from '../../ui/service-view';

export default class ServiceStatusCommand extends BaseCommand {
  static override summary = 'Show the current release of a service next to what ECS runs.';
  static override description = `The current release (image, digest, outcome of its rollout, who and when) and, from ECS: desired / running / pending tasks, the deployments with their rollout state, the image the service runs, the health of its load-balancer targets, and the latest service events. Disagreements are spelled out: ECS running another image than the release, a rollout still pending, unhealthy targets.

${EXIT_CODES_SECTION}`;
  static override examples = [
    { description: 'How is orders doing in prod?', command: '<%= config.bin %> <%= command.id %> orders --env prod' },
    {
      description: 'As JSON, with the last 50 events',
      command: '<%= config.bin %> <%= command.id %> orders --env prod --events 50 --json',
    },
  ];
  static override enableJsonFlag = true;
  static override args = {
    service: Args.string({ description: 'Service.', required: true }),
  };
  static override flags = {
    env: envFlag('Environment.', 'read'),
    events: Flags.integer({ summary: 'Latest service events to show.', default: 10, min: 0, max: 100 }),
  };

  public async run(): Promise<ServiceStatus> {
    const { args, flags } = await this.parse(ServiceStatusCommand);
    const env = await this.environment(flags, 'read');
    const status = await serviceStatus(
      { dir: flags.dir, env, service: args.service, events: flags.events },
      this.deps('serviceRead'),
    );
    if (!this.jsonEnabled()) this.log(formatStatus(status));
    return status;
  }
}
