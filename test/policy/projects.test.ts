/**
 * The policy suite over everything we synthesize: the bundled example project, examples/ (every
 * example service), a project with every option on, and the S3 buckets docs/engine.md tells users
 * to create. No rule fails unless the configuration allows it with a reason, and no allowance is
 * left that nothing needs.
 */
import { cpSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { copyExampleProject, REPO } from '../support/example-project';
import { checkProject, coverage, evaluate, type StackResult } from './evaluate';
import { RULES } from './rules';
import type { TfJson } from './types';

/** The Terraform JSON of docs/engine.md's bucket snippet (the json block after its marker). */
export function bucketSnippet(): TfJson {
  const doc = readFileSync(join(REPO, 'docs', 'engine.md'), 'utf8');
  const match = /<!-- policy: buckets -->\s*```json\n([\s\S]*?)\n```/.exec(doc);
  if (!match) throw new Error('docs/engine.md has no bucket snippet after <!-- policy: buckets -->');
  return JSON.parse(match[1]!) as TfJson;
}

/**
 * The "every option on" project: test/policy/every-option (its prod turns every environment option
 * on) with examples/services (every service key), examples/environments and the bundled jobs/.
 */
function everyOptionProject(): string {
  const dir = mkdtempSync(join(tmpdir(), 'ecsdeploy-every-option-'));
  cpSync(join(REPO, 'examples', 'environments'), join(dir, 'environments'), { recursive: true });
  cpSync(join(__dirname, 'every-option'), dir, { recursive: true });
  cpSync(join(REPO, 'examples', 'services'), join(dir, 'services'), { recursive: true });
  cpSync(join(REPO, 'jobs'), join(dir, 'jobs'), { recursive: true });
  return dir;
}

const failures = (results: readonly StackResult[]) =>
  results.flatMap((r) => r.failed.map((f) => `${f.checkovId} ${f.where}: ${f.message}`));

/** Allowances no failure needed: `file: rule`. */
const unused = (results: readonly StackResult[]) => {
  const all = new Map(results.flatMap((r) => r.allowances.map((a) => [`${a.file}: ${a.rule}`, a] as const)));
  const used = new Set(results.flatMap((r) => r.allowed.map((f) => `${f.allowance.file}: ${f.allowance.rule}`)));
  return [...all.keys()].filter((k) => !used.has(k));
};

const seen = new Map<string, number>();
const record = (results: readonly StackResult[]) => {
  for (const r of results) for (const [rule, n] of coverage(r.json)) seen.set(rule, (seen.get(rule) ?? 0) + n);
};

describe.each([
  ['the bundled example project', () => REPO, false],
  ['examples/ (every example service)', () => join(REPO, 'examples'), false],
  ['a project with every option on', everyOptionProject, true],
])('%s', (_name, dirOf, temporary) => {
  let dir: string;
  let results: StackResult[];
  beforeAll(() => {
    dir = dirOf();
    results = checkProject(dir);
    record(results);
  });
  afterAll(() => {
    if (temporary) rmSync(dir, { recursive: true, force: true });
  });

  it('fails no rule the configuration does not allow', () => {
    expect(results.length).toBeGreaterThan(1);
    expect(failures(results)).toEqual([]);
  });

  it('allows nothing that no stack needs (every allowance is for a failure found)', () => {
    expect(unused(results)).toEqual([]);
  });
});

describe('the S3 buckets docs/engine.md creates (state and release records)', () => {
  it('are versioned, encrypted and block public access', () => {
    const snippet = bucketSnippet();
    expect(Object.keys(snippet.resource?.['aws_s3_bucket'] ?? {}).sort()).toEqual(['releases', 'state']);
    expect(evaluate(snippet, 'docs/engine.md')).toEqual([]);
    record([{ stack: 'docs', json: snippet, failed: [], allowed: [], allowances: [] }]);
  });
});

it('every rule looked at some resource of what we synthesize (none passes by never looking)', () => {
  const unseen = RULES.filter((r) => !seen.has(r.id)).map((r) => r.id);
  expect(unseen).toEqual([]);
});

it('copies of the bundled project pass too (the allowances travel with its files)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ecsdeploy-policy-copy-'));
  try {
    copyExampleProject(dir);
    expect(failures(checkProject(dir))).toEqual([]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
