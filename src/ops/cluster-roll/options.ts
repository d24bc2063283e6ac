/** `cluster roll` flags as they arrive (strings and numbers from the command line), checked with zod. */
import { z } from 'zod';
import { UsageError } from '../../errors';
import type { BatchSize } from './batches';
import type { RollOptions } from './types';
import { DURATION_EXAMPLES, parseDuration } from '../../duration';

export interface RollFlags {
  readonly strategy?: string;
  readonly batch?: string;
  readonly surge?: number;
  readonly maxUnavailable?: number;
  readonly timeout?: string;
  readonly dryRun?: boolean;
}

export const DEFAULT_TIMEOUT = '30m';

const FlagsSchema = z.object({
  strategy: z
    .enum(['drain', 'instance-refresh'], { error: "--strategy must be 'drain' or 'instance-refresh'" })
    .default('drain'),
  batch: z
    .string()
    .regex(/^[1-9]\d*%?$/, '--batch must be a number of instances (e.g. 2) or a percentage of the group (e.g. 25%)')
    .refine((b) => !b.endsWith('%') || Number(b.slice(0, -1)) <= 100, '--batch: a percentage is at most 100%')
    .optional(),
  surge: z
    .number({ error: '--surge must be a whole number' })
    .int('--surge must be a whole number')
    .min(0, '--surge must be 0 or more')
    .optional(),
  maxUnavailable: z
    .number()
    .int('--max-unavailable must be a whole number')
    .min(0, '--max-unavailable must be 0 or more')
    .optional(),
  timeout: z
    .string()
    .default(DEFAULT_TIMEOUT)
    .refine((t) => (parseDuration(t) ?? 0) > 0, `--timeout must be a duration such as ${DURATION_EXAMPLES}`),
  dryRun: z.boolean().default(false),
});

export function parseRollOptions(flags: RollFlags): RollOptions {
  const parsed = FlagsSchema.safeParse(flags);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new UsageError(
      `${issue.message} (got '${String((flags as Record<string, unknown>)[String(issue.path[0])])}')`,
      ['See ecsdeploy cluster roll --help for the flags and their defaults.'],
    );
  }
  const f = parsed.data;
  const batch: BatchSize | undefined =
    f.batch === undefined
      ? undefined
      : f.batch.endsWith('%')
        ? { percent: Number(f.batch.slice(0, -1)) }
        : { count: Number(f.batch) };
  return {
    strategy: f.strategy,
    timeoutMs: parseDuration(f.timeout)!,
    dryRun: f.dryRun,
    ...(batch ? { batch } : {}),
    ...(f.surge !== undefined ? { surge: f.surge } : {}),
    ...(f.maxUnavailable !== undefined ? { maxUnavailable: f.maxUnavailable } : {}),
  };
}
