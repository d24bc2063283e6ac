/**
 * Who owns an environment on demand: `--owner`, else $ECSDEPLOY_OWNER, else $GITHUB_ACTOR (GitHub
 * Actions), else $USER. It becomes the `ecsdeploy:owner` tag of every resource, so it must be a
 * valid AWS tag value.
 */
import { UsageError } from '../../errors';

/** AWS tag values: at most 256 characters; letters, digits, spaces and `_ . : / = + - @`. */
export const TAG_VALUE = /^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$/u;
export const MAX_TAG_VALUE = 256;

const SOURCES = ['ECSDEPLOY_OWNER', 'GITHUB_ACTOR', 'USER'] as const;

export function resolveOwner(flag: string | undefined, env: NodeJS.ProcessEnv): string {
  const fromEnv = SOURCES.map((name) => ({ name, value: env[name]?.trim() })).find((s) => s.value);
  const owner = flag?.trim() || fromEnv?.value;
  const source = flag?.trim() ? '--owner' : `$${fromEnv?.name ?? 'USER'}`;
  if (!owner) {
    throw new UsageError(
      'no owner for the environment: --owner was not given and none of $ECSDEPLOY_OWNER, $GITHUB_ACTOR, $USER is set',
      ['Pass --owner NAME (a person or a team), or set ECSDEPLOY_OWNER.'],
    );
  }
  const problems: string[] = [];
  if ([...owner].length > MAX_TAG_VALUE) problems.push(`use at most ${MAX_TAG_VALUE} characters`);
  if (!TAG_VALUE.test(owner)) problems.push('use only letters, digits, spaces and _ . : / = + - @');
  if (problems.length > 0) {
    throw new UsageError(`owner '${owner}' (from ${source}) is not a valid AWS tag value: ${problems.join('; ')}`, [
      'For example --owner alice, --owner team-payments or --owner alice@example.com.',
    ]);
  }
  return owner;
}
