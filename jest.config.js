// Two projects: `unit` (pure, synth, CLI; milliseconds to seconds) and `e2e` (a real Terraform
// engine against the moto AWS emulator; skipped with a notice where those are absent, required in CI).
const transform = { '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.json', diagnostics: false }] };
module.exports = {
  // The end-to-end files spend most of their time waiting on Terraform (the load balancer alone
  // takes a minute); three at once roughly halves CI time on 2 cores. Each starts its own moto
  // (those that build on dev's registry and cluster restore it from the shared template).
  maxWorkers: 3,
  // Files that apply their own environment first, those on the shared one next, short ones last.
  testSequencer: '<rootDir>/test/setup/sequencer.js',
  reporters: ['default', '<rootDir>/test/setup/summary-reporter.js'],
  projects: [
    {
      displayName: 'unit',
      testMatch: ['<rootDir>/test/**/*.test.ts'],
      testPathIgnorePatterns: [
        '<rootDir>/test/e2e/',
        '<rootDir>/test/faults/',
        '<rootDir>/test/policy/',
        '/node_modules/',
      ],
      setupFilesAfterEnv: ['<rootDir>/test/setup/cdktf.ts'],
      testEnvironment: 'node',
      transform,
    },
    {
      // The security policy suite over every synthesized stack (docs/security.md): `npm run test:policy`.
      displayName: 'policy',
      testMatch: ['<rootDir>/test/policy/**/*.test.ts'],
      setupFilesAfterEnv: ['<rootDir>/test/setup/cdktf.ts'],
      testEnvironment: 'node',
      transform,
    },
    {
      displayName: 'e2e',
      testMatch: ['<rootDir>/test/e2e/**/*.test.ts'],
      testEnvironment: 'node',
      // dev's registry and cluster, applied once per run for the files that build on them
      // (test/e2e/shared-environment.ts); built in the background while the other files run.
      globalSetup: '<rootDir>/test/setup/e2e-global-setup.ts',
      globalTeardown: '<rootDir>/test/setup/e2e-global-teardown.ts',
      // 120 s per test (test/setup/e2e-timeout.ts: a project's `testTimeout` is ignored in a multi-project run).
      setupFilesAfterEnv: ['<rootDir>/test/setup/e2e-timeout.ts'],
      transform,
    },
    {
      // Seeded fault injection (a proxy between the CLI/engine and moto) and kill -9; see test/README.md.
      displayName: 'faults',
      testMatch: ['<rootDir>/test/faults/**/*.test.ts'],
      testEnvironment: 'node',
      transform,
    },
  ],
};
