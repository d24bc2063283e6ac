import * as Args from '@oclif/core/args';
import * as Flags from '@oclif/core/flags';
import { BaseCommand, EXIT_CODES_SECTION } from '../../base-command';
import { extendEnvironment, type ExtendResult } from '../../ops/environments';
import { formatExtend } from '../../ui/env-view';

export default class EnvExtend extends BaseCommand {
  static override summary = 'Push back the expiry of an environment on demand.';
  static override description = `Adds --ttl to the environment's expiry (to now, if it has already expired and \`env gc\` has not destroyed it yet). The new expiry may be at most the base's \`ephemeral.maxTtl\` from now (14d by default); beyond that the command refuses and says how much is left. Only the record changes: nothing is applied. The record is updated only if nobody changed it meanwhile, so an extend never brings back an environment that is being destroyed.

${EXIT_CODES_SECTION}`;
  static override examples = [
    { description: 'One more day', command: '<%= config.bin %> <%= command.id %> feature-login --ttl 24h' },
    {
      description: 'From CI, when a pull request gets a new commit',
      command: '<%= config.bin %> <%= command.id %> pr-1234 --ttl 2d --json',
    },
  ];
  static override enableJsonFlag = true;
  static override args = {
    name: Args.string({ description: 'Environment on demand to extend.', required: true }),
  };
  static override flags = {
    ttl: Flags.string({ summary: 'How much longer, e.g. 8h, 24h, 3d.', required: true }),
  };

  public async run(): Promise<ExtendResult> {
    const { args, flags } = await this.parse(EnvExtend);
    const result = await extendEnvironment(
      { dir: flags.dir, name: args.name, ttl: flags.ttl },
      this.deps('environments'),
    );
    if (!this.jsonEnabled()) this.log(formatExtend(result, new Date()));
    return result;
  }
}
