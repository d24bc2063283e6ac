/**
 * Where the task runs: the load balancer's target group matches the container's port and the
 * health check has a path, and the capacity can hold the task (Fargate's size table, or the
 * largest of the cluster's EC2 instance types).
 */
import type { InstanceTypeInfo } from '../../aws/ec2-instance-types';
import { FARGATE_SIZES } from '../../config/schema';
import { notChecked, ok, problem, type CheckResult, type VerifyApis } from './types';
import type { ServiceSubject } from './subject';

/**
 * Memory an ECS container instance registers is less than the type's: the OS and the ECS agent
 * keep some. An estimate (AWS's own tables show 4–7 %); the agent's ECS_RESERVED_MEMORY comes on top.
 */
export const AGENT_RESERVE = 0.07;

export function usableMemory(t: InstanceTypeInfo): number {
  return Math.floor(t.memoryMiB * (1 - AGENT_RESERVE));
}

export async function checkTargetGroups(subject: ServiceSubject, apis: VerifyApis): Promise<CheckResult[]> {
  const http = subject.http;
  const svc = subject.service;
  if (http === undefined) return [];
  return Promise.all(
    http.targetGroups.map(async (name): Promise<CheckResult> => {
      const tg = await apis.targetGroups.byName(name);
      if (tg === undefined)
        return notChecked('target-group', name, 'not created yet (the first apply creates it)', svc);
      const issues: string[] = [];
      if (http.protocol !== 'tcp')
        issues.push(
          `the container's port ${http.containerPort} is ${http.protocol}, and the load balancer speaks HTTP over tcp`,
        );
      if (tg.port !== undefined && tg.port !== http.containerPort) {
        issues.push(
          `it forwards to port ${tg.port}, the container listens on ${http.containerPort} (${http.container}): the apply must replace a target group in use by the listener and the ECS service`,
        );
      }
      if (tg.protocol !== undefined && tg.protocol !== 'HTTP')
        issues.push(`its protocol is ${tg.protocol}, the stack's is HTTP`);
      if (!http.healthCheckPath) issues.push('the health check has no path');
      if (issues.length > 0) return problem('target-group', name, issues.join('; '), svc);
      const pathNote =
        tg.healthCheckPath && tg.healthCheckPath !== http.healthCheckPath
          ? ` (now ${tg.healthCheckPath}; the apply sets it)`
          : '';
      return ok(
        'target-group',
        name,
        `HTTP to port ${http.containerPort} of ${http.container}, health check GET ${http.healthCheckPath}${pathNote}`,
        svc,
      );
    }),
  );
}

/** The capacity line; `types`: the cluster's instance types as EC2 describes them (an EC2 task). */
export function checkCapacity(
  subject: ServiceSubject,
  types: InstanceTypeInfo[] | { readonly unavailable: string } | undefined,
): CheckResult {
  const svc = subject.service;
  const size = `${subject.cpu} CPU units / ${subject.memory} MiB`;
  if (subject.fargate) {
    const row = FARGATE_SIZES.find(([cpu]) => cpu === subject.cpu);
    if (row === undefined || !row[1].includes(subject.memory)) {
      return problem(
        'capacity',
        `Fargate ${size}`,
        `Fargate offers no such size${row ? `: with ${row[0]} CPU units, memory is one of ${row[1].join(', ')} MiB` : ''}`,
        svc,
      );
    }
    return ok('capacity', `Fargate ${size}`, 'a Fargate task size', svc);
  }
  const subjectText = `EC2 ${size}`;
  if (subject.instanceTypes.length === 0)
    return problem('capacity', subjectText, 'the environment has no cluster.ec2 capacity for an EC2 task', svc);
  if (types === undefined) return notChecked('capacity', subjectText, 'the instance types were not read', svc);
  if ('unavailable' in types) return notChecked('capacity', subjectText, types.unavailable, svc);
  const unknown = subject.instanceTypes.filter((t) => !types.some((x) => x.type === t));
  if (unknown.length > 0)
    return problem(
      'capacity',
      subjectText,
      `EC2 knows no instance type ${unknown.join(', ')} in ${subject.region} (cluster.ec2.instanceTypes)`,
      svc,
    );
  const fits = types.filter((t) => t.vcpus * 1024 >= subject.cpu && usableMemory(t) >= subject.memory);
  const describe = (t: InstanceTypeInfo) => `${t.type}: ${t.vcpus * 1024} CPU units, ~${usableMemory(t)} MiB for tasks`;
  if (fits.length === 0) {
    return problem(
      'capacity',
      subjectText,
      `no instance type of the cluster can hold the task (${types.map(describe).join('; ')}): it would stay PENDING`,
      svc,
    );
  }
  return ok('capacity', subjectText, `fits ${fits.map(describe).join('; ')}`, svc);
}

/** The architectures of the instance types as OCI platforms (x86_64 → linux/amd64, arm64 → linux/arm64). */
export function platformsOf(types: readonly InstanceTypeInfo[]): Array<{ os: string; architecture: string }> {
  const archs = new Set(
    types
      .flatMap((t) => t.architectures)
      .map((a) => (a === 'x86_64' ? 'amd64' : a === 'arm64' ? 'arm64' : a))
      .filter((a) => a === 'amd64' || a === 'arm64'),
  );
  return [...archs].sort().map((architecture) => ({ os: 'linux', architecture }));
}
