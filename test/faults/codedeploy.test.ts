/**
 * Fault injection on the watcher of a CodeDeploy ECS deployment (what `service deploy` does after
 * the apply for a blue/green service), in-process and cheap: every run creates a deployment straight
 * in moto (patch `codedeploy-ecs-deployments`: it runs for MOTO_CODEDEPLOY_SECONDS, then succeeds,
 * or fails when its AppSpec names a task definition ECS does not have, rolled back when the group
 * asks for it; StopDeployment stops it), then watches it with `watchCodeDeploy` through its own
 * seeded fault proxy (codedeploy and ecs calls). The outcome is compared with what moto reports.
 * See test/README.md "Fault injection".
 */
import {
  CodeDeployClient,
  CreateApplicationCommand,
  CreateDeploymentCommand,
  CreateDeploymentGroupCommand,
  GetDeploymentCommand,
  StopDeploymentCommand,
} from '@aws-sdk/client-codedeploy';
import { CreateClusterCommand, CreateServiceCommand, ECSClient } from '@aws-sdk/client-ecs';
import { AwsClients } from '../../src/aws/clients';
import { codeDeployApi } from '../../src/aws/codedeploy';
import { ecsApi } from '../../src/aws/ecs';
import { drain, systemClock, watchCodeDeploy, type RolloutOutcome } from '../../src/ops/deploy-watch';
import { startMoto, type MotoServer } from '../support/moto';
import { e2eDescribe, TEARDOWN_MS } from '../e2e/support';
import { runSeeds, seeds, summary, twoRevisions } from './harness';

const REGION = 'us-east-1';
const CLUSTER = 'faults-cd';
/** One fifth of FAULT_SEEDS (a run is a deployment of a second or two): 40 by default. */
const CD_SEEDS = ((list: number[]) => (list.length === 1 ? list : list.slice(0, Math.ceil(list.length / 5))))(
  seeds('cheap', 200),
);

/** What a seed makes of its deployment. */
const SCENARIOS = ['succeeds', 'fails, rolled back', 'fails', 'stopped', 'stopped, rolled back'] as const;
type Scenario = (typeof SCENARIOS)[number];

e2eDescribe()('fault injection: CodeDeploy deployment watching (in-process)', () => {
  let moto: MotoServer;
  let ecs: ECSClient;
  let cd: CodeDeployClient;
  const saved = { ...process.env };

  beforeAll(async () => {
    moto = await startMoto({ env: { MOTO_CODEDEPLOY_SECONDS: '1.5' } });
    Object.assign(process.env, { AWS_ACCESS_KEY_ID: 'test', AWS_SECRET_ACCESS_KEY: 'test', AWS_REGION: REGION });
    ecs = new ECSClient({ region: REGION, endpoint: moto.endpoint });
    cd = new CodeDeployClient({ region: REGION, endpoint: moto.endpoint });
    await ecs.send(new CreateClusterCommand({ clusterName: CLUSTER }));
  }, 120_000);
  afterAll(async () => {
    ecs?.destroy();
    cd?.destroy();
    await moto?.stop();
    process.env = saved;
  }, TEARDOWN_MS);

  /** What the watcher must say of a deployment, from what moto reports (undefined: still running). */
  const truth = async (id: string): Promise<RolloutOutcome['kind'] | undefined> => {
    const d = (await cd.send(new GetDeploymentCommand({ deploymentId: id }))).deploymentInfo!;
    if (d.status === 'Succeeded') return 'completed';
    if (d.status === 'Failed' || d.status === 'Stopped')
      return d.rollbackInfo?.rollbackDeploymentId ? 'rolledBack' : 'failed';
    return undefined;
  };

  it(
    'service deploy watching (CodeDeploy): the outcome is what CodeDeploy reports, or an error naming the call',
    async () => {
      const logs = await runSeeds(
        'codedeploy-watch',
        CD_SEEDS,
        { target: moto.endpoint, rate: [0.2, 0.8], lifetimeMs: 90_000, concurrency: 6 },
        async (run) => {
          const scenario: Scenario = SCENARIOS[run.seed % SCENARIOS.length]!;
          const name = `checkout-${run.seed}-${Date.now().toString(36)}`;
          const [td1, td2] = await twoRevisions(ecs, name);
          await ecs.send(
            new CreateServiceCommand({
              cluster: CLUSTER,
              serviceName: name,
              taskDefinition: td1,
              desiredCount: 1,
              deploymentController: { type: 'CODE_DEPLOY' },
            }),
          );
          await cd.send(new CreateApplicationCommand({ applicationName: name, computePlatform: 'ECS' }));
          await cd.send(
            new CreateDeploymentGroupCommand({
              applicationName: name,
              deploymentGroupName: name,
              serviceRoleArn: 'arn:aws:iam::123456789012:role/codedeploy',
              deploymentConfigName: 'CodeDeployDefault.ECSAllAtOnce',
              deploymentStyle: { deploymentType: 'BLUE_GREEN', deploymentOption: 'WITH_TRAFFIC_CONTROL' },
              ecsServices: [{ clusterName: CLUSTER, serviceName: name }],
              autoRollbackConfiguration:
                scenario === 'fails, rolled back'
                  ? { enabled: true, events: ['DEPLOYMENT_FAILURE', 'DEPLOYMENT_STOP_ON_REQUEST'] }
                  : { enabled: false },
            }),
          );
          // A task definition ECS does not have fails the deployment (as on AWS: ECS_UPDATE_ERROR).
          const wanted = scenario.startsWith('fails') ? `${td2.replace(/:\d+$/, '')}:99` : td2;
          const appSpec = JSON.stringify({
            version: 0.0,
            Resources: [
              {
                TargetService: {
                  Type: 'AWS::ECS::Service',
                  Properties: { TaskDefinition: wanted, LoadBalancerInfo: { ContainerName: 'web', ContainerPort: 80 } },
                },
              },
            ],
          });
          const startedAt = Date.now();
          const id = (
            await cd.send(
              new CreateDeploymentCommand({
                applicationName: name,
                deploymentGroupName: name,
                revision: { revisionType: 'AppSpecContent', appSpecContent: { content: appSpec } },
              }),
            )
          ).deploymentId!;
          // Someone stops it from the console while it runs (not the watcher: no Ctrl-C here).
          const stopper = scenario.startsWith('stopped')
            ? new Promise<void>((resolve) => setTimeout(resolve, 400))
                .then(() =>
                  cd.send(
                    new StopDeploymentCommand({
                      deploymentId: id,
                      autoRollbackEnabled: scenario === 'stopped, rolled back',
                    }),
                  ),
                )
                .then(
                  () => undefined,
                  // It finished first (a loaded machine): then it is simply a deployment that succeeded.
                  (err: Error) => run.note(`stop: ${err.name}`),
                )
            : Promise.resolve();

          const watch = (endpoint: string) => {
            const clients = new AwsClients({ region: REGION, endpoint });
            return drain(
              watchCodeDeploy(
                { codeDeploy: codeDeployApi(clients), ecs: ecsApi(clients) },
                {
                  deploymentId: id,
                  cluster: CLUSTER,
                  service: name,
                  taskDefinition: wanted,
                  startedAt,
                  timeoutMs: 30_000,
                },
                systemClock,
                { cadence: { minMs: 200, maxMs: 1000, throttledMaxMs: 2000 } },
              ),
              () => undefined,
            );
          };
          let outcome: string;
          try {
            outcome = (await watch(run.proxy.endpoint)).kind;
          } catch (err) {
            const message = (err as Error).message.split('\n')[0]!;
            outcome = `error: ${message}`;
            if (!/while (reading|listing|stopping|describing)|CodeDeploy|ECS/i.test(message))
              run.problem(`the error names no operation: ${message}`);
          }
          await stopper;
          const expected = await truth(id);
          run.note(`${scenario}: watcher ${outcome}, CodeDeploy ${expected ?? 'still running'}`);
          if (!outcome.startsWith('error') && outcome !== expected)
            run.problem(`the watcher said ${outcome}; CodeDeploy reports ${expected ?? 'a deployment still running'}`);
          if (scenario === 'succeeds' && expected !== 'completed') run.problem(`CodeDeploy: ${expected} (moto patch?)`);
          // A re-run of the watch without faults converges on what CodeDeploy reports.
          if (outcome !== expected) {
            run.proxy.setRate(0);
            const again = (await watch(moto.endpoint)).kind;
            if (again !== (await truth(id)))
              run.problem(`re-run without faults: ${again}, CodeDeploy ${await truth(id)}`);
          }
        },
      );
      console.log(`codedeploy-watch: ${summary(logs)}`);
      // Every kind of outcome was met (the scenarios are not all the same in disguise).
      const kinds = new Set(logs.map((l) => /watcher (\w+)/.exec(l.outcome)?.[1]));
      if (CD_SEEDS.length >= SCENARIOS.length * 2)
        expect([...kinds].filter((k) => k === 'completed' || k === 'failed' || k === 'rolledBack').sort()).toEqual([
          'completed',
          'failed',
          'rolledBack',
        ]);
    },
    120_000 + CD_SEEDS.length * 5000,
  );
});
