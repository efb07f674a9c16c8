export * from './event-store';
export * from './hash-chain';
export * from './postgres/postgres-event-store';
export * from './postgres/event-store-schema.migration';
export * from './postgres/group-commit.migration';
export * from './postgres/import-pages.migration';
export * from './postgres/lean-group-commit.migration';
export * from './eventstoredb/eventstoredb-event-store';
