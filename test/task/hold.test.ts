/**
 * What synth holds while a release's deployment.before commands run: the recorded task definition,
 * only while the current release's steps are running; never once they passed or the release failed.
 */
import {
  emptyLedger,
  heldTaskDefinition,
  withBefore,
  withRollout,
  appendRelease,
  type Ledger,
} from '../../src/ops/releases/model';

const image = { requested: '1.4.3', repository: 'r', digest: `sha256:${'a'.repeat(64)}`, serviceRepository: true };
const TD1 = 'arn:aws:ecs:eu-west-1:1:task-definition/shop-dev-orders:1';

function ledgerWith(status: 'running' | 'passed' | 'failed', rollout: 'pending' | 'failed' = 'pending'): Ledger {
  const { ledger, release } = appendRelease(
    emptyLedger('dev', 'orders'),
    { image, kind: 'deploy', createdAt: 'now', createdBy: 'me' },
    'now',
  );
  const l = withBefore(ledger, release.id, {
    status,
    ...(status === 'running' ? { hold: TD1 } : {}),
    steps: [{ command: 'migrate', container: 'orders', status: status === 'running' ? 'running' : status }],
  });
  return rollout === 'failed' ? withRollout(l, release.id, { status: 'failed', updatedAt: 'now' }) : l;
}

describe('heldTaskDefinition', () => {
  it('holds the running task definition while the steps run', () =>
    expect(heldTaskDefinition(ledgerWith('running'))).toBe(TD1));
  it('releases it once they passed', () => expect(heldTaskDefinition(ledgerWith('passed'))).toBeUndefined());
  it('and when the release failed', () => expect(heldTaskDefinition(ledgerWith('running', 'failed'))).toBeUndefined());
  it('holds nothing without a ledger', () => expect(heldTaskDefinition(undefined)).toBeUndefined());
});
