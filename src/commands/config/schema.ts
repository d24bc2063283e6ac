import * as Args from '@oclif/core/args';
import * as Flags from '@oclif/core/flags';
import { resolve } from 'node:path';
import { BaseCommand } from '../../base-command';
import { SCHEMA_KINDS, type SchemaKind } from '../../config/json-schema';
import { schemas, writeSchemas } from '../../ops/config';

export default class ConfigSchema extends BaseCommand {
  static override summary = 'Print the JSON Schema of the project, environment or service files.';
  static override description = `Editors use these to complete and check the YAML files; the bundled examples start with

  # yaml-language-server: $schema=../schemas/service.schema.json

The schemas are generated from the same definitions that config validate uses. With --write, they are written to <dir>/schemas/<kind>.schema.json instead of printed.`;
  static override examples = [
    { description: 'The service file schema', command: '<%= config.bin %> <%= command.id %> service' },
    { description: 'Write all four into schemas/', command: '<%= config.bin %> <%= command.id %> --write' },
  ];
  static override args = {
    kind: Args.string({
      description: 'Which file: project, environment, service or job. Default: all four, keyed by kind.',
      options: [...SCHEMA_KINDS],
      required: false,
    }),
  };
  static override flags = {
    write: Flags.boolean({ summary: 'Write schemas/<kind>.schema.json in the project folder instead of printing.' }),
  };

  public async run(): Promise<void> {
    const { args, flags } = await this.parse(ConfigSchema);
    const kinds = args.kind ? [args.kind as SchemaKind] : [...SCHEMA_KINDS];
    if (flags.write) {
      for (const file of writeSchemas(resolve(flags.dir, 'schemas'), kinds)) this.log(`wrote ${file}`);
      return;
    }
    const out = schemas(kinds);
    this.log(JSON.stringify(args.kind ? out[args.kind] : out, null, 2));
  }
}
