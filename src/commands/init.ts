import * as Flags from '@oclif/core/flags';
import { BaseCommand, EXIT_CODES_SECTION } from '../base-command';
import { initProject, type InitResult } from '../ops/init';
import { formatInit, terminalPrompter } from '../ui/init-view';
import { interactive } from '../ui/prompt';

export default class Init extends BaseCommand {
  static override summary =
    'Start an ecsdeploy project in this folder: ecsdeploy.yaml, environments/dev.yaml and a first service.';
  static override description = `Writes ecsdeploy.yaml, environments/dev.yaml (and environments/prod.yaml with --prod) and services/<name>.yaml, with comments that say what each key does, and adds .ecsdeploy/ and cdktf.out/ to .gitignore (creating it, or adding only the lines it lacks). Each YAML file starts with a $schema line for editor completion: it points at the installed package's schemas (node_modules/ecsdeploy/schemas) when ecsdeploy is installed in the project, else init writes them to schemas/ (--write-schemas always does). Right after init, \`ecsdeploy config validate\` and \`ecsdeploy synth\` work with no further edit and no AWS account.

It works in an empty folder or an existing repository. It never replaces a file that exists with other content unless --force; then nothing is written and the files are named.

On a terminal it asks: project name, region, state backend (and its bucket), whether to write prod, and the first service's name, image, port and launch type, showing each default in brackets (Enter takes it). Every answer is also a flag; --yes takes the defaults of the rest. Where nobody can answer (stdin is not a terminal, or CI is set), init asks nothing: without --yes it stops with exit 2, naming the first question no flag answered.

Defaults: project and service names from the folder's name (lowercase letters, digits and '-'); region from AWS_REGION or AWS_DEFAULT_REGION, else eu-west-1; state local (.ecsdeploy/, git-ignored), or s3 with --state-bucket (release records go to the same place); no prod; image: tag 0.1.0 of the service's own ECR repository <project>/<service> (the registry stack creates it); port: the Dockerfile's EXPOSE, else 8080; launch type fargate.

A Dockerfile in the folder proposes its EXPOSEd port. A compose file (compose.yaml, compose.yml, docker-compose.yaml or docker-compose.yml) is offered for import instead of the sample service (--import-compose, the default with --yes when one is there), as \`ecsdeploy import compose\` does.

${EXIT_CODES_SECTION}`;
  static override examples = [
    {
      description: 'Answer the questions (Enter takes the default shown)',
      command: '<%= config.bin %> <%= command.id %>',
    },
    {
      description: 'In CI or a script: every default, nothing asked',
      command: '<%= config.bin %> <%= command.id %> --yes',
    },
    {
      description: 'Choose some answers, the defaults for the rest',
      command:
        '<%= config.bin %> <%= command.id %> --yes --project shop --region us-east-1 --service api --port 3000 --prod',
    },
    {
      description: 'State and release records in S3, an image from another registry, on EC2',
      command:
        '<%= config.bin %> <%= command.id %> --yes --state-bucket acme-ecsdeploy --image ghcr.io/acme/api:1.2.0 --launch-type ec2',
    },
    {
      description: 'Another folder, as JSON (the files written)',
      command: '<%= config.bin %> <%= command.id %> -C ./deploy --yes --json',
    },
  ];
  static override enableJsonFlag = true;
  static override flags = {
    'project': Flags.string({
      summary:
        'Project name: the first part of every AWS resource name (at most 20 characters). Default: from the folder name.',
      helpValue: 'NAME',
    }),
    'region': Flags.string({
      summary: 'AWS region. Default: AWS_REGION, AWS_DEFAULT_REGION, else eu-west-1.',
      helpValue: 'REGION',
    }),
    'state': Flags.string({
      summary:
        'Where Terraform state and release records are kept: local (.ecsdeploy/) or s3. Default: local (s3 with --state-bucket).',
      options: ['local', 's3'],
    }),
    'state-bucket': Flags.string({ summary: 'The S3 bucket of --state s3 (it must exist).', helpValue: 'BUCKET' }),
    'prod': Flags.boolean({
      summary: 'Also write environments/prod.yaml, protected (--no-prod: do not ask). Default: no.',
      allowNo: true,
    }),
    'import-compose': Flags.boolean({
      summary:
        'Import the compose file found here instead of writing a sample service (--no-import-compose: the sample). Default: yes when there is one.',
      allowNo: true,
    }),
    'service': Flags.string({
      summary:
        'Name of the first service (services/<name>.yaml, at most 16 characters). Default: from the folder name.',
      helpValue: 'NAME',
    }),
    'image': Flags.string({
      summary:
        'Its image: a tag of its own ECR repository (1.0.0), a digest (sha256:...), or another image with its tag or digest (ghcr.io/acme/api:1.0.0). Default: 0.1.0.',
      helpValue: 'REF',
    }),
    'port': Flags.string({
      summary: "The port its container listens on. Default: the Dockerfile's EXPOSE, else 8080.",
      helpValue: 'PORT',
    }),
    'launch-type': Flags.string({
      summary: 'fargate or ec2 (the environment gets EC2 capacity then). Default: fargate.',
      options: ['fargate', 'ec2'],
    }),
    'write-schemas': Flags.boolean({
      summary: "Write the JSON Schemas to schemas/ even when the installed package's could be referenced.",
    }),
    'yes': Flags.boolean({ char: 'y', summary: 'Ask nothing: take the default of every answer no flag gives.' }),
    'force': Flags.boolean({ summary: 'Replace files that exist with other content.' }),
  };

  public async run(): Promise<InitResult> {
    const { flags } = await this.parse(Init);
    const prompter = interactive() && !flags.yes ? terminalPrompter() : undefined;
    const result = await initProject({
      dir: flags.dir,
      given: {
        ...(flags.project !== undefined ? { project: flags.project } : {}),
        ...(flags.region !== undefined ? { region: flags.region } : {}),
        ...(flags.state !== undefined ? { state: flags.state } : {}),
        ...(flags['state-bucket'] !== undefined ? { stateBucket: flags['state-bucket'] } : {}),
        ...(flags.prod !== undefined ? { prod: flags.prod } : {}),
        ...(flags['import-compose'] !== undefined ? { importCompose: flags['import-compose'] } : {}),
        ...(flags.service !== undefined ? { service: flags.service } : {}),
        ...(flags.image !== undefined ? { image: flags.image } : {}),
        ...(flags.port !== undefined ? { port: flags.port } : {}),
        ...(flags['launch-type'] !== undefined ? { launchType: flags['launch-type'] } : {}),
      },
      yes: flags.yes,
      force: flags.force,
      writeSchemas: flags['write-schemas'],
      ...(prompter ? { prompter } : {}),
    }).finally(() => prompter?.close());
    if (!this.jsonEnabled()) this.log(formatInit(result));
    return result;
  }
}
