export * from './entities';
export * from './projections';
export * from './projector';
export * from './stance-queries';
export * from './stance-versions';
export * from './read-models-schema.migration';
export * from './dead-letters.migration';
export * from './event-payloads';
