/**
 * The human views of `cluster status` and `cluster roll`: tables of instances and services, the
 * roll's plan, its summary, and its progress on stderr (a live block on a terminal, timestamped
 * lines where nobody watches; nothing with --json).
 */
import type { Resources } from '../aws/ecs-cluster';
import type { ClusterSnapshot, ClusterStatus, RollEvent, RollMark, RollPlan, RollReport } from '../ops/cluster-roll';
import { table } from './table';
import { dateOf, systemClock, type Clock } from '../clock';

const res = (r: Resources) => `${r.cpu} CPU / ${r.memory} MiB`;
const plural = (n: number, what: string) => `${n} ${what}${n === 1 ? '' : /(s|ch|sh|x)$/.test(what) ? 'es' : 's'}`;

/** Out-of-date instances grouped by why (usually all for the same reason). */
function whyOutdated(s: ClusterSnapshot, detail: boolean): string[] {
  const byReason = new Map<string, string[]>();
  for (const i of s.instances.filter((x) => x.outdated)) {
    const key = i.outdatedReasons.join('; ');
    byReason.set(key, [
      ...(byReason.get(key) ?? []),
      detail
        ? `${i.instanceId} (${i.instanceType ?? '?'}, ${plural(i.runningTasks + i.pendingTasks, 'task')})`
        : i.instanceId,
    ]);
  }
  return [...byReason].flatMap(([reason, ids]) => [`  ${reason}:`, ...ids.map((id) => `    ${id}`)]);
}

export function duration(ms: number): string {
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m ${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(m / 60)}h ${String(m % 60).padStart(2, '0')}m`;
}

function groupLine(s: ClusterSnapshot): string {
  const g = s.group;
  const launches = [
    g.launchTemplateVersion ? `launch template version ${g.launchTemplateVersion}` : undefined,
    g.instanceType,
  ]
    .filter(Boolean)
    .join(', ');
  return `Cluster ${s.names.cluster}, Auto Scaling group ${g.name}: desired ${g.desiredCapacity} (min ${g.minSize}, max ${g.maxSize})${launches ? `; new instances get ${launches}` : ''}`;
}

function instanceTable(s: ClusterSnapshot): string {
  return table(
    ['INSTANCE', 'TYPE', 'VERSION', 'UP TO DATE', 'STATE', 'ECS', 'TASKS', 'CPU FREE/REG', 'MEMORY FREE/REG'],
    s.instances.map((i) => [
      i.instanceId,
      i.instanceType ?? '-',
      i.inGroup ? (i.launchTemplateVersion ?? '-') : '-',
      i.inGroup ? (i.outdated ? 'no' : 'yes') : 'not in group',
      i.lifecycleState,
      i.ecsStatus,
      i.runningTasks + i.pendingTasks,
      i.ecsStatus === 'UNREGISTERED' ? '-' : `${i.remaining.cpu}/${i.registered.cpu}`,
      i.ecsStatus === 'UNREGISTERED' ? '-' : `${i.remaining.memory}/${i.registered.memory}`,
    ]),
  );
}

function serviceTable(s: ClusterSnapshot): string {
  if (s.services.length === 0) return 'No service runs on these instances.';
  return table(
    ['SERVICE', 'DESIRED', 'RUNNING', 'TASK CPU/MEMORY', 'MIN HEALTHY', 'MAX'],
    s.services.map((v) => [
      v.name,
      v.daemon ? 'daemon' : v.desired,
      v.running,
      `${v.cpu}/${v.memory}`,
      `${v.minimumHealthyPercent}%`,
      `${v.maximumPercent}%`,
    ]),
  );
}

function capacityLines(s: ClusterSnapshot): string[] {
  const c = s.capacity;
  const short = c.needed.cpu > c.registered.cpu || c.needed.memory > c.registered.memory;
  return [
    `Capacity: the services need ${res(c.needed)} (at least ${res(c.minimum)} while tasks move); ACTIVE instances registered ${res(c.registered)}${short ? ' - LESS than needed' : ''}.`,
  ];
}

export function formatStatus(s: ClusterStatus): string {
  const out = [groupLine(s), '', instanceTable(s), ''];
  const outdated = s.instances.filter((i) => i.outdated);
  if (outdated.length === 0) out.push('Every instance of the group is up to date.');
  else {
    out.push(
      `${plural(outdated.length, 'instance')} out of date (replace with \`ecsdeploy cluster roll --env ${s.environment}\`):`,
      ...whyOutdated(s, false),
    );
  }
  out.push('', serviceTable(s), '', ...capacityLines(s));
  if (s.roll) {
    out.push(
      `A roll started at ${s.roll.startedAt} has not finished (original sizes: desired ${s.roll.original.desiredCapacity}, min ${s.roll.original.minSize}, max ${s.roll.original.maxSize}): run \`ecsdeploy cluster roll --env ${s.environment}\` to finish it.`,
    );
  }
  return out.join('\n');
}

export function formatPlan(plan: RollPlan, s: ClusterSnapshot, resumed?: RollMark): string {
  const out = [groupLine(s)];
  if (resumed) out.push(`Resuming the roll started at ${resumed.startedAt}.`);
  const outdated = s.instances.filter((i) => i.outdated);
  if (outdated.length > 0) {
    out.push('', `${plural(outdated.length, 'instance')} out of date:`, ...whyOutdated(s, true));
  }
  out.push('', ...capacityLines(s));
  if (plan.batches.length > 0) {
    out.push(
      '',
      `Plan: ${plural(plan.batches.length, 'batch')} of up to ${plan.batchSize}; ${
        plan.surge > 0
          ? `${plural(plan.surge, 'extra instance')} while rolling (desired up to ${(resumed?.original.desiredCapacity ?? s.group.desiredCapacity) + plan.surge}), given back at the end`
          : 'no extra instance needed'
      }:`,
    );
    plan.batches.forEach((b, n) => {
      const replaced = b.instances.length - b.decrement;
      const how = [
        replaced > 0 ? `${replaced} replaced` : '',
        b.decrement > 0 ? `${b.decrement} not replaced (gives the extra instance back)` : '',
      ]
        .filter(Boolean)
        .join(', ');
      out.push(`  ${String(n + 1).padStart(2)}. ${b.instances.join(', ')}  (${how})`);
    });
  }
  for (const w of plan.warnings) out.push(`Note: ${w}`);
  if (plan.blocked) {
    out.push(
      plan.batches.length === 0
        ? `Cannot roll: ${plan.blocked.reason}.`
        : `Estimate: after these batches, ${plan.blocked.reason}; the roll plans again before each batch, and stops there if that holds.`,
    );
    for (const s2 of plan.blocked.suggestions) out.push(`  ${s2}`);
  }
  return out.join('\n');
}

export function formatRollReport(r: RollReport): string {
  switch (r.status) {
    case 'up-to-date':
      return `Every instance of ${r.names.autoScalingGroup} is up to date: nothing to roll.`;
    case 'planned':
      return '\nDry run: nothing was changed.';
    default:
      return `\nRolled ${r.names.cluster}: ${plural(r.replaced.length, 'instance')} replaced${r.strategy === 'drain' ? ` in ${plural(r.batches, 'batch')}` : ' by the instance refresh'}, ${duration(r.durationMs)}.`;
  }
}

interface Writable {
  write(text: string): unknown;
  readonly columns?: number;
}

export interface RollProgress {
  onEvent(event: RollEvent): void;
  stop(): void;
}

export interface RollProgressOptions {
  /** A live block redrawn in place; false: plain timestamped lines. */
  readonly live: boolean;
  /** Where the plan goes (stdout: it is part of the result a person reads). */
  readonly plan: (text: string) => void;
  /** Stamps the lines. @default the system clock */
  readonly clock?: Clock;
}

const STATE: Record<string, string> = {
  draining: 'draining',
  drained: 'drained',
  terminating: 'terminated',
  reactivated: 'set back to ACTIVE',
};

/** One line per thing that happened (CI, pipes); repeated waits only when what is awaited changes. */
export function rollProgress(out: Writable, options: RollProgressOptions): RollProgress {
  const stamp = () =>
    dateOf(options.clock ?? systemClock)
      .toISOString()
      .slice(11, 19);
  let lastWait = '';
  let batch = '';
  const rows = new Map<string, string>();
  let status = '';
  let drawn = 0;
  const line = (text: string) => {
    if (options.live) {
      status = text;
      draw();
    } else out.write(`${stamp()} ${text}\n`);
  };
  const draw = () => {
    if (!options.live) return;
    const width = out.columns ?? 100;
    const lines = [batch, ...[...rows].map(([id, s]) => `  ${id}  ${s}`), status ? `  ${status}` : '']
      .filter(Boolean)
      .map((l) => l.slice(0, width - 1));
    out.write(`${drawn > 0 ? `\x1b[${drawn}A\x1b[0J` : ''}${lines.join('\n')}${lines.length ? '\n' : ''}`);
    drawn = lines.length;
  };
  const freeze = () => {
    drawn = 0;
  };
  return {
    onEvent(e) {
      switch (e.type) {
        case 'plan':
          options.plan(formatPlan(e.plan, e.snapshot, e.resumed));
          break;
        case 'surge':
          line(
            `${e.reason === 'stalled' ? 'a drain is stalled (its tasks find no room): ' : ''}group desired capacity ${e.desired} (${plural(e.extra, 'extra instance')}, max ${e.maxSize})`,
          );
          break;
        case 'batch':
          freeze();
          rows.clear();
          batch = `batch ${e.index}: ${e.instances.join(', ')} (${e.remaining} out of date after it)`;
          if (options.live) draw();
          else out.write(`${stamp()} ${batch}\n`);
          break;
        case 'instance': {
          const text = `${STATE[e.state] ?? e.state}${e.tasks !== undefined && e.tasks > 0 ? ` (${plural(e.tasks, 'task')} left)` : ''}${e.state === 'terminating' ? (e.decrement ? ', not replaced' : ', replacement launching') : ''}`;
          rows.set(e.instanceId, text);
          if (options.live) draw();
          else out.write(`${stamp()}   ${e.instanceId} ${text}\n`);
          break;
        }
        case 'ready':
          line(`${e.instances.join(', ')} joined the cluster`);
          break;
        case 'waiting': {
          const text = `waiting ${duration(e.elapsedMs)}: ${e.for === 'drain' ? `tasks leaving ${e.detail}` : e.detail}`;
          if (options.live) line(text);
          else if (e.detail !== lastWait) out.write(`${stamp()} ${text}\n`);
          lastWait = e.detail;
          break;
        }
        case 'refresh':
          line(
            `instance refresh ${e.id}${e.started ? ' started' : ''}: ${e.status}, ${e.percentComplete}% done, ${plural(e.instancesToUpdate, 'instance')} to replace`,
          );
          break;
        case 'restored':
          line(
            `group sizes restored: desired ${e.sizes.desiredCapacity}, min ${e.sizes.minSize}, max ${e.sizes.maxSize}`,
          );
          break;
      }
    },
    stop() {
      freeze();
    },
  };
}
