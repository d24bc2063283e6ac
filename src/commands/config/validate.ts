import { BaseCommand, EXIT_CODES_SECTION } from '../../base-command';
import { ConfigError } from '../../errors';
import { validateProject, type ValidationReport } from '../../ops/config';

export default class ConfigValidate extends BaseCommand {
  static override summary = 'Check every configuration file and report all problems at once.';
  static override description = `Parses ecsdeploy.yaml, environments/*.yaml, services/*.yaml and jobs/*.yaml, checks them against the schema (and each service as merged with its overrides for each environment), and prints every problem at once as

  FILE:LINE:COL KEY.PATH: what is wrong (did you mean ...?)

Nothing is deployed; no AWS account or engine is needed.

${EXIT_CODES_SECTION}`;
  static override examples = [
    '<%= config.bin %> <%= command.id %>',
    {
      description: 'Machine-readable report (exit code 2 when invalid)',
      command: '<%= config.bin %> <%= command.id %> --json',
    },
  ];
  static override enableJsonFlag = true;

  public async run(): Promise<ValidationReport> {
    const { flags } = await this.parse(ConfigValidate);
    const report = validateProject(flags.dir);
    if (!report.valid) {
      if (this.jsonEnabled()) {
        this.logJson(report);
        this.exit(2);
      }
      throw new ConfigError(report.problems, report.suggestions);
    }
    if (!this.jsonEnabled()) {
      for (const env of report.environments)
        this.log(
          `${env.name}: ${env.services.join(', ') || '(no services)'}${env.jobs ? `; jobs: ${env.jobs.join(', ')}` : ''}`,
        );
      this.log('The configuration is valid.');
    }
    return report;
  }
}
