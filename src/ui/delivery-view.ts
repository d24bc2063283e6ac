/**
 * The progress of deploy / promote / rollback / watch, on stderr. On a terminal: what happened
 * scrolls (service events, stopped tasks with their reasons, lifecycle stages) above a live block
 * that is redrawn in place (the deployments with running / pending / desired, the rollout state,
 * the traffic split, the time waited). Where nobody watches (CI, a pipe): plain timestamped lines.
 * Nothing with --json.
 */
import type { DeployEvent } from '../ops/service';
import type { ProgressView } from './progress';
import { dateOf, systemClock, type Clock } from '../clock';
import { shortTaskDefinition, type DeploymentView, type RolloutEvent, type TaskSetView } from '../ops/deploy-watch';
import { shortDigest } from '../ops/releases';

export interface DeliveryView {
  onEvent(event: DeployEvent): void;
  /** Draws the final state and leaves it on screen. */
  stop(): void;
}

interface Writable {
  write(text: string): unknown;
  readonly columns?: number;
}

export interface DeliveryViewOptions {
  /** A live, redrawn block; false: plain lines. */
  readonly live: boolean;
  /** Stamps the lines. @default the system clock */
  readonly clock?: Clock;
  /** Renders the engine's progress while the stack is applied (src/ui/progress). */
  readonly infra: Pick<ProgressView, 'onEvent' | 'pause' | 'stop'>;
}

const SPINNER = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];

/** The deployments as lines: `▸ PRIMARY ecs-svc/1 shop-dev-orders:7  IN_PROGRESS  1 running, 1 pending of 2  (ours)`; `mark` names the `ours` one. */
export function deploymentLines(deployments: readonly DeploymentView[], mark = 'ours'): string[] {
  return deployments.map((d) => {
    const failed = d.failed > 0 ? `, ${d.failed} failed` : '';
    return `${d.ours ? '▸' : ' '} ${d.status.padEnd(7)} ${d.id}  ${shortTaskDefinition(d.taskDefinition)}  ${(d.rolloutState ?? '').padEnd(11)} ${d.running} running, ${d.pending} pending of ${d.desired}${failed}${d.ours ? `  (${mark})` : ''}`;
  });
}

export function trafficLine(sets: readonly TaskSetView[]): string {
  return sets.map((t) => `${t.label} ${t.trafficWeight}% (${t.running}/${t.desired} running)`).join('  |  ');
}

/** One line per rollout event worth keeping on screen (progress snapshots are drawn, not logged). */
export function describeRolloutEvent(e: RolloutEvent): string | undefined {
  switch (e.type) {
    case 'found':
      return `ECS started deployment ${e.deploymentId} (${shortTaskDefinition(e.taskDefinition)})`;
    case 'service-event':
      return `event: ${e.message}`;
    case 'task-stopped': {
      const containers = e.containers
        .filter((c) => c.reason || c.exitCode)
        .map((c) => `${c.name}: ${c.reason ?? `exit code ${c.exitCode}`}`);
      return `task stopped: ${e.reason}${containers.length ? ` (${containers.join('; ')})` : ''}`;
    }
    case 'throttled':
      return `AWS is throttling; next look in ${Math.round(e.retryInMs / 1000)} s`;
    case 'retrying':
      return `${e.message}; retrying in ${Math.round(e.retryInMs / 1000)} s`;
    case 'superseded':
      return `another deployment took over: ${e.by.id} (${shortTaskDefinition(e.by.taskDefinition)})`;
    case 'codedeploy-status':
      return `CodeDeploy ${e.deploymentId}: ${e.status}`;
    case 'lifecycle':
      return e.status === 'Pending' ? undefined : `${e.name}: ${e.status}${e.diagnostics ? ` (${e.diagnostics})` : ''}`;
    case 'traffic':
      return `traffic: ${trafficLine(e.taskSets)}`;
    case 'stopping':
      return 'stopping the deployment and rolling back';
    case 'continuing':
      return 'not stopped; still watching';
    case 'progress':
      return undefined;
  }
}

export function deliveryView(out: Writable, options: DeliveryViewOptions): DeliveryView {
  const now = () => dateOf(options.clock ?? systemClock);
  const infra = options.infra;

  // Plain: one timestamped line per thing that happened.
  if (!options.live) {
    const clock = () => now().toISOString().slice(11, 19);
    let lastProgress = '';
    return {
      onEvent(e) {
        if (e.type === 'infra') return infra.onEvent(e.event);
        if (e.type === 'rollout' && e.event.type === 'progress') {
          const line = `${e.event.state}: ${e.event.deployments.map((d) => `${d.ours ? 'ours' : d.status.toLowerCase()} ${d.running}/${d.desired} running${d.pending ? `, ${d.pending} pending` : ''}${d.failed ? `, ${d.failed} failed` : ''}`).join('; ') || 'no deployment yet'}`;
          if (line !== lastProgress) out.write(`${clock()} ${line}\n`);
          lastProgress = line;
          return;
        }
        const line = e.type === 'rollout' ? describeRolloutEvent(e.event) : describeDeploy(e);
        if (line) out.write(`${clock()} ${line}\n`);
      },
      stop: () => infra.stop(),
    };
  }

  // Live: a log that scrolls, and a block under it that is redrawn.
  let watching = false;
  let since = now().getTime();
  let state = '';
  let deployments: readonly DeploymentView[] = [];
  let counts = '';
  let traffic: readonly TaskSetView[] = [];
  let drawn = 0;
  let frame = 0;
  let timer: NodeJS.Timeout | undefined;
  const width = () => Math.max(40, out.columns ?? 100);
  const cut = (s: string) => (s.length > width() - 1 ? `${s.slice(0, width() - 2)}…` : s);
  const block = (): string[] => {
    if (!watching) return [];
    const waited = Math.round((now().getTime() - since) / 1000);
    const head = `${SPINNER[frame % SPINNER.length]} ${state || 'waiting for ECS'}  ${Math.floor(waited / 60)}m${String(waited % 60).padStart(2, '0')}s${counts ? `  tasks: ${counts}` : ''}`;
    return [
      head,
      ...deploymentLines(deployments).map((l) => `  ${l}`),
      ...(traffic.length ? [`  traffic: ${trafficLine(traffic)}`] : []),
    ].map(cut);
  };
  const render = () => {
    const lines = block();
    out.write((drawn > 0 ? `\x1b[${drawn}A\x1b[0J` : '') + lines.map((l) => `${l}\n`).join(''));
    drawn = lines.length;
    frame++;
  };
  const print = (text: string) => {
    if (drawn > 0) out.write(`\x1b[${drawn}A\x1b[0J`);
    drawn = 0;
    out.write(`${text}\n`);
    render();
  };
  const stopWatching = () => {
    if (timer !== undefined) clearInterval(timer);
    timer = undefined;
    if (watching) render();
    watching = false;
  };
  const startWatching = () => {
    if (watching) return;
    watching = true;
    since = now().getTime();
    timer = setInterval(render, 250);
    timer.unref();
  };

  return {
    onEvent(e) {
      if (e.type === 'infra') return infra.onEvent(e.event);
      if (e.type === 'phase' && (e.phase === 'watch' || e.phase === 'codedeploy')) {
        infra.pause();
        print(e.message);
        startWatching();
        return;
      }
      if (e.type === 'phase' && e.phase === 'restore') {
        // The watch block stays on screen as it ended; the engine's view takes over below it.
        stopWatching();
        print(e.message);
        drawn = 0;
        return;
      }
      if (e.type === 'rollout') {
        const r = e.event;
        if (r.type === 'progress') {
          state = r.state;
          deployments = r.deployments;
          counts = `${r.running} running, ${r.pending} pending, ${r.desired} desired`;
          render();
          return;
        }
        if (r.type === 'codedeploy-status') state = r.status;
        if (r.type === 'traffic') traffic = r.taskSets;
        const line = describeRolloutEvent(r);
        if (line) print(`  ${line}`);
        return;
      }
      const line = describeDeploy(e);
      if (line) print(line);
    },
    stop() {
      stopWatching();
      infra.stop();
    },
  };
}

function describeDeploy(e: Exclude<DeployEvent, { type: 'infra' } | { type: 'rollout' }>): string | undefined {
  switch (e.type) {
    case 'image':
      return `Image: ${e.image.repository}@${e.image.digest}${e.image.tag ? ` (tag ${e.image.tag})` : ''}${e.source ? `, from ${e.source}` : ''}`;
    case 'recorded': {
      const r = e.release;
      return `Recorded release #${r.id} of ${r.service} in ${r.environment} (${r.kind}${r.previous ? `, after #${r.previous}` : ''}): ${r.image.tag ?? shortDigest(r.image.digest)}`;
    }
    case 'phase':
      return e.message;
    case 'before':
      return describeBefore(e);
  }
}

/** A deployment.before step's progress: started, its log lines, how it ended. */
function describeBefore(e: Extract<DeployEvent, { type: 'before' }>): string | undefined {
  const head = `  before ${e.step}/${e.of}`;
  const b = e.event;
  switch (b.type) {
    case 'started':
      return `${head} \`${e.command}\` in ${b.container}: task ${b.taskArn.slice(b.taskArn.lastIndexOf('/') + 1)}`;
    case 'status':
      return `${head} ${b.lastStatus}`;
    case 'log':
      return `${head} | ${b.message}`;
    case 'ended':
      return b.status === 'passed'
        ? `${head} passed (exit code 0)`
        : `${head} FAILED: ${b.exitCode !== undefined ? `exit code ${b.exitCode}` : (b.reason ?? 'failed')}`;
    case 'stopping':
      return `${head} stopping: ${b.reason}`;
    case 'throttled':
      return `${head} AWS throttled; next check in ${Math.round(b.retryInMs / 1000)} s`;
    case 'retrying':
      return `${head} ${b.message}; retrying in ${Math.round(b.retryInMs / 1000)} s`;
    default:
      return undefined;
  }
}
