/**
 * The account check (src/ops/accounts) and the credentials of an assumed role (src/aws/clients):
 * a wrong account stops with a message naming the environment, its account and the credentials'
 * account; no `account:` asks nothing; an environment on demand is its base's account; each role
 * gets one credentials provider per process, built on the SDK's fromTemporaryCredentials.
 */
import { clientConfig, defaultSessionName, roleCredentials } from '../../src/aws/clients';
import type { AwsTarget } from '../../src/aws/clients';
import type { CallerIdentity } from '../../src/aws/identity';
import { resolveEphemeral } from '../../src/config/ephemeral';
import { loadProject } from '../../src/config/load';
import { EcsdeployError } from '../../src/errors';
import {
  assertAccount,
  assertRegistryAccount,
  environmentTarget,
  forgetIdentities,
  registryTarget,
  releasesTarget,
} from '../../src/ops/accounts';
import { projectWith } from '../config/fixture-project';

const A = '111111111111';
const B = '222222222222';

function project(env: string, projectExtra = '') {
  const p = projectWith({
    'environments/dev.yaml': `network:\n  create:\n    cidr: 10.0.0.0/16\ncluster:\n  fargate: true\n${env}`,
    ...(projectExtra ? { 'ecsdeploy.yaml': `project: acme\nregion: us-east-1\n${projectExtra}` } : {}),
  });
  try {
    return loadProject(p.dir);
  } finally {
    p.cleanup();
  }
}

/** A fake STS: the account of the role's ARN after assuming, else `standard`; records who asked. */
function sts(standard: string) {
  const asked: AwsTarget[] = [];
  const identity = async (target: AwsTarget): Promise<CallerIdentity> => {
    asked.push(target);
    const account = target.role ? target.role.roleArn.split(':')[4]! : standard;
    return {
      account,
      arn: target.role ? `arn:aws:sts::${account}:assumed-role/x/s` : `arn:aws:iam::${account}:user/me`,
      userId: 'AIDA',
    };
  };
  return { asked, identity };
}

afterEach(() => forgetIdentities());

describe('assertAccount', () => {
  it('passes when the credentials (after assuming the role) are the environment account', async () => {
    const env = project(`account: "${B}"\nrole: arn:aws:iam::${B}:role/deployer\n`).environments[0]!;
    const fake = sts(A);
    await expect(assertAccount(env, { identity: fake.identity })).resolves.toMatchObject({ account: B });
    expect(fake.asked).toEqual([{ region: 'us-east-1', role: { roleArn: `arn:aws:iam::${B}:role/deployer` } }]);
  });

  it("stops when the credentials belong to another account, naming the environment, its account and the credentials'", async () => {
    const env = project(`account: "${B}"\n`).environments[0]!;
    const err = await assertAccount(env, { identity: sts(A).identity }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(EcsdeployError);
    expect((err as EcsdeployError).code).toBe('ECSDEPLOY_WRONG_ACCOUNT');
    expect((err as EcsdeployError).exitCode).toBe(1);
    expect((err as EcsdeployError).message).toBe(
      `Refusing to touch environment 'dev': it is in account ${B} (environments/dev.yaml account:), but the credentials of the standard chain (AWS_PROFILE, AWS_ACCESS_KEY_ID, ...) belong to account ${A} (arn:aws:iam::${A}:user/me). Nothing was changed.`,
    );
    expect((err as EcsdeployError).suggestions[0]).toMatch(/Use credentials of account 222222222222/);
  });

  it('names the role when assuming it gave credentials of another account', async () => {
    const env = project(`account: "${B}"\nrole: arn:aws:iam::${B}:role/deployer\n`).environments[0]!;
    const lying = async (): Promise<CallerIdentity> => ({
      account: A,
      arn: `arn:aws:sts::${A}:assumed-role/deployer/s`,
      userId: 'x',
    });
    await expect(assertAccount(env, { identity: lying })).rejects.toThrow(
      `Refusing to touch environment 'dev': it is in account ${B} (environments/dev.yaml account:), but the credentials after assuming arn:aws:iam::${B}:role/deployer belong to account ${A}`,
    );
  });

  it('asks nothing and says nothing without account:', async () => {
    const env = project('').environments[0]!;
    const fake = sts(A);
    await expect(assertAccount(env, { identity: fake.identity })).resolves.toBeUndefined();
    expect(fake.asked).toEqual([]);
  });

  it("an environment on demand is checked against its base's account, with its base's role", async () => {
    const base = project(`account: "${B}"\nrole: arn:aws:iam::${B}:role/deployer\n`).environments[0]!;
    const env = resolveEphemeral(base, {
      version: 1,
      name: 'pr-1',
      base: 'dev',
      owner: 'ci',
      createdAt: '2026-11-24T10:00:00.000Z',
      expiresAt: '2026-11-25T10:00:00.000Z',
      isolated: false,
      services: ['api'],
      slot: 0,
      images: {},
      status: 'creating',
    });
    expect(environmentTarget(env).role).toEqual({ roleArn: `arn:aws:iam::${B}:role/deployer` });
    await expect(assertAccount(env, { identity: sts(A).identity })).resolves.toMatchObject({ account: B });
    const other = { ...env, config: { ...env.config, role: undefined } };
    await expect(assertAccount(other, { identity: sts(A).identity })).rejects.toThrow(
      /environment 'pr-1': it is in account 222222222222 \(account: of its base environments\/dev\.yaml\)/,
    );
  });

  it('the registry is checked against registry.account with registry.role', async () => {
    const p = project('', `registry:\n  account: "${A}"\n  role: arn:aws:iam::${A}:role/registry\n`);
    await expect(assertRegistryAccount(p, { identity: sts(B).identity })).resolves.toMatchObject({ account: A });
    const q = project('', `registry:\n  account: "${A}"\n`);
    await expect(assertRegistryAccount(q, { identity: sts(B).identity })).rejects.toThrow(
      /Refusing to touch the registry: it is in account 111111111111 \(ecsdeploy.yaml registry.account\)/,
    );
  });
});

describe('targets', () => {
  it('the registry uses registry.role, else the environment role; releases use releases.role first', () => {
    const p = project(
      `account: "${B}"\nrole: arn:aws:iam::${B}:role/deployer\n`,
      `releases:\n  store: s3\n  bucket: acme-releases\n  role: arn:aws:iam::${A}:role/releases\n`,
    );
    const env = p.environments[0]!;
    expect(registryTarget(p, env).role).toEqual({ roleArn: `arn:aws:iam::${B}:role/deployer` });
    expect(releasesTarget(p, env).role).toEqual({ roleArn: `arn:aws:iam::${A}:role/releases` });
    const q = project(
      `account: "${B}"\nrole: arn:aws:iam::${B}:role/deployer\n`,
      `registry:\n  account: "${A}"\n  role: arn:aws:iam::${A}:role/registry\n`,
    );
    expect(registryTarget(q, q.environments[0]!).role).toEqual({ roleArn: `arn:aws:iam::${A}:role/registry` });
    expect(releasesTarget(q, q.environments[0]!).role).toEqual({ roleArn: `arn:aws:iam::${B}:role/deployer` });
    expect(releasesTarget(q).role).toEqual({ roleArn: `arn:aws:iam::${A}:role/registry` });
  });
});

describe('assumed-role credentials', () => {
  it('one provider per role, region and endpoint for the whole process; none without a role', () => {
    const role = { roleArn: `arn:aws:iam::${B}:role/deployer`, externalId: 'x1' };
    const a = clientConfig({ region: 'eu-west-1', role }).credentials;
    expect(a).toBeDefined();
    expect(clientConfig({ region: 'eu-west-1', role: { ...role } }).credentials).toBe(a);
    expect(roleCredentials(role, 'eu-west-1')).toBe(a);
    expect(clientConfig({ region: 'eu-west-1', role: { ...role, externalId: 'x2' } }).credentials).not.toBe(a);
    expect(clientConfig({ region: 'us-east-1', role }).credentials).not.toBe(a);
    expect(clientConfig({ region: 'eu-west-1' }).credentials).toBeUndefined();
  });

  it('the default session name says who runs the CLI, within what STS accepts', () => {
    expect(defaultSessionName({ ECSDEPLOY_ACTOR: 'Ana María <ana@example.com>' })).toBe(
      'ecsdeploy-Ana-Mar-a--ana@example.com-',
    );
    expect(defaultSessionName({ USER: 'x'.repeat(100) })).toHaveLength(64);
    expect(defaultSessionName({})).toBe('ecsdeploy-cli');
  });
});

describe('configuration across accounts', () => {
  const twoAccounts = (projectYaml: string) =>
    projectWith({
      'ecsdeploy.yaml': projectYaml,
      'environments/dev.yaml': `network:\n  create:\n    cidr: 10.0.0.0/16\naccount: "${A}"\n`,
      'environments/prod.yaml': `network:\n  create:\n    cidr: 10.1.0.0/16\naccount: "${B}"\n`,
    });

  it('environments in several accounts need registry.account, even when a command loads one of them', () => {
    const p = twoAccounts('project: acme\nregion: us-east-1\n');
    try {
      expect(() => loadProject(p.dir, { environments: ['dev'] })).toThrow(
        `ecsdeploy.yaml:1:1: the environments are in 2 accounts (${A}, ${B}): set registry.account (and registry.role) to the account of the shared registry, which every environment pulls its images from`,
      );
    } finally {
      p.cleanup();
    }
  });

  it('with registry.account, the project knows every environment account (for the registry policy)', () => {
    const p = twoAccounts(`project: acme\nregion: us-east-1\nregistry:\n  account: "${A}"\n`);
    try {
      expect(loadProject(p.dir, { environments: ['dev'] }).accounts).toEqual([A, B]);
    } finally {
      p.cleanup();
    }
  });
});
