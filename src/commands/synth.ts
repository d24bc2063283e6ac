import { resolve } from 'node:path';
import * as Flags from '@oclif/core/flags';
import { BaseCommand, EXIT_CODES_SECTION } from '../base-command';
import { synthEnvironments, type SynthResult } from '../ops/project';
import { table } from '../ui/table';

export default class Synth extends BaseCommand {
  static override summary = 'Synthesize the Terraform JSON of every stack (no AWS account or engine needed).';
  static override description = `Reads ecsdeploy.yaml, environments/*.yaml and services/*.yaml, validates them, and writes one Terraform JSON file per stack: <out>/stacks/registry/ (the ECR repositories, shared by all environments), <out>/stacks/<env>-cluster/ (network, load balancer, cluster, capacity) and <out>/stacks/<env>-<service>/ (task definition, service, scaling, deployment). Two runs on the same input write byte-identical files; a stack whose inputs did not change since the last synth into the same folder is reused, not rebuilt (--no-cache rebuilds everything). Nothing is deployed: no AWS account or Terraform engine is needed.

${EXIT_CODES_SECTION}`;
  static override examples = [
    {
      description: 'Synthesize every environment of the project in this folder',
      command: '<%= config.bin %> <%= command.id %>',
    },
    {
      description: 'Only prod, into another folder',
      command: '<%= config.bin %> <%= command.id %> --env prod --out /tmp/out',
    },
    {
      description: 'Only the orders service stack of dev, as JSON for scripts',
      command: '<%= config.bin %> <%= command.id %> --env dev --stack orders --json',
    },
  ];
  static override enableJsonFlag = true;
  static override flags = {
    env: Flags.string({
      char: 'e',
      summary:
        'Environment to synthesize (repeatable): permanent, or on demand (env create). Default: every permanent one.',
      multiple: true,
    }),
    stack: Flags.string({
      char: 's',
      summary: "Only these stacks: 'registry', 'cluster' or a service name (repeatable).",
      multiple: true,
      default: [],
    }),
    out: Flags.string({ char: 'o', summary: 'Output folder.', default: 'cdktf.out' }),
    cache: Flags.boolean({
      summary: 'Reuse stacks whose inputs did not change since the last synth.',
      default: true,
      allowNo: true,
    }),
  };

  public async run(): Promise<SynthResult> {
    const { flags } = await this.parse(Synth);
    const outDir = resolve(flags.dir, flags.out);
    const result = await synthEnvironments(flags.dir, flags.env ?? [], {
      outDir,
      stacks: flags.stack ?? [],
      cache: flags.cache,
    });
    if (!this.jsonEnabled()) {
      this.log(
        table(
          ['STACK', 'RESOURCES', 'PATH'],
          result.stacks.map((s) => [s.name, s.resources, `${s.path}/cdk.tf.json`]),
        ),
      );
      const reused = result.stacks.filter((s) => s.cached).length;
      this.log(
        `\n${result.stacks.length} stack${result.stacks.length === 1 ? '' : 's'} written${reused ? ` (${reused} unchanged since the last synth, reused)` : ''}.`,
      );
    }
    return { outDir, stacks: result.stacks };
  }
}
