// CsvRows splits the same rows whether the text comes whole or in pieces cut anywhere,
// including between the two quotes of an escaped quote, and stops at row maxRows + 1.
import { describe, expect, it } from '@jest/globals';
import { CsvRows, csvRowsInSlices } from '../src/csv-rows.js';

const TEXT = 'a,"b ""q"" c",d\r\n\n"x,y",,z\n"""",end';
const ROWS = [
  ['a', 'b "q" c', 'd'],
  ['x,y', '', 'z'],
  ['"', 'end'],
];

describe('CsvRows', () => {
  it('splits the text whole', () => {
    expect(new CsvRows().push(TEXT).end()).toEqual(ROWS);
  });

  it('splits the same rows from one-character pieces', () => {
    const rows = new CsvRows();
    for (const ch of TEXT) rows.push(ch);
    expect(rows.end()).toEqual(ROWS);
  });

  it('stops when row maxRows + 1 begins', () => {
    expect(() => new CsvRows(2).push(TEXT).end()).toThrow('instances must NOT have more than 2 items');
    expect(() => new CsvRows(1).push(TEXT)).toThrow('instances must NOT have more than 1 items');
    expect(new CsvRows(3).push(TEXT).end()).toEqual(ROWS);
  });

  it('refuses an unterminated quote', () => {
    expect(() => new CsvRows().push('a,"b').end()).toThrow(/unterminated quote/);
  });

  it('splits a body in slices, multi-byte characters across slice edges included', async () => {
    const row = `${'é'.repeat(40_000)},ü\n`;
    const body = Buffer.from(row.repeat(3));
    const rows = await csvRowsInSlices(body, 3);
    expect(rows).toEqual([0, 1, 2].map(() => ['é'.repeat(40_000), 'ü']));
    await expect(csvRowsInSlices(body, 2)).rejects.toThrow('must NOT have more than 2 items');
  });
});
