import type { ArgumentMetadata } from '@nestjs/common';
import { requestValidationPipe } from './memoized-validation.pipe';
import { AsOfQuery, RequestValidationException, ShiftsQuery } from '@stance-ledger/application';

const asQuery = (metatype: ArgumentMetadata['metatype']): ArgumentMetadata => ({ type: 'query', metatype, data: undefined });

async function problemsOf(run: Promise<unknown>) {
  const error = await run.then(
    () => undefined,
    (thrown: unknown) => thrown,
  );
  expect(error).toBeInstanceOf(RequestValidationException);
  return (error as RequestValidationException).problems;
}

describe('Validating a query asked again', () => {
  it('gives each request its own instance of the DTO, equal to the first', async () => {
    const validation = requestValidationPipe();
    const first = (await validation.transform({ on: '2026-01-07', minPosition: '42' }, asQuery(AsOfQuery))) as AsOfQuery;
    const second = (await validation.transform({ on: '2026-01-07', minPosition: '42' }, asQuery(AsOfQuery))) as AsOfQuery;
    expect(second).toBeInstanceOf(AsOfQuery);
    expect(second).not.toBe(first);
    expect({ ...second }).toEqual({ on: '2026-01-07', minPosition: '42' });
    expect(second.minPositionValue()).toBe(42n);
    first.on = '1999-01-01';
    const third = (await validation.transform({ on: '2026-01-07', minPosition: '42' }, asQuery(AsOfQuery))) as AsOfQuery;
    expect(third.on).toBe('2026-01-07');
  });

  it('refuses a bad query every time it comes, naming the field and the rule', async () => {
    const validation = requestValidationPipe();
    for (let time = 0; time < 2; time++) {
      expect(await problemsOf(validation.transform({ on: '2026-02-30' }, asQuery(AsOfQuery)))).toEqual([
        { field: 'on', rule: 'isCalendarDate', message: 'on must be a calendar date written YYYY-MM-DD' },
      ]);
      expect((await problemsOf(validation.transform({ on: '2026-01-07', colour: 'red' }, asQuery(AsOfQuery)))).map((problem) => problem.rule)).toEqual([
        'unknownField',
      ]);
    }
  });

  it('keeps the queries of one DTO apart from another', async () => {
    const validation = requestValidationPipe();
    await validation.transform({ from: '2026-01-01', to: '2026-01-10' }, asQuery(ShiftsQuery));
    // The same fields are no AsOfQuery: remembered for ShiftsQuery, they must not pass here.
    expect((await problemsOf(validation.transform({ from: '2026-01-01', to: '2026-01-10' }, asQuery(AsOfQuery)))).map((problem) => problem.field)).toEqual([
      'from',
      'to',
    ]);
    expect(await validation.transform({ from: '2026-01-01', to: '2026-01-10' }, asQuery(ShiftsQuery))).toBeInstanceOf(ShiftsQuery);
  });
});
