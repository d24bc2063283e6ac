#!/usr/bin/env node
/**
 * `node scripts/bundle.js`: bundles the CLI (src/cli.ts) and the synth worker (src/synth/worker.ts)
 * into dist/bundle/ with esbuild, and cdktf, constructs and the provider submodules they use into
 * dist/bundle/cdktf.js (loaded only by commands that synthesize). Part of `npm run build`, after
 * tsc (which type-checks and still emits dist/src for `cdktf synth`'s app and bin/run.js's code-cache loader).
 * BUNDLE_PLAIN=1 keeps the line breaks, so a CPU profile can be read against the source modules.
 *
 * Why: a command's start was mostly Node resolving, reading and compiling ~300 small modules
 * (oclif, zod, yaml, ours). One file is one read, and one file can be compiled from a V8 code cache
 * (src/code-cache.ts): `node scripts/bundle.js --warm` runs a few commands in one process and
 * writes that cache next to the bundle.
 *
 * The AWS SDK stays outside: it is only loaded by live operations, and its clients are large.
 */
const { execFileSync } = require('node:child_process');
const { mkdtempSync, rmSync } = require('node:fs');
const { tmpdir } = require('node:os');
const { join } = require('node:path');

const ROOT = join(__dirname, '..');
const OUT = join(ROOT, 'dist', 'bundle');

/** Never bundled: loaded on first use from node_modules (dclint/package.json: only its folder is wanted, for the Compose JSON Schema it ships). oclif requires the TypeScript tools only in development mode. */
const EXTERNAL = [
  '@aws-sdk/*',
  '@smithy/core',
  'cdktf/package.json',
  'dclint/package.json',
  'typescript',
  'ts-node',
  'tsx',
  'tsx/*',
];

/** The CDK for Terraform world: its own bundle, dist/bundle/cdktf.js, loaded only by commands that synthesize. */
const CDKTF = /^(cdktf|constructs|@cdktf\/provider-aws)(\/.*)?$/;

/**
 * Routes every import of cdktf, constructs and the provider to dist/bundle/cdktf.js, through the
 * code cache, and records which module paths were asked for (that bundle exports exactly those).
 */
function cdktfOutside(paths) {
  return {
    name: 'cdktf-outside',
    setup(build) {
      build.onResolve({ filter: CDKTF }, (args) => {
        if (args.path === 'cdktf/package.json') return { path: args.path, external: true }; // read, not run
        paths.add(args.path);
        return { path: args.path, namespace: 'cdktf' };
      });
      build.onResolve({ filter: /^\.\.\/src\/code-cache\.js$/ }, (args) => ({ path: args.path, external: true }));
      build.onResolve({ filter: /\/dist\/bundle\/autocomplete\.js$/ }, () => ({
        path: './autocomplete.js',
        external: true,
      }));
      build.onLoad({ filter: /.*/, namespace: 'cdktf' }, (args) => ({
        contents: `module.exports = require('../src/code-cache.js').requireCached(require('node:path').join(__dirname, 'cdktf.js'))[${JSON.stringify(args.path)}];`,
        loader: 'js',
      }));
    },
  };
}

const common = {
  absWorkingDir: ROOT,
  outdir: OUT,
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  external: EXTERNAL,
  // Whitespace only: names stay, so a --debug stack trace still says which function failed.
  minifyWhitespace: process.env.BUNDLE_PLAIN !== '1',
  legalComments: 'linked',
  logLevel: 'warning',
  metafile: true,
};

async function bundle() {
  const esbuild = require('esbuild');
  const paths = new Set();
  const ours = await esbuild.build({
    ...common,
    entryPoints: { cli: 'src/cli.ts', worker: 'src/synth/worker.ts' },
    plugins: [cdktfOutside(paths)],
  });
  // Each module path a getter, so loading the bundle runs nothing until a stack needs it.
  const entry = [...paths]
    .sort()
    .map(
      (p) =>
        `Object.defineProperty(exports, ${JSON.stringify(p)}, { enumerable: true, get: () => require(${JSON.stringify(p)}) });`,
    )
    .join('\n');
  const vendor = await esbuild.build({
    ...common,
    stdin: { contents: entry, resolveDir: ROOT, sourcefile: 'cdktf-entry.js' },
    outfile: join(OUT, 'cdktf.js'),
    outdir: undefined,
    // The same output, faster: see src/synth/stable-stringify.ts and its test.
    alias: { 'json-stable-stringify': './src/synth/stable-stringify.ts' },
  });
  if (!Object.keys(vendor.metafile.inputs).includes('src/synth/stable-stringify.ts'))
    throw new Error('cdktf no longer uses json-stable-stringify: remove the alias in scripts/bundle.js');
  // Shell completion (`ecsdeploy autocomplete`): @oclif/plugin-autocomplete's commands (ES modules)
  // as one CommonJS file, required only by that command (src/commands/autocomplete/plugin.ts). Not an
  // oclif plugin, which would be loaded on every start; bundled, so the installed package needs no
  // ES module loading (the CLI runs from a V8 code cache, where `import()` is not available on Node 20).
  const acDir = join(require.resolve('@oclif/plugin-autocomplete'), '..', 'commands', 'autocomplete');
  await esbuild.build({
    ...common,
    stdin: {
      contents: ['index', 'create', 'script']
        .map((c) => `export { default as ${c} } from ${JSON.stringify(join(acDir, `${c}.js`))};`)
        .join('\n'),
      resolveDir: ROOT,
      sourcefile: 'autocomplete-entry.js',
    },
    outfile: join(OUT, 'autocomplete.js'),
    outdir: undefined,
    external: [...EXTERNAL, '@oclif/core'],
  });
  const mb = (r) => (Object.values(r.metafile.outputs).reduce((n, o) => n + o.bytes, 0) / 1e6).toFixed(1);
  console.log(
    `bundled dist/bundle/{cli,worker}.js (${mb(ours)} MB) and dist/bundle/cdktf.js (${paths.size} modules of cdktf and the provider, ${mb(vendor)} MB)`,
  );
}

/**
 * Writes the V8 code cache of the CLI bundle: runs `--help`, `config validate` and a `synth` of the
 * bundled examples in one process, then serializes every function they compiled.
 */
async function warm() {
  const out = mkdtempSync(join(tmpdir(), 'ecsdeploy-warm-'));
  try {
    execFileSync(process.execPath, ['-e', WARM, ROOT, out], { stdio: ['ignore', 'ignore', 'inherit'] });
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
  console.log('wrote dist/bundle/{cli,cdktf}.js.cache');
}

const WARM = `
const [root, out] = process.argv.slice(1);
const { requireCached } = require(root + '/dist/src/code-cache.js');
const cli = requireCached(root + '/dist/bundle/cli.js');
(async () => {
  for (const args of [['--help'], ['config', 'validate', '-C', root], ['synth', '-C', root, '--out', out, '--no-cache']]) {
    await cli.execute({ dir: root + '/bin', args });
  }
})();
`;

(process.argv.includes('--warm') ? warm() : bundle()).catch((err) => {
  console.error(err);
  process.exit(1);
});
