/**
 * The one duration grammar of ecsdeploy, in configuration files and on the command line alike:
 * whole numbers with a unit, largest unit first, each unit at most once, nothing between them.
 *
 *   units   d (24 hours), h, m, s, ms
 *   e.g.    7d  48h  2d12h  1h30m  45m  90s  500ms
 *
 * docs/configuration.md ("Durations") states it for users; every flag and key that takes a time
 * (`--ttl`, `--timeout`, `--lock-timeout`, `ephemeral.ttl`, `deployment.before[].timeout`,
 * `schedule.flexibleWindow`, ...) is read by `parseDuration`. Node built-ins only.
 */
export const DURATION = /^(?=\d)(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m(?!s))?(?:(\d+)s)?(?:(\d+)ms)?$/;

/** How errors show the grammar. */
export const DURATION_EXAMPLES = '30s, 15m, 1h30m, 48h or 7d';

const UNIT_MS = [86_400_000, 3_600_000, 60_000, 1_000, 1] as const;

/** `1h30m` → 5 400 000 (milliseconds); undefined when the text is not a duration. */
export function parseDuration(text: string): number | undefined {
  const m = DURATION.exec(text.trim());
  if (m === null) return undefined;
  return UNIT_MS.reduce((ms, unit, i) => ms + Number(m[i + 1] ?? 0) * unit, 0);
}

/** A duration as Terraform's flags take it (Go's time.ParseDuration has no days): `1d` → `86400s`. */
export function goDuration(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000}s` : `${ms}ms`;
}
