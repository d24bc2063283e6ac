/**
 * The human views of the roll (src/ui/roll-view.ts), fed with the events of a real run against the
 * simulation: where nobody watches (CI), one timestamped line per thing that happened, repeated
 * waits only when what is awaited changes; the plan says what will happen with which surge.
 */
import { formatPlan, rollProgress } from '../../src/ui/roll-view';
import { run, TYPES } from './helpers';
import { ClusterSim } from './sim';
import { fixedClock } from '../support/clock';

function fullCluster(): ClusterSim {
  return new ClusterSim({
    types: TYPES,
    instances: [{ type: 'm5.large' }, { type: 'm5.large' }],
    template: { version: 2, type: 'm5.large' },
    sizes: { minSize: 2, maxSize: 2 },
    services: [{ name: 'web', desired: 8, cpu: 512, memory: 1024 }],
  });
}

describe('cluster roll progress, plain lines', () => {
  it('tells each step once, with the time, and the plan on its own stream', async () => {
    const sim = fullCluster();
    const { events } = await run(sim);
    let out = '';
    const plans: string[] = [];
    const view = rollProgress(
      { write: (t: string) => (out += t) },
      { live: false, plan: (p) => plans.push(p), clock: fixedClock('2026-01-01T10:00:00Z') },
    );
    for (const e of events) view.onEvent(e);
    view.stop();
    expect(plans).toHaveLength(1);
    const lines = out.trimEnd().split('\n');
    expect(lines.every((l) => l.startsWith('10:00:00 '))).toBe(true);
    expect(lines).toContain('10:00:00 group desired capacity 3 (1 extra instance, max 3)');
    expect(lines).toContain('10:00:00 batch 1: i-0001 (1 out of date after it)');
    expect(lines).toContain('10:00:00   i-0001 draining (4 tasks left)');
    expect(lines).toContain('10:00:00   i-0001 drained');
    expect(lines).toContain('10:00:00   i-0001 terminated, replacement launching');
    expect(lines).toContain('10:00:00   i-0002 terminated, not replaced');
    expect(lines.at(-1)).toBe('10:00:00 group sizes restored: desired 2, min 2, max 2');
    // Waits are told when what is awaited changes, not at every poll.
    const waits = lines.filter((l) => l.includes('waiting')).map((l) => l.replace(/waiting [^:]+:/, ''));
    expect(waits.filter((w, i) => i > 0 && w === waits[i - 1])).toEqual([]);
    expect(waits.length).toBeLessThan(events.filter((e) => e.type === 'waiting').length / 2);
  });
});

describe('cluster roll progress, live on a terminal', () => {
  it('redraws one block in place (cursor up, clear) per batch, and leaves the last state on screen', async () => {
    const sim = fullCluster();
    const { events } = await run(sim);
    const frames: string[] = [];
    const view = rollProgress(
      { write: (t: string) => frames.push(t), columns: 200 },
      { live: true, plan: () => undefined },
    );
    for (const e of events) view.onEvent(e);
    view.stop();
    // Every frame after the first of a batch starts by moving up over the previous one and clearing it.
    expect(frames.filter((f) => f.startsWith('\x1b[')).length).toBeGreaterThan(frames.length / 2);
    expect(frames.filter((f) => f.startsWith('batch ')).map((f) => f.split('\n')[0])).toEqual([
      'batch 1: i-0001 (1 out of date after it)',
      'batch 2: i-0002 (0 out of date after it)',
    ]);
    const last = frames.at(-1)!.replace(/^\x1b\[\d+A\x1b\[0J/, '');
    expect(last).toBe(
      'batch 2: i-0002 (0 out of date after it)\n  i-0002  terminated, not replaced\n  group sizes restored: desired 2, min 2, max 2\n',
    );
  });
});

describe('the plan, for people', () => {
  it('out-of-date instances grouped by why; batches; the surge and that it is given back', async () => {
    const sim = fullCluster();
    const { events } = await run(sim, { dryRun: true });
    const e = events[0]!;
    if (e.type !== 'plan') throw new Error('no plan');
    expect(formatPlan(e.plan, e.snapshot)).toBe(
      [
        `Cluster sim-prod, Auto Scaling group sim-prod-ecs: desired 2 (min 2, max 2); new instances get launch template version 2, m5.large`,
        '',
        '2 instances out of date:',
        '  launch template version 1; the group launches version 2; AMI ami-1; the launch template has ami-2:',
        '    i-0001 (m5.large, 4 tasks)',
        '    i-0002 (m5.large, 4 tasks)',
        '',
        'Capacity: the services need 4096 CPU / 8192 MiB (at least 4096 CPU / 8192 MiB while tasks move); ACTIVE instances registered 4096 CPU / 15360 MiB.',
        '',
        'Plan: 2 batches of up to 1; 1 extra instance while rolling (desired up to 3), given back at the end:',
        '   1. i-0001  (1 replaced)',
        '   2. i-0002  (1 not replaced (gives the extra instance back))',
      ].join('\n'),
    );
  });
});
