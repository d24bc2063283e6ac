/**
 * Test support for the delivery operations: a copy of the example project (shop: orders rolling,
 * payments blue/green), an in-memory ECR, the ECS / CodeDeploy simulation behind the ServiceApis
 * interface, and a recording double of the engine that, like the real one, synthesizes from the
 * release store (it records which image it would apply).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ApplyReport, ApplyRequest } from '../../src/ops/infra';
import type { EcrApi, EcrImage } from '../../src/aws/ecr';
import { openProject } from '../../src/ops/project';
import { localReleaseStore, releasedImages, type ReleaseStore } from '../../src/ops/releases';
import type { ServiceApis, ServiceDeps } from '../../src/ops/service';
import { CodeDeploySim, EcsSim, FakeClock } from '../deploy-watch/sim';
import { copyExampleProject } from '../support/example-project';

export const REPO = join(__dirname, '..', '..');
export const ECR_URI = (service: string) => `123456789012.dkr.ecr.eu-west-1.amazonaws.com/shop/${service}`;
export const digestOf = (n: number) => `sha256:${n.toString(16).padStart(64, 'a')}`;
export const taskDef = (env: string, service: string, revision: number) =>
  `arn:aws:ecs:eu-west-1:123456789012:task-definition/shop-${env}-${service}:${revision}`;

/** The example project (ecsdeploy.yaml, environments/, services/) in a temp folder. */
export function exampleProject(): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'ecsdeploy-delivery-'));
  copyExampleProject(dir);
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** An in-memory ECR: repositories shop/<service> with these tagged images. */
export function memoryEcr(images: Record<string, EcrImage[]>): EcrApi & { calls: string[] } {
  const calls: string[] = [];
  return {
    calls,
    async repository(name) {
      calls.push(`repository ${name}`);
      return name in images ? { name, uri: ECR_URI(name.split('/')[1]!), registryId: '123456789012' } : undefined;
    },
    async image(repo, id) {
      calls.push(`image ${repo}`);
      return (images[repo] ?? []).find((i) => ('tag' in id ? i.tags.includes(id.tag) : i.digest === id.digest));
    },
    async newestImages(repo, limit) {
      return [...(images[repo] ?? [])].sort((a, b) => (b.pushedAt ?? 0) - (a.pushedAt ?? 0)).slice(0, limit);
    },
  };
}

export interface CreatedDeployment {
  readonly application: string;
  readonly group: string;
  readonly appSpec: Record<string, unknown>;
  readonly description?: string;
}

/** The simulated AWS of one environment: ECS (one service), CodeDeploy, and ECR. */
export function simApis(clock: FakeClock, ecs: EcsSim, ecr: EcrApi, cd?: CodeDeploySim) {
  const created: CreatedDeployment[] = [];
  const active: string[] = [];
  const apis: ServiceApis = {
    ecs: {
      describeServices: ecs.describeServices,
      stoppedTasks: ecs.stoppedTasks,
      listServices: async () => [ecs.service.name],
      describeTaskDefinition: async (arn) => ({ arn, family: 'f', revision: 1, containers: [] }),
    },
    ecr,
    codeDeploy: {
      createDeployment: async (input) => {
        created.push({ ...input, appSpec: JSON.parse(input.appSpec) as Record<string, unknown> });
        return cd!.deployment.id;
      },
      getDeployment: (id) => cd!.getDeployment(id),
      target: (id) => cd!.target(id),
      stopDeployment: (id, rollback) => cd!.stopDeployment(id, rollback),
      activeDeployments: async () => [...active],
    },
    logs: { events: async () => ({ events: [] }) },
    elb: { targetHealth: async () => [] },
  };
  return { apis, created, active };
}

export interface AppliedStack {
  readonly env: string;
  readonly stacks: readonly string[];
  /** The image synth would put in the task definition (from the release store), per service. */
  readonly images: Readonly<Record<string, string>>;
}

/**
 * A recording double of the engine: records each apply and the released images synth would use,
 * runs `onApply` (where a test makes ECS start a deployment), and returns the stack's outputs with
 * a new task definition revision each time.
 */
export class RecordingEngine {
  readonly applied: AppliedStack[] = [];
  onApply: (stack: AppliedStack, taskDefinition: string) => void = () => undefined;
  fail?: Error;
  private revision = 6;

  constructor(private readonly store: () => ReleaseStore) {}

  async apply(req: ApplyRequest): Promise<ApplyReport> {
    const { envs } = openProject(req.dir, [req.env]);
    const images = await releasedImages(this.store(), envs[0]!);
    const stack: AppliedStack = {
      env: req.env,
      stacks: [...(req.stacks ?? [])],
      images: Object.fromEntries(images.get(req.env) ?? []),
    };
    this.applied.push(stack);
    if (this.fail) throw this.fail;
    const service = stack.stacks[0]!;
    const td = taskDef(req.env, service, ++this.revision);
    this.onApply(stack, td);
    return {
      stacks: [{ stack: `${req.env}-${service}`, applied: true, outputs: { task_definition_arn: td } }],
    } as unknown as ApplyReport;
  }
}

/** Dependencies of the delivery operations, all simulated; the release store is local, in `dir`. */
export function simDeps(dir: string, clock: FakeClock, apis: ServiceApis, engine: RecordingEngine): ServiceDeps {
  return {
    apis: () => apis,
    infra: engine,
    clock,
    store: () => localReleaseStore(join(dir, '.ecsdeploy', 'releases'), dir),
    actor: () => 'alice@laptop',
  };
}
