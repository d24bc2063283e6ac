import { BaseCommand, envFlag, EXIT_CODES_SECTION } from '../../base-command';
import { listServices, type ServiceList } from '../../ops/service';
import { formatList } from '../../ui/service-view';

export default class ServiceListCommand extends BaseCommand {
  static override summary = 'List the services of an environment: current release, tasks, rollout state.';
  static override description = `One line per service of the environment: its current release (image and the outcome of its rollout) and what ECS reports (running of desired tasks, pending ones, the primary deployment's rollout state, how many deployments are active). \`service status\` shows one service in detail.

${EXIT_CODES_SECTION}`;
  static override examples = [
    { description: 'Everything in prod', command: '<%= config.bin %> <%= command.id %> --env prod' },
    { description: 'For a script', command: '<%= config.bin %> <%= command.id %> --env prod --json' },
  ];
  static override enableJsonFlag = true;
  static override flags = {
    env: envFlag('Environment.', 'read'),
  };

  public async run(): Promise<ServiceList> {
    const { flags } = await this.parse(ServiceListCommand);
    const env = await this.environment(flags, 'read');
    const list = await listServices({ dir: flags.dir, env }, this.deps('serviceRead'));
    if (!this.jsonEnabled()) this.log(formatList(list));
    return list;
  }
}
