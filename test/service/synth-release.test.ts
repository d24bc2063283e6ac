/**
 * Synth takes the image from the current release when there is one (so `apply` after a deploy is
 * a no-op) and from the config's image.tag otherwise. Protects the seam between the release store
 * and the task definition.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadProject } from '../../src/config/load';
import { synthesize } from '../../src/synth';
import { projectWith } from '../config/fixture-project';

const DIGEST = `sha256:${'ab'.repeat(32)}`;

function containerImages(out: string, stack: string): string[] {
  const json = JSON.parse(readFileSync(join(out, 'stacks', stack, 'cdk.tf.json'), 'utf8')) as {
    resource: Record<string, Record<string, Record<string, unknown>>>;
  };
  const td = Object.values(json.resource['aws_ecs_task_definition']!)[0]!;
  return (JSON.parse(td['container_definitions'] as string) as Array<{ image: string }>).map((c) => c.image);
}

describe('synthesize({ images })', () => {
  let out: string;
  beforeEach(() => {
    out = mkdtempSync(join(tmpdir(), 'ecsdeploy-release-synth-'));
  });
  afterEach(() => rmSync(out, { recursive: true, force: true }));

  it('without a release, the task definition uses the config tag', () => {
    const project = loadProject(join(__dirname, '..', 'fixtures', 'minimal'));
    synthesize(project, project.environments, { outDir: out, stacks: ['api'] });
    expect(containerImages(out, 'dev-api')).toEqual(['${data.aws_ecr_repository.Repository.repository_url}:1.0.0']);
  });

  it('a released digest in the service repository replaces the tag', () => {
    const project = loadProject(join(__dirname, '..', 'fixtures', 'minimal'));
    synthesize(project, project.environments, {
      outDir: out,
      stacks: ['api'],
      images: new Map([['dev', new Map([['api', DIGEST]])]]),
    });
    expect(containerImages(out, 'dev-api')).toEqual([
      `\${data.aws_ecr_repository.Repository.repository_url}@${DIGEST}`,
    ]);
  });

  it('a released full reference is used as it is', () => {
    const project = loadProject(join(__dirname, '..', 'fixtures', 'minimal'));
    const ref = `ghcr.io/acme/api@${DIGEST}`;
    synthesize(project, project.environments, {
      outDir: out,
      stacks: ['api'],
      images: new Map([['dev', new Map([['api', ref]])]]),
    });
    expect(containerImages(out, 'dev-api')).toEqual([ref]);
  });

  it('a released digest keeps a configured image.repository', () => {
    const p = projectWith({
      'services/api.yaml':
        'image:\n  repository: registry.example.com/acme/api\n  tag: "1.0.0"\nport: 8080\nhttp:\n  paths: [/api/*]\n',
    });
    try {
      const project = loadProject(p.dir);
      synthesize(project, project.environments, {
        outDir: out,
        stacks: ['api'],
        images: new Map([['dev', new Map([['api', DIGEST]])]]),
      });
      expect(containerImages(out, 'dev-api')).toEqual([`registry.example.com/acme/api@${DIGEST}`]);
    } finally {
      p.cleanup();
    }
  });

  it('a release for another environment changes nothing here', () => {
    const project = loadProject(join(__dirname, '..', 'fixtures', 'minimal'));
    synthesize(project, project.environments, {
      outDir: out,
      stacks: ['api'],
      images: new Map([['prod', new Map([['api', DIGEST]])]]),
    });
    expect(containerImages(out, 'dev-api')).toEqual(['${data.aws_ecr_repository.Repository.repository_url}:1.0.0']);
  });
});
