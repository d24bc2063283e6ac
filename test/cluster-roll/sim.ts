/**
 * A deterministic simulation of an ECS cluster and its Auto Scaling group, behind the same
 * ClusterApi the roll uses against AWS, on a simulated clock (`clock.sleep` advances it). Its calls
 * are retried on throttling by a stand-in of the SDK's retry (test/support/sdk-retry.ts), as the
 * SDK retries the real adapters' calls.
 *
 * What it models, as ECS and Auto Scaling behave:
 * - The group keeps `desired` instances alive (Pending → InService after `bootMs`, then the ECS
 *   agent registers after `registerMs`); instances launch from the group's current template
 *   version. TerminateInstanceInAutoScalingGroup without decrement makes it launch a replacement.
 *   A group above its desired size scales in by itself (oldest version first): with managed
 *   draining it drains first, without it the instance dies with its tasks.
 * - ECS services: tasks take `taskStartMs` to start and `taskStopMs` to stop. Tasks on a DRAINING
 *   instance are replaced as ECS does: a replacement starts on an ACTIVE instance with room while
 *   maximumPercent allows, and a draining task is stopped only while the service keeps
 *   minimumHealthyPercent of its desired count RUNNING. Pending tasks on a draining instance stop
 *   at once. Daemon tasks run on every ACTIVE instance and leave a draining one last.
 * - Faults: API throttling (a rejected call has no effect), a launched instance that never joins
 *   the cluster, an instance carrying a standalone task that never stops (so never drains).
 *
 * It watches two invariants at every instant: no service runs fewer RUNNING tasks than its
 * minimumHealthyPercent allows, and no task dies with its instance (`lost`).
 */
import type {
  AutoScalingGroupInfo,
  GroupSizes,
  InstanceRefreshInfo,
  InstanceRefreshPreferences,
  LaunchTemplateRef,
  LaunchTemplateVersion,
} from '../../src/aws/autoscaling';
import type {
  ContainerInstance,
  ContainerInstanceStatus,
  Resources,
  ServiceInfo,
  TaskInfo,
} from '../../src/aws/ecs-cluster';
import type { Clock } from '../../src/ops/cluster-roll/clock';
import type { ClusterApi } from '../../src/ops/cluster-roll/types';
import { withSdkRetry, type SdkRetryStats } from '../support/sdk-retry';

export interface SimService {
  readonly name: string;
  /** Replica services: desired count (daemons: ignored). */
  readonly desired: number;
  readonly cpu: number;
  readonly memory: number;
  /** @default 100 (daemons 0) */
  readonly minimumHealthyPercent?: number;
  /** @default 200 (daemons 100) */
  readonly maximumPercent?: number;
  readonly daemon?: boolean;
}

export interface SimTiming {
  readonly bootMs: number;
  readonly registerMs: number;
  readonly taskStartMs: number;
  readonly taskStopMs: number;
  readonly terminateMs: number;
  /** The ECS scheduler and the group act on this period. */
  readonly tickMs: number;
}

export const DEFAULT_TIMING: SimTiming = {
  bootMs: 90_000,
  registerMs: 20_000,
  taskStartMs: 30_000,
  taskStopMs: 20_000,
  terminateMs: 45_000,
  tickMs: 5_000,
};

export interface SimFaults {
  /** Probability that an API call is throttled (rejected before it has any effect). */
  readonly throttleRate?: number;
  /** The n-th instances the group launches (1-based) never register in the cluster. */
  readonly neverRegister?: readonly number[];
  /** These initial instances (by index) run a standalone task that never stops. */
  readonly neverDrain?: readonly number[];
}

export interface SimConfig {
  readonly seed?: number;
  readonly cluster?: string;
  readonly group?: string;
  /** Registered capacity of each instance type. */
  readonly types: Readonly<Record<string, Resources>>;
  /** The instances at the start, InService and ACTIVE. @default version: the template's - 1 (out of date) */
  readonly instances: ReadonlyArray<{ readonly type: string; readonly version?: number }>;
  /** What the group launches now. */
  readonly template: { readonly version: number; readonly type: string };
  /** @default min 0, max instances × 2, desired = instances */
  readonly sizes?: Partial<GroupSizes>;
  readonly services: readonly SimService[];
  readonly timing?: Partial<SimTiming>;
  readonly faults?: SimFaults;
  /** Scale-in by the group drains first (the capacity provider's managed draining). @default false */
  readonly managedDraining?: boolean;
}

type TaskState = 'PENDING' | 'RUNNING' | 'STOPPING';

interface Task {
  readonly id: string;
  readonly service?: string;
  readonly group: string;
  readonly size: Resources;
  readonly ci: Ci;
  state: TaskState;
}

interface Ci {
  readonly arn: string;
  readonly instance: Instance;
  status: 'ACTIVE' | 'DRAINING' | 'INACTIVE';
  readonly registered: Resources;
  used: Resources;
  readonly tasks: Set<Task>;
}

interface Instance {
  readonly id: string;
  readonly type: string;
  readonly version: number;
  readonly launchIndex: number;
  lifecycle: 'Pending' | 'InService' | 'Terminating:Wait' | 'Terminating' | 'Terminated';
  ci?: Ci;
  /** Being scaled in / refreshed by the group itself with managed draining. */
  drainThenTerminate?: boolean;
}

interface Refresh {
  readonly id: string;
  status: string;
  readonly prefs: InstanceRefreshPreferences;
  readonly queue: string[];
  readonly total: number;
  readonly inFlight: Set<string>;
  done: number;
}

export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface SimEvent {
  readonly at: number;
  readonly seq: number;
  readonly run: () => void;
}

/** Events by time, then by the order they were scheduled. */
class EventHeap {
  private readonly items: SimEvent[] = [];
  private less(a: SimEvent, b: SimEvent): boolean {
    return a.at < b.at || (a.at === b.at && a.seq < b.seq);
  }
  peek(): SimEvent | undefined {
    return this.items[0];
  }
  push(e: SimEvent): void {
    const a = this.items;
    a.push(e);
    for (let i = a.length - 1; i > 0;) {
      const p = (i - 1) >> 1;
      if (!this.less(a[i]!, a[p]!)) break;
      [a[i], a[p]] = [a[p]!, a[i]!];
      i = p;
    }
  }
  pop(): SimEvent | undefined {
    const a = this.items;
    const top = a[0];
    const last = a.pop();
    if (a.length > 0 && last !== undefined) {
      a[0] = last;
      for (let i = 0; ;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < a.length && this.less(a[l]!, a[m]!)) m = l;
        if (r < a.length && this.less(a[r]!, a[m]!)) m = r;
        if (m === i) break;
        [a[i], a[m]] = [a[m]!, a[i]!];
        i = m;
      }
    }
    return top;
  }
}

const awsError = (name: string, message: string) => Object.assign(new Error(message), { name });

export class ClusterSim {
  readonly clusterName: string;
  readonly groupName: string;
  readonly timing: SimTiming;
  /** Broken invariants, with the simulated time: must stay empty. */
  readonly violations: string[] = [];
  /** Tasks that died with their instance. */
  readonly lost: string[] = [];
  /** Every API call that took effect, in order. */
  readonly calls: Array<{ readonly at: number; readonly op: string; readonly args: unknown[] }> = [];
  /** Instances the group scaled in by itself. */
  readonly scaledIn: string[] = [];
  throttled = 0;
  template: { version: number; type: string };
  sizes: GroupSizes;
  tags: Record<string, string> = {};

  private time = 0;
  private seq = 0;
  private readonly queue = new EventHeap();
  private tickScheduled = false;
  private readonly instances: Instance[] = [];
  private readonly cis: Ci[] = [];
  private launched = 0;
  private taskSeq = 0;
  private readonly services: Map<string, Required<SimService> & { tasks: Set<Task> }>;
  private readonly rng: () => number;
  private readonly throttleRng: () => number;
  private refresh?: Refresh;
  private neverRegisterFixed = false;
  private readonly refreshes: Refresh[] = [];

  constructor(private readonly config: SimConfig) {
    this.clusterName = config.cluster ?? 'sim-prod';
    this.groupName = config.group ?? `${this.clusterName}-ecs`;
    this.timing = { ...DEFAULT_TIMING, ...config.timing };
    this.rng = mulberry32(config.seed ?? 1);
    this.throttleRng = mulberry32((config.seed ?? 1) * 7919 + 17);
    this.template = { ...config.template };
    this.sizes = {
      minSize: config.sizes?.minSize ?? 0,
      maxSize: config.sizes?.maxSize ?? Math.max(1, config.instances.length * 2),
      desiredCapacity: config.sizes?.desiredCapacity ?? config.instances.length,
    };
    this.services = new Map(
      config.services.map((s) => [
        s.name,
        {
          ...s,
          daemon: s.daemon ?? false,
          minimumHealthyPercent: s.minimumHealthyPercent ?? (s.daemon ? 0 : 100),
          maximumPercent: s.maximumPercent ?? (s.daemon ? 100 : 200),
          tasks: new Set<Task>(),
        },
      ]),
    );
    config.instances.forEach((spec, index) => {
      const instance = this.newInstance(spec.type, spec.version ?? config.template.version - 1, 'InService');
      this.register(instance);
      if (config.faults?.neverDrain?.includes(index))
        this.startTask(instance.ci!, undefined, 'family:nightly-report', { cpu: 0, memory: 0 }, 'RUNNING');
    });
    // Initial placement: everything RUNNING at once.
    this.schedulerPass(true);
    for (const s of this.services.values()) {
      if (!s.daemon && this.count(s, 'RUNNING') < s.desired)
        throw new Error(`sim: ${s.name} does not fit at the start`);
    }
  }

  // --- clock -----------------------------------------------------------------------------------

  readonly clock: Clock = {
    now: () => this.time,
    random: () => this.rng(),
    sleep: async (ms) => {
      this.advanceTo(this.time + ms);
    },
  };

  now(): number {
    return this.time;
  }

  advanceTo(t: number): void {
    for (let e = this.queue.peek(); e !== undefined && e.at <= t; e = this.queue.peek()) {
      this.queue.pop();
      this.time = e.at;
      e.run();
    }
    this.time = Math.max(this.time, t);
  }

  private at(delay: number, run: () => void): void {
    this.queue.push({ at: this.time + delay, seq: this.seq++, run });
  }

  private dirty(): void {
    if (this.tickScheduled) return;
    this.tickScheduled = true;
    const tick = this.timing.tickMs;
    this.queue.push({
      at: (Math.floor(this.time / tick) + 1) * tick,
      seq: this.seq++,
      run: () => {
        this.tickScheduled = false;
        this.schedulerPass(false);
      },
    });
  }

  // --- model -----------------------------------------------------------------------------------

  private newInstance(type: string, version: number, lifecycle: Instance['lifecycle']): Instance {
    const instance: Instance = {
      id: `i-${String(this.instances.length + 1).padStart(4, '0')}`,
      type,
      version,
      lifecycle,
      launchIndex: lifecycle === 'Pending' ? ++this.launched : 0,
    };
    this.instances.push(instance);
    return instance;
  }

  private register(instance: Instance): void {
    const registered = this.config.types[instance.type];
    if (registered === undefined) throw new Error(`sim: unknown type ${instance.type}`);
    const ci: Ci = {
      arn: `arn:aws:ecs:sim:000000000000:container-instance/${this.clusterName}/${instance.id}`,
      instance,
      status: 'ACTIVE',
      registered,
      used: { cpu: 0, memory: 0 },
      tasks: new Set(),
    };
    instance.ci = ci;
    this.cis.push(ci);
    this.dirty();
  }

  private launch(): void {
    const instance = this.newInstance(this.template.type, this.template.version, 'Pending');
    const never =
      !this.neverRegisterFixed && (this.config.faults?.neverRegister?.includes(instance.launchIndex) ?? false);
    this.at(this.timing.bootMs, () => {
      if (instance.lifecycle !== 'Pending') return;
      instance.lifecycle = 'InService';
      this.dirty();
      if (!never) this.at(this.timing.registerMs, () => instance.lifecycle === 'InService' && this.register(instance));
    });
  }

  private alive(i: Instance): boolean {
    return i.lifecycle === 'Pending' || i.lifecycle === 'InService';
  }

  /** Terminates an instance: whatever still runs on it is lost. */
  private terminate(instance: Instance): void {
    instance.lifecycle = 'Terminating';
    const ci = instance.ci;
    if (ci) {
      for (const t of [...ci.tasks]) {
        this.lost.push(`${t.group} ${t.id} (${t.state}) on ${instance.id} at ${this.time}`);
        this.removeTask(t);
      }
      ci.status = 'INACTIVE';
    }
    this.at(this.timing.terminateMs, () => {
      instance.lifecycle = 'Terminated';
      this.dirty();
    });
    this.dirty();
  }

  private free(ci: Ci): Resources {
    return { cpu: ci.registered.cpu - ci.used.cpu, memory: ci.registered.memory - ci.used.memory };
  }

  private startTask(ci: Ci, service: string | undefined, group: string, size: Resources, state: TaskState): Task {
    const task: Task = { id: `t-${++this.taskSeq}`, ...(service ? { service } : {}), group, size, ci, state };
    ci.tasks.add(task);
    ci.used = { cpu: ci.used.cpu + size.cpu, memory: ci.used.memory + size.memory };
    if (service) this.services.get(service)!.tasks.add(task);
    if (state === 'PENDING') {
      this.at(this.timing.taskStartMs, () => {
        if (task.state !== 'PENDING' || !ci.tasks.has(task)) return;
        task.state = 'RUNNING';
        this.dirty();
      });
    }
    return task;
  }

  private removeTask(task: Task): void {
    if (!task.ci.tasks.delete(task)) return;
    task.ci.used = { cpu: task.ci.used.cpu - task.size.cpu, memory: task.ci.used.memory - task.size.memory };
    if (task.service) this.services.get(task.service)!.tasks.delete(task);
    this.dirty();
  }

  private stopTask(task: Task): void {
    if (task.state === 'PENDING') return this.removeTask(task);
    task.state = 'STOPPING';
    this.at(this.timing.taskStopMs, () => this.removeTask(task));
  }

  private count(s: { tasks: Set<Task> }, state: TaskState): number {
    let n = 0;
    for (const t of s.tasks) if (t.state === state) n++;
    return n;
  }

  /** The ACTIVE instance with the most free CPU that holds `size` (ECS spread, roughly). */
  private place(size: Resources, except?: (ci: Ci) => boolean): Ci | undefined {
    let best: Ci | undefined;
    for (const ci of this.cis) {
      if (ci.status !== 'ACTIVE' || except?.(ci)) continue;
      const f = this.free(ci);
      if (f.cpu < size.cpu || f.memory < size.memory) continue;
      if (best === undefined || f.cpu > this.free(best).cpu) best = ci;
    }
    return best;
  }

  private schedulerPass(initial: boolean): void {
    const state: TaskState = initial ? 'RUNNING' : 'PENDING';
    // The group keeps its desired count alive.
    const alive = this.instances.filter((i) => this.alive(i));
    if (alive.length < this.sizes.desiredCapacity)
      for (let n = alive.length; n < this.sizes.desiredCapacity; n++) this.launch();
    if (alive.length > this.sizes.desiredCapacity) {
      const victims = [...alive]
        .sort((a, b) => a.version - b.version || a.id.localeCompare(b.id))
        .slice(0, alive.length - this.sizes.desiredCapacity);
      for (const v of victims) {
        this.scaledIn.push(v.id);
        if (this.config.managedDraining && v.ci) {
          v.lifecycle = 'Terminating:Wait';
          v.drainThenTerminate = true;
          if (v.ci.status === 'ACTIVE') v.ci.status = 'DRAINING';
        } else this.terminate(v);
      }
    }
    for (const i of this.instances) {
      if (i.drainThenTerminate && i.lifecycle === 'Terminating:Wait' && i.ci && i.ci.tasks.size === 0)
        this.terminate(i);
    }

    // Daemons: one task on every ACTIVE instance; off a draining one once nothing else runs there.
    for (const s of this.services.values()) {
      if (!s.daemon) continue;
      for (const ci of this.cis) {
        const mine = [...ci.tasks].find((t) => t.service === s.name && t.state !== 'STOPPING');
        if (ci.status === 'ACTIVE' && mine === undefined) {
          const f = this.free(ci);
          if (f.cpu >= s.cpu && f.memory >= s.memory) this.startTask(ci, s.name, `service:${s.name}`, s, state);
        } else if (
          ci.status === 'DRAINING' &&
          mine !== undefined &&
          [...ci.tasks].every((t) => t.service === s.name || this.services.get(t.service ?? '')?.daemon)
        ) {
          this.stopTask(mine);
        }
      }
    }

    // Replica services.
    for (const s of this.services.values()) {
      if (s.daemon) continue;
      for (const t of [...s.tasks]) if (t.state === 'PENDING' && t.ci.status !== 'ACTIVE') this.removeTask(t);
      const live = [...s.tasks].filter((t) => t.state !== 'STOPPING');
      let onActive = live.filter((t) => t.ci.status === 'ACTIVE').length;
      let total = live.length;
      const most = Math.max(s.desired, Math.floor((s.desired * s.maximumPercent) / 100));
      while (onActive < s.desired && total < most) {
        const ci = this.place(s);
        if (ci === undefined) break;
        this.startTask(ci, s.name, `service:${s.name}`, s, state);
        onActive++;
        total++;
      }
      const least = Math.ceil((s.desired * s.minimumHealthyPercent) / 100 - 1e-9);
      let running = this.count(s, 'RUNNING');
      for (const t of [...s.tasks]) {
        if (t.state !== 'RUNNING' || t.ci.status !== 'DRAINING') continue;
        if (running - 1 < least) break;
        this.stopTask(t);
        running--;
      }
    }

    this.refreshPass();

    // The invariant: nobody below its minimum.
    if (!initial) {
      for (const s of this.services.values()) {
        if (s.daemon) continue;
        const least = Math.ceil((s.desired * s.minimumHealthyPercent) / 100 - 1e-9);
        const running = this.count(s, 'RUNNING');
        if (running < least) this.violations.push(`${s.name}: ${running} RUNNING < ${least} at ${this.time}`);
      }
    }
  }

  private refreshPass(): void {
    const r = this.refresh;
    if (r === undefined) return;
    if (r.status === 'Pending') r.status = 'InProgress';
    for (const id of [...r.inFlight]) {
      const i = this.instances.find((x) => x.id === id)!;
      if (i.lifecycle === 'Terminated') {
        r.inFlight.delete(id);
        r.done++;
      }
    }
    const healthy = this.instances.filter((i) => i.lifecycle === 'InService' && i.ci?.status === 'ACTIVE').length;
    const settled = healthy >= this.sizes.desiredCapacity && !this.instances.some((i) => i.lifecycle === 'Pending');
    if (r.inFlight.size === 0 && settled) {
      while (r.queue.length > 0 && !this.instances.some((i) => i.id === r.queue[0] && this.alive(i))) {
        r.queue.shift();
        r.done++;
      }
      if (r.queue.length === 0) {
        r.status = 'Successful';
        this.refresh = undefined;
        return;
      }
      const least = Math.ceil((this.sizes.desiredCapacity * r.prefs.minHealthyPercentage) / 100);
      const extra = Math.floor((this.sizes.desiredCapacity * ((r.prefs.maxHealthyPercentage ?? 100) - 100)) / 100);
      const k = Math.max(1, healthy - least + extra);
      for (const id of r.queue.splice(0, k)) {
        const i = this.instances.find((x) => x.id === id)!;
        r.inFlight.add(id);
        i.lifecycle = 'Terminating:Wait';
        i.drainThenTerminate = true;
        if (i.ci && i.ci.status === 'ACTIVE') i.ci.status = 'DRAINING';
        if (i.ci === undefined) this.terminate(i);
      }
      this.dirty();
    }
  }

  // --- the API ----------------------------------------------------------------------------------

  private call(op: string, args: unknown[]): void {
    const rate = this.config.faults?.throttleRate ?? 0;
    if (rate > 0 && this.throttleRng() < rate) {
      this.throttled++;
      throw awsError(op.startsWith('ecs') ? 'ThrottlingException' : 'Throttling', 'Rate exceeded');
    }
    this.calls.push({ at: this.time, op, args });
  }

  private groupOf(name: string): void {
    if (name !== this.groupName) throw awsError('ValidationError', `AutoScalingGroup name not found - ${name}`);
  }

  private checkSizes(s: GroupSizes): void {
    if (s.desiredCapacity < s.minSize || s.desiredCapacity > s.maxSize) {
      throw awsError(
        'ValidationError',
        `Desired capacity:${s.desiredCapacity} must be between the specified min size:${s.minSize} and max size:${s.maxSize}`,
      );
    }
  }

  private ciView(ci: Ci): ContainerInstance {
    let running = 0;
    let pending = 0;
    for (const t of ci.tasks) {
      if (t.state === 'PENDING') pending++;
      else running++;
    }
    return {
      arn: ci.arn,
      ec2InstanceId: ci.instance.id,
      status: ci.status,
      agentConnected: ci.status !== 'INACTIVE',
      runningTasks: running,
      pendingTasks: pending,
      registered: ci.registered,
      remaining: this.free(ci),
      instanceType: ci.instance.type,
      amiId: `ami-${ci.instance.version}`,
    };
  }

  /** The API as the fake answers it: each call may be throttled (before it has any effect). */
  private readonly raw: ClusterApi = {
    group: async (name) => {
      this.call('asg:DescribeAutoScalingGroups', [name]);
      if (name !== this.groupName) return undefined;
      const info: AutoScalingGroupInfo = {
        name,
        ...this.sizes,
        launchTemplate: { id: 'lt-sim', name: `${this.clusterName}-ecs`, version: '$Latest' },
        instances: this.instances
          .filter((i) => i.lifecycle !== 'Terminated')
          .map((i) => ({
            instanceId: i.id,
            lifecycleState: i.lifecycle,
            healthStatus: 'Healthy',
            instanceType: i.type,
            launchTemplate: { id: 'lt-sim', name: `${this.clusterName}-ecs`, version: String(i.version) },
          })),
        tags: { ...this.tags },
      };
      return info;
    },
    launchTemplateVersion: async (ref: LaunchTemplateRef): Promise<LaunchTemplateVersion> => {
      this.call('ec2:DescribeLaunchTemplateVersions', [ref]);
      return {
        id: 'lt-sim',
        version: String(this.template.version),
        instanceType: this.template.type,
        imageId: `ami-${this.template.version}`,
      };
    },
    setDesiredCapacity: async (name, desired) => {
      this.call('asg:SetDesiredCapacity', [name, desired]);
      this.groupOf(name);
      this.checkSizes({ ...this.sizes, desiredCapacity: desired });
      this.sizes = { ...this.sizes, desiredCapacity: desired };
      this.dirty();
    },
    updateSizes: async (name, sizes) => {
      this.call('asg:UpdateAutoScalingGroup', [name, sizes]);
      this.groupOf(name);
      const next = { ...this.sizes, ...sizes };
      this.checkSizes(next);
      this.sizes = next;
      this.dirty();
    },
    terminateInstance: async (instanceId, decrementDesired) => {
      this.call('asg:TerminateInstanceInAutoScalingGroup', [instanceId, decrementDesired]);
      const i = this.instances.find(
        (x) => x.id === instanceId && (x.lifecycle === 'InService' || x.lifecycle === 'Pending'),
      );
      if (i === undefined) return; // already terminating or gone: as the SDK implementation reports it
      if (decrementDesired) {
        if (this.sizes.desiredCapacity - 1 < this.sizes.minSize)
          throw awsError(
            'ValidationError',
            `Currently, desiredSize equals minSize (${this.sizes.minSize}). Terminating instance without replacement will violate group's min size constraint.`,
          );
        this.sizes = { ...this.sizes, desiredCapacity: this.sizes.desiredCapacity - 1 };
      }
      this.terminate(i);
    },
    setTag: async (group, key, value) => {
      this.call('asg:CreateOrUpdateTags', [group, key, value]);
      this.groupOf(group);
      this.tags[key] = value;
    },
    deleteTag: async (group, key) => {
      this.call('asg:DeleteTags', [group, key]);
      this.groupOf(group);
      delete this.tags[key];
    },
    startInstanceRefresh: async (group, prefs) => {
      this.call('asg:StartInstanceRefresh', [group, prefs]);
      this.groupOf(group);
      if (this.refresh) throw awsError('InstanceRefreshInProgress', 'An Instance Refresh is already in progress');
      const queue = this.instances.filter((i) => this.alive(i) && i.version !== this.template.version).map((i) => i.id);
      const r: Refresh = {
        id: `refresh-${this.refreshes.length + 1}`,
        status: 'Pending',
        prefs,
        queue,
        total: queue.length,
        inFlight: new Set(),
        done: 0,
      };
      this.refresh = r;
      this.refreshes.unshift(r);
      this.dirty();
      return r.id;
    },
    instanceRefreshes: async (group, ids) => {
      this.call('asg:DescribeInstanceRefreshes', [group, ids]);
      return this.refreshes
        .filter((r) => ids === undefined || ids.includes(r.id))
        .map((r): InstanceRefreshInfo => ({
          id: r.id,
          status: r.status,
          percentComplete: r.total === 0 ? 100 : Math.floor((r.done / r.total) * 100),
          instancesToUpdate: r.total - r.done,
        }));
    },
    containerInstances: async (cluster, arns) => {
      this.call('ecs:DescribeContainerInstances', [cluster, arns]);
      const list =
        arns === undefined
          ? this.cis.filter((c) => c.status !== 'INACTIVE')
          : this.cis.filter((c) => arns.includes(c.arn));
      return list.map((c) => this.ciView(c));
    },
    setContainerInstanceState: async (cluster, arns, status: ContainerInstanceStatus) => {
      this.call('ecs:UpdateContainerInstancesState', [cluster, arns, status]);
      for (const arn of arns) {
        const ci = this.cis.find((c) => c.arn === arn);
        if (ci === undefined || ci.status === 'INACTIVE')
          throw awsError('ContainerInstanceStateFailure', `${arn}: MISSING`);
      }
      for (const arn of arns) this.cis.find((c) => c.arn === arn)!.status = status;
      this.dirty();
    },
    services: async (cluster) => {
      this.call('ecs:DescribeServices', [cluster]);
      return [...this.services.values()].map((s): ServiceInfo => ({
        name: s.name,
        desiredCount: s.daemon ? this.cis.filter((c) => c.status === 'ACTIVE').length : s.desired,
        runningCount: this.count(s, 'RUNNING') + this.count(s, 'STOPPING'),
        pendingCount: this.count(s, 'PENDING'),
        taskDefinition: `td-${s.name}`,
        daemon: s.daemon,
        minimumHealthyPercent: s.minimumHealthyPercent,
        maximumPercent: s.maximumPercent,
        onEc2: true,
      }));
    },
    taskSize: async (taskDefinition) => {
      this.call('ecs:DescribeTaskDefinition', [taskDefinition]);
      const s = this.services.get(taskDefinition.replace(/^td-/, ''));
      if (s === undefined) throw awsError('ClientException', `Unable to describe task definition ${taskDefinition}`);
      return { cpu: s.cpu, memory: s.memory };
    },
    tasks: async (cluster, arn) => {
      this.call('ecs:ListTasks', [cluster, arn]);
      return this.cis
        .filter((c) => arn === undefined || c.arn === arn)
        .flatMap((c) => [...c.tasks])
        .filter((t) => t.state !== 'STOPPING')
        .map((t): TaskInfo => ({ arn: t.id, group: t.group, lastStatus: t.state, containerInstanceArn: t.ci.arn }));
    },
  };

  /** Throttled calls retried as the SDK retries them (the one retry policy, src/aws/retry.ts). */
  readonly retries: SdkRetryStats = { retries: 0, gaveUp: 0 };
  /** The ClusterApi the roll uses: the fake behind a stand-in of the SDK's retry, as AWS is behind the SDK's. */
  readonly api: ClusterApi = withSdkRetry(this.raw, this.clock, this.retries);

  // --- for assertions -----------------------------------------------------------------------------

  /** The group's live instances (not terminating). */
  groupInstances(): Array<{
    id: string;
    version: number;
    type: string;
    lifecycle: string;
    ecs?: string;
    tasks: number;
  }> {
    return this.instances
      .filter((i) => this.alive(i) || i.lifecycle === 'Terminating:Wait')
      .map((i) => ({
        id: i.id,
        version: i.version,
        type: i.type,
        lifecycle: i.lifecycle,
        ...(i.ci ? { ecs: i.ci.status } : {}),
        tasks: i.ci?.tasks.size ?? 0,
      }));
  }

  /** RUNNING tasks per replica service. */
  running(): Record<string, number> {
    return Object.fromEntries(
      [...this.services.values()].filter((s) => !s.daemon).map((s) => [s.name, this.count(s, 'RUNNING')]),
    );
  }

  /** Lets the cluster settle for a while (tasks placed again, and so on). */
  settle(ms = 10 * 60_000): void {
    this.advanceTo(this.time + ms);
  }

  /** What an operator does after a fault: stops the standalone tasks, gets stuck instances to register. */
  fixFaults(): void {
    for (const ci of this.cis) for (const t of [...ci.tasks]) if (t.service === undefined) this.removeTask(t);
    for (const i of this.instances) if (i.lifecycle === 'InService' && i.ci === undefined) this.register(i);
    this.neverRegisterFixed = true;
  }

  /** Changes the template the group launches (an AMI or instance type change applied). */
  setTemplate(version: number, type = this.template.type): void {
    this.template = { version, type };
  }
}
