/**
 * Secrets, environment files and the roles: every secret and file exists (metadata only: no value
 * is ever read), the execution and task roles exist and ECS tasks may assume them, and the
 * execution role may read each secret and file. The read permission is an IAM policy simulation of
 * the role's policies together with the grants the next apply writes (the stack derives them from
 * the same configuration), so what is left to deny is a permissions boundary, an explicit deny or
 * an organizations policy.
 */
import type { RoleInfo } from '../../aws/iam';
import { notChecked, ok, problem, type CheckResult, type VerifyApis } from './types';
import type { ServiceSubject } from './subject';

/** A secret or file as IAM names it, and what ECS does with it. */
interface Readable {
  readonly subject: string;
  /** Its ARN, given the account (an SSM parameter named by its path is in the environment's account). */
  readonly arn: (account: string) => string;
  readonly action: string;
}

const SSM_ARN = /^arn:(aws[a-z-]*):ssm:([a-z0-9-]+):(\d{12}):parameter(\/.*)$/;

/** The trust policy lets ECS tasks assume the role (sts:AssumeRole for ecs-tasks.amazonaws.com). */
export function trustsEcsTasks(policy: unknown): boolean {
  const statements = (policy as { Statement?: unknown } | undefined)?.Statement;
  const list = Array.isArray(statements) ? statements : statements === undefined ? [] : [statements];
  const asList = (v: unknown): unknown[] => (Array.isArray(v) ? v : v === undefined ? [] : [v]);
  return list.some((s: { Effect?: unknown; Action?: unknown; Principal?: unknown }) => {
    if (s.Effect !== 'Allow') return false;
    const actions = asList(s.Action);
    if (!actions.some((a) => a === 'sts:AssumeRole' || a === 'sts:*' || a === '*')) return false;
    const principal = s.Principal as { Service?: unknown } | string | undefined;
    if (principal === '*') return true;
    return asList(typeof principal === 'object' ? principal.Service : undefined).includes('ecs-tasks.amazonaws.com');
  });
}

async function roleCheck(
  subject: ServiceSubject,
  apis: VerifyApis,
  which: 'execution' | 'task',
  name: string,
  created: boolean,
): Promise<{ result: CheckResult; role?: RoleInfo }> {
  const svc = subject.service;
  const label = `${which} role ${name}`;
  const role = await apis.iam.role(name);
  if (role === undefined) {
    return created
      ? { result: notChecked('role', label, 'not created yet (the first apply creates it)', svc) }
      : {
          result: problem(
            'role',
            label,
            `the file's taskRoleArn names a role that does not exist: ECS could not start the tasks`,
            svc,
          ),
        };
  }
  if (!trustsEcsTasks(role.trustPolicy)) {
    return {
      result: problem(
        'role',
        label,
        'its trust policy does not let ecs-tasks.amazonaws.com sts:AssumeRole: ECS could not start the tasks',
        svc,
      ),
      role,
    };
  }
  return { result: ok('role', label, 'exists; ECS tasks may assume it', svc), role };
}

/** The role, secret, file and read-permission lines of one service. */
export async function checkAccess(
  subject: ServiceSubject,
  apis: VerifyApis,
  account: string | undefined,
): Promise<CheckResult[]> {
  const svc = subject.service;
  const [execution, task, secrets, files] = await Promise.all([
    roleCheck(subject, apis, 'execution', subject.executionRole, true),
    roleCheck(subject, apis, 'task', subject.taskRole.name, subject.taskRole.created),
    checkSecrets(subject, apis, account),
    checkFiles(subject, apis),
  ]);
  const readables = [...secrets.readables, ...files.readables];
  const permissions = await checkReadPermission(subject, apis, execution.role, readables);
  return [execution.result, task.result, ...secrets.results, ...files.results, ...permissions].map((r) => ({
    ...r,
    service: svc,
  }));
}

async function checkSecrets(
  subject: ServiceSubject,
  apis: VerifyApis,
  account: string | undefined,
): Promise<{ results: CheckResult[]; readables: Readable[] }> {
  const results: CheckResult[] = [];
  const readables: Readable[] = [];
  const ssm = subject.secrets.filter((r) => !r.includes(':secretsmanager:'));
  const sm = subject.secrets.filter((r) => r.includes(':secretsmanager:'));
  // SSM: a path (or name) in the environment's region and account, or a parameter ARN.
  const names = new Map<string, string>();
  for (const ref of ssm) {
    const m = SSM_ARN.exec(ref);
    if (m === null) {
      names.set(ref, ref);
      continue;
    }
    const [, , region, refAccount, name] = m;
    if (region !== subject.region || (account !== undefined && refAccount !== account)) {
      results.push(
        notChecked(
          'secret',
          ref,
          `an SSM parameter of ${refAccount !== account ? `account ${refAccount}` : `region ${region}`}: ecsdeploy looks up parameters of the environment's region and account only`,
        ),
      );
      continue;
    }
    names.set(ref, name!);
  }
  if (names.size > 0) {
    const wanted = [...new Set([...names.values()].flatMap((n) => (n.startsWith('/') ? [n] : [n, `/${n}`])))];
    const found = await apis.parameters.describe(wanted);
    for (const [ref, name] of names) {
      const p = found.find((f) => f.name === name || f.name === `/${name}` || `/${f.name}` === name);
      if (p === undefined) {
        results.push(
          problem(
            'secret',
            ref,
            `there is no SSM parameter ${name} in ${subject.region}: the tasks would stop with ResourceInitializationError`,
          ),
        );
        continue;
      }
      results.push(ok('secret', ref, `SSM parameter exists${p.type ? ` (${p.type})` : ''}`));
      const path = p.name.startsWith('/') ? p.name : `/${p.name}`;
      readables.push({
        subject: ref,
        arn: (acct) =>
          ref.startsWith('arn:') ? ref : `arn:${subject.partition}:ssm:${subject.region}:${acct}:parameter${path}`,
        action: 'ssm:GetParameters',
      });
    }
  }
  for (const ref of sm) {
    const secretId = ref.split(':').slice(0, 7).join(':');
    const s = await apis.secrets.describe(secretId);
    if (s === undefined) {
      results.push(
        problem(
          'secret',
          ref,
          `there is no Secrets Manager secret ${secretId}: the tasks would stop with ResourceInitializationError`,
        ),
      );
    } else if (s.deletedAt !== undefined) {
      results.push(
        problem(
          'secret',
          ref,
          `the secret is scheduled for deletion (since ${new Date(s.deletedAt).toISOString()}): ECS cannot read it`,
        ),
      );
    } else {
      results.push(ok('secret', ref, 'Secrets Manager secret exists'));
      readables.push({ subject: ref, arn: () => s.arn, action: 'secretsmanager:GetSecretValue' });
    }
  }
  return { results, readables };
}

async function checkFiles(
  subject: ServiceSubject,
  apis: VerifyApis,
): Promise<{ results: CheckResult[]; readables: Readable[] }> {
  const results: CheckResult[] = [];
  const readables: Readable[] = [];
  for (const arn of subject.environmentFiles) {
    const path = arn.slice(arn.indexOf(':::') + 3);
    const bucket = path.slice(0, path.indexOf('/'));
    const key = path.slice(path.indexOf('/') + 1);
    const found = await apis.objects.head(bucket, key);
    if (found === 'missing')
      results.push(
        problem(
          'environment-file',
          arn,
          `s3://${bucket}/${key} does not exist: the tasks would stop with ResourceInitializationError`,
        ),
      );
    else if (found === 'forbidden')
      results.push(
        notChecked(
          'environment-file',
          arn,
          `these credentials may not read s3://${bucket}/${key} (HTTP 403), so whether it exists is unknown`,
        ),
      );
    else results.push(ok('environment-file', arn, 'exists'));
    if (found !== 'missing') readables.push({ subject: arn, arn: () => arn, action: 's3:GetObject' });
  }
  return { results, readables };
}

async function checkReadPermission(
  subject: ServiceSubject,
  apis: VerifyApis,
  role: RoleInfo | undefined,
  readables: readonly Readable[],
): Promise<CheckResult[]> {
  if (readables.length === 0) return [];
  if (role === undefined) {
    return readables.map((r) =>
      notChecked(
        'read-permission',
        r.subject,
        `the execution role ${subject.executionRole} is not created yet (the first apply creates it, granted exactly these)`,
      ),
    );
  }
  // The role's own account (arn:aws:iam::<account>:role/...): where its SSM parameters are.
  const account = role.arn.split(':')[4] ?? '';
  // The grants the apply writes (stacks/task-definition.ts executionStatements), added to the role's own policies.
  const byAction = new Map<string, Readable[]>();
  for (const r of readables) byAction.set(r.action, [...(byAction.get(r.action) ?? []), r]);
  const granted = JSON.stringify({
    Version: '2012-10-17',
    Statement: [...byAction].map(([action, rs]) => ({
      Effect: 'Allow',
      Action: action,
      Resource: rs.map((r) => r.arn(account)),
    })),
  });
  const out: CheckResult[] = [];
  for (const [action, rs] of byAction) {
    const sim = await apis.iam.simulate(
      role.arn,
      action,
      rs.map((r) => r.arn(account)),
      [granted],
    );
    for (const r of rs) {
      if ('unavailable' in sim) {
        out.push(notChecked('read-permission', r.subject, `IAM policy simulation not available: ${sim.unavailable}`));
        continue;
      }
      const d =
        sim.decisions.find((x) => x.resource === r.arn(account)) ??
        (sim.decisions.length === 1 ? sim.decisions[0] : undefined);
      if (d === undefined)
        out.push(
          notChecked('read-permission', r.subject, `IAM policy simulation gave no answer for ${r.arn(account)}`),
        );
      else if (d.decision === 'allowed')
        out.push(ok('read-permission', r.subject, `${subject.executionRole} may ${action} (IAM policy simulation)`));
      else
        out.push(
          problem(
            'read-permission',
            r.subject,
            `${subject.executionRole} may not ${action} on it: IAM policy simulation says ${d.decision}${d.deniedBy ? ` (${d.deniedBy})` : ''}, even with the grants the apply writes`,
          ),
        );
    }
  }
  return out;
}
