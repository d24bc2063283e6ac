/**
 * `environments.<env>.adopt`, `cluster.existing` and `loadBalancer.existing` as configuration: what
 * loads, and the combinations across the environment file and a service file that are refused
 * (single-file problems are in test/fixtures/invalid 50-54).
 */
import { ConfigError } from '../../src/errors';
import { importIds, AdoptSchema } from '../../src/config/adopt';
import { resolveEphemeral } from '../../src/config/ephemeral';
import { loadProject } from '../../src/config/load';
import { ephemeralRecord } from '../synth/helpers';
import { projectWith } from './fixture-project';

const LISTENER =
  'arn:aws:elasticloadbalancing:us-east-1:123456789012:listener/app/legacy/0123456789abcdef/fedcba9876543210';
const ENV = `network:\n  vpcId: vpc-0abc\n  publicSubnets: [subnet-01, subnet-02]\n  privateSubnets: [subnet-03]\ncluster:\n  existing: legacy\nloadBalancer:\n  existing:\n    listenerArn: ${LISTENER}\n`;

function problems(files: Record<string, string>): string[] {
  const p = projectWith(files);
  try {
    loadProject(p.dir);
    return [];
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    return err.problems.map((x) => `${x.file}:${x.line ?? ''} ${x.key}: ${x.message}`);
  } finally {
    p.cleanup();
  }
}

describe('adopt', () => {
  it('an adopted worker service on an existing cluster loads, with its adopt section for that environment only', () => {
    const p = projectWith({
      'environments/dev.yaml': ENV,
      'services/api.yaml':
        'image:\n  tag: "1.0.0"\nlaunchType: fargate\nenvironments:\n  dev:\n    adopt:\n      serviceName: api-v1\n      cluster: legacy\n      logGroup: /ecs/api-v1\n',
    });
    try {
      const project = loadProject(p.dir);
      expect(project.environments[0]!.services[0]!.adopt).toEqual({
        serviceName: 'api-v1',
        cluster: 'legacy',
        logGroup: '/ecs/api-v1',
      });
      expect(project.environments[0]!.config.cluster.existing).toBe('legacy');
      expect(project.environments[0]!.config.loadBalancer.existing).toEqual({ listenerArn: LISTENER });
    } finally {
      p.cleanup();
    }
  });

  it("import IDs follow each resource type's documented format", () => {
    const adopt = AdoptSchema.parse({
      serviceName: 'web',
      cluster: 'legacy',
      logGroup: '/legacy/web',
      scaling: { policies: { cpu: 'web-cpu', step: 'web step' } },
    });
    expect(importIds(adopt)).toEqual({
      service: 'legacy/web',
      logGroup: '/legacy/web',
      scalingTarget: 'ecs/service/legacy/web/ecs:service:DesiredCount',
      scalingPolicies: {
        cpu: 'ecs/service/legacy/web/ecs:service:DesiredCount/web-cpu',
        step: 'ecs/service/legacy/web/ecs:service:DesiredCount/web step',
      },
    });
  });

  it('an environment on an existing load balancer refuses services that deploy through CodeDeploy (no test listener)', () => {
    expect(
      problems({
        'environments/dev.yaml': ENV,
        'services/api.yaml':
          'image:\n  tag: "1.0.0"\nlaunchType: fargate\nport: 8080\nhttp:\n  paths: [/api/*]\ndeployment:\n  strategy: blue-green\n',
      }),
    ).toEqual([
      'environments/dev.yaml:8 loadBalancer.existing: services/api.yaml deploys with blue-green, which needs a test listener; ecsdeploy adds one only to a load balancer it creates: use deployment.strategy rolling in this environment',
    ]);
  });

  it("an adopted service must run on the environment's existing cluster", () => {
    expect(
      problems({
        'environments/dev.yaml': ENV,
        'services/api.yaml':
          'image:\n  tag: "1.0.0"\nlaunchType: fargate\nenvironments:\n  dev:\n    adopt:\n      serviceName: api\n      cluster: other\n',
      }),
    ).toEqual([
      "services/api.yaml:8 environments.dev.adopt.cluster: the service runs on cluster 'other', but environment 'dev' runs its services on 'legacy' (cluster.existing in environments/dev.yaml)",
    ]);
  });

  it('an environment on demand from an adopting environment runs copies of its own: no adopt, and when isolated, its own cluster and load balancer', () => {
    const p = projectWith({
      'environments/dev.yaml': ENV,
      'services/api.yaml':
        'image:\n  tag: "1.0.0"\nlaunchType: fargate\nenvironments:\n  dev:\n    adopt:\n      serviceName: api-v1\n      cluster: legacy\n',
    });
    try {
      const base = loadProject(p.dir).environments[0]!;
      const shared = resolveEphemeral(base, ephemeralRecord('pr-1', 0, { services: ['api'] }));
      expect(shared.services[0]).not.toHaveProperty('adopt');
      expect(shared.config.cluster.existing).toBe('legacy');
      const isolated = resolveEphemeral(base, ephemeralRecord('pr-2', 1, { services: ['api'], isolated: true }));
      expect(isolated.services[0]).not.toHaveProperty('adopt');
      expect(isolated.config.cluster).not.toHaveProperty('existing');
      expect(isolated.config.cluster.fargate).toBe(true);
      expect(isolated.config.loadBalancer).not.toHaveProperty('existing');
    } finally {
      p.cleanup();
    }
  });
});
