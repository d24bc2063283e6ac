/**
 * The account check in front of the engine (src/ops/infra): plan, apply and destroy of an
 * environment whose credentials are another account stop before any stack is planned; the
 * registry stack is checked against registry.account; the right account goes on to the engine.
 */
import { EcsdeployError } from '../../src/errors';
import { createInfraRunner } from '../../src/ops/infra';
import type { AwsTarget } from '../../src/aws/clients';
import { NO_CHANGES, type StackEngine } from '../../src/terraform';
import { projectWith } from '../config/fixture-project';

const A = '111111111111';
const B = '222222222222';

function setup(projectExtra = '') {
  return projectWith({
    'ecsdeploy.yaml': `project: acme\nregion: us-east-1\n${projectExtra}`,
    'environments/dev.yaml': `network:\n  create:\n    cidr: 10.0.0.0/16\ncluster:\n  fargate: true\naccount: "${B}"\nrole: arn:aws:iam::${B}:role/deployer\n`,
  });
}

function runner(answer: (target: AwsTarget) => string) {
  const engineCalls: string[] = [];
  const asked: string[] = [];
  const infra = createInfraRunner({
    engine: { kind: 'terraform', path: '/bin/false', version: '1.11.4' },
    parallelism: 1,
    identity: async (target) => {
      asked.push(target.role?.roleArn ?? 'standard');
      const account = answer(target);
      return { account, arn: `arn:aws:sts::${account}:assumed-role/x/y`, userId: 'u' };
    },
    openStack: (ref): StackEngine => ({
      init: async () => 'cached',
      plan: async () => {
        engineCalls.push(`${ref.name} plan`);
        return { summary: NO_CHANGES };
      },
      apply: async () => ({}),
      outputs: async () => ({}),
    }),
    autoScaling: () => ({ group: async () => undefined }),
  });
  return { infra, engineCalls, asked };
}

it('stops plan and destroy before the engine when the role gives credentials of another account', async () => {
  const p = setup();
  try {
    const { infra, engineCalls, asked } = runner(() => A);
    const err = await infra.plan({ dir: p.dir, env: 'dev' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(EcsdeployError);
    expect((err as EcsdeployError).code).toBe('ECSDEPLOY_WRONG_ACCOUNT');
    expect((err as EcsdeployError).message).toMatch(
      /^Refusing to touch environment 'dev': it is in account 222222222222 \(environments\/dev\.yaml account:\), but the credentials after assuming arn:aws:iam::222222222222:role\/deployer belong to account 111111111111/,
    );
    await expect(infra.destroy({ dir: p.dir, env: 'dev' })).rejects.toThrow(/Refusing to touch environment 'dev'/);
    expect(engineCalls).toEqual([]);
    expect(asked).toEqual([`arn:aws:iam::${B}:role/deployer`, `arn:aws:iam::${B}:role/deployer`]);
  } finally {
    p.cleanup();
  }
});

it('checks the registry stack against registry.account, with registry.role', async () => {
  const p = setup(`registry:\n  account: "${A}"\n  role: arn:aws:iam::${A}:role/registry\n`);
  try {
    // The environment's role is right; the registry's answers with B.
    const wrong = runner(() => B);
    await expect(wrong.infra.plan({ dir: p.dir, env: 'dev' })).rejects.toThrow(
      /Refusing to touch the registry: it is in account 111111111111 \(ecsdeploy.yaml registry.account\), but the credentials after assuming arn:aws:iam::111111111111:role\/registry belong to account 222222222222/,
    );
    expect(wrong.engineCalls).toEqual([]);
    // Each role's own account: the engine plans.
    const right = runner((t) => t.role!.roleArn.split(':')[4]!);
    const report = await right.infra.plan({ dir: p.dir, env: 'dev' });
    expect(report.stacks.map((s) => s.stack).sort()).toEqual(['dev-api', 'dev-cluster', 'registry']);
    expect(right.asked.sort()).toEqual([`arn:aws:iam::${A}:role/registry`, `arn:aws:iam::${B}:role/deployer`]);
  } finally {
    p.cleanup();
  }
});
