import { join } from 'node:path';
import { loadProject, selectEnvironments } from '../../src/config/load';
import { isValidCron, toAwsCron } from '../../src/config/cron';
import { mergeOverride } from '../../src/config/merge';
import { closest } from '../../src/config/suggest';
import { ConfigError, formatProblem } from '../../src/errors';
import { projectWith } from './fixture-project';

const ROOT = join(__dirname, '..', '..');

describe('the bundled example project', () => {
  const project = loadProject(ROOT);
  const env = (name: string) => project.environments.find((e) => e.name === name)!;
  const svc = (envName: string, name: string) => env(envName).services.find((s) => s.name === name)!;

  it('has dev and prod with orders, payments and web', () => {
    expect(project.environments.map((e) => e.name)).toEqual(['dev', 'prod']);
    for (const e of project.environments) expect(e.services.map((s) => s.name)).toEqual(['orders', 'payments', 'web']);
  });

  it('makes prod differ from dev through overrides, not copies', () => {
    expect(svc('dev', 'orders')).toMatchObject({ cpu: 256, memory: 512, count: 2 });
    expect(svc('prod', 'orders')).toMatchObject({ cpu: 512, memory: 1024, count: 4 });
    // deployment is merged key by key: prod overrides minimumHealthyPercent, keeps maximumPercent
    expect(svc('prod', 'orders').deployment).toMatchObject({
      strategy: 'rolling',
      minimumHealthyPercent: 100,
      maximumPercent: 200,
      alarms: ['shop-prod-orders-5xx'],
    });
    expect(svc('dev', 'orders').deployment.minimumHealthyPercent).toBe(50);
    expect(svc('dev', 'payments').deployment.strategy).toBe('blue-green');
    expect(svc('prod', 'payments').deployment).toMatchObject({
      strategy: 'canary',
      canary: { percent: 10, minutes: 5 },
    });
    expect(svc('dev', 'orders').scaling).toBeUndefined();
    expect(svc('prod', 'orders').scaling).toMatchObject({ min: 4, max: 20, cpu: 60 });
  });

  it('resolves region and tags: project first, then environment', () => {
    expect(env('dev').region).toBe('eu-west-1');
    expect(env('dev').tags).toEqual({ 'team': 'platform', 'cost-center': 'engineering' });
  });

  it('uses Fargate for web and EC2 for orders and payments', () => {
    expect(svc('dev', 'web').launchType).toBe('fargate');
    expect(svc('dev', 'orders').launchType).toBe('ec2');
    expect(svc('dev', 'payments').launchType).toBe('ec2');
  });
});

describe('loading', () => {
  it('reports the problems of every file at once', () => {
    const p = projectWith({
      'ecsdeploy.yaml': 'project: acme\nregion: us-east-1\nengin: terraform\n',
      'services/api.yaml': 'image:\n  tag: "1"\ncount: -2\n',
      'environments/dev.yaml': 'network:\n  create:\n    cidr: 10.0.0.0/8\n',
    });
    try {
      expect(() => loadProject(p.dir)).toThrow(ConfigError);
      let problems: string[] = [];
      try {
        loadProject(p.dir);
      } catch (e) {
        problems = (e as ConfigError).problems.map(formatProblem);
      }
      expect(problems).toEqual(
        expect.arrayContaining([
          expect.stringMatching(/^ecsdeploy\.yaml:3:1 engin: unknown key 'engin'; did you mean 'engine'\?$/),
          expect.stringMatching(/^services\/api\.yaml:3:8 count: must be 0 or more/),
          expect.stringMatching(/^environments\/dev\.yaml:3:11 network\.create\.cidr: must be an IPv4 CIDR/),
        ]),
      );
      expect(problems).toHaveLength(3);
    } finally {
      p.cleanup();
    }
  });

  it('says where to run when there is no ecsdeploy.yaml', () => {
    expect(() => loadProject(join(ROOT, 'docs'))).toThrow(/no ecsdeploy\.yaml in .*docs/);
  });

  it('names the known environments for an unknown one', () => {
    const project = loadProject(ROOT);
    expect(() => selectEnvironments(project, ['prd'])).toThrow(/no environment 'prd'; did you mean 'prod'\?/);
    expect(selectEnvironments(project, ['prod']).map((e) => e.name)).toEqual(['prod']);
  });

  it('reports a problem in a shared service file once, naming the environments it breaks', () => {
    const p = projectWith({
      'environments/prod.yaml': 'network:\n  create:\n    cidr: 10.1.0.0/16\n',
      'services/api.yaml': 'image:\n  tag: "1"\nhttp:\n  paths: [/x]\n',
    });
    try {
      let problems: string[] = [];
      try {
        loadProject(p.dir);
      } catch (e) {
        problems = (e as ConfigError).problems.map(formatProblem);
      }
      expect(problems).toEqual([
        'services/api.yaml:1:1 port: a service with an http block needs the container port it listens on (in environments dev, prod)',
      ]);
    } finally {
      p.cleanup();
    }
  });
});

describe('override policy', () => {
  it('merges mappings and replaces lists and scalars', () => {
    expect(mergeOverride({ a: { b: 1, c: [1, 2] }, d: 1 }, { a: { c: [3] }, d: 2 })).toEqual({
      a: { b: 1, c: [3] },
      d: 2,
    });
    expect(mergeOverride({ alarms: ['x'] }, { alarms: [] })).toEqual({ alarms: [] });
    expect(mergeOverride({ a: 1 }, undefined)).toEqual({ a: 1 });
  });
});

describe('cron', () => {
  it.each([
    ['0 8 * * MON-FRI', true],
    ['*/15 * * * *', true],
    ['30 7 1,15 * *', true],
    ['0 25 * * *', false],
    ['0 8 * *', false],
    ['0 8 * * FUNDAY', false],
    ['60 * * * *', false],
  ])('%s valid: %s', (expr, valid) => expect(isValidCron(expr)).toBe(valid));

  it('converts to the Application Auto Scaling form (Sunday = 1, one day field "?")', () => {
    expect(toAwsCron('0 8 * * 1-5')).toBe('cron(0 8 ? * 2-6 *)');
    expect(toAwsCron('0 6 27 11 *')).toBe('cron(0 6 27 11 ? *)');
    expect(toAwsCron('30 7 * * MON-FRI')).toBe('cron(30 7 ? * MON-FRI *)');
    expect(toAwsCron('0 0 * * 0,7')).toBe('cron(0 0 ? * 1,1 *)');
  });
});

describe('did you mean', () => {
  it('suggests close keys only', () => {
    expect(closest('maximumPercnt', ['minimumHealthyPercent', 'maximumPercent'])).toBe('maximumPercent');
    expect(closest('replicas', ['cpu', 'memory', 'count'])).toBeUndefined();
    expect(closest('Fargate', ['ec2', 'fargate'])).toBe('fargate');
  });
});

describe('scoped loading (commands on one environment do not pay for the others)', () => {
  it('reads only the named environments, and still knows every service repository', () => {
    const p = projectWith({ 'environments/broken.yaml': 'network: [not, a, mapping]\n' });
    try {
      const project = loadProject(p.dir, { environments: ['dev'] });
      expect(project.environments.map((e) => e.name)).toEqual(['dev']);
      expect(project.repositories).toEqual([{ service: 'api', keepImages: 30 }]);
      expect(() => loadProject(p.dir)).toThrow(/environments\/broken\.yaml/);
    } finally {
      p.cleanup();
    }
  });

  it('an unknown environment in the scope is a usage error naming the known ones', () => {
    expect(() => loadProject(ROOT, { environments: ['stage'] })).toThrow(/--env stage: no environment 'stage'/);
  });

  it('the project endpoint is the default of every environment', () => {
    const p = projectWith({ 'ecsdeploy.yaml': 'project: acme\nregion: us-east-1\nendpoint: http://127.0.0.1:5000\n' });
    try {
      expect(loadProject(p.dir).environments[0]!.endpoint).toBe('http://127.0.0.1:5000');
    } finally {
      p.cleanup();
    }
  });
});
