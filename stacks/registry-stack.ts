/**
 * `registry`: one ECR repository per service, shared by every environment of the project, so an
 * image is promoted from dev to prod by its digest without copying it. Scanning on push, immutable
 * tags, and a lifecycle policy that keeps the newest N images.
 */
import { EcrLifecyclePolicy } from '@cdktf/provider-aws/lib/ecr-lifecycle-policy';
import { EcrRepository } from '@cdktf/provider-aws/lib/ecr-repository';
import { TerraformOutput } from 'cdktf';
import type { Construct } from 'constructs';
import { EcsdeployStack, stableJson } from './base';
import { repositoryName } from './names';
import type { RegistryStackProps } from './props';

export { repositoryName } from './names';

export class RegistryStack extends EcsdeployStack {
  constructor(scope: Construct, id: string, props: RegistryStackProps) {
    super(scope, id, { ...props, environment: 'shared' });
    for (const { service, keepImages } of props.repositories) {
      const repo = new EcrRepository(this, `Repository-${service}`, {
        name: repositoryName(props.project, service),
        imageTagMutability: 'IMMUTABLE',
        imageScanningConfiguration: { scanOnPush: true },
        encryptionConfiguration: [{ encryptionType: 'AES256' }],
      });
      new EcrLifecyclePolicy(this, `Lifecycle-${service}`, {
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
      new TerraformOutput(this, `repository_url_${service.replace(/-/g, '_')}`, { value: repo.repositoryUrl });
    }
  }
}
