/** The figures' arithmetic, shared by every bench module: medians, seconds, spreads. */
export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/** Milliseconds as seconds with one decimal. */
export const seconds = (ms: number): number => Math.round(ms / 100) / 10;

/** min–max of durations in milliseconds, in seconds. */
export const spreadSeconds = (xs: readonly number[]): string =>
  `${seconds(Math.min(...xs))}–${seconds(Math.max(...xs))}`;
