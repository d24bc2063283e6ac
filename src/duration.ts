/** Durations on the command line: `90s`, `45m`, `2h`, `1h30m` → milliseconds. Node built-ins only. */
export function parseDurationMs(text: string): number | undefined {
  const m = /^(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?$/.exec(text.trim());
  if (!m || text.trim() === '' || (m[1] ?? m[2] ?? m[3]) === undefined) return undefined;
  return ((Number(m[1] ?? 0) * 60 + Number(m[2] ?? 0)) * 60 + Number(m[3] ?? 0)) * 1000;
}
