/**
 * How the stacks name things, as pure functions (no cdktf): live operations (status, logs,
 * environments on demand) derive the same names without loading the stacks.
 */
import { createHash } from 'node:crypto';

/**
 * AWS names: `<project>-<env>-<suffix>`. One longer than `max` (target groups and load balancers:
 * 32, IAM roles: 64) is cut and ends with a hash of the whole name, so two long names that share a
 * beginning stay different.
 */
export function awsName(parts: readonly string[], max = 255): string {
  const full = parts.filter((p) => p.length > 0).join('-');
  if (full.length <= max) return full;
  const hash = createHash('sha256').update(full).digest('hex').slice(0, 6);
  return `${full.slice(0, max - hash.length - 1).replace(/-+$/, '')}-${hash}`;
}

/** The ECR repository of a service, shared by every environment of the project. */
export function repositoryName(project: string, service: string): string {
  return `${project}/${service}`;
}

/**
 * The ECR repository of a scheduled job, shared by every environment: `<project>/jobs/<job>`, which
 * no service's repository can be (a service name has no '/').
 */
export function jobRepositoryName(project: string, job: string): string {
  return `${project}/jobs/${job}`;
}

/** The family of a job's task definition and its schedule's name: `<project>-<env>-job-<job>`. */
export function jobPrefix(project: string, environment: string, job: string): string {
  return awsName([project, environment, 'job', job]);
}

/** The EventBridge Scheduler schedule group of every job's schedule. */
export const SCHEDULE_GROUP = 'default';

/** S3 key of a stack's Terraform state under the backend's prefix. */
export function stateKey(prefix: string, stack: string): string {
  return `${prefix.replace(/\/+$/, '')}/${stack}.tfstate`;
}
