/**
 * No secret values in plain text: the container environment of task definitions (and a Lambda's
 * variables) may hold no credentials; secrets go by reference (`secrets:` → valueFrom ARNs).
 * Mirrors Checkov's CKV_AWS_45 (hard-coded secrets in a Lambda's environment), applied to ECS
 * container definitions too, with the kinds of secret Checkov's detectors recognise by shape.
 */
import { block, containers, type Rule } from '../types';

/** Values that are credentials by their shape, whatever the variable is called. */
const SECRET_VALUES: ReadonlyArray<readonly [string, RegExp]> = [
  ['an AWS access key id', /\b(AKIA|ASIA|AGPA|AIDA|AROA|ANPA|ANVA|AIPA)[A-Z0-9]{16}\b/],
  ['a private key', /-----BEGIN [A-Z ]*PRIVATE KEY-----/],
  ['a GitHub token', /\bgh[pousr]_[A-Za-z0-9]{36,}\b/],
  ['a Slack token', /\bxox[abprs]-[A-Za-z0-9-]{10,}/],
  ['a Stripe secret key', /\b[rs]k_live_[A-Za-z0-9]{16,}/],
  ['a JSON Web Token', /\beyJ[A-Za-z0-9_-]{10,}\.eyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}/],
  ['credentials in a URL', /[a-z][a-z0-9+.-]*:\/\/[^/\s:@]+:[^/\s:@]+@/i],
];

/** Names that say a variable holds a secret; their values must be references, not literals. */
const SECRET_NAME =
  /(^|_)(PASSWORD|PASSWD|SECRET|SECRET_KEY|PRIVATE_KEY|API_KEY|ACCESS_KEY|TOKEN|AUTH_TOKEN|CLIENT_SECRET)$/i;

/** What is wrong with one variable, or undefined. */
export function secretIn(name: string, value: string): string | undefined {
  for (const [what, re] of SECRET_VALUES) if (re.test(value)) return `${name} holds ${what}`;
  // A secret-named variable may name where the secret is (an ARN, a path) or be empty, never hold it.
  if (SECRET_NAME.test(name) && value !== '' && !/^(arn:|\/|\$\{)/.test(value))
    return `${name} is named as a secret and holds a literal value`;
  return undefined;
}

export const secretRules: readonly Rule[] = [
  {
    id: 'no-plaintext-secrets',
    checkovId: 'CKV_AWS_45',
    title: 'No hard-coded secrets in task definitions or Lambda environments',
    resourceTypes: ['aws_ecs_task_definition', 'aws_lambda_function'],
    check: (r, { type }) => {
      const vars: Array<[string, string, string]> =
        type === 'aws_lambda_function'
          ? Object.entries((block(r['environment'])?.['variables'] as Record<string, unknown> | undefined) ?? {}).map(
              ([n, v]) => ['environment', n, String(v)],
            )
          : containers(r).flatMap((c) =>
              ((c['environment'] as Array<{ name: string; value: unknown }> | undefined) ?? []).map(
                (e) => [`container ${String(c['name'])}`, e.name, String(e.value)] as [string, string, string],
              ),
            );
      return vars.flatMap(([where, n, v]) => {
        const problem = secretIn(n, v);
        return problem ? [`${where}: ${problem} (use secrets:, a valueFrom reference)`] : [];
      });
    },
  },
];
