/** The figures' arithmetic, shared by every bench module: medians, seconds, spreads, paired ratios. */
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

const round2 = (x: number) => Math.round(x * 100) / 100;

/**
 * The median of per-round ratios a/b (a and b timed in the same rounds: a[i] and b[i] in round i),
 * with their min–max; `invert` gives b/a ("n times faster" figures).
 */
export function pairedRatio(
  a: readonly number[],
  b: readonly number[],
  invert = false,
): { ratio: number; ratioSpread: string } {
  if (a.length === 0 || a.length !== b.length)
    throw new Error(`pairedRatio: ${a.length} and ${b.length} runs: expected the same number of rounds, at least one`);
  const rs = a.map((x, i) => (invert ? b[i]! / x : x / b[i]!));
  return { ratio: round2(median(rs)), ratioSpread: `${round2(Math.min(...rs))}–${round2(Math.max(...rs))}` };
}
