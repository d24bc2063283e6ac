import * as Flags from '@oclif/core/flags';
import { BaseCommand, envFlag, EXIT_CODES_SECTION } from '../base-command';
import { iamPolicy, INLINE_POLICY_LIMIT, MANAGED_POLICY_LIMIT, type IamPolicyReport } from '../ops/iam/policy';

export default class IamPolicyCommand extends BaseCommand {
  static override summary =
    "Print the IAM policy the deployer role of an environment needs: exactly the stacks' and the CLI's actions.";
  static override description = `Synthesizes the environment's stacks (nothing in AWS is read or changed) and prints, on stdout, the policy document of the role ecsdeploy works with in that environment (its \`role:\`, or whatever credentials you deploy it with): the actions Terraform needs for every resource type the stacks declare, the S3 state backend's, and those of the CLI's own AWS calls (rollout watchers, logs, task run, cluster roll, release records, the account check). Resources are the project's names (\`<project>-*\`, \`<project>/*\`) in the environment's account and region; a statement is on "*" only where AWS accepts nothing narrower, and stderr says why for each. ARNs name the environment's \`account:\`, or "*" when it names none.

With \`registry.role\` in ecsdeploy.yaml, the registry stack and ECR are that role's: --registry prints its policy, and the environment's leaves them out.

The document is a policy for one role; stderr says whether it fits an inline policy (10,240 characters) or a managed one (6,144); --split prints it as a list of documents that each fit a managed policy. docs/accounts.md shows a whole two-account setup.

${EXIT_CODES_SECTION}`;
  static override examples = [
    {
      description: "prod's deployer role, into a file",
      command: '<%= config.bin %> <%= command.id %> --env prod > deployer-prod.json',
    },
    {
      description: 'Attach it with the AWS CLI',
      command:
        'aws iam put-role-policy --role-name ecsdeploy-deployer --policy-name ecsdeploy --policy-document "$(<%= config.bin %> <%= command.id %> --env prod)"',
    },
    {
      description: 'As managed policies of at most 6,144 characters each',
      command: '<%= config.bin %> <%= command.id %> --env prod --split',
    },
    {
      description: "The registry role's policy (registry.role)",
      command: '<%= config.bin %> <%= command.id %> --env dev --registry',
    },
    {
      description: 'The document, the resource types and the reasons for each "*", as JSON',
      command: '<%= config.bin %> <%= command.id %> --env prod --json',
    },
  ];
  static override enableJsonFlag = true;
  static override flags = {
    env: envFlag('Environment whose deployer role the policy is for.', 'read'),
    registry: Flags.boolean({
      summary: "The policy of registry.role (the registry stack and ECR) instead of the environment's role.",
    }),
    split: Flags.boolean({
      summary: 'Print a JSON list of documents of at most 6,144 characters each, one per managed policy.',
    }),
  };

  public async run(): Promise<IamPolicyReport> {
    const { flags } = await this.parse(IamPolicyCommand);
    const env = await this.environment(flags, 'read');
    const report = await iamPolicy({ dir: flags.dir, env, registry: flags.registry });
    if (!this.jsonEnabled()) {
      this.log(JSON.stringify(flags.split ? report.managedPolicies : report.policy, null, 2));
      const fits =
        report.characters <= MANAGED_POLICY_LIMIT
          ? 'fits a managed or an inline policy'
          : report.characters <= INLINE_POLICY_LIMIT
            ? `fits an inline policy (${INLINE_POLICY_LIMIT}), not one managed policy (${MANAGED_POLICY_LIMIT}): --split gives ${report.managedPolicies.length}`
            : `more than an inline (${INLINE_POLICY_LIMIT}) or a managed policy (${MANAGED_POLICY_LIMIT}) holds: --split gives ${report.managedPolicies.length} managed policies`;
      this.logToStderr(
        [
          `Policy of ${report.for === 'registry' ? 'the registry role' : `the deployer role of ${report.for}`} in account ${report.account === '*' ? '* (no account: in the configuration)' : report.account}: ${report.policy.Statement.length} statements for ${report.resourceTypes.length} resource types and the CLI's calls; ${report.characters} characters, ${fits}.`,
          'Statements on "*" or beyond the project\'s names, and why:',
          ...report.wide.map((w) => `  ${w.sid}: ${w.why}.`),
        ].join('\n'),
      );
    }
    return report;
  }
}
