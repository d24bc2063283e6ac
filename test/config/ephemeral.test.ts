import { join } from 'node:path';
import {
  allocateSlot,
  checkEnvironmentName,
  imageBlock,
  MAX_SLOTS,
  resolveEphemeral,
  ttlMs,
  type EphemeralRecord,
} from '../../src/config/ephemeral';
import { loadProject } from '../../src/config/load';
import type { UsageError } from '../../src/errors';

const ROOT = join(__dirname, '..', '..');
const dev = () => loadProject(ROOT, { environments: ['dev'] }).environments[0]!;
const record = (over: Partial<EphemeralRecord> = {}): EphemeralRecord => ({
  version: 1,
  name: 'feature-x',
  base: 'dev',
  owner: 'ana',
  createdAt: '2026-11-24T10:00:00.000Z',
  expiresAt: '2026-11-26T10:00:00.000Z',
  isolated: false,
  services: ['orders', 'web'],
  slot: 0,
  images: {},
  status: 'ready',
  ...over,
});

describe('durations', () => {
  it.each([
    ['30m', 30 * 60_000],
    ['48h', 48 * 3_600_000],
    ['7d', 7 * 86_400_000],
    ['2d12h', 60 * 3_600_000],
  ])('%s', (text, ms) => expect(ttlMs(text)).toBe(ms));
  it.each(['', '48', 'h', '2w', '0h', '-1h', '1.5h', '1m2h'])('refuses %j, naming the flag', (text) =>
    expect(() => ttlMs(text)).toThrow(/--ttl .*expected a duration such as 30s, 15m, 1h30m, 48h or 7d/),
  );
});

describe('names', () => {
  it.each(['feature-x', 'pr-1234', 'a', 'x'.repeat(24)])('accepts %s', (name) =>
    expect(() => checkEnvironmentName(name, ['dev', 'prod'])).not.toThrow(),
  );
  it.each([
    ['Feature-X', /lowercase/],
    ['feature_x', /lowercase/],
    ['1feature', /starting with a letter/],
    ['feature-', /not ending with '-'/],
    ['x'.repeat(25), /at most 24 characters/],
  ])('refuses %s', (name, msg) => expect(() => checkEnvironmentName(name, [])).toThrow(msg));
  it('refuses a name that is taken', () =>
    expect(() => checkEnvironmentName('prod', ['dev', 'prod'])).toThrow(/'prod' already exists/));
});

describe('slots', () => {
  it('takes the lowest free slot of the same base', () => {
    expect(allocateSlot([], 'dev')).toBe(0);
    expect(
      allocateSlot(
        [
          { base: 'dev', slot: 0 },
          { base: 'dev', slot: 2 },
          { base: 'prod', slot: 1 },
        ],
        'dev',
      ),
    ).toBe(1);
  });
  it('says what to do when every slot is taken', () => {
    const all = Array.from({ length: MAX_SLOTS }, (_, slot) => ({ base: 'dev', slot }));
    expect(() => allocateSlot(all, 'dev')).toThrow(/already hosts 199 environments on demand/);
    try {
      allocateSlot(all, 'dev');
    } catch (err) {
      expect((err as UsageError).suggestions.join(' ')).toMatch(/env gc.*--isolated/);
    }
  });
});

describe('resolving an environment on demand', () => {
  it("takes the base's configuration, the chosen services, the smaller sizes and its own images", () => {
    const digest = `sha256:${'b'.repeat(64)}`;
    const env = resolveEphemeral(dev(), record({ images: { orders: digest } }));
    expect(env.name).toBe('feature-x');
    expect(env.ephemeral).toMatchObject({ base: 'dev', slot: 0, isolated: false, owner: 'ana' });
    expect(env.services.map((s) => s.name)).toEqual(['orders', 'web']);
    expect(env.services.map((s) => s.count)).toEqual([1, 1]);
    expect(env.services[0]!.image).toEqual({ digest });
    expect(env.services[1]!.image).toEqual({ tag: '3.12.0' }); // web keeps dev's image
    expect(env.services[1]!.scaling).toMatchObject({ min: 1, max: 2, schedules: [] }); // web scales 2..6 in dev
    expect(env.tags).toMatchObject({ 'ecsdeploy:base': 'dev', 'ecsdeploy:owner': 'ana' });
    expect(Object.keys(env.tags)).not.toContain('ecsdeploy:expires-at'); // extending must not re-tag every resource
    expect(env.config.protected).toBe(false);
  });

  it('names an unknown service with the known ones', () => {
    expect(() => resolveEphemeral(dev(), record({ services: ['order'] }))).toThrow(
      /service 'order' is not deployed in 'dev'; did you mean 'orders'\?/,
    );
  });

  it('splits image references', () => {
    expect(imageBlock('1.4.3')).toEqual({ tag: '1.4.3' });
    expect(imageBlock('123456789012.dkr.ecr.eu-west-1.amazonaws.com/shop/orders:1.4.3')).toEqual({
      repository: '123456789012.dkr.ecr.eu-west-1.amazonaws.com/shop/orders',
      tag: '1.4.3',
    });
    expect(imageBlock(`nginx@sha256:${'c'.repeat(64)}`)).toEqual({
      repository: 'nginx',
      digest: `sha256:${'c'.repeat(64)}`,
    });
  });
});
