/**
 * src/synth/fast-resolve.ts must return what cdktf's own resolve returns, and throw what it throws:
 * value by value on the cases its shortcuts decide, and file by file on whole synthesized projects.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, Fn, Lazy, TerraformStack, Token } from 'cdktf';
import { resolveEphemeral } from '../../src/config/ephemeral';
import { loadProject, type ResolvedEnvironment, type ResolvedProject } from '../../src/config/load';
import { synthesize } from '../../src/synth';
import { installFastResolve, makeFastResolve, uninstallFastResolve } from '../../src/synth/fast-resolve';
import { projectWith } from '../config/fixture-project';
import { REPO, ephemeralRecord, readTree } from './helpers';
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { generate } = require('../../bench/generate.js') as {
  generate: (dir: string, envs: number, services: number) => string;
};

// eslint-disable-next-line @typescript-eslint/no-require-imports
const resolveModule = require('cdktf/lib/tokens/private/resolve') as {
  resolve: ((obj: unknown, options: object) => unknown) & { original?: unknown };
};

describe('value by value', () => {
  const app = new App({ outdir: mkdtempSync(join(tmpdir(), 'ecsdeploy-fr-')) });
  const stack = new TerraformStack(app, 'fr');
  afterAll(() => rmSync(app.outdir, { recursive: true, force: true }));

  // cdktf's resolve, whether or not build.ts installed the walker in front of it.
  const original = (resolveModule.resolve.original ?? resolveModule.resolve) as (
    obj: unknown,
    options: object,
  ) => unknown;
  const fast = makeFastResolve(original as never) as unknown as typeof original;
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { DefaultTokenResolver, StringConcat } = require('cdktf/lib/tokens/resolvable') as {
    DefaultTokenResolver: new (c: unknown) => unknown;
    StringConcat: new () => unknown;
  };
  const options = () => ({ scope: stack, preparing: false, resolver: new DefaultTokenResolver(new StringConcat()) });

  function outcome(f: (obj: unknown, options: object) => unknown, value: unknown): { value?: string; error?: string } {
    try {
      return { value: JSON.stringify(f(value, options())) };
    } catch (err) {
      return { error: (err as Error).message };
    }
  }

  const deep = (n: number): unknown => (n === 0 ? 'leaf' : { a: deep(n - 1) });
  const ref = Token.asString(Lazy.stringValue({ produce: () => '${aws_s3_bucket.b.arn}' }));
  const cases: Record<string, () => unknown> = {
    'plain values of every kind': () => ({
      s: 'web',
      n: 8080,
      f: 0.5,
      neg: -3,
      big: 1e300,
      t: true,
      nul: null,
      nested: { list: [1, 'two', { three: 3 }] },
    }),
    'undefined is dropped from objects and arrays': () => ({ a: undefined, b: [1, undefined, 2], c: { d: undefined } }),
    'holes in arrays': () => ({ sparse: [1, , 3] }),
    'a Date is kept as it is': () => ({ when: new Date(0) }),
    'a string token': () => ({ arn: ref, inText: `arn is ${ref} here` }),
    'a Terraform function': () => ({ joined: Fn.join(',', ['a', ref]) }),
    'a lazy any value at the top': () => Lazy.anyValue({ produce: () => ({ x: 1, y: [ref] }) }),
    'a resolvable object inside': () => ({ v: Lazy.anyValue({ produce: () => 'lazy' }) }),
    'a number token': () => ({ port: Token.asNumber(Lazy.numberValue({ produce: () => 443 })) }),
    'a number token inside a string': () => ({ s: `port ${Token.asNumber(Lazy.numberValue({ produce: () => 443 }))}` }),
    'a list token': () => ({ list: Token.asList(Lazy.anyValue({ produce: () => ['a', 'b'] })) }),
    'a list token among plain elements': () => ({
      list: ['x', ...Token.asList(Lazy.anyValue({ produce: () => ['a'] }))],
    }),
    'a number list token': () => ({ list: Token.asNumberList(Lazy.anyValue({ produce: () => [1, 2] })) }),
    'a map token': () => ({ map: Token.asStringMap(Lazy.anyValue({ produce: () => ({ k: 'v' }) })) }),
    'a token in a key': () => ({ [ref]: 'value' }),
    'escaped interpolations stay literal': () => ({
      s: 'literal ${var.x} and ${TfToken[nope]}',
      brace: 'a}b',
      hash: '#{x}',
    }),
    'strings the number-token pattern matches': () => ({
      a: '1e5',
      b: 'node-e2e',
      c: '-1.8881545897087626e+289',
      d: 'x.e+1',
    }),
    'the map-token placeholder values': () => ({ a: Token.STRING_MAP_TOKEN_VALUE, b: Token.ANY_MAP_TOKEN_VALUE }),
    'the number map-token placeholder': () => ({ n: Token.NUMBER_MAP_TOKEN_VALUE }),
    'numbers near the token range': () => ({
      a: -1e299,
      b: -Number.MAX_VALUE,
      c: Number.NaN,
      d: -Infinity,
      e: Infinity,
    }),
    'a function is an error': () => ({ f: () => 1 }),
    'a construct is an error': () => ({ c: stack }),
    'nesting just within the limit': () => deep(199),
    'nesting beyond the limit is an error': () => deep(205),
    'a nested array beyond the limit is an error': () => ({
      a: JSON.parse('['.repeat(210) + ']'.repeat(210)) as unknown,
    }),
  };

  it.each(Object.keys(cases))('%s', (name) => {
    const value = cases[name]!();
    const want = outcome(original, value);
    const got = outcome(fast, value);
    expect(got).toEqual(want);
  });

  it('the cases do reach both branches: some values are plain, others hold tokens the original resolves', () => {
    expect(outcome(original, cases['a string token']!()).value).toContain('${aws_s3_bucket.b.arn}');
    expect(outcome(original, cases['a function is an error']!()).error).toBeDefined();
  });
});

describe('whole projects, file by file', () => {
  /** Synthesizes with the walker and without it, into two folders side by side, and compares every file. */
  function same(project: ResolvedProject, envs: readonly ResolvedEnvironment[]): number {
    const root = mkdtempSync(join(tmpdir(), 'ecsdeploy-fr-'));
    try {
      installFastResolve();
      synthesize(project, envs, { outDir: join(root, 'a'), cache: false, workers: 1 });
      uninstallFastResolve();
      synthesize(project, envs, { outDir: join(root, 'b'), cache: false, workers: 1 });
      const a = readTree(join(root, 'a'));
      const b = readTree(join(root, 'b'));
      expect([...a.keys()].sort()).toEqual([...b.keys()].sort());
      for (const [name, text] of a) expect({ name, text }).toEqual({ name, text: b.get(name) });
      return a.size;
    } finally {
      installFastResolve();
      rmSync(root, { recursive: true, force: true });
    }
  }

  it('the bundled examples', () => {
    const project = loadProject(REPO);
    expect(same(project, project.environments)).toBeGreaterThan(9);
  });

  it('a generated project (EC2 and Fargate, rolling and blue/green, per-environment overrides)', () => {
    const dir = generate(mkdtempSync(join(tmpdir(), 'ecsdeploy-fr-gen-')), 2, 6);
    try {
      const project = loadProject(dir);
      expect(same(project, project.environments)).toBeGreaterThan(14);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('options the examples do not use: lifecycle-hook draining, canary, step scaling, hosts, a command', () => {
    const p = projectWith({
      'environments/dev.yaml':
        'network:\n  create:\n    cidr: 10.0.0.0/16\ncluster:\n  ec2:\n    instanceTypes: [t3.small]\n    minSize: 1\n    maxSize: 2\n    draining: lifecycle-hook\n',
      'services/api.yaml':
        'image:\n  tag: "1.0.0"\nport: 8080\ncommand: [serve, --port, "8080"]\nhttp:\n  paths: [/api/*]\n  hosts: [api.example.com]\ndeployment:\n  strategy: canary\n  canary:\n    percent: 20\n    minutes: 3\n',
      'services/jobs.yaml':
        'image:\n  tag: "2"\nscaling:\n  min: 1\n  max: 10\n  step:\n    metric:\n      namespace: Acme/Queue\n      name: Backlog\n      statistic: Maximum\n      dimensions:\n        Queue: jobs\n    steps:\n      - above: 100\n        change: 1\n      - above: 500\n        change: 3\n',
    });
    try {
      const project = loadProject(p.dir);
      expect(same(project, project.environments)).toBeGreaterThan(3);
    } finally {
      p.cleanup();
    }
  });

  it('environments on demand, shared and isolated', () => {
    const project = loadProject(REPO);
    const dev = project.environments.find((e) => e.name === 'dev')!;
    expect(
      same(project, [
        resolveEphemeral(dev, ephemeralRecord('feature-x', 1)),
        resolveEphemeral(dev, ephemeralRecord('feature-y', 2, { isolated: true })),
      ]),
    ).toBeGreaterThan(3);
  });
});
