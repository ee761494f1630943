// Unit and integration tests (node by default; UI tests opt into jsdom with a @jest-environment docblock).
// WeChat/Taro runtime APIs cannot run in Node, so @tarojs/taro and @tarojs/components map to small fakes.
/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/__tests__'],
  testMatch: ['**/*.test.ts', '**/*.test.tsx'],
  moduleFileExtensions: ['ts', 'tsx', 'js', 'json'],
  transform: {
    '^.+\\.tsx?$': ['ts-jest', { tsconfig: { isolatedModules: true, module: 'commonjs', jsx: 'react-jsx', esModuleInterop: true, resolveJsonModule: true } }],
  },
  moduleNameMapper: {
    '^@tarojs/taro$': '<rootDir>/__tests__/mocks/taro.ts',
    '^@tarojs/components$': '<rootDir>/__tests__/mocks/components.tsx',
    '\\.(css|scss)$': '<rootDir>/__tests__/mocks/style.ts',
    // import.meta (the H5 worker's URL) cannot be parsed by Jest; no test environment has Web Workers.
    '^\\./crypto-worker-new$': '<rootDir>/__tests__/mocks/crypto-worker-new.ts',
    '^@/(.*)$': '<rootDir>/src/$1',
  },
  // The build-time constant CLUE_TRUST (config/trust.ts), as a development build defines it.
  setupFiles: ['<rootDir>/__tests__/setup/trust.ts'],
  // toEqual on byte arrays as bytes (Jest's element walk takes a minute for a megabyte).
  setupFilesAfterEnv: ['<rootDir>/__tests__/setup/bytes-equality.ts'],
  testTimeout: 30000,
}
