export * from './analyst-queries.module';
export * from './answer';
export * from './answer-cache';
export * from './handlers';
export * from './queries';
export { ReadModelChanges } from '../projection/read-model-changes';
