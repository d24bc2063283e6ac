/**
 * What a person sees while a rollout is watched: in CI, one timestamped line per thing that
 * happened (progress only when it changes, stopped tasks with their reasons and exit codes); on a
 * terminal, the same happenings scrolling above a redrawn block of deployments and counts.
 */
import type { DeploymentView } from '../../src/ops/deploy-watch';
import type { DeployEvent } from '../../src/ops/service';
import { deliveryView } from '../../src/ui/delivery-view';
import { fixedClock } from '../support/clock';

const TD = 'arn:aws:ecs:eu-west-1:123456789012:task-definition/shop-dev-orders:7';
const ours: DeploymentView = {
  id: 'ecs-svc/new',
  status: 'PRIMARY',
  taskDefinition: TD,
  rolloutState: 'IN_PROGRESS',
  desired: 2,
  running: 1,
  pending: 1,
  failed: 1,
  ours: true,
};
const old: DeploymentView = {
  id: 'ecs-svc/old',
  status: 'ACTIVE',
  taskDefinition: TD.replace(':7', ':6'),
  rolloutState: 'COMPLETED',
  desired: 2,
  running: 2,
  pending: 0,
  failed: 0,
  ours: false,
};
const progress: DeployEvent = {
  type: 'rollout',
  event: {
    type: 'progress',
    at: 0,
    state: 'IN_PROGRESS',
    deployments: [ours, old],
    desired: 2,
    running: 3,
    pending: 1,
  },
};

function sink() {
  let text = '';
  return {
    write: (t: string) => (text += t),
    get text() {
      return text;
    },
  };
}
const engineView = () => ({
  events: [] as unknown[],
  onEvent(e: unknown) {
    this.events.push(e);
  },
  pause: () => undefined,
  stop: () => undefined,
});

describe('deliveryView', () => {
  it('plain (CI): timestamped lines; repeated progress printed once; why tasks stopped', () => {
    const out = sink();
    const view = deliveryView(out, { live: false, clock: fixedClock('2026-01-15T10:00:05Z'), infra: engineView() });
    view.onEvent({
      type: 'phase',
      phase: 'watch',
      message: 'Watching the ECS deployment of shop-dev-orders:7 (up to 20 min)',
    });
    view.onEvent({ type: 'rollout', event: { type: 'found', at: 0, deploymentId: 'ecs-svc/new', taskDefinition: TD } });
    view.onEvent(progress);
    view.onEvent(progress);
    view.onEvent({
      type: 'rollout',
      event: {
        type: 'task-stopped',
        at: 0,
        taskArn: 't',
        taskDefinition: TD,
        reason: 'Essential container in task exited',
        containers: [{ name: 'orders', exitCode: 137, reason: 'OutOfMemoryError' }, { name: 'log-router' }],
      },
    });
    view.onEvent({ type: 'rollout', event: { type: 'lifecycle', at: 0, name: 'Install', status: 'Pending' } });
    view.stop();
    expect(out.text.split('\n')).toEqual([
      '10:00:05 Watching the ECS deployment of shop-dev-orders:7 (up to 20 min)',
      '10:00:05 ECS started deployment ecs-svc/new (shop-dev-orders:7)',
      '10:00:05 IN_PROGRESS: ours 1/2 running, 1 pending, 1 failed; active 2/2 running',
      '10:00:05 task stopped: Essential container in task exited (orders: OutOfMemoryError)',
      '',
    ]);
  });

  it('plain: the engine view gets the engine events', () => {
    const engine = engineView();
    const view = deliveryView(sink(), { live: false, infra: engine });
    const event = { type: 'notice', message: 'hello' } as const;
    view.onEvent({ type: 'infra', event });
    expect(engine.events).toEqual([event]);
  });

  it('live (terminal): happenings scroll above a block of deployments that is redrawn in place', () => {
    const out = sink();
    const view = deliveryView(out, { live: true, clock: fixedClock('2026-01-15T10:00:05Z'), infra: engineView() });
    view.onEvent({
      type: 'phase',
      phase: 'watch',
      message: 'Watching the ECS deployment of shop-dev-orders:7 (up to 20 min)',
    });
    view.onEvent(progress);
    const before = out.text.length;
    view.onEvent({
      type: 'rollout',
      event: { type: 'service-event', at: 0, message: '(service orders) has started 1 tasks: (task 1).' },
    });
    view.stop();
    expect(out.text).toContain('IN_PROGRESS  0m00s  tasks: 3 running, 1 pending, 2 desired');
    expect(out.text).toContain(
      '▸ PRIMARY ecs-svc/new  shop-dev-orders:7  IN_PROGRESS 1 running, 1 pending of 2, 1 failed  (ours)',
    );
    expect(out.text).toContain('  ACTIVE  ecs-svc/old  shop-dev-orders:6  COMPLETED   2 running, 0 pending of 2');
    // The event erases the 3-line block, prints, and draws the block again under it.
    const after = out.text.slice(before);
    expect(after.startsWith('\x1b[3A\x1b[0J  event: (service orders) has started 1 tasks: (task 1).\n')).toBe(true);
    expect(after).toContain('(ours)');
  });
});
