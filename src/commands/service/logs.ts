import * as Args from '@oclif/core/args';
import * as Flags from '@oclif/core/flags';
import { BaseCommand, envFlag, EXIT_CODES_SECTION } from '../../base-command';
import { parseTimeout, serviceLogs } from '../../ops/service';
import { formatLogLine } from '../../ui/service-view';

export default class ServiceLogs extends BaseCommand {
  static override summary = "Print a service's CloudWatch logs; --follow for new lines as they arrive.";
  static override description = `Reads the service's log group (/ecs/<project>/<env>/<service>), the streams of its own container (--all-containers: sidecars too), from --since ago, oldest first: time, task id, message. With --follow it keeps printing new lines until Ctrl-C. With --json each line is a JSON object (one per line).

${EXIT_CODES_SECTION}`;
  static override examples = [
    { description: 'The last 10 minutes', command: '<%= config.bin %> <%= command.id %> orders --env dev' },
    {
      description: 'The last hour, then follow',
      command: '<%= config.bin %> <%= command.id %> orders --env prod --since 1h --follow',
    },
  ];
  static override args = {
    service: Args.string({ description: 'Service.', required: true }),
  };
  static override flags = {
    'env': envFlag('Environment.', 'read'),
    'since': Flags.string({ summary: 'How far back to start, e.g. 10m, 2h.', default: '10m' }),
    'follow': Flags.boolean({ char: 'f', summary: 'Keep printing new lines until Ctrl-C.' }),
    'all-containers': Flags.boolean({ summary: "Every container's streams, sidecars too." }),
    'json': Flags.boolean({ summary: 'One JSON object per line.' }),
  };

  public async run(): Promise<void> {
    const { args, flags } = await this.parse(ServiceLogs);
    const env = await this.environment(flags, 'read');
    const stop = new AbortController();
    const onSignal = () => stop.abort();
    process.on('SIGINT', onSignal);
    try {
      const lines = serviceLogs(
        {
          dir: flags.dir,
          env,
          service: args.service,
          sinceMs: parseTimeout(flags.since, '--since'),
          follow: flags.follow,
          allContainers: flags['all-containers'],
          signal: stop.signal,
        },
        this.deps('serviceRead'),
      );
      for await (const e of lines) this.log(flags.json ? JSON.stringify(e) : formatLogLine(e));
    } finally {
      process.off('SIGINT', onSignal);
    }
  }
}
