/**
 * A simulated one-off ECS task and its CloudWatch log stream on the fake clock of test/deploy-watch/sim:
 * timelines say "at T ms, the task is RUNNING / writes these lines / exits with 3". Every call first
 * applies the steps due, then answers as ECS and CloudWatch Logs would; log reads come back in pages
 * (a forward token per page), as GetLogEvents does.
 */
import type { TaskState } from '../../src/aws/ecs-tasks';
import type { LogStreamApi } from '../../src/aws/logs';
import { FakeClock, T0 } from '../deploy-watch/sim';

export const TASK_ARN = 'arn:aws:ecs:eu-west-1:123456789012:task/shop-dev/0123456789abcdef0123456789abcdef';
export const TD = 'arn:aws:ecs:eu-west-1:123456789012:task-definition/shop-dev-orders:7';

export class TaskSim {
  task: { -readonly [K in keyof TaskState]: TaskState[K] } = {
    arn: TASK_ARN,
    taskDefinition: TD,
    lastStatus: 'PROVISIONING',
    desiredStatus: 'RUNNING',
    startedBy: 'ecsdeploy',
    containers: [{ name: 'orders' }, { name: 'envoy' }],
    tags: {},
    commands: { orders: ['sh', '-c', 'migrate'] },
  };
  /** Lines written to the stream so far (CloudWatch has them). */
  lines: Array<{ timestamp: number; message: string }> = [];
  readonly calls = { describeTasks: 0, stopTask: 0, readStream: 0 };
  readonly stopReasons: string[] = [];
  /** Events per GetLogEvents page. */
  pageSize = 2;
  private steps: Array<{ at: number; fn: (s: TaskSim) => void }> = [];
  private throttled: Array<[number, number]> = [];
  /** What StopTask does (default: STOPPED at once, container exits 143). */
  onStop: (s: TaskSim) => void = (s) => s.stop('UserInitiated', 'ecsdeploy: stopped', 143);

  constructor(readonly clock: FakeClock) {}

  at(offsetMs: number, fn: (s: TaskSim) => void): this {
    this.steps.push({ at: T0 + offsetMs, fn });
    this.steps.sort((a, b) => a.at - b.at);
    return this;
  }
  throttle(fromMs: number, toMs: number): this {
    this.throttled.push([T0 + fromMs, T0 + toMs]);
    return this;
  }

  status(s: string): this {
    this.task.lastStatus = s;
    if (s === 'RUNNING') this.task.startedAt = this.clock.now();
    return this;
  }
  log(...messages: string[]): this {
    for (const message of messages) this.lines.push({ timestamp: this.clock.now(), message });
    return this;
  }
  exit(code: number, container = 'orders'): this {
    return this.stop('EssentialContainerExited', 'Essential container in task exited', code, container);
  }
  stop(stopCode: string, reason: string, exitCode?: number, container = 'orders'): this {
    this.task.lastStatus = 'STOPPED';
    this.task.desiredStatus = 'STOPPED';
    this.task.stopCode = stopCode;
    this.task.stoppedReason = reason;
    this.task.stoppedAt = this.clock.now();
    this.task.containers = this.task.containers.map((c) =>
      c.name === container && exitCode !== undefined ? { ...c, exitCode } : c,
    );
    return this;
  }
  /** Never started: stopped before the container ran. */
  failToStart(reason: string, containerReason?: string): this {
    this.task.lastStatus = 'STOPPED';
    this.task.desiredStatus = 'STOPPED';
    this.task.stopCode = 'TaskFailedToStart';
    this.task.stoppedReason = reason;
    if (containerReason) this.task.containers = this.task.containers.map((c) => ({ ...c, reason: containerReason }));
    return this;
  }

  private advance(): void {
    while (this.steps.length > 0 && this.steps[0]!.at <= this.clock.now()) this.steps.shift()!.fn(this);
    const now = this.clock.now();
    if (this.throttled.some(([a, b]) => now >= a && now < b))
      throw Object.assign(new Error('Rate exceeded'), {
        name: 'ThrottlingException',
        $metadata: { httpStatusCode: 400 },
      });
  }

  tasks = {
    describeTasks: async (_cluster: string, arns: readonly string[]): Promise<TaskState[]> => {
      this.calls.describeTasks++;
      this.advance();
      return arns.includes(this.task.arn) ? [{ ...this.task, containers: [...this.task.containers] }] : [];
    },
    stopTask: async (_cluster: string, _arn: string, reason: string): Promise<void> => {
      this.calls.stopTask++;
      this.stopReasons.push(reason);
      this.onStop(this);
    },
  };

  /** Pages of `pageSize` events; the forward token is the index of the next event, as a string. */
  pages: number[] = [];
  logs: LogStreamApi = {
    readStream: async (_group, _stream, fromToken) => {
      this.calls.readStream++;
      this.advance();
      if (this.lines.length === 0 && fromToken === undefined) return { events: [] };
      let i = fromToken === undefined ? 0 : Number(fromToken.slice(2));
      const events = [];
      // The adapter follows the pages (the SDK paginator); count them here.
      do {
        const page = this.lines.slice(i, i + this.pageSize);
        this.pages.push(page.length);
        events.push(...page.map((l, k) => ({ id: `e${i + k}`, stream: 'orders/orders/x', ...l })));
        i += page.length;
        if (page.length === 0) break;
      } while (i <= this.lines.length);
      return { events, nextToken: `f/${i}` };
    },
  };
}
