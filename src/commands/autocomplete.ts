import * as Args from '@oclif/core/args';
import * as Flags from '@oclif/core/flags';
import { BaseCommand } from '../base-command';
import type { Command } from '@oclif/core/command';
import type { Config } from '@oclif/core/config';

/**
 * Shell completion comes from `@oclif/plugin-autocomplete` (what oclif CLIs use), bundled by
 * scripts/bundle.js into dist/bundle/autocomplete.js and required only when an `autocomplete`
 * command runs. It is not declared as an oclif plugin: a plugin is loaded on every start (its
 * manifest read, its hooks registered), which would double the start-up of every command. Its 3.2
 * line is the last that runs on Node 20 (3.3 needs Node 22).
 */

type PluginCommand = 'index' | 'script' | 'create';

/** Runs one of the plugin's autocomplete commands with this CLI's config (the commands and flags it completes). */
export async function runAutocomplete(name: PluginCommand, argv: string[], config: Config): Promise<void> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded only by this command; built by `npm run build`.
  const commands = require('../../dist/bundle/autocomplete.js') as Record<PluginCommand, Command.Class>;
  await commands[name].run(argv, config);
}

export default class Autocomplete extends BaseCommand {
  static override summary = 'Set up tab completion of commands and flags for bash, zsh or PowerShell.';
  static override description = `Builds the completion cache (every command and flag of this version) and prints the one line to add to your shell's start-up file. Run it again with --refresh-cache after upgrading ecsdeploy.`;
  static override examples = [
    { description: 'Instructions for your shell ($SHELL)', command: '<%= config.bin %> <%= command.id %>' },
    {
      description: 'Bash: add completion to ~/.bashrc',
      command: 'printf "$(<%= config.bin %> autocomplete script bash)" >> ~/.bashrc; source ~/.bashrc',
    },
    { description: 'Zsh', command: '<%= config.bin %> <%= command.id %> zsh' },
    { description: 'After an upgrade', command: '<%= config.bin %> <%= command.id %> --refresh-cache' },
  ];
  static override args = {
    shell: Args.string({
      description: 'The shell: bash, zsh or powershell. Default: the one $SHELL names.',
      options: ['bash', 'zsh', 'powershell'],
      required: false,
    }),
  };
  static override flags = {
    'refresh-cache': Flags.boolean({
      char: 'r',
      summary: 'Rebuild the completion cache only (after an upgrade), without printing the instructions.',
    }),
  };

  public async run(): Promise<void> {
    const { args, flags } = await this.parse(Autocomplete);
    await runAutocomplete(
      'index',
      [...(args.shell ? [args.shell] : []), ...(flags['refresh-cache'] ? ['--refresh-cache'] : [])],
      this.config,
    );
  }
}
