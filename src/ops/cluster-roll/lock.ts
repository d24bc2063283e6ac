/**
 * The roll lock: one `cluster roll` at a time on an Auto Scaling group.
 *
 * The group's tag (ecsdeploy:roll) says a roll is in progress and keeps the sizes to restore; it
 * stays while a roll is interrupted, so the next run resumes. It cannot tell two running rolls
 * apart: CreateOrUpdateTags is not conditional, so two runs that both read "no tag" both write it
 * and both go on. The lock is the atomic claim in front of it: an object created only if absent,
 *   - s3 state (state.backend: s3): `<state.prefix>/rolls/<group>.json` in the state bucket, a
 *     PutObject with If-None-Match: * (S3 answers 412 to every writer but the first);
 *   - local state: `.ecsdeploy/rolls/<group>.json` in the project, created with O_EXCL (one
 *     machine, like the local state itself).
 * It is held while a run changes the group and released when the run ends in any way it can report
 * (done, failed, interrupted with Ctrl-C). A run that was killed leaves it: the next run names the
 * holder and its age, and `--force-unlock <ID>` releases it.
 */
import { randomUUID } from 'node:crypto';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, userInfo } from 'node:os';
import { dirname, join } from 'node:path';
import { z } from 'zod';
import type { ProjectConfig } from '../../config/schema';
import { EcsdeployError, UsageError } from '../../errors';
import { ago } from '../../terraform';
import { stateTarget, underPrefix, type S3Access } from '../environments/storage';

export interface LockInfo {
  /** Random per run; what --force-unlock takes. */
  readonly id: string;
  /** user@host (pid N). */
  readonly who: string;
  readonly host: string;
  readonly pid: number;
  readonly environment: string;
  readonly group: string;
  readonly startedAt: string;
}

const LockSchema = z.object({
  id: z.string().min(1),
  who: z.string(),
  host: z.string(),
  pid: z.number().int(),
  environment: z.string(),
  group: z.string(),
  startedAt: z.string(),
});

/** Create-if-absent, read, remove: all a lock needs. */
export interface LockStore {
  /** Where the lock of `group` is, for messages. */
  where(group: string): string;
  /** Atomically creates the lock; false when one is already there. */
  create(group: string, body: string): Promise<boolean>;
  read(group: string): Promise<string | undefined>;
  remove(group: string): Promise<void>;
}

export const LOCAL_ROLLS_DIR = join('.ecsdeploy', 'rolls');

export function localLockStore(root: string): LockStore {
  const file = (group: string) => join(root, LOCAL_ROLLS_DIR, `${group}.json`);
  // A process that exits without releasing (a second Ctrl-C: process.exit) removes its own lock
  // file on the way out; only a killed one (SIGKILL, a crash of the machine) leaves it.
  const onExit = new Map<string, () => void>();
  return {
    where: file,
    async create(group, body) {
      mkdirSync(dirname(file(group)), { recursive: true });
      try {
        writeFileSync(file(group), body, { flag: 'wx' });
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
        throw err;
      }
      const cleanup = () => {
        try {
          if (readFileSync(file(group), 'utf8') === body) rmSync(file(group), { force: true });
        } catch {
          // already gone
        }
      };
      onExit.set(group, cleanup);
      process.once('exit', cleanup);
      return true;
    },
    async read(group) {
      try {
        return readFileSync(file(group), 'utf8');
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
        throw err;
      }
    },
    async remove(group) {
      const cleanup = onExit.get(group);
      if (cleanup) process.off('exit', cleanup);
      onExit.delete(group);
      rmSync(file(group), { force: true });
    },
  };
}

export function s3LockStore(s3: ReturnType<S3Access>, bucket: string, prefix: string): LockStore {
  const key = (group: string) => underPrefix(prefix, `rolls/${group}.json`);
  return {
    where: (group) => `s3://${bucket}/${key(group)}`,
    async create(group, body) {
      return (await s3.objects.put(bucket, key(group), body, { ifNoneMatch: '*' })).written;
    },
    async read(group) {
      return (await s3.objects.get(bucket, key(group)))?.body;
    },
    async remove(group) {
      await s3.keys.remove(bucket, [key(group)]);
    },
  };
}

/** The project's lock store: beside its state. */
export function projectLockStore(root: string, config: ProjectConfig, s3: S3Access): LockStore {
  const state = config.state;
  if (state.backend === 'local') return localLockStore(root);
  return s3LockStore(s3(stateTarget(config)), state.bucket, state.prefix);
}

export interface Held {
  readonly info: LockInfo;
  release(): Promise<void>;
}

function runner(): { who: string; host: string; pid: number } {
  let user = process.env['ECSDEPLOY_ACTOR'] ?? process.env['GITHUB_ACTOR'];
  if (user === undefined) {
    try {
      user = userInfo().username;
    } catch {
      user = 'someone';
    }
  }
  return { who: `${user}@${hostname()} (pid ${process.pid})`, host: hostname(), pid: process.pid };
}

/** Whether the holder ran on this machine and its process is gone (killed, a second Ctrl-C). */
function gone(held: LockInfo): boolean {
  if (held.host !== hostname() || held.pid === process.pid) return false;
  try {
    process.kill(held.pid, 0);
    return false;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'ESRCH';
  }
}

const when = (startedAt: string, now: Date) => {
  const at = new Date(startedAt);
  return Number.isNaN(at.getTime())
    ? startedAt
    : `${at
        .toISOString()
        .replace('T', ' ')
        .replace(/\.\d+Z$/, ' UTC')} (${ago(at, now)})`;
};

/**
 * Claims the lock of `group`, or throws ECSDEPLOY_ROLL_LOCKED naming who holds it since when.
 * `forceUnlock`: the ID of a lock left by a run that died; it is removed first (only if it is that one).
 */
export async function claimRollLock(
  store: LockStore,
  target: { readonly environment: string; readonly group: string; readonly command: string },
  options: { readonly now: () => Date; readonly forceUnlock?: string },
): Promise<Held> {
  const { group } = target;
  if (options.forceUnlock !== undefined) {
    const held = parse(await store.read(group), store.where(group));
    if (held === undefined) {
      throw new UsageError(
        `--force-unlock ${options.forceUnlock}: ${group} has no roll lock (${store.where(group)}), so there is nothing to release.`,
        [`Run \`${target.command}\` without --force-unlock.`],
      );
    }
    if (held.id !== options.forceUnlock) {
      throw new UsageError(
        `--force-unlock ${options.forceUnlock}: the roll lock of ${group} has the ID ${held.id} (${held.who}, since ${when(held.startedAt, options.now())}), not ${options.forceUnlock}; it was not released.`,
        ['Check that no roll is running, then pass the ID the lock has.'],
      );
    }
    await store.remove(group);
  }
  const info: LockInfo = {
    id: randomUUID(),
    ...runner(),
    environment: target.environment,
    group,
    startedAt: options.now().toISOString(),
  };
  if (await store.create(group, `${JSON.stringify(info, null, 2)}\n`)) {
    return { info, release: () => store.remove(group) };
  }
  const held = parse(await store.read(group), store.where(group));
  const dead = held !== undefined && gone(held);
  const holder = held
    ? `${held.who} has been rolling it since ${when(held.startedAt, options.now())} (lock ID ${held.id})${dead ? `; process ${held.pid} is no longer running on this machine, so that run died and left the lock` : ''}`
    : 'another run holds it';
  throw new EcsdeployError(
    `Another \`ecsdeploy cluster roll\` is running on ${group} (${target.environment}'s Auto Scaling group): ${holder}. This run changed nothing. Lock: ${store.where(group)}.`,
    {
      code: 'ECSDEPLOY_ROLL_LOCKED',
      suggestions: [
        ...(dead
          ? []
          : [
              `Wait for that run to finish; \`ecsdeploy cluster status --env ${target.environment}\` shows where it is.`,
            ]),
        `If that run died (killed, its machine gone) and no roll is running, release the lock and go on: ${target.command} --force-unlock ${held?.id ?? '<lock ID>'}`,
      ],
    },
  );
}

function parse(body: string | undefined, where: string): LockInfo | undefined {
  if (body === undefined) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(body);
  } catch {
    value = undefined;
  }
  const parsed = LockSchema.safeParse(value);
  if (!parsed.success) {
    throw new EcsdeployError(`The roll lock ${where} is not one ecsdeploy wrote.`, {
      code: 'ECSDEPLOY_ROLL_LOCKED',
      suggestions: [`Check that no roll is running, then remove ${where} and run the roll again.`],
    });
  }
  return parsed.data;
}
