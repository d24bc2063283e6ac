/**
 * Release records: which image runs for a service in an environment, resolved to an immutable
 * digest, with who, when, why, the release it replaced, and the outcome of its rollout. One ledger
 * per environment and service holds them, oldest first; it is read from disk or S3, so it is
 * validated with zod like any other input.
 *
 * Pure functions only: the stores (./store) read and write ledgers; synth and the service
 * operations ask these functions what is current.
 */
import { z } from 'zod';

export const ROLLOUT_STATUSES = ['pending', 'completed', 'failed', 'rolled-back'] as const;
export type RolloutStatus = (typeof ROLLOUT_STATUSES)[number];

const Digest = z.string().regex(/^sha256:[0-9a-f]{64}$/, 'must be sha256: and 64 hex digits');

export const ReleaseImageSchema = z.strictObject({
  /** What the user gave: a tag, a digest, or a full reference. */
  requested: z.string().min(1),
  /** The repository, without tag or digest: `<account>.dkr.ecr.<region>.amazonaws.com/shop/orders`. */
  repository: z.string().min(1),
  /** The tag it was resolved from, if any. */
  tag: z.string().optional(),
  digest: Digest,
  /** True when it lives in the service's own ECR repository (the task definition then refers to it by digest only). */
  serviceRepository: z.boolean(),
});
export type ReleaseImage = z.infer<typeof ReleaseImageSchema>;

export const RolloutSchema = z.strictObject({
  status: z.enum(ROLLOUT_STATUSES),
  /** ISO time of the last change of status. */
  updatedAt: z.string(),
  /** Why it failed or was rolled back, in ECS's or CodeDeploy's words; or a note. */
  reason: z.string().optional(),
  /** ECS deployment id (`ecs-svc/...`) or CodeDeploy deployment id (`d-...`). */
  deploymentId: z.string().optional(),
  taskDefinition: z.string().optional(),
});
export type Rollout = z.infer<typeof RolloutSchema>;

export const BEFORE_STEP_STATUSES = ['pending', 'running', 'passed', 'failed'] as const;

/** One `deployment.before` command as it ran for a release. */
export const BeforeStepSchema = z.strictObject({
  /** As the service file gives it (a shell string, or the exec-form list joined). */
  command: z.string(),
  container: z.string(),
  status: z.enum(BEFORE_STEP_STATUSES),
  taskArn: z.string().optional(),
  exitCode: z.number().int().optional(),
  /** Why it failed: the exit code, ECS's stopped reason, the timeout. */
  reason: z.string().optional(),
  /** Its last log lines, when it failed. */
  lastLines: z.array(z.string()).optional(),
});
export type BeforeStep = z.infer<typeof BeforeStepSchema>;

/** The `deployment.before` commands of a release, run before the ECS service is updated. */
export const BeforeSchema = z.strictObject({
  /** running: the steps run, the ECS service is held; passed: the service may be updated; failed: it was not. */
  status: z.enum(['running', 'passed', 'failed']),
  /**
   * While running: the task definition the ECS service stays on. Synth gives the ECS service this
   * ARN instead of the new revision, so the stack registers the new task definition without
   * updating the service, and Terraform's state says what ECS runs.
   */
  hold: z.string().optional(),
  steps: z.array(BeforeStepSchema),
});
export type Before = z.infer<typeof BeforeSchema>;

export const ReleaseSchema = z.strictObject({
  /** 1, 2, 3, ... per environment and service. */
  id: z.number().int().min(1),
  environment: z.string(),
  service: z.string(),
  image: ReleaseImageSchema,
  kind: z.enum(['deploy', 'promote', 'rollback']),
  /** promote: the environment and release it came from. */
  promotedFrom: z.strictObject({ environment: z.string(), release: z.number().int() }).optional(),
  /** rollback: the release whose image it deploys again. */
  rollbackTo: z.number().int().optional(),
  /** The release that was current when this one was recorded. */
  previous: z.number().int().optional(),
  createdAt: z.string(),
  createdBy: z.string(),
  message: z.string().optional(),
  /** The service file's deployment.before commands, as they ran for this release. */
  before: BeforeSchema.optional(),
  rollout: RolloutSchema,
});
export type Release = z.infer<typeof ReleaseSchema>;

/**
 * An apply imported the existing ECS service (and what goes with it) named in the service file's
 * `adopt`: synth leaves the import blocks out from then on, in CI as anywhere (src/synth props).
 */
export const AdoptionSchema = z.strictObject({
  serviceName: z.string(),
  cluster: z.string(),
  /** ISO time of the apply. */
  at: z.string(),
  by: z.string(),
  /** How many resources that apply imported. */
  imported: z.number().int().min(0),
});
export type Adoption = z.infer<typeof AdoptionSchema>;

export const LedgerSchema = z.strictObject({
  format: z.literal(1),
  environment: z.string(),
  service: z.string(),
  /** Oldest first. */
  releases: z.array(ReleaseSchema),
  adopted: AdoptionSchema.optional(),
});
export type Ledger = z.infer<typeof LedgerSchema>;

/** Releases kept per ledger; older ones are dropped when a new one is recorded. */
export const MAX_RELEASES = 200;

export function emptyLedger(environment: string, service: string): Ledger {
  return { format: 1, environment, service, releases: [] };
}

/** The image reference a task definition uses: `<repository>@sha256:...`. */
export function imageUri(image: ReleaseImage): string {
  return `${image.repository}@${image.digest}`;
}

/**
 * The release that runs (or is being rolled out): the newest one whose rollout is pending or
 * completed. Failed and rolled-back releases are skipped: after a rollback, the image that runs
 * again is the previous release's, and that is what Terraform must say too.
 */
export function currentRelease(ledger: Ledger | undefined): Release | undefined {
  if (ledger === undefined) return undefined;
  for (let i = ledger.releases.length - 1; i >= 0; i--) {
    const r = ledger.releases[i]!;
    if (r.rollout.status === 'pending' || r.rollout.status === 'completed') return r;
  }
  return undefined;
}

/** The newest release of the ledger, whatever its outcome. */
export function latestRelease(ledger: Ledger | undefined): Release | undefined {
  return ledger?.releases[ledger.releases.length - 1];
}

/** The release to go back to: the newest completed one before the current, with another image. */
export function previousCompleted(ledger: Ledger | undefined): Release | undefined {
  const current = currentRelease(ledger);
  if (ledger === undefined || current === undefined) return undefined;
  for (let i = ledger.releases.length - 1; i >= 0; i--) {
    const r = ledger.releases[i]!;
    if (r.id < current.id && r.rollout.status === 'completed' && r.image.digest !== current.image.digest) return r;
  }
  return undefined;
}

export function findRelease(ledger: Ledger | undefined, id: number): Release | undefined {
  return ledger?.releases.find((r) => r.id === id);
}

/** What synth puts in the task definition for a release: the digest in the service's repository, or the full reference. */
export function synthImage(release: Release): string {
  return release.image.serviceRepository ? release.image.digest : imageUri(release.image);
}

export type NewRelease = Omit<Release, 'id' | 'environment' | 'service' | 'previous' | 'rollout'>;

/** The ledger with `release` appended (as pending), numbered after the newest. */
export function appendRelease(ledger: Ledger, release: NewRelease, now: string): { ledger: Ledger; release: Release } {
  const current = currentRelease(ledger);
  const record: Release = {
    ...release,
    id: (latestRelease(ledger)?.id ?? 0) + 1,
    environment: ledger.environment,
    service: ledger.service,
    ...(current ? { previous: current.id } : {}),
    rollout: { status: 'pending', updatedAt: now },
  };
  return { ledger: { ...ledger, releases: [...ledger.releases, record].slice(-MAX_RELEASES) }, release: record };
}

/** The ledger with release `id`'s before-steps replaced; unchanged when the release is not in it. */
export function withBefore(ledger: Ledger, id: number, before: Before): Ledger {
  return { ...ledger, releases: ledger.releases.map((r) => (r.id === id ? { ...r, before } : r)) };
}

/** The task definition the ECS service must stay on while the current release's before-steps run (synth). */
export function heldTaskDefinition(ledger: Ledger | undefined): string | undefined {
  const current = currentRelease(ledger);
  return current?.before?.status === 'running' ? current.before.hold : undefined;
}

/** The ledger with release `id`'s rollout replaced; unchanged when the release is not in it. */
export function withRollout(ledger: Ledger, id: number, rollout: Rollout): Ledger {
  return { ...ledger, releases: ledger.releases.map((r) => (r.id === id ? { ...r, rollout } : r)) };
}

/** `12`, `#12` or `r12` → 12. */
export function parseReleaseId(text: string): number | undefined {
  const m = /^(?:#|r)?(\d+)$/i.exec(text.trim());
  return m ? Number(m[1]) : undefined;
}

/** A short form of a digest for people: `sha256:0123456789ab`. */
export function shortDigest(digest: string): string {
  return digest.slice(0, 'sha256:'.length + 12);
}
