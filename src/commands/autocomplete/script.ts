import * as Args from '@oclif/core/args';
import { BaseCommand } from '../../base-command';
import { runAutocomplete } from '../autocomplete';

export default class AutocompleteScript extends BaseCommand {
  static override hidden = true;
  static override summary = "Print the line that loads completion in a shell's start-up file.";
  static override args = {
    shell: Args.string({
      description: 'bash, zsh or powershell',
      options: ['bash', 'zsh', 'powershell'],
      required: true,
    }),
  };

  public async run(): Promise<void> {
    const { args } = await this.parse(AutocompleteScript);
    // The line sources the cache that `autocomplete` builds: build it first so the line always works.
    await runAutocomplete('create', [], this.config);
    await runAutocomplete('script', [args.shell], this.config);
  }
}
