/**
 * Delivery end to end at the operation level, with the engine replaced by a recording double and
 * ECS / CodeDeploy simulated: the right stack is applied with the released image, the release is
 * recorded with its outcome, a rollback brings Terraform back to what runs, a timeout leaves the
 * release pending and says how to keep watching, and promote / rollback / watch pick the right
 * release.
 */
import { EcsdeployError } from '../../src/errors';
import { ReleaseConflictError, type Release, type ReleaseStore } from '../../src/ops/releases';
import {
  deployService,
  promoteService,
  rollbackService,
  RolloutError,
  watchService,
  type DeployEvent,
  type DeployResult,
} from '../../src/ops/service';
import { CodeDeploySim, EcsSim, FakeClock, T0 } from '../deploy-watch/sim';
import { digestOf, ECR_URI, exampleProject, memoryEcr, RecordingEngine, simApis, simDeps, taskDef } from './helpers';

const MIN = 60_000;
const ORDERS = {
  'shop/orders': [
    { digest: digestOf(1), tags: ['1.4.2'], pushedAt: 1 },
    { digest: digestOf(2), tags: ['1.4.3'], pushedAt: 2 },
  ],
  'shop/payments': [{ digest: digestOf(5), tags: ['2.0.2'], pushedAt: 1 }],
};

function setup(service = 'orders') {
  const project = exampleProject();
  const clock = new FakeClock();
  const ecs = new EcsSim(clock, service, 2);
  ecs.service.steady('ecs-svc/old', taskDef('dev', service, 6));
  const cd = new CodeDeploySim(clock);
  const ecr = memoryEcr(ORDERS);
  const sim = simApis(clock, ecs, ecr, cd);
  const engine = new RecordingEngine(() => deps.store!({} as never));
  const deps = simDeps(project.dir, clock, sim.apis, engine);
  const store = deps.store!({} as never);
  const events: DeployEvent[] = [];
  const input = { dir: project.dir, env: 'dev', service, onEvent: (e: DeployEvent) => events.push(e) };
  return { project, clock, ecs, cd, ecr, sim, engine, deps, store, events, input };
}

/** ECS rolls a deployment out successfully, starting when the stack is applied. */
function rollsOut(s: ReturnType<typeof setup>, id = 'ecs-svc/new') {
  s.engine.onApply = (_stack, td) => {
    const at = s.clock.now() - T0;
    s.ecs.service.start(id, td);
    s.ecs.at(at + 30_000, (svc) => svc.run(id, 2)).at(at + 50_000, (svc) => svc.remove('ecs-svc/old').complete(id));
  };
}

async function failure(p: Promise<unknown>): Promise<RolloutError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(err instanceof RolloutError)) throw new Error(`expected a RolloutError, got ${String(err)}`);
  return err;
}

async function ledger(store: ReleaseStore, env = 'dev', service = 'orders'): Promise<Release[]> {
  return (await store.read(env, service)).ledger.releases;
}

describe('service deploy (rolling)', () => {
  let s: ReturnType<typeof setup>;
  beforeEach(() => (s = setup()));
  afterEach(() => s.project.cleanup());

  it('resolves the tag, records the release, applies only dev-orders with that digest, and completes', async () => {
    rollsOut(s);
    const result = await deployService({ ...s.input, image: '1.4.3', message: 'fix rounding' }, s.deps);

    expect(s.engine.applied).toEqual([{ env: 'dev', stacks: ['orders'], images: { orders: digestOf(2) } }]);
    expect(result).toMatchObject({
      environment: 'dev',
      service: 'orders',
      image: `${ECR_URI('orders')}@${digestOf(2)}`,
      watched: true,
      taskDefinition: taskDef('dev', 'orders', 7),
      outcome: { kind: 'completed', deploymentId: 'ecs-svc/new' },
    });
    const [release] = await ledger(s.store);
    expect(release).toMatchObject({
      id: 1,
      kind: 'deploy',
      message: 'fix rounding',
      createdBy: 'alice@laptop',
      createdAt: new Date(T0).toISOString(),
      image: {
        requested: '1.4.3',
        tag: '1.4.3',
        digest: digestOf(2),
        repository: ECR_URI('orders'),
        serviceRepository: true,
      },
      rollout: { status: 'completed', deploymentId: 'ecs-svc/new', taskDefinition: taskDef('dev', 'orders', 7) },
    });
    expect(result.release).toEqual(release);
    expect(s.events.map((e) => e.type).slice(0, 3)).toEqual(['image', 'recorded', 'phase']);
    expect(
      s.events.some((e) => e.type === 'rollout' && e.event.type === 'progress' && e.event.state === 'COMPLETED'),
    ).toBe(true);
  });

  it('the circuit breaker rolls it back: exit 1 in those words with the reasons, release rolled back, Terraform back on the previous release', async () => {
    rollsOut(s);
    await deployService({ ...s.input, image: '1.4.2' }, s.deps); // release 1, completed
    s.engine.onApply = (_stack, td) => {
      const at = s.clock.now() - T0;
      s.ecs.service.start('ecs-svc/bad', td);
      s.ecs
        .at(at + 20_000, (svc) =>
          svc.taskFailed('ecs-svc/bad', 'Essential container in task exited', {
            exitCode: 137,
            reason: 'OutOfMemoryError: Container killed due to memory usage',
          }),
        )
        .at(at + 60_000, (svc) =>
          svc
            .fail('ecs-svc/bad', 'ECS deployment circuit breaker: tasks failed to start.')
            .start('ecs-svc/back', taskDef('dev', 'orders', 7)),
        );
      s.engine.onApply = () => undefined; // the restoring apply starts nothing new in this script
    };
    const err = await failure(deployService({ ...s.input, image: '1.4.3' }, s.deps));

    expect(err.exitCode).toBe(1);
    expect(err.code).toBe('ECSDEPLOY_ROLLED_BACK');
    expect(err.message).toContain(
      'Release #2 of orders in dev failed and was rolled back by the ECS deployment circuit breaker: ECS deployment circuit breaker: tasks failed to start.; task stopped: Essential container in task exited; container orders: OutOfMemoryError: Container killed due to memory usage.',
    );
    expect(err.message).toContain('ECS runs shop-dev-orders:7 again. Terraform now says release #1 again.');
    const releases = await ledger(s.store);
    expect(releases.map((r) => [r.id, r.rollout.status])).toEqual([
      [1, 'completed'],
      [2, 'rolled-back'],
    ]);
    // Applied: release 1, release 2, then again with release 1 (what runs again).
    expect(s.engine.applied.map((a) => a.images['orders'])).toEqual([digestOf(1), digestOf(2), digestOf(1)]);
    expect(err.result.restored).toEqual({ release: 1, applied: true });
  });

  it('a circuit-breaker rollback no poll saw (ours gone, the service stable on the previous release): rolled back, recorded so, and Terraform restored', async () => {
    rollsOut(s);
    await deployService({ ...s.input, image: '1.4.2' }, s.deps); // release 1, completed as ecs-svc/new
    s.engine.onApply = (_stack, td) => {
      const at = s.clock.now() - T0;
      s.ecs.service.start('ecs-svc/bad', td);
      s.ecs
        .at(at + 20_000, (svc) => svc.taskFailed('ecs-svc/bad', 'Essential container in task exited', { exitCode: 1 }))
        // All between two polls: ours fails, the rollback to release 1's task definition completes,
        // and ECS drops ours. The next poll sees one stable deployment that is not ours.
        .at(at + 61_000, (svc) =>
          svc
            .fail('ecs-svc/bad', 'ECS deployment circuit breaker: tasks failed to start.')
            .start('ecs-svc/back', taskDef('dev', 'orders', 7))
            .run('ecs-svc/back', 2)
            .complete('ecs-svc/back')
            .event('(service orders) rolling back to deployment ecs-svc/new.')
            .remove('ecs-svc/bad')
            .remove('ecs-svc/new'),
        );
      s.engine.onApply = () => undefined;
    };
    const err = await failure(deployService({ ...s.input, image: '1.4.3' }, s.deps));

    expect(err.exitCode).toBe(1);
    expect(err.code).toBe('ECSDEPLOY_ROLLED_BACK');
    expect(err.message).toContain(
      'Release #2 of orders in dev failed and was rolled back by the ECS deployment circuit breaker: deployment failed: tasks failed to start.',
    );
    expect((await ledger(s.store)).map((r) => [r.id, r.rollout.status])).toEqual([
      [1, 'completed'],
      [2, 'rolled-back'],
    ]);
    expect(s.engine.applied.map((a) => a.images['orders'])).toEqual([digestOf(1), digestOf(2), digestOf(1)]);
    expect(err.result.restored).toEqual({ release: 1, applied: true });
  });

  it('the timeout passes: exit 1 saying what still runs and how to keep watching; the release stays pending', async () => {
    s.engine.onApply = (_stack, td) => s.ecs.service.start('ecs-svc/slow', td);
    const err = await failure(deployService({ ...s.input, image: '1.4.3', timeoutMs: 5 * MIN }, s.deps));

    expect(err.code).toBe('ECSDEPLOY_ROLLOUT_TIMEOUT');
    expect(err.message).toBe(
      'Timed out: the rollout of release #1 to orders in dev has not finished (IN_PROGRESS). It goes on without us.\nStill running:\n  ours PRIMARY ecs-svc/slow (shop-dev-orders:7): 0 running, 2 pending of 2, IN_PROGRESS\n  other ACTIVE ecs-svc/old (shop-dev-orders:6): 2 running, 0 pending of 2, COMPLETED',
    );
    expect(err.suggestions[0]).toBe('Keep watching: ecsdeploy service watch orders --env dev');
    expect((await ledger(s.store))[0]!.rollout).toMatchObject({
      status: 'pending',
      reason: 'watch timed out while IN_PROGRESS',
      deploymentId: 'ecs-svc/slow',
    });
    expect(s.clock.now() - T0).toBe(5 * MIN);
  });

  it('service watch picks the pending rollout up again and records how it ended', async () => {
    s.engine.onApply = (_stack, td) => s.ecs.service.start('ecs-svc/slow', td);
    await failure(deployService({ ...s.input, image: '1.4.3', timeoutMs: 5 * MIN }, s.deps));
    s.ecs.at(7 * MIN, (svc) => svc.run('ecs-svc/slow', 2).remove('ecs-svc/old').complete('ecs-svc/slow'));
    const result = await watchService(s.input, s.deps);
    expect(result.outcome?.kind).toBe('completed');
    expect((await ledger(s.store))[0]!.rollout.status).toBe('completed');
    // Nothing pending any more: watch only reports.
    expect((await watchService(s.input, s.deps)).watched).toBe(false);
  });

  it('--no-wait: returns once the stack is applied; nothing is watched', async () => {
    const result = await deployService({ ...s.input, image: '1.4.3', wait: false }, s.deps);
    expect(result).toMatchObject({
      watched: false,
      taskDefinition: taskDef('dev', 'orders', 7),
      next: ['ecsdeploy service watch orders --env dev', 'ecsdeploy service status orders --env dev'],
    });
    expect(s.ecs.calls.describeServices).toBe(0);
    expect((await ledger(s.store))[0]!.rollout).toMatchObject({ status: 'pending', reason: 'not watched (--no-wait)' });
  });

  it('a failed apply marks the release failed and reports the engine error; synth then goes back to the previous release', async () => {
    s.engine.fail = new EcsdeployError(
      'terraform apply failed in dev-orders: Error: creating ECS Task Definition: AccessDenied',
    );
    await expect(deployService({ ...s.input, image: '1.4.3' }, s.deps)).rejects.toThrow(
      'terraform apply failed in dev-orders',
    );
    expect((await ledger(s.store))[0]!.rollout).toMatchObject({
      status: 'failed',
      reason:
        'the stack dev-orders could not be applied: terraform apply failed in dev-orders: Error: creating ECS Task Definition: AccessDenied',
    });
    // The next apply of the stack uses no release (the config's image) rather than the failed one.
    s.engine.fail = undefined;
    await deployService({ ...s.input, image: '1.4.2', wait: false }, s.deps);
    expect(s.engine.applied.map((a) => a.images)).toEqual([{ orders: digestOf(2) }, { orders: digestOf(1) }]);
    expect((await ledger(s.store)).map((r) => [r.id, r.previous, r.rollout.status])).toEqual([
      [1, undefined, 'failed'],
      [2, undefined, 'pending'],
    ]);
  });

  it('two concurrent deploys: the one that loses the race changes nothing and names the winner', async () => {
    // Someone records release 1 between our read of the ledger and our write.
    const real = s.store;
    let raced = false;
    s.deps.store = () => ({
      location: real.location,
      read: (e, sv) => real.read(e, sv),
      async write(l, expected) {
        if (!raced) {
          raced = true;
          const now = await real.read('dev', 'orders');
          await real.write(
            {
              ...now.ledger,
              releases: [
                {
                  ...l.releases[0]!,
                  createdBy: 'bob@ci',
                  image: { ...l.releases[0]!.image, tag: '1.4.2', digest: digestOf(1) },
                },
              ],
            },
            now.version,
          );
        }
        return real.write(l, expected);
      },
    });
    const err = await deployService({ ...s.input, image: '1.4.3' }, s.deps).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ReleaseConflictError);
    expect((err as Error).message).toBe(
      `Another deploy of orders to dev recorded release #1 (1.4.2, by bob@ci, ${new Date(T0).toISOString()}) while this one was starting, so this one stopped: it changed nothing.`,
    );
    expect((err as ReleaseConflictError).exitCode).toBe(1);
    expect(s.engine.applied).toEqual([]);
    expect((await ledger(real)).map((r) => r.createdBy)).toEqual(['bob@ci']);
  });

  it('a mutable tag is refused before anything is recorded or applied', async () => {
    await expect(deployService({ ...s.input, image: 'latest' }, s.deps)).rejects.toThrow("'latest' is a mutable tag");
    expect(s.engine.applied).toEqual([]);
    expect(await ledger(s.store)).toEqual([]);
  });
});

describe('service deploy (CodeDeploy)', () => {
  let s: ReturnType<typeof setup>;
  beforeEach(() => (s = setup('payments')));
  afterEach(() => s.project.cleanup());

  function blueGreen(outcome: 'Succeeded' | 'rollback') {
    s.cd
      .at(5_000, (d) => (d.status = 'InProgress'))
      .at(30_000, (d) =>
        d
          .event('BeforeInstall', 'Succeeded')
          .event('Install', 'Succeeded')
          .event('AfterInstall', 'Succeeded')
          .traffic(0),
      )
      .at(60_000, (d) => {
        if (outcome === 'Succeeded') {
          d.event('AllowTestTraffic', 'Succeeded')
            .event('AfterAllowTestTraffic', 'Succeeded')
            .event('BeforeAllowTraffic', 'Succeeded')
            .event('AllowTraffic', 'Succeeded')
            .event('AfterAllowTraffic', 'Succeeded')
            .traffic(100);
        } else {
          d.event('AllowTraffic', 'Failed', 'green target group has no healthy targets');
          d.status = 'Failed';
          d.error = {
            code: 'HEALTH_CONSTRAINTS',
            message: 'The deployment failed because of too many unhealthy tasks.',
          };
          d.rollback = { deploymentId: 'd-RB', message: 'Automatic rollback triggered.' };
        }
      })
      .at(60_000 + 5 * MIN, (d) => {
        if (outcome === 'Succeeded') d.status = 'Succeeded';
      });
  }

  it('registers the task definition through the stack, creates the deployment with its AppSpec, and watches it through', async () => {
    blueGreen('Succeeded');
    const result = await deployService({ ...s.input, image: '2.0.2' }, s.deps);

    expect(s.engine.applied).toEqual([{ env: 'dev', stacks: ['payments'], images: { payments: digestOf(5) } }]);
    expect(s.sim.created).toEqual([
      {
        application: 'shop-dev-payments',
        group: 'payments',
        appSpec: {
          version: '0.0',
          Resources: [
            {
              TargetService: {
                Type: 'AWS::ECS::Service',
                Properties: {
                  TaskDefinition: taskDef('dev', 'payments', 7),
                  LoadBalancerInfo: { ContainerName: 'payments', ContainerPort: 9000 },
                },
              },
            },
          ],
        },
        description: 'ecsdeploy release #1 of payments to dev: 2.0.2',
      },
    ]);
    expect(result.outcome).toMatchObject({ kind: 'completed', deploymentId: 'd-ABCDEF123' });
    expect((await ledger(s.store, 'dev', 'payments'))[0]!.rollout).toMatchObject({
      status: 'completed',
      deploymentId: 'd-ABCDEF123',
    });
    const stages = s.events.flatMap((e) =>
      e.type === 'rollout' && e.event.type === 'lifecycle' && e.event.status === 'Succeeded' ? [e.event.name] : [],
    );
    expect(stages).toContain('AfterAllowTraffic');
  });

  it('a CodeDeploy rollback: exit 1, rolled back by CodeDeploy with its reasons', async () => {
    blueGreen('rollback');
    const err = await failure(deployService({ ...s.input, image: '2.0.2' }, s.deps));
    expect(err.code).toBe('ECSDEPLOY_ROLLED_BACK');
    expect(err.message).toContain(
      'failed and was rolled back by CodeDeploy: HEALTH_CONSTRAINTS: The deployment failed because of too many unhealthy tasks.; AllowTraffic failed: green target group has no healthy targets; Automatic rollback triggered.',
    );
    expect((await ledger(s.store, 'dev', 'payments'))[0]!.rollout.status).toBe('rolled-back');
  });

  it('--no-wait still creates the CodeDeploy deployment (the stack alone deploys nothing), and records its id for service watch', async () => {
    const result = await deployService({ ...s.input, image: '2.0.2', wait: false }, s.deps);
    expect(s.sim.created).toHaveLength(1);
    expect(result.watched).toBe(false);
    expect((await ledger(s.store, 'dev', 'payments'))[0]!.rollout).toMatchObject({
      status: 'pending',
      deploymentId: 'd-ABCDEF123',
      taskDefinition: taskDef('dev', 'payments', 7),
    });
    blueGreen('Succeeded');
    expect((await watchService(s.input, s.deps)).outcome?.kind).toBe('completed');
  });

  it('another CodeDeploy deployment still running: refused before anything is recorded', async () => {
    s.sim.active.push('d-SOMEONEELSE');
    await expect(deployService({ ...s.input, image: '2.0.2' }, s.deps)).rejects.toThrow(
      'A CodeDeploy deployment of payments in dev is still running (d-SOMEONEELSE)',
    );
    expect(await ledger(s.store, 'dev', 'payments')).toEqual([]);
    expect(s.engine.applied).toEqual([]);
  });
});

describe('service promote and rollback', () => {
  let s: ReturnType<typeof setup>;
  beforeEach(() => (s = setup()));
  afterEach(() => s.project.cleanup());

  async function deployed(env: string, image: string): Promise<DeployResult> {
    rollsOut(s, `ecs-svc/${env}-${image}`);
    return deployService({ ...s.input, env, image }, s.deps);
  }

  it('promote deploys to prod exactly the digest that completed in dev', async () => {
    await deployed('dev', '1.4.3');
    rollsOut(s, 'ecs-svc/prod');
    const result = await promoteService({ dir: s.project.dir, service: 'orders', from: 'dev', to: 'prod' }, s.deps);
    expect(s.engine.applied.at(-1)).toEqual({ env: 'prod', stacks: ['orders'], images: { orders: digestOf(2) } });
    expect(result.release).toMatchObject({
      id: 1,
      environment: 'prod',
      kind: 'promote',
      promotedFrom: { environment: 'dev', release: 1 },
      message: 'promoted from dev release #1',
      image: { digest: digestOf(2) },
      rollout: { status: 'completed' },
    });
  });

  it('promote refuses an image whose last rollout in dev did not complete, unless --force', async () => {
    s.engine.onApply = (_stack, td) => s.ecs.service.start('ecs-svc/slow', td);
    await failure(deployService({ ...s.input, image: '1.4.3', timeoutMs: MIN }, s.deps));
    const err = await promoteService({ dir: s.project.dir, service: 'orders', from: 'dev', to: 'prod' }, s.deps).catch(
      (e: unknown) => e as EcsdeployError,
    );
    expect(err).toBeInstanceOf(EcsdeployError);
    expect((err as EcsdeployError).exitCode).toBe(2);
    expect((err as EcsdeployError).message).toMatch(
      /^The last rollout of orders in dev \(release #1, 1\.4\.3 = sha256:aaaaaaaaaaaa\) did not complete: it is pending \(watch timed out while IN_PROGRESS\)\./,
    );
    expect(s.engine.applied.map((a) => a.env)).toEqual(['dev']);
    rollsOut(s, 'ecs-svc/prod');
    expect(
      (await promoteService({ dir: s.project.dir, service: 'orders', from: 'dev', to: 'prod', force: true }, s.deps))
        .release.environment,
    ).toBe('prod');
  });

  it('rollback redeploys the previous completed release; --to names one', async () => {
    await deployed('dev', '1.4.2');
    await deployed('dev', '1.4.3');
    rollsOut(s, 'ecs-svc/rb');
    const back = await rollbackService({ dir: s.project.dir, env: 'dev', service: 'orders' }, s.deps);
    expect(back.release).toMatchObject({
      id: 3,
      kind: 'rollback',
      rollbackTo: 1,
      image: { digest: digestOf(1) },
      rollout: { status: 'completed' },
    });
    expect(s.engine.applied.at(-1)!.images).toEqual({ orders: digestOf(1) });

    rollsOut(s, 'ecs-svc/rb2');
    const to = await rollbackService({ dir: s.project.dir, env: 'dev', service: 'orders', to: '#2' }, s.deps);
    expect(to.release).toMatchObject({ id: 4, rollbackTo: 2, image: { digest: digestOf(2) } });
    await expect(
      rollbackService({ dir: s.project.dir, env: 'dev', service: 'orders', to: '99' }, s.deps),
    ).rejects.toThrow('--to 99: orders in dev has no release #99.');
  });

  it('nothing to roll back to: a usage error pointing at the history', async () => {
    await deployed('dev', '1.4.2');
    await expect(rollbackService({ dir: s.project.dir, env: 'dev', service: 'orders' }, s.deps)).rejects.toThrow(
      'orders in dev has no earlier completed release with another image than the current #1 to go back to.',
    );
  });
});
