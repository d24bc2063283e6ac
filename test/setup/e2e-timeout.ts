// Calls to moto and the CLI take seconds, not milliseconds: jest's default 5 s failed them on a
// loaded machine (`cluster status` while the shared environment was being built). A project's
// `testTimeout` is not applied when jest runs several projects (jest-circus reads only the global
// configuration's), so the e2e files set it here.
jest.setTimeout(120_000);
