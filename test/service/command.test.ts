/**
 * The service commands as the CLI runs them (oclif parsing, the base command's error mapping, the
 * views), with the engine replaced by a recording double and AWS by the ECS simulation: the right
 * stack is applied, the release recorded, exit 0 only for a completed rollout, 1 for a rollback or
 * a timeout (in those words), 2 for usage errors; --json prints data only.
 */
import { Console } from 'node:console';
import { captureOutput } from '@oclif/test';
import type { ServiceDeps } from '../../src/ops/service';
import { CodeDeploySim, EcsSim, FakeClock, T0 } from '../deploy-watch/sim';
import { digestOf, exampleProject, memoryEcr, RecordingEngine, REPO, simApis, simDeps, taskDef } from './helpers';

let deps: ServiceDeps;

// oclif's Config.load asks `await import('wsl-utils')` for the platform; jest's CommonJS runtime
// cannot import() without --experimental-vm-modules, and the answer does not matter here.
jest.mock('../../node_modules/@oclif/core/lib/util/os', () => ({
  ...jest.requireActual<object>('../../node_modules/@oclif/core/lib/util/os'),
  getPlatform: async () => process.platform,
}));

import { BaseCommand } from '../../src/base-command';
import ServiceDeploy from '../../src/commands/service/deploy';
import ServiceHistory from '../../src/commands/service/history';

const noStack = (text: string) => expect(text).not.toMatch(/\n\s+at .+\(.+:\d+:\d+\)/);

// oclif writes through console.log / console.error; jest's console would keep those to itself.
const jestConsole = global.console;
beforeAll(() => {
  global.console = new Console(process.stdout, process.stderr);
});
afterAll(() => {
  global.console = jestConsole;
});

describe('ecsdeploy service deploy (engine double, simulated ECS)', () => {
  let project: ReturnType<typeof exampleProject>;
  let clock: FakeClock;
  let ecs: EcsSim;
  let engine: RecordingEngine;
  let restore: () => void;
  beforeEach(() => {
    project = exampleProject();
    clock = new FakeClock();
    ecs = new EcsSim(clock, 'orders', 2);
    ecs.service.steady('ecs-svc/old', taskDef('dev', 'orders', 6));
    const sim = simApis(
      clock,
      ecs,
      memoryEcr({
        'shop/orders': [
          { digest: digestOf(2), tags: ['1.4.3'], pushedAt: 1 },
          { digest: digestOf(3), tags: ['latest'], pushedAt: 2 },
        ],
      }),
      new CodeDeploySim(clock),
    );
    engine = new RecordingEngine(() => deps.store!({} as never));
    deps = simDeps(project.dir, clock, sim.apis, engine);
    // The commands' injection point: the ops they call get these instead of the live dependencies.
    restore = BaseCommand.inject({ service: deps, serviceRead: deps });
  });
  afterEach(() => {
    restore();
    project.cleanup();
  });

  const run = (...args: string[]) =>
    captureOutput<unknown>(() => ServiceDeploy.run(['orders', '--env', 'dev', '-C', project.dir, ...args], REPO));
  const exit = (r: { error?: Error & { oclif?: { exit?: number } } }) =>
    r.error ? (r.error.oclif?.exit ?? 'no exit code') : 0;

  function completes() {
    engine.onApply = (_s, td) => {
      ecs.service.start('ecs-svc/new', td);
      ecs.at(40_000, (s) => s.run('ecs-svc/new', 2).remove('ecs-svc/old').complete('ecs-svc/new'));
    };
  }

  it('completed: exit 0, dev-orders applied with the digest, the release recorded, progress on stderr and the result on stdout', async () => {
    completes();
    const r = await run('--image', '1.4.3', '--message', 'fix rounding');
    expect(exit(r)).toBe(0);
    expect(engine.applied).toEqual([{ env: 'dev', stacks: ['orders'], images: { orders: digestOf(2) } }]);
    expect(r.stdout).toBe(
      'Release #1 of orders in dev: 1.4.3 (sha256:aaaaaaaaaaaa) rolled out (shop-dev-orders:7): the ECS deployment completed and runs the desired number of tasks.\n',
    );
    expect(r.stderr).toContain('Recorded release #1 of orders in dev (deploy): 1.4.3');
    expect(r.stderr).toContain('ECS started deployment ecs-svc/new (shop-dev-orders:7)');
    expect(r.stderr).toMatch(/COMPLETED: ours 2\/2 running/);
    const { ledger } = await deps.store!({} as never).read('dev', 'orders');
    expect(ledger.releases[0]).toMatchObject({ message: 'fix rounding', rollout: { status: 'completed' } });
  });

  it('--json: only the result, as JSON, on stdout; no progress', async () => {
    completes();
    const r = await run('--image', '1.4.3', '--json');
    expect(exit(r)).toBe(0);
    const data = JSON.parse(r.stdout) as {
      release: { id: number; rollout: { status: string } };
      outcome: { kind: string };
    };
    expect(data.release).toMatchObject({ id: 1, rollout: { status: 'completed' } });
    expect(data.outcome.kind).toBe('completed');
    expect(r.stderr).toBe('');
  });

  it('rolled back by the circuit breaker: exit 1, said in those words with the reasons, no stack trace', async () => {
    engine.onApply = (_s, td) => {
      ecs.service.start('ecs-svc/bad', td);
      ecs.at(30_000, (s) =>
        s
          .taskFailed('ecs-svc/bad', 'Task failed container health checks')
          .fail('ecs-svc/bad', 'ECS deployment circuit breaker: tasks failed to start.')
          .start('ecs-svc/back', taskDef('dev', 'orders', 6)),
      );
      engine.onApply = () => undefined;
    };
    const r = await run('--image', '1.4.3');
    expect(exit(r)).toBe(1);
    expect(r.stderr).toContain(
      'Error: Release #1 of orders in dev failed and was rolled back by the ECS deployment circuit breaker: ECS deployment circuit breaker: tasks failed to start.; task stopped: Task failed container health checks.',
    );
    expect(r.stderr).toContain('Try this: See why: ecsdeploy service status orders --env dev');
    expect(r.stderr).toContain('task stopped: Task failed container health checks');
    expect(r.stdout).toBe('');
    noStack(r.stderr);
    expect(engine.applied).toHaveLength(2); // the deploy, then Terraform back to what runs
  });

  it('rolled back, with --json: the error as JSON on stdout, exit 1', async () => {
    engine.onApply = (_s, td) => {
      ecs.service.start('ecs-svc/bad', td);
      ecs.at(30_000, (s) =>
        s
          .fail('ecs-svc/bad', 'ECS deployment circuit breaker: tasks failed to start.')
          .start('ecs-svc/back', taskDef('dev', 'orders', 6)),
      );
      engine.onApply = () => undefined;
    };
    const r = await run('--image', '1.4.3', '--json');
    expect(exit(r)).toBe(1);
    expect(JSON.parse(r.stdout)).toMatchObject({ error: { code: 'ECSDEPLOY_ROLLED_BACK', exitCode: 1 } });
  });

  it('the timeout passes: exit 1, what still runs, how to keep watching', async () => {
    engine.onApply = (_s, td) => ecs.service.start('ecs-svc/slow', td);
    const r = await run('--image', '1.4.3', '--timeout', '3m');
    expect(exit(r)).toBe(1);
    expect(r.stderr).toContain(
      'Error: Timed out: the rollout of release #1 to orders in dev has not finished (IN_PROGRESS). It goes on without us.',
    );
    expect(r.stderr).toContain('ours PRIMARY ecs-svc/slow (shop-dev-orders:7): 0 running, 2 pending of 2, IN_PROGRESS');
    expect(r.stderr).toContain('Try this: Keep watching: ecsdeploy service watch orders --env dev');
    expect(clock.now() - T0).toBe(3 * 60_000);
  });

  it('usage errors exit 2 before anything is recorded or applied', async () => {
    const mutable = await run('--image', 'latest');
    expect(exit(mutable)).toBe(2);
    expect(mutable.stderr).toContain("'latest' is a mutable tag");
    expect(mutable.stderr).toContain('Try this: Or pass --allow-mutable-tag');
    const unknown = await captureOutput(() =>
      ServiceDeploy.run(['order', '--env', 'dev', '--image', '1.4.3', '-C', project.dir], REPO),
    );
    expect(exit(unknown)).toBe(2);
    expect(unknown.stderr).toContain("Environment 'dev' has no service 'order'; did you mean 'orders'?");
    const timeout = await run('--image', '1.4.3', '--timeout', 'soon');
    expect(exit(timeout)).toBe(2);
    expect(timeout.stderr).toContain('--timeout soon: expected a duration such as 90s, 20m or 1h30m.');
    expect(engine.applied).toEqual([]);
  });

  it('service history lists what deploy recorded, newest first', async () => {
    completes();
    await run('--image', '1.4.3', '--message', 'fix rounding');
    const r = await captureOutput(() => ServiceHistory.run(['orders', '--env', 'dev', '-C', project.dir], REPO));
    expect(exit(r)).toBe(0);
    expect(r.stdout).toMatch(/^RELEASE\s+WHEN \(UTC\)\s+IMAGE\s+KIND\s+OUTCOME\s+BY\s+MESSAGE$/m);
    expect(r.stdout).toMatch(
      /^▸#1\s+2026-01-15 10:00:00\s+1\.4\.3 \(sha256:aaaaaaaaaaaa\)\s+deploy\s+completed\s+alice@laptop\s+fix rounding$/m,
    );
  });
});
