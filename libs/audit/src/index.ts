export * from './audit.migration';
export * from './hash-chain';
export * from './history';
export * from './shadow-read-models';
export * from './verification';
