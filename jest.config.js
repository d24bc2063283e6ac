// Two projects: `unit` (pure, synth, CLI; milliseconds to seconds) and `e2e` (a real Terraform
// engine against the moto AWS emulator; skipped with a notice where those are absent, required in CI).
const transform = { '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.json', diagnostics: false }] };
module.exports = {
  reporters: ['default', '<rootDir>/test/setup/summary-reporter.js'],
  projects: [
    {
      displayName: 'unit',
      testMatch: ['<rootDir>/test/**/*.test.ts'],
      testPathIgnorePatterns: ['<rootDir>/test/e2e/', '/node_modules/'],
      setupFilesAfterEnv: ['<rootDir>/test/setup/cdktf.ts'],
      testEnvironment: 'node',
      transform,
    },
    {
      displayName: 'e2e',
      testMatch: ['<rootDir>/test/e2e/**/*.test.ts'],
      testEnvironment: 'node',
      transform,
    },
  ],
};
