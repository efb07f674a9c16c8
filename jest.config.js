/**
 * One run, three tiers by file suffix: *.spec.ts (pure), *.int-spec.ts (real PostgreSQL),
 * *.e2e-spec.ts (HTTP against the app). The global setup starts one throw-away embedded
 * PostgreSQL per run; every test file creates its own database on it.
 */
// Transpile only: the type check runs once, before jest, in `npm test`.
const tsJest = ['ts-jest', { tsconfig: '<rootDir>/tsconfig.jest.json' }];
// A few dependencies ship only ES modules, which Node loads natively but Jest's module system
// cannot: transpile just those to CommonJS.
const ESM_ONLY_PACKAGES = ['content-disposition'];
const esmToCommonJs = ['ts-jest', { tsconfig: { allowJs: true, isolatedModules: true, module: 'commonjs', target: 'es2022' } }];

module.exports = {
  rootDir: __dirname,
  testEnvironment: 'node',
  testMatch: ['<rootDir>/{apps,libs,test}/**/*.{spec,int-spec,e2e-spec}.ts'],
  transform: {
    '^.+\\.ts$': tsJest,
    [`/node_modules/(${ESM_ONLY_PACKAGES.join('|')})/.+\\.js$`]: esmToCommonJs,
  },
  transformIgnorePatterns: [`/node_modules/(?!(${ESM_ONLY_PACKAGES.join('|')})/)`],
  moduleNameMapper: {
    '^@stance-ledger/(domain|event-store|read-models|application|platform|audit)$': '<rootDir>/libs/$1/src',
  },
  globalSetup: '<rootDir>/test/support/global-setup.ts',
  globalTeardown: '<rootDir>/test/support/global-teardown.ts',
  setupFiles: ['reflect-metadata'],
  testTimeout: 60000,
  maxWorkers: 2,
};
