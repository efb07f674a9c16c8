export * from './analyst-queries.module';
export * from './answer';
export * from './answer-cache';
export * from './handlers';
export * from './queries';
