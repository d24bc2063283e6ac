/**
 * One cron syntax for every schedule in the config: 5 fields, `minute hour day-of-month month
 * day-of-week`, as in crontab and the Auto Scaling group's `recurrence`. Application Auto Scaling
 * wants its own 6-field `cron(...)` form; `toAwsCron` converts.
 */
const FIELDS: ReadonlyArray<{ min: number; max: number; names?: readonly string[] }> = [
  { min: 0, max: 59 },
  { min: 0, max: 23 },
  { min: 1, max: 31 },
  { min: 1, max: 12, names: ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'] },
  { min: 0, max: 7, names: ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'] },
];

function validValue(v: string, f: (typeof FIELDS)[number]): boolean {
  if (/^\d+$/.test(v)) return Number(v) >= f.min && Number(v) <= f.max;
  return f.names?.includes(v.toUpperCase()) ?? false;
}

function validField(field: string, f: (typeof FIELDS)[number]): boolean {
  return field.split(',').every((part) => {
    const [body, step, ...rest] = part.split('/');
    if (rest.length > 0 || body === undefined) return false;
    if (step !== undefined && !(/^\d+$/.test(step) && Number(step) > 0)) return false;
    if (body === '*') return true;
    const bounds = body.split('-');
    if (bounds.length > 2) return false;
    return bounds.every((b) => validValue(b, f));
  });
}

export function isValidCron(expr: string): boolean {
  const fields = expr.trim().split(/\s+/);
  return fields.length === 5 && fields.every((field, i) => validField(field, FIELDS[i]!));
}

/** `0 8 * * 1-5` → `cron(0 8 ? * 2-6 *)` (AWS numbers Sunday 1, and needs one of the day fields '?'). */
export function toAwsCron(expr: string): string {
  const [minute, hour, dom, month, dow] = expr.trim().split(/\s+/) as [string, string, string, string, string];
  const awsDow = dow === '*' ? '?' : dow.replace(/\d+/g, (d) => String((Number(d) % 7) + 1));
  const awsDom = dow === '*' ? dom : '?';
  return `cron(${minute} ${hour} ${awsDom} ${month} ${awsDow} *)`;
}

/**
 * What EventBridge Scheduler (and Application Auto Scaling) cannot take from a valid 5-field
 * expression: both day-of-month and day-of-week restricted (AWS needs one of them '?').
 */
export function awsCronProblem(expr: string): string | undefined {
  const [, , dom, , dow] = expr.trim().split(/\s+/);
  if (dom !== undefined && dow !== undefined && dom !== '*' && dow !== '*') {
    return `AWS cron cannot restrict both day-of-month (${dom}) and day-of-week (${dow}); set one of them to *`;
  }
  return undefined;
}

/** A schedule rate: a whole number and minute(s), hour(s) or day(s), e.g. `1 hour`, `15 minutes`. */
export const RATE = /^([1-9]\d*) (minute|minutes|hour|hours|day|days)$/;

/** `1 hours` → `rate(1 hour)`, `15 minute` → `rate(15 minutes)`: AWS wants the singular for 1 only. */
export function toAwsRate(rate: string): string {
  const [, value, unit] = RATE.exec(rate.trim()) as unknown as [string, string, string];
  const singular = unit.replace(/s$/, '');
  return `rate(${value} ${value === '1' ? singular : `${singular}s`})`;
}

/** Whether `tz` is an IANA time zone name this runtime knows (Europe/Paris, America/New_York, UTC, Etc/UTC). */
export function isTimeZone(tz: string): boolean {
  if (!/^[A-Za-z][A-Za-z0-9_+\-/]*$/.test(tz)) return false;
  try {
    new Intl.DateTimeFormat('en', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

/** The IANA time zone names of the runtime (for "did you mean"). */
export function timeZoneNames(): string[] {
  return [...Intl.supportedValuesOf('timeZone'), 'UTC'];
}

/** The values a valid cron field stands for (day-of-week 7 is Sunday, 0). */
function expand(field: string, f: (typeof FIELDS)[number], dow: boolean): Set<number> {
  const out = new Set<number>();
  const value = (v: string) =>
    /^\d+$/.test(v) ? Number(v) : f.names!.indexOf(v.toUpperCase()) + (f.min === 1 ? 1 : 0);
  for (const part of field.split(',')) {
    const [body, stepText] = part.split('/') as [string, string | undefined];
    const step = stepText === undefined ? 1 : Number(stepText);
    const [from, to] =
      body === '*'
        ? [f.min, f.max]
        : body.includes('-')
          ? (body.split('-').map(value) as [number, number])
          : [value(body), stepText === undefined ? value(body) : f.max];
    for (let v = from; v <= to; v += step) out.add(dow && v === 7 ? 0 : v);
  }
  return out;
}

/** The wall-clock fields of an instant in a time zone. */
function zoned(instant: number, timeZone: string): { y: number; mo: number; d: number; h: number; mi: number } {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
    })
      .formatToParts(instant)
      .map((p) => [p.type, p.value]),
  ) as Record<string, string>;
  return {
    y: Number(parts['year']),
    mo: Number(parts['month']),
    d: Number(parts['day']),
    h: Number(parts['hour']),
    mi: Number(parts['minute']),
  };
}

/** The instant a wall-clock time of a time zone is (the later offset in a DST overlap, shifted in a gap). */
function fromZoned(y: number, mo: number, d: number, h: number, mi: number, timeZone: string): number {
  const wall = Date.UTC(y, mo - 1, d, h, mi);
  const offset = (t: number) => {
    const z = zoned(t, timeZone);
    return Date.UTC(z.y, z.mo - 1, z.d, z.h, z.mi) - Math.floor(t / 60_000) * 60_000;
  };
  let t = wall - offset(wall);
  t = wall - offset(t);
  return t;
}

/**
 * The first time after `after` (epoch ms) that a valid 5-field cron expression fires in `timeZone`,
 * as EventBridge Scheduler runs it (day-of-week, when restricted, decides alone: see toAwsCron).
 * Undefined when it never fires in the next 5 years (e.g. 30 February).
 */
export function nextCronRun(expr: string, timeZone: string, after: number): number | undefined {
  const [mi, h, dom, mo, dow] = expr.trim().split(/\s+/) as [string, string, string, string, string];
  const minutes = [...expand(mi, FIELDS[0]!, false)].sort((a, b) => a - b);
  const hours = [...expand(h, FIELDS[1]!, false)].sort((a, b) => a - b);
  const days = expand(dom, FIELDS[2]!, false);
  const months = expand(mo, FIELDS[3]!, false);
  const weekdays = expand(dow, FIELDS[4]!, true);
  const start = zoned(after, timeZone);
  for (let i = 0; i <= 5 * 366; i++) {
    const date = new Date(Date.UTC(start.y, start.mo - 1, start.d + i));
    const [y, m, d, wd] = [date.getUTCFullYear(), date.getUTCMonth() + 1, date.getUTCDate(), date.getUTCDay()];
    if (!months.has(m) || !(dow !== '*' ? weekdays.has(wd) : days.has(d))) continue;
    for (const hour of hours) {
      for (const minute of minutes) {
        const t = fromZoned(y, m, d, hour, minute, timeZone);
        if (t > after) return t;
      }
    }
  }
  return undefined;
}
