import 'reflect-metadata';
import { StanceRevisionRow, StanceVersionRow } from './entities';
import { columnName, nullColumns, selectColumns } from './entity-columns';

describe('Columns read as their entity describes them', () => {
  it('names each column as its property, cast where pg would give another type', () => {
    expect(selectColumns(StanceVersionRow, 'v', ['recordId', 'effectiveOn', 'correctionIds', 'score', 'recordRecordedAt'])).toBe(
      'v.record_id AS "recordId", v.effective_on::text AS "effectiveOn", v.correction_ids::text[] AS "correctionIds", v.score AS "score", v.record_recorded_at AS "recordRecordedAt"',
    );
  });

  it('types the NULLs standing in for them as they are read', () => {
    expect(nullColumns(StanceVersionRow, ['country', 'effectiveOn', 'correctionIds', 'source'])).toBe(
      'NULL::char(2) AS "country", NULL::text AS "effectiveOn", NULL::text[] AS "correctionIds", NULL::jsonb AS "source"',
    );
  });

  it('knows the table names of properties and refuses what is not a column', () => {
    expect(columnName(StanceRevisionRow, 'recordedBy')).toBe('recorded_by');
    expect(columnName(StanceRevisionRow, 'reason')).toBe('reason');
    expect(() => selectColumns(StanceVersionRow, 'v', ['record'])).toThrow('StanceVersionRow.record is not a column');
  });
});
