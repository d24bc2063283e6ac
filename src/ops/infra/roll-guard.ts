/**
 * A cluster stack is not applied while `ecsdeploy cluster roll` runs on its Auto Scaling group.
 *
 * While it runs, the roll keeps the group's original sizes in a tag (ecsdeploy:roll, ROLL_TAG in
 * src/ops/cluster-roll/observe.ts) and raises the group's desired capacity and max size for its extra
 * instances. The cluster stack knows neither: applying it removes the tag and sets the max size
 * back (and AWS lowers the desired capacity with it) under the running roll, which then loses
 * its extra instances while tasks move and can no longer restore the sizes it started from.
 *
 * So apply reads the group (one DescribeAutoScalingGroups) before it plans anything, and again
 * right before it applies the cluster stack's plan (a confirmation can wait for minutes), and
 * refuses while the tag is there: exit 1 with ECSDEPLOY_ROLL_IN_PROGRESS, like a state lock held
 * by another run (nothing is wrong with the command; it has to wait). When the group cannot be
 * read, apply fails too, as it does when any other read it depends on fails (state, release
 * ledgers): applying without knowing is what the check is there to prevent.
 *
 * plan changes nothing, so it only warns, in its report (text and JSON), in both cases: a roll's
 * sizes and tag show there as changes to the group, and a CI job that plans to detect drift
 * should report them, not fail differently during a roll.
 *
 * Only a run that includes an environment's own cluster stack with EC2 capacity reads anything
 * here: the registry, service stacks and a Fargate-only cluster never reach AWS for it.
 */
import type { AutoScalingApi } from '../../aws/autoscaling';
import type { ResolvedEnvironment } from '../../config/load';
import { EcsdeployError, ExitCode } from '../../errors';
import type { StackRef } from '../../synth';
import { ago } from '../../terraform';
import { clusterNames } from '../cluster-roll/names';
import { rollInProgress, ROLL_TAG } from '../cluster-roll/observe';
import type { RollMark } from '../cluster-roll/types';

/** Reads an environment's Auto Scaling group (for its tags). */
export type GroupReader = (env: ResolvedEnvironment) => Pick<AutoScalingApi, 'group'>;

/** The AWS SDK, in the environment's region and endpoint (the SDK loads only when a cluster stack is checked). */
export const sdkGroupReader: GroupReader = (env) => {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const roll = require('../cluster-roll') as typeof import('../cluster-roll');
  return roll.sdkAutoScalingApi(env);
};

export interface RollGuard {
  /** The cluster stack it guards. */
  readonly stack: string;
  /** apply: throws while a roll is in progress on the group, or when the group cannot be read. */
  refuse(): Promise<void>;
  /** plan: the same two conditions as warnings (none when neither holds); never throws. */
  warnings(): Promise<string[]>;
}

/**
 * The guard of a run over `stacks`, when they include `env`'s own cluster stack and it has EC2
 * capacity (an Auto Scaling group to roll); undefined otherwise: nothing to check.
 */
export function rollGuard(
  env: ResolvedEnvironment,
  stacks: readonly StackRef[],
  read: GroupReader,
  now: () => Date,
): RollGuard | undefined {
  const stack = stacks.find((s) => s.kind === 'cluster' && s.environment === env.name)?.name;
  if (stack === undefined || env.config.cluster.ec2 === undefined) return undefined;
  const group = clusterNames(env).autoScalingGroup;
  const check = async (): Promise<{ mark?: RollMark; error?: unknown }> => {
    try {
      const mark = await rollInProgress(read(env), group);
      return mark ? { mark } : {};
    } catch (error) {
      return { error };
    }
  };
  const since = (mark: RollMark) => {
    const at = new Date(mark.startedAt);
    return Number.isNaN(at.getTime())
      ? mark.startedAt
      : `${at
          .toISOString()
          .replace('T', ' ')
          .replace(/\.\d+Z$/, ' UTC')} (${ago(at, now())})`;
  };
  const sizes = (mark: RollMark) =>
    `min ${mark.original.minSize}, max ${mark.original.maxSize}, desired ${mark.original.desiredCapacity}`;
  return {
    stack,
    async refuse() {
      const { mark, error } = await check();
      if (error !== undefined) {
        const e = error instanceof EcsdeployError ? error : undefined;
        throw new EcsdeployError(
          `Could not check whether \`ecsdeploy cluster roll\` is running on ${group} (${env.name}'s Auto Scaling group), so ${stack} is not applied: ${(error as Error)?.message ?? String(error)}`,
          {
            code: e?.code ?? 'ECSDEPLOY_AWS',
            exitCode: e?.exitCode ?? ExitCode.Failed,
            suggestions: [
              ...(e?.suggestions ?? []),
              `apply reads the group before applying ${stack}: applied during a roll, it would undo the roll's sizes. Service stacks need no such check (\`ecsdeploy apply --env ${env.name} --stack <service>\`).`,
            ],
            cause: error,
          },
        );
      }
      if (mark === undefined) return;
      throw new EcsdeployError(
        `A roll of ${env.name}'s instances is in progress: \`ecsdeploy cluster roll\` started it ${since(mark)}, and ${group} still carries its tag ${ROLL_TAG} (original sizes: ${sizes(mark)}). Applying ${stack} now would remove that tag and set the group's max size back under the running roll, so apply does not apply it until the roll has finished.`,
        {
          code: 'ECSDEPLOY_ROLL_IN_PROGRESS',
          suggestions: [
            `Let the roll finish, then apply again; \`ecsdeploy cluster status --env ${env.name}\` shows where it is.`,
            `If it was stopped or interrupted, run \`ecsdeploy cluster roll --env ${env.name}\` to resume it to the end: it gives back its extra instances, restores the original sizes and removes the tag.`,
            `Service stacks can be applied meanwhile: \`ecsdeploy apply --env ${env.name} --stack <service>\`.`,
          ],
        },
      );
    },
    async warnings() {
      const { mark, error } = await check();
      if (error !== undefined) {
        return [
          `Could not check whether \`ecsdeploy cluster roll\` is running on ${group}: ${(error as Error)?.message ?? String(error)}. apply checks before applying ${stack}, and does not apply it without knowing.`,
        ];
      }
      if (mark === undefined) return [];
      return [
        `A roll of ${env.name}'s instances is in progress (\`ecsdeploy cluster roll\` started it ${since(mark)}; ${group} carries its tag ${ROLL_TAG}, original sizes: ${sizes(mark)}). Changes to the group in ${stack} may be the roll's own (its tag, a raised max size), and apply refuses ${stack} until the roll has finished (\`ecsdeploy cluster roll --env ${env.name}\` resumes a stopped one to its end).`,
      ];
    },
  };
}
