/**
 * Release records and the local store: numbering, which release is current (failed and rolled-back
 * ones never are), what rollback goes back to, and compare-and-swap writes: of two deploys that
 * read the same ledger exactly one records its release, and nothing recorded is lost.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  appendRelease,
  currentRelease,
  emptyLedger,
  localReleaseStore,
  parseReleaseId,
  previousCompleted,
  synthImage,
  updateLedger,
  withRollout,
  type Ledger,
  type NewRelease,
  type ReleaseStore,
  type RolloutStatus,
} from '../../src/ops/releases';

const digest = (n: number) => `sha256:${n.toString(16).padStart(64, '0')}`;
const REPO = '123456789012.dkr.ecr.us-east-1.amazonaws.com/acme/api';

function rel(n: number, tag = `1.0.${n}`): NewRelease {
  return {
    kind: 'deploy',
    image: { requested: tag, repository: REPO, tag, digest: digest(n), serviceRepository: true },
    createdAt: '2026-01-15T10:00:00.000Z',
    createdBy: 'alice@laptop',
  };
}

/** A ledger of releases with these outcomes, oldest first; release i has image i. */
function ledgerOf(...statuses: RolloutStatus[]): Ledger {
  let ledger = emptyLedger('dev', 'api');
  statuses.forEach((status, i) => {
    const { ledger: next, release } = appendRelease(ledger, rel(i + 1), 't');
    ledger = withRollout(next, release.id, { status, updatedAt: 't' });
  });
  return ledger;
}

describe('release ledger', () => {
  it('numbers releases from 1 and links each to the one current when it was recorded', () => {
    const ledger = ledgerOf('completed', 'rolled-back');
    const { release } = appendRelease(ledger, rel(3), 'now');
    expect(release).toMatchObject({
      id: 3,
      environment: 'dev',
      service: 'api',
      previous: 1,
      rollout: { status: 'pending', updatedAt: 'now' },
    });
  });

  it('the current release is the newest pending or completed one; failed and rolled-back ones are skipped', () => {
    expect(currentRelease(ledgerOf('completed', 'failed', 'rolled-back'))?.id).toBe(1);
    expect(currentRelease(ledgerOf('completed', 'pending'))?.id).toBe(2);
    expect(currentRelease(ledgerOf('failed'))).toBeUndefined();
    expect(currentRelease(undefined)).toBeUndefined();
  });

  it('rollback goes to the newest completed release before the current one with another image', () => {
    const ledger = ledgerOf('completed', 'completed', 'failed', 'completed');
    expect(previousCompleted(ledger)?.id).toBe(2);
    // A redeploy of the current image is not somewhere to go back to.
    const same = appendRelease(ledger, { ...rel(4), image: { ...rel(4).image } }, 't');
    const redeployed = withRollout(same.ledger, same.release.id, { status: 'completed', updatedAt: 't' });
    expect(previousCompleted(redeployed)?.id).toBe(2);
    expect(previousCompleted(ledgerOf('completed'))).toBeUndefined();
  });

  it('synth gets the digest for the service repository, the full reference otherwise', () => {
    const own = appendRelease(emptyLedger('dev', 'api'), rel(1), 't').release;
    expect(synthImage(own)).toBe(digest(1));
    const external = appendRelease(
      emptyLedger('dev', 'api'),
      { ...rel(1), image: { ...rel(1).image, repository: 'ghcr.io/acme/api', serviceRepository: false } },
      't',
    ).release;
    expect(synthImage(external)).toBe(`ghcr.io/acme/api@${digest(1)}`);
  });

  it('release names: 12, #12 and r12', () => {
    expect(['12', '#12', 'r12', ' R12 '].map(parseReleaseId)).toEqual([12, 12, 12, 12]);
    expect(parseReleaseId('twelve')).toBeUndefined();
  });
});

describe('local release store', () => {
  let dir: string;
  let store: ReleaseStore;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'ecsdeploy-releases-'));
    store = localReleaseStore(join(dir, '.ecsdeploy', 'releases'), dir);
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('reads an empty ledger when nothing is stored, and writes the first one only if still nothing is', async () => {
    const first = await store.read('dev', 'api');
    expect(first).toEqual({ ledger: emptyLedger('dev', 'api') });
    const { ledger } = appendRelease(first.ledger, rel(1), 't');
    expect(await store.write(ledger, undefined)).toEqual(expect.any(String));
    expect(await store.write(ledger, undefined)).toBeUndefined();
    const file = JSON.parse(readFileSync(join(dir, '.ecsdeploy', 'releases', 'dev', 'api.json'), 'utf8')) as Ledger;
    expect(file.releases.map((r) => r.id)).toEqual([1]);
  });

  it('two deploys that read the same ledger: exactly one records its release; the other changes nothing', async () => {
    const a = await store.read('dev', 'api');
    const b = await store.read('dev', 'api');
    const wonA = await store.write(appendRelease(a.ledger, rel(1, 'a'), 't').ledger, a.version);
    const wonB = await store.write(appendRelease(b.ledger, rel(2, 'b'), 't').ledger, b.version);
    expect(wonA).toBeDefined();
    expect(wonB).toBeUndefined();
    const { ledger } = await store.read('dev', 'api');
    expect(ledger.releases.map((r) => r.image.tag)).toEqual(['a']);
  });

  it('an outcome update retries a lost race and keeps what the other writer recorded', async () => {
    const start = await store.read('dev', 'api');
    await store.write(appendRelease(start.ledger, rel(1), 't').ledger, start.version);
    let interfered = false;
    const racing: ReleaseStore = {
      location: store.location,
      read: (e, s) => store.read(e, s),
      async write(ledger, expected) {
        if (!interfered) {
          interfered = true; // someone records release 2 between our read and our write
          const now = await store.read('dev', 'api');
          await store.write(appendRelease(now.ledger, rel(2), 't').ledger, now.version);
        }
        return store.write(ledger, expected);
      },
    };
    await updateLedger(racing, 'dev', 'api', (l) => withRollout(l, 1, { status: 'completed', updatedAt: 'later' }));
    const { ledger } = await store.read('dev', 'api');
    expect(ledger.releases.map((r) => [r.id, r.rollout.status])).toEqual([
      [1, 'completed'],
      [2, 'pending'],
    ]);
  });

  it('a lock left by a dead process is taken over; a fresh one means someone is writing', async () => {
    const file = join(dir, '.ecsdeploy', 'releases', 'dev', 'api.json');
    mkdirSync(join(dir, '.ecsdeploy', 'releases', 'dev'), { recursive: true });
    writeFileSync(`${file}.lock`, '12345');
    const { ledger } = appendRelease(emptyLedger('dev', 'api'), rel(1), 't');
    expect(await store.write(ledger, undefined)).toBeUndefined();
    const old = new Date(Date.now() - 60_000);
    utimesSync(`${file}.lock`, old, old);
    expect(await store.write(ledger, undefined)).toBeDefined();
  });

  it('a ledger that is not valid says which file and what is wrong', async () => {
    const file = join(dir, '.ecsdeploy', 'releases', 'dev', 'api.json');
    mkdirSync(join(dir, '.ecsdeploy', 'releases', 'dev'), { recursive: true });
    writeFileSync(file, JSON.stringify({ format: 1, environment: 'dev', service: 'api', releases: [{ id: 0 }] }));
    await expect(store.read('dev', 'api')).rejects.toThrow(
      /The release ledger \.ecsdeploy\/releases\/dev\/api\.json is not a valid ledger:\n {2}releases\.0\.id: /,
    );
    writeFileSync(file, '{');
    await expect(store.read('dev', 'api')).rejects.toThrow(
      'The release ledger .ecsdeploy/releases/dev/api.json is not valid JSON',
    );
  });
});
