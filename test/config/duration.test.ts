/** The one duration grammar (src/duration.ts), used by every flag and key that takes a time. */
import { goDuration, parseDuration } from '../../src/duration';

describe('parseDuration', () => {
  it.each([
    ['90s', 90_000],
    ['45m', 2_700_000],
    ['1h30m', 5_400_000],
    ['48h', 172_800_000],
    ['7d', 604_800_000],
    ['2d12h', 216_000_000],
    ['500ms', 500],
    ['1m30s', 90_000],
    ['5m500ms', 300_500],
    [' 15m ', 900_000],
    ['0m', 0],
  ])('%j → %d ms', (text, ms) => expect(parseDuration(text)).toBe(ms));

  it.each(['', ' ', 'm', '15', '1.5h', '-1h', '2w', '1m2h', '30m30m', '1h 30m', '15M', '5sms', 'ms'])(
    '%j is not a duration',
    (text) => expect(parseDuration(text)).toBeUndefined(),
  );
});

describe('goDuration (what Terraform flags take)', () => {
  it.each([
    [86_400_000, '86400s'],
    [90_000, '90s'],
    [1_500, '1500ms'],
  ])('%d ms → %s', (ms, text) => expect(goDuration(ms)).toBe(text));
});
