import { CURRENT_SCHEMA_VERSIONS, type StanceLedgerEvent, type StanceLedgerEventType } from './events';

/** An event as stored: type name, schema version and a payload of that version. */
export interface StoredEventShape {
  type: string;
  schemaVersion: number;
  data: unknown;
}

/** Lifts the payload of `type` from version `from` to `from + 1`. */
export type Upcaster = (data: Record<string, unknown>) => Record<string, unknown>;

export type UpcasterRegistry = Partial<Record<StanceLedgerEventType, Record<number, Upcaster>>>;

/**
 * Version 1 is the first schema of every event, so the registry starts empty; a change of
 * schema adds `{ [type]: { [oldVersion]: upcaster } }` and bumps CURRENT_SCHEMA_VERSIONS.
 */
export const UPCASTERS: UpcasterRegistry = {};

export class UnknownEventTypeError extends Error {
  constructor(readonly type: string) {
    super(`unknown event type '${type}'`);
  }
}

export class UnsupportedSchemaVersionError extends Error {
  constructor(
    readonly type: string,
    readonly schemaVersion: number,
  ) {
    super(`no upcaster path for ${type} schema version ${schemaVersion}`);
  }
}

function isKnownType(type: string, versions: Record<string, number>): type is StanceLedgerEventType {
  return Object.prototype.hasOwnProperty.call(versions, type);
}

/** Turns any stored version of an event into the current shape, or says why it cannot. */
export function upcast(
  stored: StoredEventShape,
  upcasters: UpcasterRegistry = UPCASTERS,
  currentVersions: Record<string, number> = CURRENT_SCHEMA_VERSIONS,
): StanceLedgerEvent {
  if (!isKnownType(stored.type, currentVersions)) throw new UnknownEventTypeError(stored.type);
  const target = currentVersions[stored.type];
  let version = stored.schemaVersion;
  let data = stored.data as Record<string, unknown>;
  if (!Number.isInteger(version) || version < 1 || version > target) {
    throw new UnsupportedSchemaVersionError(stored.type, version);
  }
  while (version < target) {
    const step = upcasters[stored.type]?.[version];
    if (!step) throw new UnsupportedSchemaVersionError(stored.type, version);
    data = step(data);
    version += 1;
  }
  return { type: stored.type, data } as unknown as StanceLedgerEvent;
}
