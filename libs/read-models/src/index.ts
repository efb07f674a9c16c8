export * from './entities';
export * from './projections';
export * from './projector';
export * from './stance-queries';
export * from './read-models-schema.migration';
