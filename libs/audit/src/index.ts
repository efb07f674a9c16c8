export * from './audit.migration';
export * from './export-import';
export * from './chain-verifier';
export * from './history';
export * from './progress';
export * from './shadow-read-models';
export * from './verification';
export * from './replay';
