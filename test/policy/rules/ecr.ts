/** ECR repositories (Checkov's ECR* checks). */
import { block, isTrue, type Rule } from '../types';

const REPO = ['aws_ecr_repository'] as const;

export const ecrRules: readonly Rule[] = [
  {
    id: 'ecr-immutable-tags',
    checkovId: 'CKV_AWS_51',
    title: 'ECR image tags are immutable',
    resourceTypes: REPO,
    check: (r) => (r['image_tag_mutability'] === 'IMMUTABLE' ? [] : ['image_tag_mutability is not IMMUTABLE']),
  },
  {
    id: 'ecr-scan-on-push',
    checkovId: 'CKV_AWS_163',
    title: 'ECR image scanning on push is enabled',
    resourceTypes: REPO,
    check: (r) =>
      isTrue(block(r['image_scanning_configuration'])?.['scan_on_push'])
        ? []
        : ['image_scanning_configuration.scan_on_push is not true'],
  },
  {
    id: 'ecr-kms-encryption',
    checkovId: 'CKV_AWS_136',
    title: 'ECR repositories are encrypted using KMS',
    resourceTypes: REPO,
    check: (r) => {
      const type = block(r['encryption_configuration'])?.['encryption_type'];
      return type === 'KMS' ? [] : [`encryption_configuration.encryption_type is ${String(type ?? 'unset (AES256)')}`];
    },
  },
];
