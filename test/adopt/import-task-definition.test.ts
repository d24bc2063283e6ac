/**
 * `importTaskDefinition` in a project: it writes services/<name>.yaml that the project loader
 * accepts, refuses to overwrite without force, writes nothing on a dry run, and never writes a
 * file the loader would reject. Bad input gets one message naming the file and the JSON path.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadProject } from '../../src/config/load';
import { EcsdeployError, UsageError } from '../../src/errors';
import { importTaskDefinition, parseTaskDefinitionJson } from '../../src/ops/adopt';
import { mapTaskDefinition } from '../../src/ops/adopt/map';
import { projectWith } from '../config/fixture-project';

const GOLDEN = (name: string) => join(__dirname, 'task-definition', name, 'input.json');
const noAws = {
  read: () => {
    throw new Error('no AWS call expected');
  },
};

describe('importTaskDefinition', () => {
  let project: { dir: string; cleanup: () => void };
  beforeEach(() => {
    project = projectWith();
  });
  afterEach(() => project.cleanup());

  it('writes a service file the project loads, with the mapping rows', async () => {
    const r = await importTaskDefinition(
      { dir: project.dir, source: GOLDEN('fargate-web-firelens'), force: false, dryRun: false },
      noAws,
    );
    expect(r.file).toBe('services/storefront.yaml');
    expect(r.written).toBe(true);
    expect(readFileSync(join(project.dir, r.file), 'utf8')).toBe(r.content);
    const loaded = loadProject(project.dir).environments[0]!.services.find((s) => s.name === 'storefront')!;
    expect(loaded.image).toEqual({
      repository: '123456789012.dkr.ecr.eu-west-1.amazonaws.com/shop/storefront',
      tag: '3.8.1',
    });
    expect(Object.keys(loaded.sidecars)).toEqual(['log-router']);
    expect(r.rows.find((x) => x.field === 'executionRoleArn')?.status).toBe('replaced');
  });

  it('takes --name, and refuses to overwrite without force', async () => {
    await importTaskDefinition(
      { dir: project.dir, source: GOLDEN('ec2-bridge-hostport'), name: 'legacy', force: false, dryRun: false },
      noAws,
    );
    writeFileSync(
      join(project.dir, 'services/legacy.yaml'),
      '# mine\n' + readFileSync(join(project.dir, 'services/legacy.yaml'), 'utf8'),
    );
    const again = importTaskDefinition(
      { dir: project.dir, source: GOLDEN('ec2-bridge-hostport'), name: 'legacy', force: false, dryRun: false },
      noAws,
    );
    await expect(again).rejects.toThrow(new UsageError('services/legacy.yaml exists; it was not changed'));
    expect(readFileSync(join(project.dir, 'services/legacy.yaml'), 'utf8')).toMatch(/^# mine\n/);
    const forced = await importTaskDefinition(
      { dir: project.dir, source: GOLDEN('ec2-bridge-hostport'), name: 'legacy', force: true, dryRun: false },
      noAws,
    );
    expect(readFileSync(join(project.dir, 'services/legacy.yaml'), 'utf8')).toBe(forced.content);
  });

  it('writes nothing on a dry run', async () => {
    const r = await importTaskDefinition(
      { dir: project.dir, source: GOLDEN('overrides-only'), force: false, dryRun: true },
      noAws,
    );
    expect(r.written).toBe(false);
    expect(r.content).toContain('container_definitions.encoder.privileged: true');
    expect(existsSync(join(project.dir, 'services/media-encoder.yaml'))).toBe(false);
  });

  it('never writes a file the loader rejects, and says why', async () => {
    const bad = join(project.dir, 'bad.json');
    const td = JSON.parse(readFileSync(GOLDEN('ec2-bridge-hostport'), 'utf8')) as {
      containerDefinitions: Array<Record<string, unknown>>;
    };
    td.containerDefinitions[0]!['ulimits'] = [{ name: 'nofiles', softLimit: 1, hardLimit: 1 }];
    writeFileSync(bad, JSON.stringify(td));
    const run = importTaskDefinition({ dir: project.dir, source: bad, force: false, dryRun: false }, noAws);
    await expect(run).rejects.toThrow(EcsdeployError);
    await expect(
      importTaskDefinition({ dir: project.dir, source: bad, force: false, dryRun: false }, noAws),
    ).rejects.toThrow(
      new EcsdeployError(
        `The service file made from ${bad} (task definition) would not load, so it was not written:\n` +
          '  services/legacy-api.yaml:22:11 ulimits[0].name: must be one of: core, cpu, data, fsize, locks, memlock, msgqueue, nice, nofile, nproc, rss, rtprio, rttime, sigpending, stack (got the string "nofiles"); did you mean \'nofile\'?',
      ),
    );
    expect(existsSync(join(project.dir, 'services/legacy-api.yaml'))).toBe(false);
  });

  it('needs --env for an ARN, and a valid ARN', async () => {
    await expect(
      importTaskDefinition(
        {
          dir: project.dir,
          source: 'arn:aws:ecs:eu-west-1:123456789012:task-definition/orders:3',
          force: false,
          dryRun: true,
        },
        noAws,
      ),
    ).rejects.toThrow(
      new UsageError(
        'reading arn:aws:ecs:eu-west-1:123456789012:task-definition/orders:3 needs --env: the environment whose region, endpoint and credentials to use',
      ),
    );
    await expect(
      importTaskDefinition(
        {
          dir: project.dir,
          source: 'arn:aws:ecs:eu-west-1:123456789012:service/orders',
          env: 'dev',
          force: false,
          dryRun: true,
        },
        noAws,
      ),
    ).rejects.toThrow(
      new UsageError(
        'arn:aws:ecs:eu-west-1:123456789012:service/orders is not a task definition ARN (arn:aws:ecs:REGION:ACCOUNT:task-definition/FAMILY:REVISION)',
      ),
    );
  });

  it("reads an ARN with DescribeTaskDefinition in the environment's region", async () => {
    const input = JSON.parse(readFileSync(GOLDEN('fargate-web-firelens'), 'utf8')) as {
      taskDefinition: unknown;
      tags: unknown;
    };
    const targets: unknown[] = [];
    const deps = {
      read: (target: unknown) => {
        targets.push(target);
        return {
          describeTaskDefinition: async (arn: string) =>
            arn.endsWith('storefront:17') ? input : Promise.reject(new Error(arn)),
        } as never;
      },
    };
    const r = await importTaskDefinition(
      {
        dir: project.dir,
        source: 'arn:aws:ecs:eu-west-1:123456789012:task-definition/storefront:17',
        env: 'dev',
        force: false,
        dryRun: true,
      },
      deps,
    );
    expect(targets).toEqual([expect.objectContaining({ region: expect.any(String) })]);
    expect(r.content).toContain(
      '# Imported from arn:aws:ecs:eu-west-1:123456789012:task-definition/storefront:17 by `ecsdeploy import task-definition arn:aws:ecs:eu-west-1:123456789012:task-definition/storefront:17`.',
    );
  });

  it('gives a name from the family, or asks for --name', async () => {
    const bad = join(project.dir, 'td.json');
    writeFileSync(
      bad,
      JSON.stringify({ family: '2024_Nightly_Jobs', containerDefinitions: [{ name: 'app', image: 'busybox:1.36' }] }),
    );
    expect(
      (await importTaskDefinition({ dir: project.dir, source: bad, force: false, dryRun: true }, noAws)).file,
    ).toBe('services/nightly-jobs.yaml');
    writeFileSync(
      bad,
      JSON.stringify({ family: '__2024__', containerDefinitions: [{ name: 'app', image: 'busybox:1.36' }] }),
    );
    await expect(
      importTaskDefinition({ dir: project.dir, source: bad, force: false, dryRun: true }, noAws),
    ).rejects.toThrow(
      new UsageError("the family '__2024__' gives no service name ecsdeploy accepts; give one with --name"),
    );
    await expect(
      importTaskDefinition({ dir: project.dir, source: bad, name: 'Jobs', force: false, dryRun: true }, noAws),
    ).rejects.toThrow(
      new UsageError(
        "--name Jobs: a service name must start with a letter, use only lowercase letters, digits and '-', and be at most 16 characters (it is part of AWS resource names)",
      ),
    );
    const r = await importTaskDefinition(
      { dir: project.dir, source: bad, name: 'jobs', force: false, dryRun: true },
      noAws,
    );
    expect(r.content).toContain('containerName: app');
  });
});

describe('task definition input errors', () => {
  const parse = (text: string) => () => parseTaskDefinitionJson(text, 'td.json');

  it('names the file for JSON that does not parse', () => {
    let message = '';
    try {
      JSON.parse('{"family": ');
    } catch (e) {
      message = (e as Error).message;
    }
    expect(parse('{"family": ')).toThrow(new UsageError(`td.json: not valid JSON: ${message}`));
  });

  it('names the JSON path of each problem', () => {
    expect(
      parse(
        JSON.stringify({
          taskDefinition: {
            family: 'x',
            containerDefinitions: [{ name: 'web', portMappings: [{ containerPort: '80' }] }],
          },
        }),
      ),
    ).toThrow(
      new UsageError(
        'td.json is not a task definition ECS accepts:\n' +
          '  $.taskDefinition.containerDefinitions[0].image: Invalid input: expected string, received undefined\n' +
          '  $.taskDefinition.containerDefinitions[0].portMappings[0].containerPort: Invalid input: expected number, received string',
      ),
    );
    expect(parse(JSON.stringify({ family: 'x', containerDefinitions: [] }))).toThrow(
      new UsageError(
        'td.json is not a task definition ECS accepts:\n  $.containerDefinitions: a task definition has at least one container',
      ),
    );
    expect(parse('[1]')).toThrow(
      new UsageError(
        'td.json: expected a JSON object (a task definition, or {"taskDefinition": ...} as describe-task-definition prints it)',
      ),
    );
  });

  it('tells the three shapes apart', () => {
    const td = { family: 'x', containerDefinitions: [{ name: 'web', image: 'nginx:1.27' }] };
    expect(
      parseTaskDefinitionJson(
        JSON.stringify({
          taskDefinition: td,
          tags: [
            { key: 'a', value: 'b' },
            { key: 'aws:cloudformation:stack-name', value: 's' },
          ],
        }),
        'f',
      ).shape,
    ).toBe('describe-task-definition');
    expect(parseTaskDefinitionJson(JSON.stringify({ ...td, revision: 3 }), 'f').shape).toBe('task definition');
    const reg = parseTaskDefinitionJson(JSON.stringify({ ...td, tags: [{ key: 'team', value: 'web' }] }), 'f');
    expect(reg.shape).toBe('register-task-definition input');
    expect(reg.tags).toEqual({ team: 'web' });
  });

  it('refuses an SSM parameter by name when no ARN says the region and account', () => {
    const td = parseTaskDefinitionJson(
      JSON.stringify({
        family: 'x',
        containerDefinitions: [
          { name: 'web', image: 'nginx:1.27', secrets: [{ name: 'DB', valueFrom: 'db-password' }] },
        ],
      }),
      'f',
    ).taskDefinition;
    expect(() => mapTaskDefinition(td, { name: 'x' })).toThrow(
      new UsageError(
        "containerDefinitions[web].secrets[DB]: 'db-password' names an SSM parameter by name, and ecsdeploy needs its ARN or a path starting with /; the task definition has no ARN to take the region and account from",
      ),
    );
  });

  it('reports a missing file', async () => {
    await expect(
      importTaskDefinition({ dir: '.', source: 'nope/td.json', force: false, dryRun: true }, noAws),
    ).rejects.toThrow(new UsageError('nope/td.json: no such file'));
  });
});
