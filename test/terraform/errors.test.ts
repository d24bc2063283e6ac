/**
 * Engine failures as the user reads them. The lock case uses the diagnostic Terraform 1.11.4
 * really printed (`plan -json` while another plan held the local state of dev-cluster).
 * Protects: who holds a lock and since when, how to proceed, crash vs error, and the log path.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { EngineFailedError, parseLockInfo, StackInterruptedError, StateLockedError } from '../../src/terraform';
import { engineFailure, type FailureContext } from '../../src/terraform/errors';
import { parseUiLine, type EngineResult, type UiMessage } from '../../src/terraform/process';

const realLockMessages: UiMessage[] = readFileSync(join(__dirname, 'fixtures', 'lock-local.plan.jsonl'), 'utf8')
  .split('\n')
  .map(parseUiLine)
  .filter((m): m is UiMessage => m !== undefined);

const ctx: FailureContext = {
  engine: { kind: 'terraform', path: '/usr/local/bin/terraform', version: '1.11.4' },
  stack: 'dev-cluster',
  step: 'plan',
  dir: 'cdktf.out/stacks/dev-cluster',
  logFile: '/p/.ecsdeploy/logs/run.log',
  now: new Date('2026-11-24T07:49:49Z'),
};

const result = (r: Partial<EngineResult>): EngineResult => ({
  code: 1,
  signal: null,
  stdout: '',
  tail: [],
  messages: [],
  interrupted: false,
  ...r,
});

describe('parseLockInfo', () => {
  it('reads every field of the lock block of a real engine error', () => {
    const detail = realLockMessages.find((m) => m.type === 'diagnostic')!.diagnostic!.detail!;
    expect(parseLockInfo(detail)).toEqual({
      id: 'fdbf5266-9465-e829-0e76-eecbb78e41e4',
      path: '../../../.ecsdeploy/state/dev-cluster.tfstate',
      operation: 'plan',
      who: 'root@vm',
      version: '1.11.4',
      created: '2026-11-24 07:46:49.098296566 +0000 UTC',
      createdAt: new Date('2026-11-24T07:46:49.098Z'),
    });
  });

  it('returns undefined when there is no lock block', () => {
    expect(parseLockInfo('Error: something else')).toBeUndefined();
  });
});

describe('engineFailure', () => {
  it('a held lock: who, which operation, since when and how long, and how to release it', () => {
    const err = engineFailure(result({ messages: realLockMessages }), ctx);
    expect(err).toBeInstanceOf(StateLockedError);
    expect(err.code).toBe('ECSDEPLOY_STATE_LOCKED');
    expect(err.exitCode).toBe(1);
    expect(err.message).toBe(
      'The state of stack dev-cluster is locked: root@vm has been running `plan` since 2026-11-24 07:46:49 UTC (3 minutes ago) (lock ID fdbf5266-9465-e829-0e76-eecbb78e41e4). This run changed nothing in dev-cluster. Full engine output: /p/.ecsdeploy/logs/run.log',
    );
    expect(err.suggestions[0]).toMatch(/^Wait for that run to finish.*--lock-timeout/);
    expect(err.suggestions[1]).toBe(
      'If that run died and nobody else is using the state, release the lock: terraform -chdir=cdktf.out/stacks/dev-cluster force-unlock fdbf5266-9465-e829-0e76-eecbb78e41e4',
    );
  });

  it('a lock error in plain text (stderr) is recognised too', () => {
    const tail = [
      'Error: Error acquiring the state lock',
      '',
      'Error message: operation error S3: PutObject, StatusCode: 412',
      'Lock Info:',
      '  ID:        abc',
      '  Who:       alice@ci',
      '  Operation: OperationTypeApply',
      '',
    ];
    const err = engineFailure(result({ tail }), ctx) as StateLockedError;
    expect(err).toBeInstanceOf(StateLockedError);
    expect(err.lock).toMatchObject({ id: 'abc', who: 'alice@ci', operation: 'apply' });
    expect(err.message).toContain('alice@ci has been running `apply` (lock ID abc)');
  });

  it('a stale saved plan says the state moved on and nothing was applied', () => {
    const messages = [
      parseUiLine(
        JSON.stringify({
          type: 'diagnostic',
          diagnostic: {
            severity: 'error',
            summary: 'Saved plan is stale',
            detail:
              'The given plan file can no longer be applied because the state was changed by another operation after the plan was created.',
          },
        }),
      )!,
    ];
    const err = engineFailure(result({ messages }), { ...ctx, step: 'apply' });
    expect(err.code).toBe('ECSDEPLOY_PLAN_STALE');
    expect(err.message).toContain('changed after this run planned it');
  });

  it('an ordinary error lists the diagnostics and the log file', () => {
    const messages = [
      parseUiLine(
        JSON.stringify({
          type: 'diagnostic',
          diagnostic: {
            severity: 'error',
            summary: 'creating ECS Service (orders)',
            detail: 'InvalidParameterException: bad\nsecond line',
            address: 'aws_ecs_service.Service',
          },
        }),
      )!,
    ];
    const err = engineFailure(result({ messages }), ctx);
    expect(err).toBeInstanceOf(EngineFailedError);
    expect(err.code).toBe('ECSDEPLOY_ENGINE_FAILED');
    expect(err.message).toBe(
      'terraform plan failed for stack dev-cluster (exited with code 1):\n    Error: creating ECS Service (orders) (aws_ecs_service.Service)\n      InvalidParameterException: bad\n      second line\nFull engine output: /p/.ecsdeploy/logs/run.log',
    );
  });

  it('a panic is a crash, with the last output', () => {
    const err = engineFailure(
      result({
        code: 2,
        tail: ['panic: runtime error: invalid memory address or nil pointer dereference', 'goroutine 1 [running]:'],
      }),
      ctx,
    );
    expect(err.code).toBe('ECSDEPLOY_ENGINE_CRASHED');
    expect(err.message).toMatch(
      /^terraform crashed during plan of stack dev-cluster: it exited with code 2\.\nIts last output:\n {4}panic: runtime error/,
    );
    expect(err.message).toContain('Full engine output: /p/.ecsdeploy/logs/run.log');
  });

  it('killed by a signal, or exiting without any error: a crash too', () => {
    expect(engineFailure(result({ code: null, signal: 'SIGKILL' }), ctx).message).toContain(
      'it was killed by SIGKILL without reporting an error',
    );
    expect(engineFailure(result({ code: 1 }), ctx).code).toBe('ECSDEPLOY_ENGINE_CRASHED');
  });

  it('an interrupted run is reported as interrupted, not as a failure of the engine', () => {
    const err = engineFailure(result({ code: 1, interrupted: true }), { ...ctx, step: 'apply' });
    expect(err).toBeInstanceOf(StackInterruptedError);
    expect(err.message).toContain('Interrupted while applying dev-cluster; the engine stopped gracefully');
  });
});
