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
