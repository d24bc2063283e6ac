/**
 * `registry`: one ECR repository per service (and per scheduled job), shared by every environment of the project, so an
 * image is promoted from dev to prod by its digest without copying it. Scanning on push, immutable
 * tags, and a lifecycle policy that keeps the newest N images.
 */
import { EcrLifecyclePolicy } from '@cdktf/provider-aws/lib/ecr-lifecycle-policy';
import { EcrRepository } from '@cdktf/provider-aws/lib/ecr-repository';
import { TerraformOutput } from 'cdktf';
import type { Construct } from 'constructs';
import { EcsdeployStack, stableJson } from './base';
import { jobRepositoryName, repositoryName } from './names';
import type { RegistryStackProps } from './props';

export { repositoryName } from './names';

export class RegistryStack extends EcsdeployStack {
  constructor(scope: Construct, id: string, props: RegistryStackProps) {
    super(scope, id, { ...props, environment: 'shared' });
    for (const { service, keepImages } of props.repositories) this.repository(repositoryName(props.project, service), keepImages, service, '');
    // Scheduled jobs: `<project>/jobs/<job>`, ids and outputs apart from the services'.
    for (const { job, keepImages } of props.jobRepositories ?? []) this.repository(jobRepositoryName(props.project, job), keepImages, job, 'Job');
  }

  private repository(name: string, keepImages: number, key: string, kind: '' | 'Job'): void {
    const repo = new EcrRepository(this, `${kind}Repository-${key}`, {
      name,
      imageTagMutability: 'IMMUTABLE',
      imageScanningConfiguration: { scanOnPush: true },
      encryptionConfiguration: [{ encryptionType: 'AES256' }],
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
    new TerraformOutput(this, `${kind ? 'job_' : ''}repository_url_${key.replace(/-/g, '_')}`, { value: repo.repositoryUrl });
  }
}
