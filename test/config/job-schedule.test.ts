/** When a job's schedule fires next (what `job list` shows): 5-field cron in an IANA time zone, or a rate from its start. */
import { nextCronRun } from '../../src/config/cron';
import { nextRun } from '../../src/ops/jobs';

const at = (iso: string) => Date.parse(iso);
const iso = (ms: number | undefined) => (ms === undefined ? undefined : new Date(ms).toISOString());

describe('nextCronRun', () => {
  it('follows the time zone, daylight saving time included', () => {
    expect(iso(nextCronRun('0 2 * * *', 'Europe/Paris', at('2026-12-06T14:00:00Z')))).toBe('2026-12-07T01:00:00.000Z'); // CET, UTC+1
    expect(iso(nextCronRun('0 2 * * *', 'Europe/Paris', at('2026-07-01T00:00:00Z')))).toBe('2026-07-02T00:00:00.000Z'); // CEST; strictly after
    expect(iso(nextCronRun('0 9 * * *', 'Asia/Kolkata', at('2026-12-06T00:00:00Z')))).toBe('2026-12-06T03:30:00.000Z');
    expect(iso(nextCronRun('0 9 * * *', 'UTC', at('2026-12-06T09:00:30Z')))).toBe('2026-12-07T09:00:00.000Z');
  });
  it('takes day-of-week (names, ranges, 7 for Sunday), day-of-month, months, steps and lists', () => {
    expect(iso(nextCronRun('30 6 * * MON-FRI', 'UTC', at('2026-12-05T10:00:00Z')))).toBe('2026-12-07T06:30:00.000Z'); // Saturday → Monday
    expect(iso(nextCronRun('0 0 * * 7', 'UTC', at('2026-12-07T00:00:00Z')))).toBe('2026-12-13T00:00:00.000Z'); // Sunday
    expect(iso(nextCronRun('0 6 27 11 *', 'UTC', at('2026-12-06T00:00:00Z')))).toBe('2027-11-27T06:00:00.000Z');
    expect(iso(nextCronRun('*/20 8-9 * * *', 'UTC', at('2026-12-06T08:41:00Z')))).toBe('2026-12-06T09:00:00.000Z');
    expect(iso(nextCronRun('0 12 1,15 * *', 'UTC', at('2026-12-02T00:00:00Z')))).toBe('2026-12-15T12:00:00.000Z');
    expect(nextCronRun('0 0 30 2 *', 'UTC', at('2026-12-06T00:00:00Z'))).toBeUndefined();
  });
});

describe('nextRun', () => {
  const cron = { schedule: { cron: '0 2 * * *', timezone: 'UTC', flexibleWindow: 'off' } } as never;
  const rate = { schedule: { rate: '6 hours', timezone: 'UTC', flexibleWindow: 'off' } } as never;
  it('is none while the schedule is disabled or past its end date', () => {
    expect(nextRun(cron, { state: 'DISABLED' }, at('2026-12-06T00:00:00Z'))).toBeUndefined();
    expect(
      nextRun(cron, { state: 'ENABLED', endDate: at('2026-12-06T01:00:00Z') }, at('2026-12-06T00:00:00Z')),
    ).toBeUndefined();
  });
  it("waits for the start date, and counts rates from the schedule's start", () => {
    expect(
      iso(nextRun(cron, { state: 'ENABLED', startDate: at('2027-01-10T00:00:00Z') }, at('2026-12-06T00:00:00Z'))),
    ).toBe('2027-01-10T02:00:00.000Z');
    expect(
      iso(nextRun(rate, { state: 'ENABLED', createdAt: at('2026-12-06T01:00:00Z') }, at('2026-12-06T08:00:00Z'))),
    ).toBe('2026-12-06T13:00:00.000Z');
    expect(
      iso(nextRun(rate, { state: 'ENABLED', createdAt: at('2026-12-06T01:00:00Z') }, at('2026-12-06T07:00:00Z'))),
    ).toBe('2026-12-06T13:00:00.000Z');
  });
});
