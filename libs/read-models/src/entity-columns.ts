import { getMetadataArgsStorage } from 'typeorm';
import type { ColumnMetadataArgs } from 'typeorm/metadata-args/ColumnMetadataArgs';

/** The string-valued properties of an entity that are columns (its methods aside). */
export type ColumnOf<Entity> = Extract<keyof Entity, string>;

function columnOf<Entity>(entity: new () => Entity, property: ColumnOf<Entity>): ColumnMetadataArgs {
  const column = getMetadataArgsStorage()
    .filterColumns(entity)
    .find((candidate) => candidate.propertyName === property);
  if (!column) throw new Error(`${entity.name}.${property} is not a column`);
  return column;
}

/** The column's name in its table. */
export function columnName<Entity>(entity: new () => Entity, property: ColumnOf<Entity>): string {
  return columnOf(entity, property).options.name ?? property;
}

/**
 * The type a column is read as, and whether that needs a cast, so that pg gives the entity
 * property's type: it would make a `date` a Date at local midnight and leave a `uuid[]` as text.
 */
function readAs(column: ColumnMetadataArgs): { type: string; cast: boolean } {
  const { type, array, length } = column.options;
  if (type === 'date') return { type: 'text', cast: true };
  if (array) return { type: `${type === 'uuid' ? 'text' : String(type)}[]`, cast: type === 'uuid' };
  return { type: length === undefined ? String(type) : `${String(type)}(${length})`, cast: false };
}

/**
 * A select list reading `properties` of `entity` from the table aliased `alias`, each named as its
 * property: the rows come back shaped as the entity (`Pick<Entity, …>`).
 */
export function selectColumns<Entity>(entity: new () => Entity, alias: string, properties: readonly ColumnOf<Entity>[]): string {
  return properties
    .map((property) => {
      const { type, cast } = readAs(columnOf(entity, property));
      return `${alias}.${columnName(entity, property)}${cast ? `::${type}` : ''} AS "${property}"`;
    })
    .join(', ');
}

/** NULLs in the place of selectColumns' list, typed alike: a row of a UNION that has no such part. */
export function nullColumns<Entity>(entity: new () => Entity, properties: readonly ColumnOf<Entity>[]): string {
  return properties.map((property) => `NULL::${readAs(columnOf(entity, property)).type} AS "${property}"`).join(', ');
}
