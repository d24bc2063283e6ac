/** The owner of an environment on demand: where it comes from, and that AWS accepts it as a tag value. */
import { UsageError } from '../../src/errors';
import { resolveOwner } from '../../src/ops/environments';

describe('resolveOwner', () => {
  it('takes --owner, else $ECSDEPLOY_OWNER, else $GITHUB_ACTOR, else $USER', () => {
    const env = { ECSDEPLOY_OWNER: 'team-web', GITHUB_ACTOR: 'octocat', USER: 'runner' };
    expect(resolveOwner('alice', env)).toBe('alice');
    expect(resolveOwner(undefined, env)).toBe('team-web');
    expect(resolveOwner('  ', { GITHUB_ACTOR: 'octocat', USER: 'runner' })).toBe('octocat');
    expect(resolveOwner(undefined, { ECSDEPLOY_OWNER: '', USER: 'runner' })).toBe('runner');
  });

  it('accepts what AWS accepts in a tag value: letters of any script, digits, spaces, _ . : / = + - @', () => {
    expect(resolveOwner('Zoë Müller-Ōtsuka', {})).toBe('Zoë Müller-Ōtsuka');
    expect(resolveOwner('alice@example.com', {})).toBe('alice@example.com');
    expect(resolveOwner('a'.repeat(256), {})).toHaveLength(256);
  });

  it.each([
    [
      'a semicolon',
      'alice;rm -rf',
      "owner 'alice;rm -rf' (from --owner) is not a valid AWS tag value: use only letters, digits, spaces and _ . : / = + - @",
    ],
    [
      '257 characters',
      'a'.repeat(257),
      `owner '${'a'.repeat(257)}' (from --owner) is not a valid AWS tag value: use at most 256 characters`,
    ],
  ])('refuses %s', (_what, owner, message) => {
    expect(() => resolveOwner(owner, {})).toThrow(new UsageError(message));
  });

  it('names the variable a bad default came from', () => {
    expect(() => resolveOwner(undefined, { GITHUB_ACTOR: 'dependabot[bot]' })).toThrow(
      "owner 'dependabot[bot]' (from $GITHUB_ACTOR) is not a valid AWS tag value",
    );
  });

  it('without any, asks for --owner', () => {
    expect(() => resolveOwner(undefined, {})).toThrow(
      'no owner for the environment: --owner was not given and none of $ECSDEPLOY_OWNER, $GITHUB_ACTOR, $USER is set',
    );
  });
});
