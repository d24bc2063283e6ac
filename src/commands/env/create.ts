import * as Args from '@oclif/core/args';
import * as Flags from '@oclif/core/flags';
import { BaseCommand, EXIT_CODES_SECTION } from '../../base-command';
import { createEnvironment, type CreateResult } from '../../ops/environments';
import { formatCreate } from '../../ui/env-view';
import { planConfirmation, requireAnswerable, withInfraUi } from '../../ui/infra-run';

export default class EnvCreate extends BaseCommand {
  static override summary =
    'Create an environment on demand from a permanent one: for a branch, a pull request, a demo.';
  static override description = `Creates environment NAME from the permanent environment given by --from (by default the project's default base: \`ephemeral.defaultBase\` in ecsdeploy.yaml, else the only environment whose file has an \`ephemeral:\` block; the command says which it took). It inherits that environment's configuration (network, cluster, services, variables, secrets), with smaller sizes: each service runs the desired count of the base's \`ephemeral.count\` (1 by default) and scales to at most \`ephemeral.maxCount\` (2). Each service runs the image of the base's current release, or what --image gives (a tag is resolved to its digest in ECR, like \`service deploy\`).

By default it shares the base's cluster and load balancer: only its service stacks are created, reached by listener rules that match the host name NAME.<base domain> (or, when the base has no domain, an X-Ecsdeploy-Env: NAME header). Its rules take priorities of their own, so they collide neither with the base's nor with other environments'. --isolated gives it a cluster, network and load balancer of its own instead (slower and dearer).

It is recorded next to the Terraform state (.ecsdeploy/environments/NAME.json, or the state bucket with an S3 backend), with its base, owner, creation time and expiry, so \`env list\` is the same for everyone. It expires after --ttl (default: the base's \`ephemeral.ttl\`, at most its \`ephemeral.maxTtl\`); \`env gc\` destroys expired environments.

The plan is shown and confirmed like \`ecsdeploy apply\` (--yes where nobody can answer). If creating fails half-way, the environment is recorded as failed and \`env destroy NAME\` removes whatever was made.

NAME must be a DNS label (lowercase letters, digits, '-') of at most 24 characters: it becomes a host name and part of AWS resource names.

${EXIT_CODES_SECTION}`;
  static override examples = [
    {
      description:
        "An environment for a feature branch, from the project's default base (ephemeral.defaultBase), for the default TTL",
      command: '<%= config.bin %> <%= command.id %> feature-x',
    },
    {
      description: 'The same from a base named explicitly',
      command: '<%= config.bin %> <%= command.id %> feature-login --from dev',
    },
    {
      description: 'For a pull request in CI: two services, the web image of this build, 3 days',
      command:
        '<%= config.bin %> <%= command.id %> pr-1234 --from dev --services orders,web --image web=sha-4f2a9c1 --ttl 3d --owner "$GITHUB_ACTOR" --yes',
    },
    {
      description: 'With a cluster of its own',
      command: '<%= config.bin %> <%= command.id %> load-test --from dev --isolated --ttl 12h',
    },
  ];
  static override enableJsonFlag = true;
  static override args = {
    name: Args.string({
      description: 'Name of the new environment (DNS label, at most 24 characters).',
      required: true,
    }),
  };
  static override flags = {
    'from': Flags.string({
      summary: 'The permanent environment to make it from.',
      description:
        "Default: ephemeral.defaultBase in ecsdeploy.yaml, else the only environment whose file has an ephemeral: block, else the project's only environment; never a protected one, which must be typed.",
      helpValue: 'BASE',
    }),
    'ttl': Flags.string({ summary: "Time to live, e.g. 8h, 48h, 7d. Default: the base's ephemeral.ttl." }),
    'owner': Flags.string({
      summary: 'Who owns it (a tag on every resource). Default: $ECSDEPLOY_OWNER, $GITHUB_ACTOR, $USER.',
    }),
    'services': Flags.string({
      summary: "Only these services of the base (comma-separated or repeated). Default: all of the base's.",
      multiple: true,
    }),
    'image': Flags.string({
      summary: "SERVICE=IMAGE: run this image instead of the base's current release (repeatable).",
      multiple: true,
    }),
    'isolated': Flags.boolean({
      summary: "Give it a cluster, network and load balancer of its own instead of sharing the base's.",
    }),
    'yes': Flags.boolean({ char: 'y', summary: 'Apply without asking (required where nobody can answer, e.g. CI).' }),
    'lock-timeout': Flags.string({
      summary: 'Wait this long for a state lock held by another run (e.g. 30s, 5m) instead of failing at once.',
      default: '0s',
    }),
  };

  public async run(): Promise<CreateResult> {
    const { args, flags } = await this.parse(EnvCreate);
    const from = this.baseEnvironment(flags);
    requireAnswerable(flags.yes, 'env create');
    const json = this.jsonEnabled();
    const result = await withInfraUi({ json }, (ui) =>
      createEnvironment(
        {
          dir: flags.dir,
          name: args.name,
          from,
          ...(flags.ttl ? { ttl: flags.ttl } : {}),
          ...(flags.owner !== undefined ? { owner: flags.owner } : {}),
          ...(flags.services ? { services: flags.services } : {}),
          ...(flags.image ? { images: flags.image } : {}),
          isolated: flags.isolated,
          onEvent: ui.onEvent,
          signal: ui.signal,
          lockTimeout: flags['lock-timeout'],
          confirm: planConfirmation({
            yes: flags.yes,
            json,
            ui,
            question: `Create environment ${args.name} with these resources?`,
          }),
        },
        this.deps('environments'),
      ),
    );
    if (!json) this.log(`\n${formatCreate(result)}`);
    return result;
  }
}
