import { spawn } from 'node:child_process';
import * as Args from '@oclif/core/args';
import * as Flags from '@oclif/core/flags';
import { BaseCommand, envFlag, EXIT_CODES_SECTION } from '../../base-command';
import { planExec, type ExecPlan } from '../../ops/task';

export default class ServiceExec extends BaseCommand {
  static override summary = 'Open a shell (or run a command) in a running task of a service with ECS Exec.';
  static override description = `Takes a RUNNING task of the task definition the service runs now (or --task), and the main container (or --container), and starts an interactive ECS Exec session: /bin/sh, or the words after --.

It needs enableExecuteCommand: true in the service file (ecsdeploy then grants the task role the ssmmessages actions and sets initProcessEnabled; deploy once after adding it), and the Session Manager plugin (session-manager-plugin) on your PATH. When either is missing it says what to add or install, before calling AWS.

The session runs through \`aws ecs execute-command\` when the AWS CLI is on PATH; without it, ecsdeploy calls ExecuteCommand itself and starts session-manager-plugin with the session, as the AWS CLI does. --print prints the equivalent aws line instead.

${EXIT_CODES_SECTION}
  (service exec: the session's exit code)`;
  static override examples = [
    {
      description: 'A shell in a task of orders in dev',
      command: '<%= config.bin %> <%= command.id %> orders --env dev',
    },
    {
      description: 'One command in a sidecar of a given task',
      command:
        '<%= config.bin %> <%= command.id %> orders --env dev --task 0a1b2c3d4e5f --container envoy -- cat /etc/envoy/envoy.yaml',
    },
    {
      description: 'Print the aws command instead',
      command: '<%= config.bin %> <%= command.id %> orders --env prod --print',
    },
  ];
  static override strict = false;
  static override enableJsonFlag = true;
  static override args = {
    service: Args.string({
      description: 'Service (a file services/<name>.yaml). A command may follow --.',
      required: true,
    }),
  };
  static override flags = {
    env: envFlag('Environment.', 'read'),
    task: Flags.string({ char: 't', summary: 'Task id or ARN (default: a running task of the current release).' }),
    container: Flags.string({ char: 'c', summary: 'Container (default: the main container).' }),
    print: Flags.boolean({ summary: 'Print the equivalent `aws ecs execute-command` line; start nothing.' }),
  };

  public async run(): Promise<ExecPlan | undefined> {
    const { args, argv, flags } = await this.parse(ServiceExec);
    const env = await this.environment(flags, 'read');
    const command = (argv as string[]).slice(1);
    const plan = await planExec(
      {
        dir: flags.dir,
        env,
        service: args.service,
        ...(flags.task !== undefined ? { task: flags.task } : {}),
        ...(flags.container !== undefined ? { container: flags.container } : {}),
        ...(command.length ? { command } : {}),
        print: flags.print,
      },
      this.deps('task'),
    );
    if (plan.spawn === undefined) {
      if (!this.jsonEnabled()) this.log(plan.awsCli);
      return plan;
    }
    this.logToStderr(
      `ECS Exec into ${plan.taskArn.slice(plan.taskArn.lastIndexOf('/') + 1)} (${plan.container}) through ${plan.spawn.via}: ${plan.command}`,
    );
    const { file, args: spawnArgs } = plan.spawn;
    const code = await new Promise<number>((resolve) => {
      // The session owns the terminal; Ctrl-C goes to it, not to us.
      const ignore = () => undefined;
      process.on('SIGINT', ignore);
      const child = spawn(file, [...spawnArgs], { stdio: 'inherit' });
      child.on('error', (err) => {
        this.logToStderr(`Could not start ${file}: ${err.message}`);
        resolve(1);
      });
      child.on('close', (c) => {
        process.off('SIGINT', ignore);
        resolve(c ?? 1);
      });
    });
    return this.exit(code);
  }
}
