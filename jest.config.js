/** Jest: ts-jest in transpile-only mode (tsconfig isolatedModules); `npm test` type-checks with tsc first. */
const os = require('os');

// At least 2 workers (the suite takes ~1.5 min on 2 idle cores, ~3 min when shared), one per spare core up to 6: the CDK synth
// tests hold ~500 MB each, so more workers buy little and cost memory. JEST_MAX_WORKERS overrides.
const cores = typeof os.availableParallelism === 'function' ? os.availableParallelism() : os.cpus().length;
const maxWorkers = process.env.JEST_MAX_WORKERS || Math.max(2, Math.min(cores - 1, 6));

module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: {
    '^.+\\.tsx?$': ['ts-jest', { tsconfig: 'tsconfig.json', diagnostics: false }],
  },
  // CDK synth tests stage large Lambda-layer assets; give them room on a 2-core machine.
  testTimeout: 120000,
  maxWorkers,
  // One TMPDIR per run, removed at the end (test/jest-tmp.js): no test leaves temp directories behind.
  globalSetup: '<rootDir>/test/jest-global-setup.js',
  globalTeardown: '<rootDir>/test/jest-global-teardown.js',
};
