/**
 * `registry`: one ECR repository per service (and per scheduled job), shared by every environment of the project, so an
 * image is promoted from dev to prod by its digest without copying it. Scanning on push, immutable
 * tags, encryption at rest (AES256, or KMS with `registry.encryptionConfiguration`), and a lifecycle
 * policy that keeps the newest N images.
 */
import { EcrLifecyclePolicy } from '@cdktf/provider-aws/lib/ecr-lifecycle-policy';
import { EcrRepository } from '@cdktf/provider-aws/lib/ecr-repository';
import { EcrRepositoryPolicy } from '@cdktf/provider-aws/lib/ecr-repository-policy';
import { TerraformOutput } from 'cdktf';
import type { Construct } from 'constructs';
import { EcsdeployStack, policy, stableJson } from './base';
import { jobRepositoryName, repositoryName } from './names';
import type { RegistryStackProps } from './props';

export { repositoryName } from './names';

/** What a task's execution role needs to pull an image (the grant of the environments' accounts). */
export const ECR_PULL_ACTIONS = [
  'ecr:BatchCheckLayerAvailability',
  'ecr:BatchGetImage',
  'ecr:GetDownloadUrlForLayer',
] as const;

export class RegistryStack extends EcsdeployStack {
  private readonly pullPolicy: string | undefined;
  private readonly encryption: { encryptionType: string; kmsKey?: string };

  constructor(scope: Construct, id: string, props: RegistryStackProps) {
    super(scope, id, { ...props, environment: 'shared' });
    // ECR cannot change a repository's encryption: a change replaces it (docs/configuration.md).
    const enc = props.encryption ?? { encryptionType: 'AES256' };
    this.encryption = {
      encryptionType: enc.encryptionType,
      ...(enc.encryptionType === 'KMS' && enc.kmsKey !== undefined ? { kmsKey: enc.kmsKey } : {}),
    };
    // Environments in other accounts pull by digest straight from here (no copies): their accounts,
    // and only those, may pull; each execution role still needs its own grant (stacks/task-definition.ts).
    const accounts = [...new Set(props.pullAccounts ?? [])].sort();
    this.pullPolicy = accounts.length
      ? policy([
          {
            Sid: 'PullFromEnvironmentAccounts',
            Effect: 'Allow',
            Principal: { AWS: accounts.map((a) => `arn:${props.partition ?? 'aws'}:iam::${a}:root`) },
            Action: [...ECR_PULL_ACTIONS],
          },
        ])
      : undefined;
    for (const { service, keepImages } of props.repositories)
      this.repository(repositoryName(props.project, service), keepImages, service, '');
    // Scheduled jobs: `<project>/jobs/<job>`, ids and outputs apart from the services'.
    for (const { job, keepImages } of props.jobRepositories ?? [])
      this.repository(jobRepositoryName(props.project, job), keepImages, job, 'Job');
  }

  private repository(name: string, keepImages: number, key: string, kind: '' | 'Job'): void {
    const repo = new EcrRepository(this, `${kind}Repository-${key}`, {
      name,
      imageTagMutability: 'IMMUTABLE',
      imageScanningConfiguration: { scanOnPush: true },
      encryptionConfiguration: [this.encryption],
    });
    new EcrLifecyclePolicy(this, `${kind}Lifecycle-${key}`, {
      repository: repo.name,
      policy: stableJson({
        rules: [
          {
            rulePriority: 1,
            description: `Keep the newest ${keepImages} images`,
            selection: { tagStatus: 'any', countType: 'imageCountMoreThan', countNumber: keepImages },
            action: { type: 'expire' },
          },
        ],
      }),
    });
    if (this.pullPolicy !== undefined)
      new EcrRepositoryPolicy(this, `${kind}Pull-${key}`, { repository: repo.name, policy: this.pullPolicy });
    new TerraformOutput(this, `${kind ? 'job_' : ''}repository_url_${key.replace(/-/g, '_')}`, {
      value: repo.repositoryUrl,
    });
  }
}
