// The WeChat build (dist/weapp) in the headless mini-program runtime of e2e/weapp, against the real server.
/** @type {import('jest').Config} */
module.exports = {
  rootDir: '../..',
  roots: ['<rootDir>/e2e/weapp'],
  testMatch: ['**/*.weapp.ts'],
  testEnvironment: 'node',
  transform: {
    '^.+\\.tsx?$': ['ts-jest', { tsconfig: { isolatedModules: true, module: 'commonjs', esModuleInterop: true, resolveJsonModule: true } }],
  },
  moduleNameMapper: { '^@/(.*)$': '<rootDir>/src/$1' },
  testTimeout: 60000,
  // The walks mostly wait (on the app's timers, the server, the disk): two files at a time keep the
  // run under 90 s on a 2-core machine without saturating it.
  maxWorkers: 2,
}
