export * from './audit.migration';
export * from './export-import';
export * from './hash-chain';
export * from './history';
export * from './progress';
export * from './shadow-read-models';
export * from './verification';
export * from './replay';
