/**
 * S3 buckets: the state and release buckets docs/engine.md shows how to create (Checkov's graph
 * checks, which follow the bucket's companion resources: versioning, encryption, public access block).
 */
import { block, isTrue, type Rule, type RuleContext } from '../types';

/** The companion resources of type `type` that point at this bucket. */
function companions(ctx: RuleContext, type: string): Array<Record<string, unknown>> {
  const refs = new Set([`\${aws_s3_bucket.${ctx.id}.id}`, `\${aws_s3_bucket.${ctx.id}.bucket}`]);
  return Object.values(ctx.json.resource?.[type] ?? {}).filter((r) => refs.has(String(r['bucket'])));
}

const BUCKET = ['aws_s3_bucket'] as const;

export const s3Rules: readonly Rule[] = [
  {
    id: 's3-versioning',
    checkovId: 'CKV_AWS_21',
    title: 'S3 buckets have versioning enabled',
    resourceTypes: BUCKET,
    check: (b, ctx) =>
      isTrue(block(b['versioning'])?.['enabled']) ||
      companions(ctx, 'aws_s3_bucket_versioning').some(
        (v) => block(v['versioning_configuration'])?.['status'] === 'Enabled',
      )
        ? []
        : ['no aws_s3_bucket_versioning with status Enabled'],
  },
  {
    id: 's3-encryption',
    checkovId: 'CKV_AWS_19',
    title: 'S3 buckets are encrypted at rest',
    resourceTypes: BUCKET,
    check: (b, ctx) =>
      b['server_side_encryption_configuration'] !== undefined ||
      companions(ctx, 'aws_s3_bucket_server_side_encryption_configuration').some((e) => {
        const d = block(block(e['rule'])?.['apply_server_side_encryption_by_default']);
        return d?.['sse_algorithm'] === 'AES256' || String(d?.['sse_algorithm'] ?? '').startsWith('aws:kms');
      })
        ? []
        : ['no aws_s3_bucket_server_side_encryption_configuration with a default algorithm'],
  },
  {
    id: 's3-public-access-block',
    checkovId: 'CKV2_AWS_6',
    title: 'S3 buckets have a public access block with every setting on',
    resourceTypes: BUCKET,
    check: (_b, ctx) => {
      const keys = ['block_public_acls', 'block_public_policy', 'ignore_public_acls', 'restrict_public_buckets'];
      const blocks = companions(ctx, 'aws_s3_bucket_public_access_block');
      if (blocks.length === 0) return ['no aws_s3_bucket_public_access_block'];
      return blocks.some((p) => keys.every((k) => isTrue(p[k])))
        ? []
        : [`the public access block does not set ${keys.join(', ')} all to true`];
    },
  },
];
