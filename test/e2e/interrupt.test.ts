/**
 * Ctrl-C while applying, on a real engine against moto: the CLI gets SIGINT while the cluster's
 * load balancer is being created. Protects: the engine is stopped gracefully (state saved, lock
 * released), the message says so and the exit code is 130 (interrupted); the state holds what was created before
 * the interrupt, a plan afterwards runs without a lock error and shows what is left to do, and a
 * destroy can remove what was recorded.
 */
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { DestroyReport, PlanReport } from '../../src/ops/infra';
import { startMoto, type MotoServer } from '../support/moto';
import { builtCli, cli, cliEnv, e2eDescribe, exampleProject, json, startCli, TEARDOWN_MS } from './support';

e2eDescribe()('interrupting an apply', () => {
  let moto: MotoServer;
  let dir: string;
  let env: NodeJS.ProcessEnv;

  beforeAll(async () => {
    builtCli();
    moto = await startMoto();
    dir = exampleProject(moto.endpoint);
    env = cliEnv(moto.endpoint, dir);
  }, 60_000);
  afterAll(async () => {
    await moto?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  }, TEARDOWN_MS);

  it('SIGINT stops the engine gracefully: exit 130, state saved, lock released, nothing lost', async () => {
    const apply = startCli(['apply', '--env', 'dev', '--stack', 'cluster', '--yes'], dir, env);
    await apply.waitFor(/aws_lb\.LoadBalancer: Creating\.\.\./, 240_000);
    apply.child.kill('SIGINT');
    const r = await apply.done;
    expect(r.code).toBe(130);
    expect(r.stderr).toContain('Interrupted: stopping gracefully.');
    expect(r.stderr).toMatch(
      /Error: Interrupted: the engine stopped gracefully in dev-cluster \(state saved, lock released\)\. Full engine output: \S+\.log/,
    );
    expect(r.stderr).not.toMatch(/\n\s+at .+\(.+:\d+:\d+\)/);

    const stateFile = join(dir, '.ecsdeploy', 'state', 'dev-cluster.tfstate');
    const saved = (JSON.parse(readFileSync(stateFile, 'utf8')) as { resources: Array<{ type: string }> }).resources;
    expect(saved.map((x) => x.type)).toContain('aws_vpc');
    expect(existsSync(join(dir, '.ecsdeploy', 'state', '.dev-cluster.tfstate.lock.info'))).toBe(false);

    const plan = await cli(['plan', '--env', 'dev', '--stack', 'cluster', '--json'], dir, env);
    expect(plan.code).toBe(3); // what the interrupt left undone
    expect(json<PlanReport>(plan).stacks[0]!.summary!.add).toBeGreaterThan(0);

    // What the interrupted apply recorded can be destroyed: the state is usable, not just present.
    const destroy = await cli(['destroy', '--env', 'dev', '--stack', 'cluster', '--yes', '--json'], dir, env);
    expect(destroy.code).toBe(0);
    expect(json<DestroyReport>(destroy).destroyed).toEqual(['dev-cluster']);
    expect((JSON.parse(readFileSync(stateFile, 'utf8')) as { resources: unknown[] }).resources).toEqual([]);
  }, 600_000);
});
