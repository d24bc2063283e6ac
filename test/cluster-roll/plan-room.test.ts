/**
 * The planner does not refuse a roll the capacity allows (fault seeds 54, 125, 126 were "blocked"
 * with room to spare). It counts, for each service's tasks that must keep running, the other
 * services' displaced tasks first, including those ECS may stop (above their minimum): safe, but
 * where no batch passes that and no more surge is allowed, one instance still goes when the tasks
 * that must keep running fit without the others' optional ones. ECS keeps every service at its
 * minimum either way; the drain may wait for room. Where even that does not fit, it stays blocked.
 */
import { planBatches, type PlanInput } from '../../src/ops/cluster-roll/batches';

/** Seed 54 after its interrupted runs: one old m5.xlarge left, --surge 1 already used. */
const INPUT: PlanInput = {
  instances: [
    {
      id: 'i-0003',
      inGroup: true,
      instanceType: 'm5.xlarge',
      outdated: true,
      status: 'ACTIVE',
      capacity: { cpu: 4096, memory: 15600 },
      free: { cpu: 512, memory: 12016 },
      tasks: { svc0: 2, svc1: 3, svc2: 1 },
    },
    {
      id: 'i-0004',
      inGroup: true,
      instanceType: 'm5.large',
      outdated: false,
      status: 'ACTIVE',
      capacity: { cpu: 2048, memory: 7680 },
      free: { cpu: 512, memory: 6144 },
      tasks: { svc0: 2, svc1: 1 },
    },
    {
      id: 'i-0005',
      inGroup: true,
      instanceType: 'm5.large',
      outdated: false,
      status: 'ACTIVE',
      capacity: { cpu: 2048, memory: 7680 },
      free: { cpu: 1024, memory: 6656 },
      tasks: { svc2: 1 },
    },
  ],
  services: [
    { name: 'svc0', desired: 4, cpu: 512, memory: 512, minimumHealthyPercent: 100, maximumPercent: 200, daemon: false },
    { name: 'svc1', desired: 4, cpu: 512, memory: 512, minimumHealthyPercent: 50, maximumPercent: 200, daemon: false },
    {
      name: 'svc2',
      desired: 2,
      cpu: 1024,
      memory: 1024,
      minimumHealthyPercent: 100,
      maximumPercent: 200,
      daemon: false,
    },
  ],
  launching: 1,
  desired: 4,
  originalDesired: 3,
  newInstanceCapacity: { cpu: 2048, memory: 7680 },
};

it('room for what must keep running, once optional tasks are not counted first: one instance goes', () => {
  const plan = planBatches(INPUT, { batch: { percent: 20 }, surge: 1 });
  expect(plan.blocked).toBeUndefined();
  expect(plan.batches[0]).toEqual({ instances: ['i-0003'], decrement: 1 });
});

it('no room even so (a smaller instance on the way): still blocked, saying why', () => {
  const plan = planBatches(
    { ...INPUT, newInstanceCapacity: { cpu: 512, memory: 7680 } },
    { batch: { percent: 20 }, surge: 1 },
  );
  expect(plan.batches).toEqual([]);
  expect(plan.blocked?.reason).toMatch(
    /^cannot drain any instance without a service running below its minimumHealthyPercent/,
  );
});
