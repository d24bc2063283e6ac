/**
 * `ecsdeploy init` without the CLI: what it finds in the folder, its questions answered by an
 * injected prompter (as a person would, wrong answers included) or by flags and --yes, and the
 * files it writes, loaded by the real loader and synthesized.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { EcsdeployError, UsageError } from '../../src/errors';
import { validateProject } from '../../src/ops/config';
import {
  detect,
  exposedPort,
  initProject,
  mergeGitignore,
  parseImage,
  resolveAnswers,
  toName,
  type Prompter,
  type Question,
} from '../../src/ops/init';
import { synthEnvironments } from '../../src/ops/project';

let dir: string;
beforeEach(() => {
  dir = join(mkdtempSync(join(tmpdir(), 'ecsdeploy-init-')), 'My_Shop.v2');
  mkdirSync(dir);
});
afterEach(() => rmSync(join(dir, '..'), { recursive: true, force: true }));

/** Answers from a script, one per question, recording what was asked and every problem said. */
function scripted(answers: ReadonlyArray<string | undefined>): Prompter & { asked: Question[]; problems: string[] } {
  const queue = [...answers];
  const asked: Question[] = [];
  const problems: string[] = [];
  return {
    asked,
    problems,
    ask: (q) => {
      asked.push(q);
      if (queue.length === 0) throw new Error(`unexpected question: ${q.message}`);
      return Promise.resolve(queue.shift());
    },
    problem: (m) => problems.push(m),
  };
}

describe('what init finds', () => {
  it.each([
    ['FROM node:20\nEXPOSE 3000\n', 3000],
    ['FROM node:20\nexpose 8080/tcp 9090\n', 8080],
    [
      'FROM golang AS build\nEXPOSE 9999\nFROM gcr.io/distroless/base\n# EXPOSE 1\nEXPOSE $PORT\nEXPOSE \\\n  5000/udp\n',
      5000,
    ],
    ['FROM nginx\nEXPOSE ${PORT}\n', undefined],
    ['FROM nginx\nRUN echo EXPOSE 80\n', undefined],
    ['FROM nginx\nEXPOSE 70000\n', undefined],
  ])('the port of %j is %p', (text, port) => {
    expect(exposedPort(text)).toBe(port);
  });

  it('names from a folder name fit the schema', () => {
    expect(toName('My_Shop.v2', 20)).toBe('my-shop-v2');
    expect(toName('2024--Platform Team!', 20)).toBe('platform-team');
    expect(toName('a-very-long-folder-name-indeed', 16)).toBe('a-very-long-fold');
    expect(toName('abcdefghijklmno-pq', 16)).toBe('abcdefghijklmno');
    expect(toName('___', 20)).toBe('app');
  });

  it('a Dockerfile and a compose file in the folder', () => {
    writeFileSync(join(dir, 'Dockerfile'), 'FROM python:3.12\nEXPOSE 5000\n');
    writeFileSync(join(dir, 'docker-compose.yml'), 'services: {}\n');
    const d = detect(dir);
    expect(d).toMatchObject({ folderName: 'My_Shop.v2', dockerfilePort: 5000, composeFile: 'docker-compose.yml' });
    // Run from this repository (not installed in the folder): the schemas are written, not referenced.
    expect(d.packageSchemas).toBeUndefined();
  });

  it('.gitignore: the two lines added once, whatever form a line already has', () => {
    expect(mergeGitignore(undefined)).toBe(
      '# ecsdeploy: local state and release records, synthesized stacks\n.ecsdeploy/\ncdktf.out/\n',
    );
    expect(mergeGitignore('node_modules/')).toBe(
      'node_modules/\n\n# ecsdeploy: local state and release records, synthesized stacks\n.ecsdeploy/\ncdktf.out/\n',
    );
    expect(mergeGitignore('node_modules/\n/.ecsdeploy\n')).toBe(
      'node_modules/\n/.ecsdeploy\n\n# ecsdeploy: local state and release records, synthesized stacks\ncdktf.out/\n',
    );
    expect(mergeGitignore('.ecsdeploy\ncdktf.out\n')).toBeUndefined();
  });

  it('images: a tag or digest of the own repository, or another repository with its tag or digest', () => {
    const digest = `sha256:${'a'.repeat(64)}`;
    expect(parseImage('1.0.0')).toEqual({ value: { tag: '1.0.0' } });
    expect(parseImage(digest)).toEqual({ value: { digest } });
    expect(parseImage('ghcr.io/acme/api:2.1')).toEqual({ value: { repository: 'ghcr.io/acme/api', tag: '2.1' } });
    expect(parseImage('localhost:5000/api:2.1')).toEqual({ value: { repository: 'localhost:5000/api', tag: '2.1' } });
    expect(parseImage(`nginx@${digest}`)).toEqual({ value: { repository: 'nginx', digest } });
    expect(parseImage('localhost:5000/api')).toHaveProperty('problem');
    expect(parseImage('nginx@sha256:12')).toEqual({ problem: 'the digest after @ must be sha256: and 64 hex digits' });
  });
});

describe('the questions', () => {
  it('asks each one with its default; Enter takes it, a wrong answer is said and asked again', async () => {
    writeFileSync(join(dir, 'Dockerfile'), 'FROM node:20\nEXPOSE 3000\n');
    const p = scripted([
      '',
      'Europe',
      'us-east-1',
      's3',
      'No Such_Bucket',
      'acme-state',
      'y',
      'api',
      'ghcr.io/acme/api:1.2.0',
      '',
      'lambda',
      'ec2',
    ]);
    const a = await resolveAnswers({ detected: detect(dir), given: {}, yes: false, prompter: p, env: {} });
    expect(a).toEqual({
      project: 'my-shop-v2',
      region: 'us-east-1',
      state: { backend: 's3', bucket: 'acme-state' },
      prod: true,
      importCompose: false,
      service: { name: 'api', image: { repository: 'ghcr.io/acme/api', tag: '1.2.0' }, port: 3000, launchType: 'ec2' },
    });
    expect(p.asked.map((q) => [q.flag, q.default])).toEqual([
      ['project', 'my-shop-v2'],
      ['region', 'eu-west-1'],
      ['region', 'eu-west-1'],
      ['state', 'local'],
      ['state-bucket', undefined],
      ['state-bucket', undefined],
      ['prod', 'n'],
      ['service', 'my-shop-v2'],
      ['image', '0.1.0'],
      ['port', '3000'],
      ['launch-type', 'fargate'],
      ['launch-type', 'fargate'],
    ]);
    expect(p.asked[9]!.message).toContain('EXPOSEd by the Dockerfile');
    expect(p.problems).toEqual([
      'Europe: must be an AWS region such as eu-west-1.',
      "No Such_Bucket: must be an S3 bucket name: 3 to 63 lowercase letters, digits, '.' and '-'.",
      'lambda: one of fargate, ec2.',
    ]);
  });

  it('flags are never asked; AWS_REGION is the default region', async () => {
    const p = scripted(['', '']);
    const a = await resolveAnswers({
      detected: detect(dir),
      given: { project: 'shop', state: 'local', prod: false, service: 'web', image: '2.0.0', port: '80' },
      yes: false,
      prompter: p,
      env: { AWS_REGION: 'ap-southeast-2' },
    });
    expect(p.asked.map((q) => q.flag)).toEqual(['region', 'launch-type']);
    expect(a).toMatchObject({
      project: 'shop',
      region: 'ap-southeast-2',
      state: { backend: 'local' },
      service: { name: 'web', image: { tag: '2.0.0' }, port: 80, launchType: 'fargate' },
    });
  });

  it('--yes takes every default; a bad flag is a usage error naming it', async () => {
    await expect(resolveAnswers({ detected: detect(dir), given: {}, yes: true, env: {} })).resolves.toEqual({
      project: 'my-shop-v2',
      region: 'eu-west-1',
      state: { backend: 'local' },
      prod: false,
      importCompose: false,
      service: { name: 'my-shop-v2', image: { tag: '0.1.0' }, port: 8080, launchType: 'fargate' },
    });
    await expect(resolveAnswers({ detected: detect(dir), given: { port: '0' }, yes: true, env: {} })).rejects.toThrow(
      new UsageError('--port 0: must be between 1 and 65535.'),
    );
    await expect(
      resolveAnswers({ detected: detect(dir), given: { project: 'Shop' }, yes: true, env: {} }),
    ).rejects.toThrow(
      "--project Shop: project must start with a letter and use only lowercase letters, digits and '-'.",
    );
    await expect(resolveAnswers({ detected: detect(dir), given: { state: 's3' }, yes: true, env: {} })).rejects.toThrow(
      new UsageError(
        'init needs --state-bucket, which has no default: S3 bucket for state and release records (it must exist)?',
      ),
    );
    await expect(
      resolveAnswers({
        detected: detect(dir),
        given: { state: 'local', stateBucket: 'acme-state' },
        yes: true,
        env: {},
      }),
    ).rejects.toThrow('--state-bucket is for --state s3');
    await expect(
      resolveAnswers({ detected: detect(dir), given: { importCompose: true }, yes: true, env: {} }),
    ).rejects.toThrow('--import-compose: there is no compose file here');
  });

  it('nobody to ask and no --yes: a usage error naming the first open question, never a wait', async () => {
    const err = await resolveAnswers({ detected: detect(dir), given: { project: 'shop' }, yes: false, env: {} }).catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(UsageError);
    expect((err as UsageError).message).toBe(
      'init asks questions, and there is no terminal to ask on (stdin is not a terminal, or CI is set); the first unanswered one: AWS region? (--region).',
    );
    // Every answer given: nothing to ask, so no --yes is needed.
    await expect(
      resolveAnswers({
        detected: detect(dir),
        given: {
          project: 'shop',
          region: 'eu-west-1',
          state: 'local',
          prod: false,
          service: 'api',
          image: '1.0.0',
          port: '80',
          launchType: 'fargate',
        },
        yes: false,
        env: {},
      }),
    ).resolves.toMatchObject({ project: 'shop' });
  });

  it('Ctrl-C or the end of input: interrupted (exit 130), nothing written', async () => {
    const err = await initProject({
      dir,
      given: {},
      yes: false,
      force: false,
      writeSchemas: false,
      prompter: scripted(['shop', undefined]),
      env: {},
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(EcsdeployError);
    expect((err as EcsdeployError).exitCode).toBe(130);
    expect(() => readFileSync(join(dir, 'ecsdeploy.yaml'))).toThrow();
  });
});

describe('the project init writes', () => {
  it('--yes: loads clean with the real loader and synthesizes with no further edit', async () => {
    writeFileSync(join(dir, '.gitignore'), 'node_modules/\n');
    const r = await initProject({ dir, given: {}, yes: true, force: false, writeSchemas: false, env: {} });
    expect(r.files).toEqual([
      { path: 'ecsdeploy.yaml', action: 'create' },
      { path: 'environments/dev.yaml', action: 'create' },
      { path: 'services/my-shop-v2.yaml', action: 'create' },
      { path: 'schemas/project.schema.json', action: 'create' },
      { path: 'schemas/environment.schema.json', action: 'create' },
      { path: 'schemas/service.schema.json', action: 'create' },
      { path: 'schemas/job.schema.json', action: 'create' },
      { path: '.gitignore', action: 'update' },
    ]);
    expect(readFileSync(join(dir, 'services/my-shop-v2.yaml'), 'utf8')).toMatch(
      /^# yaml-language-server: \$schema=\.\.\/schemas\/service\.schema\.json\n/,
    );
    expect(readFileSync(join(dir, '.gitignore'), 'utf8')).toBe(
      'node_modules/\n\n# ecsdeploy: local state and release records, synthesized stacks\n.ecsdeploy/\ncdktf.out/\n',
    );
    const report = validateProject(dir);
    expect(report).toMatchObject({ valid: true, environments: [{ name: 'dev', services: ['my-shop-v2'] }] });
    const out = join(dir, 'cdktf.out');
    const synth = await synthEnvironments(dir, [], { outDir: out });
    expect(synth.stacks.map((s) => s.name)).toEqual(['registry', 'dev-cluster', 'dev-my-shop-v2']);
    const service = JSON.parse(readFileSync(join(out, 'stacks', 'dev-my-shop-v2', 'cdk.tf.json'), 'utf8')) as {
      resource: Record<string, Record<string, Record<string, unknown>>>;
    };
    const [taskDef] = Object.values(service.resource['aws_ecs_task_definition']!);
    expect(taskDef).toMatchObject({ requires_compatibilities: ['FARGATE'], cpu: '256', memory: '512' });
    expect(JSON.parse(taskDef!['container_definitions'] as string)).toMatchObject([
      { portMappings: [{ containerPort: 8080 }] },
    ]);
  });

  it('prod, S3 state, EC2 and an outside image: valid, and both environments synthesize', async () => {
    const r = await initProject({
      dir,
      given: {
        project: 'acme',
        region: 'us-east-1',
        stateBucket: 'acme-state',
        prod: true,
        service: 'api',
        image: 'ghcr.io/acme/api:1.2.0',
        port: '3000',
        launchType: 'ec2',
      },
      yes: true,
      force: false,
      writeSchemas: false,
      env: {},
    });
    expect(r.files.map((f) => f.path)).toContain('environments/prod.yaml');
    const project = parse(readFileSync(join(dir, 'ecsdeploy.yaml'), 'utf8')) as Record<string, unknown>;
    expect(project).toMatchObject({
      project: 'acme',
      region: 'us-east-1',
      state: { backend: 's3', bucket: 'acme-state' },
      releases: { store: 's3', bucket: 'acme-state' },
    });
    expect(parse(readFileSync(join(dir, 'environments/dev.yaml'), 'utf8'))).toMatchObject({
      cluster: { ec2: { instanceTypes: ['t3.small'] }, fargate: true },
    });
    expect(parse(readFileSync(join(dir, 'environments/prod.yaml'), 'utf8'))).toMatchObject({
      protected: true,
      network: { create: { natGateways: 'per-az' } },
    });
    expect(parse(readFileSync(join(dir, 'services/api.yaml'), 'utf8'))).toMatchObject({
      image: { repository: 'ghcr.io/acme/api', tag: '1.2.0' },
      launchType: 'ec2',
      port: 3000,
      environments: { prod: { count: 2 } },
    });
    expect(validateProject(dir)).toMatchObject({ valid: true, environments: [{ name: 'dev' }, { name: 'prod' }] });
    const synth = await synthEnvironments(dir, [], { outDir: join(dir, 'cdktf.out') });
    expect(synth.stacks.map((s) => s.name).sort()).toEqual([
      'dev-api',
      'dev-cluster',
      'prod-api',
      'prod-cluster',
      'registry',
    ]);
    const backend = JSON.parse(readFileSync(join(dir, 'cdktf.out', 'stacks', 'prod-api', 'cdk.tf.json'), 'utf8')) as {
      terraform: { backend: { s3: Record<string, unknown> } };
    };
    expect(backend.terraform.backend.s3).toMatchObject({ bucket: 'acme-state', key: 'ecsdeploy/prod-api.tfstate' });
  });

  it('never replaces a file with other content unless forced; the same content again changes nothing', async () => {
    const opts = { dir, given: {}, yes: true, force: false, writeSchemas: false, env: {} };
    await initProject(opts);
    const again = await initProject(opts);
    expect(new Set(again.files.map((f) => f.action))).toEqual(new Set(['unchanged']));

    writeFileSync(join(dir, 'environments/dev.yaml'), '# mine\n');
    const before = readFileSync(join(dir, 'ecsdeploy.yaml'), 'utf8');
    const err = await initProject({ ...opts, given: { region: 'us-west-2' } }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UsageError);
    expect((err as UsageError).message).toBe(
      `init would replace 2 files that exist in ${dir}: ecsdeploy.yaml, environments/dev.yaml. Nothing was written.`,
    );
    expect(readFileSync(join(dir, 'ecsdeploy.yaml'), 'utf8')).toBe(before);

    const forced = await initProject({ ...opts, given: { region: 'us-west-2' }, force: true });
    expect(forced.files.filter((f) => f.action === 'overwrite').map((f) => f.path)).toEqual([
      'ecsdeploy.yaml',
      'environments/dev.yaml',
    ]);
    expect(readFileSync(join(dir, 'ecsdeploy.yaml'), 'utf8')).toContain('region: us-west-2');
    expect(validateProject(dir).valid).toBe(true);
  });
});

describe('a folder with a compose file', () => {
  const COMPOSE =
    'services:\n  web:\n    image: nginx:1.27\n    ports: ["8080:80"]\n  worker:\n    image: ghcr.io/acme/worker:1.0.0\n    environment:\n      QUEUE: jobs\n';

  it('is offered for import; yes: its services instead of the sample, valid and synthesized', async () => {
    writeFileSync(join(dir, 'compose.yaml'), COMPOSE);
    const p = scripted(['shop', '', '', '', '', '3', '']);
    const r = await initProject({
      dir,
      given: {},
      yes: false,
      force: false,
      writeSchemas: false,
      prompter: p,
      env: {},
    });
    expect(p.asked.map((q) => [q.flag, q.default])).toEqual([
      ['project', 'my-shop-v2'],
      ['region', 'eu-west-1'],
      ['state', 'local'],
      ['prod', 'n'],
      ['import-compose', 'y'],
      // The compose import's own question, through the same prompter: a wrong answer, then Enter.
      ['import-compose', '1'],
      ['import-compose', '1'],
    ]);
    expect(p.asked[5]!.message).toMatch(
      /^Which published port should the load balancer front\?\n {2}1\) web: published 8080 → container port 80\n {2}2\) .+\nWhich one\?$/,
    );
    expect(p.problems).toEqual(['3: one of 1, 2.']);
    expect(r.compose).toMatchObject({ file: 'compose.yaml', services: ['services/web.yaml', 'services/worker.yaml'] });
    expect(r.files.map((f) => f.path)).not.toContain('services/my-shop-v2.yaml');
    expect(parse(readFileSync(join(dir, 'services/web.yaml'), 'utf8'))).toMatchObject({
      image: { repository: 'nginx', tag: '1.27' },
      port: 80,
    });
    expect(validateProject(dir)).toMatchObject({
      valid: true,
      environments: [{ name: 'dev', services: ['web', 'worker'] }],
    });
    const synth = await synthEnvironments(dir, [], { outDir: join(dir, 'cdktf.out') });
    expect(synth.stacks.map((s) => s.name).sort()).toEqual(['dev-cluster', 'dev-web', 'dev-worker', 'registry']);
  });

  it('--no-import-compose writes the sample service; sample-service flags with --import-compose are refused', async () => {
    writeFileSync(join(dir, 'docker-compose.yml'), COMPOSE);
    const r = await initProject({
      dir,
      given: { importCompose: false },
      yes: true,
      force: false,
      writeSchemas: false,
      env: {},
    });
    expect(r.compose).toBeUndefined();
    expect(r.files.map((f) => f.path)).toContain('services/my-shop-v2.yaml');
    await expect(
      resolveAnswers({ detected: detect(dir), given: { importCompose: true, port: '80' }, yes: true, env: {} }),
    ).rejects.toThrow(
      '--port is for the sample service, and --import-compose takes the services of docker-compose.yml instead.',
    );
  });
});
