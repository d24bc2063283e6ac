/**
 * `service deploy SERVICE --env ENV` without --image: the image the service file names for that
 * environment (image.tag / image.digest, after its environments.<env> overrides), resolved to its
 * digest like any other (engine double, simulated ECS, in-memory ECR). The file is the source of
 * truth in a GitOps flow; a file that names no image says to pass --image or set image.tag.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { EcsdeployError, ExitCode } from '../../src/errors';
import { deployService, imageFromFile, type DeployEvent } from '../../src/ops/service';
import { EcsSim, FakeClock, T0 } from '../deploy-watch/sim';
import { digestOf, ECR_URI, exampleProject, memoryEcr, RecordingEngine, simApis, simDeps, taskDef } from './helpers';

const ECR = {
  'shop/orders': [
    { digest: digestOf(1), tags: ['1.4.2'], pushedAt: 1 },
    { digest: digestOf(2), tags: ['1.4.3'], pushedAt: 2 },
    { digest: digestOf(3), tags: ['latest'], pushedAt: 3 },
  ],
};

function setup(env = 'dev') {
  const project = exampleProject();
  const clock = new FakeClock();
  const ecs = new EcsSim(clock, 'orders', 2);
  ecs.service.steady('ecs-svc/old', taskDef(env, 'orders', 6));
  const ecr = memoryEcr(ECR);
  const engine = new RecordingEngine(() => deps.store!({} as never));
  const deps = simDeps(project.dir, clock, simApis(clock, ecs, ecr).apis, engine);
  engine.onApply = (_stack, td) => {
    const at = clock.now() - T0;
    ecs.service.start('ecs-svc/new', td);
    ecs.at(at + 30_000, (svc) => svc.run('ecs-svc/new', 2).remove('ecs-svc/old').complete('ecs-svc/new'));
  };
  const events: DeployEvent[] = [];
  const input = { dir: project.dir, env, service: 'orders', onEvent: (e: DeployEvent) => events.push(e) };
  const editOrders = (edit: (text: string) => string) => {
    const file = join(project.dir, 'services', 'orders.yaml');
    writeFileSync(file, edit(readFileSync(file, 'utf8')));
  };
  return { project, engine, deps, events, input, editOrders };
}

async function usage(p: Promise<unknown>): Promise<EcsdeployError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(err instanceof EcsdeployError)) throw new Error(`expected an EcsdeployError, got ${String(err)}`);
  return err;
}

describe('service deploy without --image', () => {
  let s: ReturnType<typeof setup>;
  afterEach(() => s.project.cleanup());

  it("deploys the file's image.tag (orders: 1.4.2) by its digest, and says where the image came from", async () => {
    s = setup();
    const result = await deployService(s.input, s.deps);
    expect(s.engine.applied).toEqual([{ env: 'dev', stacks: ['orders'], images: { orders: digestOf(1) } }]);
    expect(result).toMatchObject({
      image: `${ECR_URI('orders')}@${digestOf(1)}`,
      outcome: { kind: 'completed' },
      release: { image: { tag: '1.4.2', digest: digestOf(1), requested: '1.4.2' } },
    });
    expect(s.events.find((e) => e.type === 'image')).toMatchObject({
      source: 'image.tag 1.4.2 of services/orders.yaml for dev',
    });
  });

  it("takes the environment's override (environments.prod.image.tag) over the file's image.tag", async () => {
    s = setup('prod');
    s.editOrders((t) => t.replace('  prod:\n', '  prod:\n    image:\n      tag: "1.4.3"\n'));
    await deployService(s.input, s.deps);
    expect(s.engine.applied).toEqual([{ env: 'prod', stacks: ['orders'], images: { orders: digestOf(2) } }]);
    expect(s.events.find((e) => e.type === 'image')).toMatchObject({
      source: 'image.tag 1.4.3 of services/orders.yaml for prod',
    });
  });

  it('a file that pins image.digest deploys that digest (checked in ECR)', async () => {
    s = setup();
    s.editOrders((t) => t.replace('  tag: "1.4.2"\n', `  digest: "${digestOf(2)}"\n`));
    await deployService(s.input, s.deps);
    expect(s.engine.applied[0]!.images).toEqual({ orders: digestOf(2) });
  });

  it('the same rules as --image: a tag not in ECR, or a mutable tag, is a usage error naming the file', async () => {
    s = setup();
    s.editOrders((t) => t.replace('tag: "1.4.2"', 'tag: "9.9.9"'));
    const missing = await usage(deployService(s.input, s.deps));
    expect(missing.exitCode).toBe(ExitCode.Usage);
    expect(missing.message).toMatch(
      /^image\.tag 9\.9\.9 of services\/orders\.yaml for dev: there is no tag '9\.9\.9' in the ECR repository shop\/orders\./,
    );
    s.editOrders((t) => t.replace('tag: "9.9.9"', 'tag: latest'));
    const mutable = await usage(deployService(s.input, s.deps));
    expect(mutable.message).toMatch(/^image\.tag latest of services\/orders\.yaml for dev: 'latest' is a mutable tag/);
    expect(s.engine.applied).toEqual([]);
    // --image still wins over the file.
    await deployService({ ...s.input, image: '1.4.3' }, s.deps);
    expect(s.engine.applied[0]!.images).toEqual({ orders: digestOf(2) });
  });

  it('a service file that names no image: pass --image or set image.tag', () => {
    let err: unknown;
    try {
      imageFromFile({ name: 'orders', file: 'services/orders.yaml', image: { repository: 'x' } as never }, 'dev');
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(EcsdeployError);
    expect((err as EcsdeployError).exitCode).toBe(ExitCode.Usage);
    expect((err as EcsdeployError).message).toBe(
      'No image to deploy: --image is not given, and services/orders.yaml names no image for dev (neither image.tag nor image.digest).',
    );
    expect((err as EcsdeployError).suggestions).toEqual([
      'Pass --image TAG (ecsdeploy service deploy orders --env dev --image TAG), or set image.tag in services/orders.yaml.',
    ]);
    expect(
      imageFromFile(
        { name: 'orders', file: 'services/orders.yaml', image: { tag: '1.4.2', digest: digestOf(1) } },
        'prod',
      ),
    ).toEqual({ ref: digestOf(1), label: `image.digest ${digestOf(1)} of services/orders.yaml for prod` });
  });
});
