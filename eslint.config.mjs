// Lint = the layering of ARCHITECTURE.md, enforced: commands → ops → {synth, terraform, aws, config};
// synth → stacks; stacks → cdktf/provider only. Nothing imports commands; ops/aws/terraform never
// import oclif. Plus the barrel ban: provider resources are imported by submodule.
import tseslint from 'typescript-eslint';

const oclifBarrel = {
  name: '@oclif/core',
  message:
    'Import @oclif/core/command, /flags or /args: the @oclif/core barrel loads about 50 more modules at every start.',
};
const barrel = {
  name: '@cdktf/provider-aws',
  message: 'Import provider resources by submodule (@cdktf/provider-aws/lib/<resource>): the barrel costs seconds.',
};
const noCommands = {
  group: ['**/commands/**', '**/commands'],
  message: 'Nothing imports commands: they are the top layer.',
};
const noOclif = { group: ['@oclif/*'], message: 'Only src/commands and src/base-command.ts know oclif.' };
const noUp = (what) => ({ group: what, message: 'Layering (ARCHITECTURE.md): this layer may not import that one.' });

export default tseslint.config(
  {
    ignores: [
      'dist/**',
      'node_modules/**',
      'cdktf.out/**',
      'coverage/**',
      'bench/results/**',
      'stacks/lambda/**',
      '**/*.js',
      '**/*.cjs',
      '**/*.mjs',
      '.tmpout/**',
    ],
  },
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_' },
      ],
      'no-restricted-imports': ['error', { paths: [barrel, oclifBarrel] }],
    },
  },
  {
    // The CLI runs as a bundle compiled from a V8 code cache (src/code-cache.ts), where import()
    // has no loader: load lazily with require() instead.
    files: ['src/**/*.ts', 'stacks/**/*.ts'],
    rules: {
      'no-restricted-syntax': [
        'error',
        {
          selector: 'ImportExpression',
          message: 'No dynamic import() in the CLI bundle: use a lazy require() (see src/code-cache.ts).',
        },
      ],
    },
  },
  {
    files: ['stacks/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        { paths: [barrel], patterns: [noUp(['**/src/**', 'zod', '@aws-sdk/*', 'node:fs', 'fs']), noOclif] },
      ],
    },
  },
  {
    files: ['src/config/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [barrel],
          patterns: [
            noCommands,
            noOclif,
            noUp(['**/synth/**', '**/ops/**', '**/terraform/**', '**/aws/**', '**/stacks/**', 'cdktf', '@cdktf/*']),
          ],
        },
      ],
    },
  },
  {
    files: ['src/synth/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [barrel],
          patterns: [noCommands, noOclif, noUp(['**/ops/**', '**/terraform/**', '**/aws/**', '@aws-sdk/*'])],
        },
      ],
    },
  },
  {
    files: ['src/ops/**/*.ts', 'src/aws/**/*.ts', 'src/terraform/**/*.ts', 'src/ui/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', { paths: [barrel], patterns: [noCommands, noOclif] }] },
  },
  {
    files: ['src/aws/**/*.ts', 'src/terraform/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        { paths: [barrel], patterns: [noCommands, noOclif, noUp(['**/ops/**', '**/synth/**', '**/stacks/**'])] },
      ],
    },
  },
);
