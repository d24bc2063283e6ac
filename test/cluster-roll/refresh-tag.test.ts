/**
 * `--strategy instance-refresh` tags the group as the drain roll does (ecsdeploy:roll with the
 * original sizes), from before it starts the refresh until the refresh has ended, so `apply`
 * refuses the cluster stack while the group's own refresh replaces its instances
 * (src/ops/infra/roll-guard.ts reads that tag). Interrupted, the watch leaves refresh and tag; the
 * next run watches the same refresh and removes the tag at its end. A refresh that fails ends the
 * roll too: the tag goes.
 */
import { ROLL_TAG } from '../../src/ops/cluster-roll/observe';
import { run, TYPES } from './helpers';
import { ClusterSim, type SimConfig } from './sim';

const web = (desired: number) => ({ name: 'web', desired, cpu: 512, memory: 1024 });

function cluster(n: number, services: SimConfig['services'], more: Partial<SimConfig> = {}): ClusterSim {
  return new ClusterSim({
    types: TYPES,
    instances: Array.from({ length: n }, () => ({ type: 'm5.large' })),
    template: { version: 2, type: 'm5.large' },
    services,
    managedDraining: true,
    sizes: { minSize: 1, maxSize: 8 },
    ...more,
  });
}

it('tagged before StartInstanceRefresh, with the original sizes; the tag removed once the refresh succeeded', async () => {
  const sim = cluster(4, [web(8)]);
  const tagWhileRefreshing: Array<string | undefined> = [];
  const { outcome, events } = await run(sim, { strategy: 'instance-refresh' });
  for (const e of events) if (e.type === 'refresh') tagWhileRefreshing.push(e.status);
  expect(outcome.status).toBe('completed');
  const ops = sim.calls.map((c) => c.op);
  const tagged = ops.indexOf('asg:CreateOrUpdateTags');
  expect(tagged).toBeGreaterThanOrEqual(0);
  expect(tagged).toBeLessThan(ops.indexOf('asg:StartInstanceRefresh'));
  expect(sim.calls[tagged]!.args).toEqual([
    sim.groupName,
    ROLL_TAG,
    'min=1,max=8,desired=4,started=1970-01-01T00:00:00.000Z',
  ]);
  expect(ops.lastIndexOf('asg:DeleteTags')).toBeGreaterThan(ops.indexOf('asg:StartInstanceRefresh'));
  expect(sim.tags[ROLL_TAG]).toBeUndefined();
  expect(tagWhileRefreshing.at(-1)).toBe('Successful');
});

it('interrupted: the refresh and the tag stay (apply keeps refusing); the next run watches it and removes the tag', async () => {
  const sim = cluster(4, [web(8)]);
  const first = await run(sim, { strategy: 'instance-refresh' }, { abortAfter: 3 });
  expect(first.outcome.status).toBe('interrupted');
  expect(sim.tags[ROLL_TAG]).toBe('min=1,max=8,desired=4,started=1970-01-01T00:00:00.000Z');
  const second = await run(sim, { strategy: 'instance-refresh' });
  expect(second.outcome.status).toBe('completed');
  expect(sim.calls.filter((c) => c.op === 'asg:StartInstanceRefresh')).toHaveLength(1);
  expect(sim.calls.filter((c) => c.op === 'asg:CreateOrUpdateTags')).toHaveLength(1);
  expect(sim.tags[ROLL_TAG]).toBeUndefined();
});

it('--dry-run and an up-to-date group: no tag written', async () => {
  const sim = cluster(3, [web(4)]);
  expect((await run(sim, { strategy: 'instance-refresh', dryRun: true })).outcome.status).toBe('planned');
  const current = new ClusterSim({
    types: TYPES,
    instances: [{ type: 'm5.large', version: 2 }],
    template: { version: 2, type: 'm5.large' },
    services: [],
  });
  expect((await run(current, { strategy: 'instance-refresh' })).outcome.status).toBe('up-to-date');
  for (const s of [sim, current]) expect(s.calls.filter((c) => c.op === 'asg:CreateOrUpdateTags')).toEqual([]);
});
