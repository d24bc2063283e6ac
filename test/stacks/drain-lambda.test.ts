/**
 * The lifecycle-hook draining Lambda (stacks/lambda/drain): sets the terminating instance's
 * container instance to DRAINING, keeps the lifecycle action alive with heartbeats while tasks
 * remain, and lets the Auto Scaling group terminate it only once no task runs there.
 */
/** Each command sent, with the running-task count the last DescribeContainerInstances answer gave. */
type Sent = { command: string; input: Record<string, unknown>; running: number | undefined };
const sent: Sent[] = [];
let lastRunning: number | undefined;
let tasksOnInstance: number[] = [];
let containerInstances: string[] = [];

function fakeClient(name: string) {
  return class {
    send(cmd: { constructor: { name: string }; input: Record<string, unknown> }) {
      if (cmd.constructor.name === 'DescribeContainerInstancesCommand')
        lastRunning = tasksOnInstance.length > 1 ? tasksOnInstance[0] : (tasksOnInstance[0] ?? 0);
      sent.push({ command: cmd.constructor.name, input: cmd.input, running: lastRunning });
      if (cmd.constructor.name === 'ListContainerInstancesCommand')
        return Promise.resolve({ containerInstanceArns: containerInstances });
      if (cmd.constructor.name === 'DescribeContainerInstancesCommand') {
        const running = tasksOnInstance.length > 1 ? tasksOnInstance.shift()! : (tasksOnInstance[0] ?? 0);
        return Promise.resolve({ containerInstances: [{ runningTasksCount: running, pendingTasksCount: 0 }] });
      }
      return Promise.resolve({});
    }
    readonly clientName = name;
  };
}
/** SDK command classes: only their name and input matter to the fake clients. */
function commands(names: string[]) {
  return Object.fromEntries(
    names.map((n) => {
      const cls = class {
        constructor(public input: Record<string, unknown>) {}
      };
      Object.defineProperty(cls, 'name', { value: n });
      return [n, cls];
    }),
  );
}

jest.mock('@aws-sdk/client-ecs', () => ({
  ECSClient: fakeClient('ecs'),
  ...commands([
    'ListContainerInstancesCommand',
    'DescribeContainerInstancesCommand',
    'UpdateContainerInstancesStateCommand',
  ]),
}));
jest.mock('@aws-sdk/client-auto-scaling', () => ({
  AutoScalingClient: fakeClient('asg'),
  ...commands(['CompleteLifecycleActionCommand', 'RecordLifecycleActionHeartbeatCommand']),
}));

process.env['CLUSTER'] = 'shop-dev';
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { handler } = require('../../stacks/lambda/drain/index.js') as {
  handler: (event: unknown, context: { getRemainingTimeInMillis(): number }) => Promise<void>;
};

const event = {
  detail: {
    AutoScalingGroupName: 'shop-dev-ecs',
    LifecycleHookName: 'ecsdeploy-drain',
    LifecycleActionToken: 'token-1',
    EC2InstanceId: 'i-0abc',
  },
};

beforeEach(() => {
  sent.length = 0;
  lastRunning = undefined;
  jest.useFakeTimers();
});
afterEach(() => jest.useRealTimers());

async function run(remainingMs: () => number): Promise<void> {
  const done = handler(event, { getRemainingTimeInMillis: remainingMs });
  // Let the polling loop advance through its sleeps.
  for (let i = 0; i < 200; i++) {
    await Promise.resolve();
    await jest.advanceTimersByTimeAsync(15_000);
  }
  await done;
}

it('drains, waits with heartbeats while tasks remain, then completes the lifecycle action', async () => {
  containerInstances = ['arn:aws:ecs:eu-west-1:123456789012:container-instance/shop-dev/abc'];
  tasksOnInstance = [3, 3, ...Array(25).fill(2), 1, 0]; // about 7 minutes of draining
  await run(() => 900_000);
  const names = sent.map((s) => s.command);
  expect(sent.find((s) => s.command === 'ListContainerInstancesCommand')!.input).toMatchObject({
    cluster: 'shop-dev',
    filter: "ec2InstanceId == 'i-0abc'",
  });
  expect(sent.find((s) => s.command === 'UpdateContainerInstancesStateCommand')!.input).toEqual({
    cluster: 'shop-dev',
    containerInstances: [containerInstances[0]],
    status: 'DRAINING',
  });
  expect(names.filter((n) => n === 'RecordLifecycleActionHeartbeatCommand').length).toBeGreaterThanOrEqual(1);
  expect(names[names.length - 1]).toBe('CompleteLifecycleActionCommand');
  expect(sent[sent.length - 1]!.input).toMatchObject({
    LifecycleActionResult: 'CONTINUE',
    InstanceId: 'i-0abc',
    LifecycleActionToken: 'token-1',
  });
  // Completed once, and only after ECS reported no task left on the instance: a Lambda that let
  // the instance go after its first heartbeat (tasks still running) fails here.
  const completes = sent.filter((s) => s.command === 'CompleteLifecycleActionCommand');
  expect(completes.map((c) => c.running)).toEqual([0]);
  expect(names.filter((n) => n === 'DescribeContainerInstancesCommand').length).toBeGreaterThanOrEqual(29);
});

it('an instance that is not in the cluster is let go at once', async () => {
  containerInstances = [];
  await run(() => 900_000);
  expect(sent.map((s) => s.command)).toEqual(['ListContainerInstancesCommand', 'CompleteLifecycleActionCommand']);
});

it('out of time in this invocation: records a heartbeat and does not complete the action', async () => {
  containerInstances = ['arn:ci/x'];
  tasksOnInstance = [5];
  await run(() => 20_000);
  const names = sent.map((s) => s.command);
  expect(names).toContain('UpdateContainerInstancesStateCommand');
  expect(names[names.length - 1]).toBe('RecordLifecycleActionHeartbeatCommand');
  expect(names).not.toContain('CompleteLifecycleActionCommand');
});
