/**
 * What an engine failure means to the user. A held state lock says who holds it, since when, and
 * how to proceed; a stale saved plan says the state moved on; a crash (no error reported, a panic,
 * a signal) is told apart from an ordinary error. Every message ends with the run's log file.
 */
import { EcsdeployError } from '../errors';
import type { Engine } from './engine';
import type { EngineResult, UiMessage } from './process';

export interface LockInfo {
  readonly id?: string;
  readonly path?: string;
  /** `apply`, `plan`, ... (from OperationTypeApply). */
  readonly operation?: string;
  readonly who?: string;
  readonly version?: string;
  /** When the lock was taken, as the engine printed it. */
  readonly created?: string;
  readonly createdAt?: Date;
}

/** The `Lock Info:` block of the engine's "Error acquiring the state lock". */
export function parseLockInfo(text: string): LockInfo | undefined {
  const block = /Lock Info:\s*\n((?:[ \t]+\S[^\n]*(?:\n|$))+)/.exec(text);
  if (!block) return undefined;
  const fields: Record<string, string> = {};
  for (const line of block[1]!.split('\n')) {
    const m = /^\s+([A-Za-z]+):\s*(.*?)\s*$/.exec(line);
    if (m && m[2]) fields[m[1]!.toLowerCase()] = m[2];
  }
  const created = fields['created'];
  const createdAt = created ? parseEngineTime(created) : undefined;
  return {
    ...(fields['id'] ? { id: fields['id'] } : {}),
    ...(fields['path'] ? { path: fields['path'] } : {}),
    ...(fields['operation'] ? { operation: fields['operation'].replace(/^OperationType/, '').toLowerCase() } : {}),
    ...(fields['who'] ? { who: fields['who'] } : {}),
    ...(fields['version'] ? { version: fields['version'] } : {}),
    ...(created ? { created } : {}),
    ...(createdAt ? { createdAt } : {}),
  };
}

/** Go's time format in lock info: `2025-11-24 07:10:11.123456789 +0000 UTC`. */
function parseEngineTime(text: string): Date | undefined {
  const m = /^(\d{4}-\d\d-\d\d)[ T](\d\d:\d\d:\d\d)(\.\d+)?\s*([+-]\d\d):?(\d\d)?/.exec(text);
  if (!m) return undefined;
  const ms = m[3] ? m[3].slice(0, 4) : '';
  const d = new Date(`${m[1]}T${m[2]}${ms}${m[4]}:${m[5] ?? '00'}`);
  return Number.isNaN(d.getTime()) ? undefined : d;
}

/** `3 minutes ago`, `2 hours ago`. */
export function ago(then: Date, now: Date): string {
  const s = Math.max(0, Math.round((now.getTime() - then.getTime()) / 1000));
  const unit = (n: number, u: string) => `${n} ${u}${n === 1 ? '' : 's'} ago`;
  if (s < 60) return unit(s, 'second');
  if (s < 3600) return unit(Math.floor(s / 60), 'minute');
  if (s < 86400) return unit(Math.floor(s / 3600), 'hour');
  return unit(Math.floor(s / 86400), 'day');
}

export interface FailureContext {
  readonly engine: Engine;
  readonly stack: string;
  /** `init`, `plan`, `apply`, `show`, `output`. */
  readonly step: string;
  /** The stack's working folder, as the user should type it. */
  readonly dir: string;
  readonly logFile: string;
  readonly now: Date;
}

export class StateLockedError extends EcsdeployError {
  constructor(
    readonly stackName: string,
    readonly lock: LockInfo,
    message: string,
    suggestions: readonly string[],
  ) {
    super(message, { code: 'ECSDEPLOY_STATE_LOCKED', suggestions });
    this.name = 'StateLockedError';
  }
}

export class EngineFailedError extends EcsdeployError {
  constructor(
    readonly stackName: string,
    message: string,
    suggestions: readonly string[],
    code = 'ECSDEPLOY_ENGINE_FAILED',
  ) {
    super(message, { code, suggestions });
    this.name = 'EngineFailedError';
  }
}

/** The engine was stopped by an interrupt (Ctrl-C) and exited after saving its state. */
export class StackInterruptedError extends EcsdeployError {
  constructor(
    readonly stackName: string,
    step: string,
    logFile: string,
  ) {
    super(
      `Interrupted while ${step === 'apply' ? 'applying' : `running ${step} on`} ${stackName}; the engine stopped gracefully (it saved the state and released the lock). Full engine output: ${logFile}`,
      {
        code: 'ECSDEPLOY_INTERRUPTED',
        suggestions: ['Run the same command again to plan from where it stopped.'],
      },
    );
    this.name = 'StackInterruptedError';
  }
}

export function errorDiagnostics(messages: readonly UiMessage[]): NonNullable<UiMessage['diagnostic']>[] {
  return messages.flatMap((m) => (m.type === 'diagnostic' && m.diagnostic?.severity === 'error' ? [m.diagnostic] : []));
}

/** Error blocks of plain-text output (`Error: ...` and the lines under it). */
function textErrors(tail: readonly string[]): string[] {
  const start = tail.findIndex((l) => /^(│\s*)?Error: /.test(l));
  return start < 0
    ? []
    : tail
        .slice(start)
        .map((l) => l.replace(/^[│╷╵]\s?/, ''))
        .filter((l) => l.trim() !== '');
}

const INDENT = '    ';
/** Go panics, the engine's crash banner, and a provider plugin that died. */
const CRASH = /^panic: |TERRAFORM CRASH|OPENTOFU CRASH|Plugin did not respond/m;

/** The EcsdeployError for a failed engine command. */
export function engineFailure(result: EngineResult, ctx: FailureContext): EcsdeployError {
  if (result.interrupted) return new StackInterruptedError(ctx.stack, ctx.step, ctx.logFile);
  const diagnostics = errorDiagnostics(result.messages);
  const text = [...diagnostics.map((d) => `${d.summary}\n${d.detail ?? ''}`), result.tail.join('\n')].join('\n');
  const logLine = `Full engine output: ${ctx.logFile}`;

  if (/Error acquiring the state lock/.test(text)) {
    const lock = parseLockInfo(text) ?? {};
    const op = lock.operation ? `\`${lock.operation}\`` : 'an operation';
    const since = lock.created
      ? ` since ${
          lock.createdAt
            ? lock.createdAt
                .toISOString()
                .replace('T', ' ')
                .replace(/\.\d+Z$/, ' UTC')
            : lock.created
        }${lock.createdAt ? ` (${ago(lock.createdAt, ctx.now)})` : ''}`
      : '';
    const who = lock.who ?? 'someone';
    return new StateLockedError(
      ctx.stack,
      lock,
      `The state of stack ${ctx.stack} is locked: ${who} has been running ${op}${since}${lock.id ? ` (lock ID ${lock.id})` : ''}. This run changed nothing in ${ctx.stack}. ${logLine}`,
      [
        'Wait for that run to finish, then run this command again (--lock-timeout 10m makes ecsdeploy wait for the lock instead of failing).',
        `If that run died and nobody else is using the state, release the lock: ${ctx.engine.kind} -chdir=${ctx.dir} force-unlock ${lock.id ?? '<lock ID>'}`,
      ],
    );
  }
  if (diagnostics.some((d) => /Saved plan is stale/.test(d.summary))) {
    return new EngineFailedError(
      ctx.stack,
      `The state of stack ${ctx.stack} changed after this run planned it (another run applied it meanwhile), so the plan shown was not applied to ${ctx.stack}. ${logLine}`,
      ['Run the command again: it plans from the new state and shows you the difference.'],
      'ECSDEPLOY_PLAN_STALE',
    );
  }
  const errors = diagnostics.length
    ? diagnostics.map((d) =>
        [
          `Error: ${d.summary}${d.address ? ` (${d.address})` : ''}`,
          ...(d.detail ?? '')
            .split('\n')
            .filter((l) => l.trim() !== '')
            .slice(0, 8)
            .map((l) => `  ${l}`),
        ].join('\n'),
      )
    : textErrors(result.tail).length
      ? [textErrors(result.tail).slice(0, 12).join('\n')]
      : [];
  const how = result.signal ? `was killed by ${result.signal}` : `exited with code ${result.code}`;
  const panicked = CRASH.test(text);
  if (result.signal !== null || panicked || errors.length === 0) {
    const last = result.tail.slice(-10);
    return new EngineFailedError(
      ctx.stack,
      `${ctx.engine.kind} crashed during ${ctx.step} of stack ${ctx.stack}: it ${how}${panicked || errors.length ? '' : ' without reporting an error'}.${last.length ? `\nIts last output:\n${last.map((l) => INDENT + l).join('\n')}` : ''}\n${logLine}`,
      [
        'Run the command again: the state is locked and written per resource, so an engine crash loses at most the operation it was doing.',
        `If it crashes again, report it to ${ctx.engine.kind === 'tofu' ? 'OpenTofu' : 'Terraform'} or the provider with the log file above.`,
      ],
      'ECSDEPLOY_ENGINE_CRASHED',
    );
  }
  return new EngineFailedError(
    ctx.stack,
    `${ctx.engine.kind} ${ctx.step} failed for stack ${ctx.stack} (${how}):\n${errors
      .map((e) =>
        e
          .split('\n')
          .map((l) => INDENT + l)
          .join('\n'),
      )
      .join('\n')}\n${logLine}`,
    [`Read the error above; the stack's Terraform JSON is ${ctx.dir}/cdk.tf.json (\`ecsdeploy synth\` writes it).`],
  );
}
