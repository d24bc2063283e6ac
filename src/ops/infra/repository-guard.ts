/**
 * The registry's ECR repositories are not replaced by accident. ECR cannot change a repository's
 * encryption (`registry.encryptionConfiguration`) or name in place: the engine deletes the
 * repository and creates it anew, and with it every image the releases point at (the delete fails
 * while it holds images, after the plan was confirmed). `plan` shows the replacement with the
 * attribute that forces it; apply (and `service deploy`) refuse it before applying anything unless
 * --allow-replace, like the replacement of an adopted ECS service (./adoption).
 */
import type { PlanSummary } from '../../terraform';
import { ReplaceRefusedError } from './adoption';

const ECR_REPOSITORY = 'aws_ecr_repository';

/** Throws ReplaceRefusedError when one of `plans` replaces an ECR repository. */
export function refuseRepositoryReplacement(
  plans: ReadonlyArray<{ readonly stack: string; readonly summary: PlanSummary }>,
): void {
  const hits = plans.flatMap((p) =>
    p.summary.resources
      .filter((r) => r.type === ECR_REPOSITORY && r.action === 'replace')
      .map((r) => ({ stack: p.stack, address: r.address, because: r.replacePaths ?? [] })),
  );
  if (hits.length === 0) return;
  const lines = hits.map(
    (h) =>
      `${h.stack} would replace the ECR repository ${h.address}${h.because.length ? ` (${h.because.join(', ')} cannot change in place)` : ''}`,
  );
  const encryption = hits.some((h) => h.because.some((b) => b.startsWith('encryption_configuration')));
  throw new ReplaceRefusedError(
    `Refusing to apply: ${lines.join('; ')}. Replacing a repository deletes it with every image in it, the images the release records point at; the delete fails while it holds images. Nothing was applied.`,
    [
      ...(encryption
        ? [
            'ECR cannot change the encryption of an existing repository: keep registry.encryptionConfiguration in ecsdeploy.yaml as the repositories were created, or move to the new one deliberately (docs/configuration.md, "Registry encryption").',
          ]
        : []),
      'Run `ecsdeploy plan` to see the plan again.',
      'If replacing the repositories is what you want (their images emptied or copied elsewhere first), run the same command with --allow-replace.',
    ],
  );
}
