/**
 * `deployment.before`: the one-off commands (migrations) a deploy runs as tasks of the NEW
 * release's task definition (its digest, variables and secrets), after the stack registered that
 * task definition and before the ECS service is updated. In order; the first that does not exit 0
 * stops the deploy, and the ECS service is not touched.
 *
 * How the service is kept where it is while they run:
 *   - rolling: the release records `before.hold`, the task definition the ECS service runs now, and
 *     synth gives the ECS service that ARN (src/synth, HeldTaskDefinitions): the first apply
 *     registers the new task definition and changes nothing else of the service's task; once every
 *     step passed, the hold is lifted and the second apply moves the service to the new revision.
 *     Terraform's state says what ECS runs at every moment.
 *   - blue/green, canary, linear: Terraform already leaves the service's task definition to
 *     CodeDeploy; the steps run between the apply and the CodeDeploy deployment.
 */
import { parseDuration } from '../../duration';
import { EcsdeployError, ExitCode } from '../../errors';
import { updateLedger, withBefore, type Before, type BeforeStep, type Release } from '../releases';
import { drain } from '../deploy-watch';
import { commandOf, describeService, showCommand, startOneOff, tasksApi } from '../task/one-off';
import { watchTask, type TaskEvent, type TaskOutcome } from '../task/watch';
import type { ServiceContext, ServiceDeps } from './context';

export type BeforeEvent =
  | { readonly type: 'started'; readonly taskArn: string; readonly container: string; readonly taskDefinition: string }
  | TaskEvent
  | {
      readonly type: 'ended';
      readonly status: 'passed' | 'failed';
      readonly exitCode?: number;
      readonly reason?: string;
    };

export interface BeforeOptions {
  readonly onEvent?: (step: number, of: number, command: string, event: BeforeEvent) => void;
  readonly onInterrupt?: (handler: () => void) => () => void;
}

/** A before-step did not exit 0: the deploy stops, the ECS service untouched. */
export class BeforeStepError extends EcsdeployError {
  constructor(
    message: string,
    readonly step: BeforeStep,
    exitCode: ExitCode,
    suggestions: readonly string[],
  ) {
    super(message, { code: 'ECSDEPLOY_BEFORE_FAILED', exitCode, suggestions });
    this.name = 'BeforeStepError';
  }
}

/** A step's timeout (`10m`, `1h30m`) → ms; the schema has checked it, 10 minutes otherwise. */
export function durationMs(text: string): number {
  return parseDuration(text) ?? 10 * 60_000;
}

/** The steps of the service file, all pending. */
export function pendingSteps(ctx: ServiceContext): BeforeStep[] {
  return ctx.service.deployment.before.map((b) => ({
    command: showCommand(b.command),
    container: b.container ?? ctx.names.container,
    status: 'pending',
  }));
}

/** The task definition the ECS service runs now, or undefined when there is no service yet (its first apply creates it). */
export async function runningTaskDefinition(ctx: ServiceContext): Promise<string | undefined> {
  const { services } = await ctx.aws.ecs.describeServices(ctx.names.cluster, [ctx.names.service]);
  const td = services.find((s) => s.status !== 'INACTIVE')?.taskDefinition;
  return td === '' ? undefined : td;
}

/** Records the before-steps of release `id` (retrying lost races). */
export function beforeRecorder(
  ctx: ServiceContext,
  id: number,
  onRecorded: (release: Release) => void,
): (before: Before) => Promise<void> {
  return async (before) => {
    const updated = await updateLedger(ctx.store, ctx.env.name, ctx.service.name, (l) => withBefore(l, id, before));
    const release = updated.releases.find((r) => r.id === id);
    if (release !== undefined) onRecorded(release);
  };
}

/**
 * Runs the steps in order as tasks of `taskDefinition`; records each as it starts and ends. Throws a
 * BeforeStepError for the first that does not exit 0 (its reason and last log lines recorded).
 */
export async function runBeforeSteps(
  ctx: ServiceContext,
  deps: Pick<ServiceDeps, 'clock' | 'actor'>,
  taskDefinition: string,
  hold: string | undefined,
  record: (before: Before) => Promise<void>,
  options: BeforeOptions = {},
): Promise<Before> {
  const config = ctx.service.deployment.before;
  const steps = pendingSteps(ctx);
  const save = (status: Before['status']) =>
    record({ status, ...(status === 'running' && hold ? { hold } : {}), steps: [...steps] });
  const service = await describeService(ctx);
  for (let i = 0; i < config.length; i++) {
    const step = config[i]!;
    const shown = steps[i]!.command;
    const emit = (event: BeforeEvent) => options.onEvent?.(i + 1, config.length, shown, event);
    const started = await startOneOff(ctx, service, {
      taskDefinition,
      container: steps[i]!.container,
      command: commandOf(step.command),
      actor: deps.actor(),
      purpose: `deployment.before ${i + 1} of ${config.length}`,
      timeoutMs: durationMs(step.timeout),
    });
    steps[i] = { ...steps[i]!, status: 'running', taskArn: started.task.arn };
    await save('running');
    emit({ type: 'started', taskArn: started.task.arn, container: started.container, taskDefinition });
    const outcome = await drain(
      watchTask(
        { tasks: tasksApi(ctx), ...(ctx.aws.logStreams ? { logs: ctx.aws.logStreams } : {}) },
        started.target,
        deps.clock,
        options.onInterrupt ? { onInterrupt: options.onInterrupt } : {},
      ),
      emit,
    );
    if (outcome.kind === 'exited' && outcome.exitCode === 0) {
      steps[i] = { ...steps[i]!, status: 'passed', exitCode: 0 };
      emit({ type: 'ended', status: 'passed', exitCode: 0 });
      continue;
    }
    const reason = failure(outcome);
    steps[i] = {
      ...steps[i]!,
      status: 'failed',
      ...(outcome.kind === 'exited' ? { exitCode: outcome.exitCode } : {}),
      reason,
      ...(outcome.lastLines.length ? { lastLines: [...outcome.lastLines] } : {}),
    };
    await save('failed');
    emit({
      type: 'ended',
      status: 'failed',
      ...(outcome.kind === 'exited' ? { exitCode: outcome.exitCode } : {}),
      reason,
    });
    const tail = outcome.lastLines.length
      ? `\nIts last log lines:\n${outcome.lastLines
          .slice(-10)
          .map((l) => `  | ${l}`)
          .join('\n')}`
      : '';
    throw new BeforeStepError(
      `deployment.before[${i}] \`${shown}\` (container ${steps[i]!.container}) ${reason}: the ECS service ${ctx.names.service} was not updated.${tail}`,
      steps[i]!,
      outcome.kind === 'interrupted' ? ExitCode.Interrupted : ExitCode.Failed,
      [
        `Its whole log: ecsdeploy task logs ${ctx.service.name} ${started.task.arn.slice(started.task.arn.lastIndexOf('/') + 1)} --env ${ctx.env.name}.`,
        'Fix the command or the image, then deploy again: the steps run again from the first.',
      ],
    );
  }
  const before: Before = { status: 'passed', steps };
  await record(before);
  return before;
}

function failure(o: TaskOutcome): string {
  switch (o.kind) {
    case 'exited':
      return `exited with code ${o.exitCode}${o.reason ? ` (${o.reason})` : ''}`;
    case 'notStarted':
      return `never started: ${o.reason}`;
    case 'failed':
      return `stopped without an exit code: ${o.reason}`;
    case 'timedOut':
      return 'ran longer than its timeout and was stopped';
    case 'interrupted':
      return o.stopped
        ? 'was stopped (Ctrl-C)'
        : 'was left running when the deploy was interrupted (Ctrl-C); the task runs on';
  }
}
