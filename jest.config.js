/** Jest: ts-jest in transpile-only mode (tsconfig isolatedModules); `npm test` type-checks with tsc first. */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: {
    '^.+\\.tsx?$': ['ts-jest', { tsconfig: 'tsconfig.json', diagnostics: false }],
  },
  // CDK synth tests stage large Lambda-layer assets; give them room on a 2-core machine.
  testTimeout: 120000,
  maxWorkers: 2,
};
