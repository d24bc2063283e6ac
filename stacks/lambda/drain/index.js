// Lifecycle-hook draining for ECS container instances (clusters that do not use the capacity
// provider's managed draining). Triggered by EventBridge on "EC2 Instance-terminate Lifecycle
// Action": sets the instance's container instance to DRAINING, waits (with lifecycle heartbeats)
// until no tasks run on it, then completes the lifecycle action so the ASG may terminate it.
// Uses only the AWS SDK v3 that the nodejs20.x Lambda runtime ships.
const {
  ECSClient,
  ListContainerInstancesCommand,
  DescribeContainerInstancesCommand,
  UpdateContainerInstancesStateCommand,
} = require('@aws-sdk/client-ecs');
const {
  AutoScalingClient,
  CompleteLifecycleActionCommand,
  RecordLifecycleActionHeartbeatCommand,
} = require('@aws-sdk/client-auto-scaling');

const ecs = new ECSClient({});
const asg = new AutoScalingClient({});
const cluster = process.env.CLUSTER;
const POLL_MS = 15000;
const HEARTBEAT_MS = 300000;

async function findContainerInstance(ec2InstanceId) {
  let nextToken;
  do {
    const page = await ecs.send(
      new ListContainerInstancesCommand({ cluster, filter: `ec2InstanceId == '${ec2InstanceId}'`, nextToken }),
    );
    if (page.containerInstanceArns && page.containerInstanceArns.length > 0) return page.containerInstanceArns[0];
    nextToken = page.nextToken;
  } while (nextToken);
  return undefined;
}

async function runningTasks(arn) {
  const out = await ecs.send(new DescribeContainerInstancesCommand({ cluster, containerInstances: [arn] }));
  const ci = out.containerInstances && out.containerInstances[0];
  return ci ? (ci.runningTasksCount || 0) + (ci.pendingTasksCount || 0) : 0;
}

exports.handler = async (event, context) => {
  const d = event.detail;
  const action = {
    AutoScalingGroupName: d.AutoScalingGroupName,
    LifecycleHookName: d.LifecycleHookName,
    LifecycleActionToken: d.LifecycleActionToken,
    InstanceId: d.EC2InstanceId,
  };
  const arn = await findContainerInstance(d.EC2InstanceId);
  if (arn) {
    await ecs.send(
      new UpdateContainerInstancesStateCommand({ cluster, containerInstances: [arn], status: 'DRAINING' }),
    );
    let lastHeartbeat = Date.now();
    while ((await runningTasks(arn)) > 0) {
      if (context.getRemainingTimeInMillis() < 2 * POLL_MS) {
        // Out of time in this invocation: keep the hook alive; the hook's timeout is the backstop.
        await asg.send(new RecordLifecycleActionHeartbeatCommand(action));
        console.log(JSON.stringify({ msg: 'still draining at timeout', instance: d.EC2InstanceId }));
        return;
      }
      if (Date.now() - lastHeartbeat > HEARTBEAT_MS) {
        await asg.send(new RecordLifecycleActionHeartbeatCommand(action));
        lastHeartbeat = Date.now();
      }
      await new Promise((r) => setTimeout(r, POLL_MS));
    }
  }
  await asg.send(new CompleteLifecycleActionCommand({ ...action, LifecycleActionResult: 'CONTINUE' }));
  console.log(JSON.stringify({ msg: 'drained', instance: d.EC2InstanceId, containerInstance: arn || null }));
};
