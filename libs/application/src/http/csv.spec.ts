import type { FastifyReply } from 'fastify';
import { csvCell, sendCsv } from './csv';

const reply = () => ({ header: jest.fn() }) as unknown as FastifyReply;

describe('CSV cells', () => {
  it.each(['=HYPERLINK("http://evil.example","x")', '+1+1', '-2+3', '@SUM(A1:A2)', '\t=1', '\r=1'])(
    'neutralises text a spreadsheet would run as a formula: %j',
    (text) => {
      expect(csvCell(text)).toBe(`'${text}`);
    },
  );

  it('keeps other text, numbers (negative ones too), booleans and big integers as they are; absent is empty', () => {
    expect(csvCell('Spain opens door to troops')).toBe('Spain opens door to troops');
    expect(csvCell(' =not at the start')).toBe(' =not at the start');
    expect(csvCell(-2)).toBe(-2);
    expect(csvCell(0)).toBe(0);
    expect(csvCell(true)).toBe(true);
    expect(csvCell(25n)).toBe(25n);
    expect(csvCell(null)).toBe('');
    expect(csvCell(undefined)).toBe('');
  });

  it('writes a document whose formula cells are text and whose scores are numbers', () => {
    const csv = sendCsv(reply(), ['headline', 'score', 'quote'], [['=1+2', -2, '@cmd,"x"'], ['Fine', 1, null]]);
    expect(csv).toBe('headline,score,quote\n\'=1+2,-2,"\'@cmd,""x"""\nFine,1,\n');
  });
});
