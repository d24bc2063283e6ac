/** cdktf's manifest.json states the stacks' order (what `cdktf deploy` of this app would follow). */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadProject } from '../../src/config/load';
import { synthesize } from '../../src/synth';

const REPO = join(__dirname, '..', '..');

function manifestDeps(stacks?: string[]): Record<string, string[]> {
  const out = mkdtempSync(join(tmpdir(), 'ecsdeploy-manifest-'));
  try {
    const project = loadProject(REPO);
    synthesize(
      project,
      project.environments.filter((e) => e.name === 'dev'),
      { outDir: out, cache: false, workers: 1, ...(stacks ? { stacks } : {}) },
    );
    const m = JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8')) as {
      stacks: Record<string, { dependencies: string[] }>;
    };
    return Object.fromEntries(Object.entries(m.stacks).map(([name, s]) => [name, s.dependencies]));
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}

it('registry and cluster come first; services and jobs depend on both', () => {
  expect(manifestDeps()).toEqual({
    'registry': [],
    'dev-cluster': [],
    'dev-orders': ['registry', 'dev-cluster'],
    'dev-payments': ['registry', 'dev-cluster'],
    'dev-web': ['registry', 'dev-cluster'],
    'dev-job-nightly-report': ['registry', 'dev-cluster'],
  });
});

it('a selection lists only the dependencies it holds', () => {
  expect(manifestDeps(['orders'])).toEqual({ 'dev-orders': [] });
});
