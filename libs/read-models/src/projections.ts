import type { Projection } from './projection/read-model';
import { stancesProjection } from './stances.projection';
import { topicsProjection } from './topics.projection';

export * from './projection/read-model';
export { stancesProjection } from './stances.projection';
export { topicsProjection } from './topics.projection';

/** Every read model the projector writes, in the order it writes them. */
export const READ_MODEL_PROJECTIONS: readonly Projection[] = [topicsProjection, stancesProjection];

/** Every read-model table, with the columns that identify a row. */
export const READ_MODEL_TABLES = READ_MODEL_PROJECTIONS.flatMap(({ tables }) => tables);
