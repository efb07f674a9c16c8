export * from './event-store';
export * from './hash-chain';
export * from './postgres/postgres-event-store';
export { EventStoreSchema1767657600000 } from './postgres/event-store-schema.migration';
export { EventStoreGroupCommit1767657600004 } from './postgres/group-commit.migration';
export { EventStoreImportPages1767657600006 } from './postgres/import-pages.migration';
export { EventStoreLeanGroupCommit1767657600007 } from './postgres/lean-group-commit.migration';
export { EventStoreDropSupersededAppends1767657600012 } from './postgres/drop-superseded-appends.migration';
export * from './eventstoredb/eventstoredb-event-store';
