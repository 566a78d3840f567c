import { parse } from 'csv-parse/sync';
import fc from 'fast-check';
import { CsvRecordReader, type CsvItem } from '../../src/io/csv-records';

const SEED = 20261126;

/** Read in the given pieces: what the settlement reader sees of a streamed upload. */
function readInPieces(text: string, cuts: readonly number[]): CsvItem[] {
  const reader = new CsvRecordReader(1 << 20);
  const items: CsvItem[] = [];
  let at = 0;
  for (const cut of [...cuts].sort((a, b) => a - b)) {
    items.push(...reader.write(text.slice(at, Math.max(at, cut))));
    at = Math.max(at, cut);
  }
  items.push(...reader.write(text.slice(at)), ...reader.end());
  return items;
}

/** Read as the settlement reader does: each chunk pushed, then its records taken one by one; the decoder's tail, then the end. */
function readOneByOne(text: string, cuts: readonly number[]): CsvItem[] {
  const reader = new CsvRecordReader(1 << 20);
  const items: CsvItem[] = [];
  const take = (): void => {
    for (let item = reader.next(); item !== undefined; item = reader.next()) items.push(item);
  };
  let at = 0;
  for (const cut of [...cuts].sort((a, b) => a - b)) {
    reader.push(text.slice(at, Math.max(at, cut)));
    take();
    at = Math.max(at, cut);
  }
  reader.push(text.slice(at));
  take();
  reader.push('');
  take();
  reader.close();
  take();
  return items;
}

/** Records with their line numbers, as csv-parse reads them with the options the settlement reader used. */
function readWithCsvParse(text: string): { record: string[]; line: number }[] {
  const rows = parse(text, { bom: true, relax_column_count: true, skip_empty_lines: true, trim: true, info: true }) as unknown as { record: string[]; info: { lines: number } }[];
  return rows.map(({ record, info }) => ({ record, line: info.lines }));
}

/** Rows of empty cells are ignored by the settlement reader whoever reads them. */
const notBlank = (item: CsvItem): boolean => !('record' in item) || item.record.some((cell) => cell !== '');

/** Cell text; ⏎ is a line break in a cell, LF as spreadsheets write it (csv-parse counts a CRLF inside quotes as two lines). */
const cellText = fc.string({ unit: fc.constantFrom('a', 'Z', '1', '.', '-', ' ', '\t', ',', '"', '⏎', '某', '\u00a0'), maxLength: 8 });
/** A cell as a spreadsheet writes it: quoted when it must be (or at random), else bare. */
const cell = fc.tuple(cellText, fc.boolean(), fc.constantFrom('', ' ', '\t')).map(([text, quote, pad]) =>
  quote || /[",⏎]/.test(text) ? `${pad}"${text.replace(/"/g, '""')}"${pad}` : text,
);
/** A first row without a line break in it: csv-parse learns the file's line break from the first one it meets outside quotes. */
const csv = fc
  .tuple(fc.array(fc.array(cell, { minLength: 1, maxLength: 5 }), { maxLength: 12 }), fc.constantFrom('\n', '\r\n'), fc.boolean(), fc.boolean())
  .map(([rows, eol, bom, lastEol]) => (bom ? '\uFEFF' : '') + ['first', ...rows.map((row) => row.join(','))].join(eol).replace(/⏎/g, '\n') + (lastEol ? eol : ''));

describe('CsvRecordReader', () => {
  it('reads what csv-parse reads, with the same line numbers, however the text is cut into chunks', () => {
    fc.assert(
      fc.property(csv, fc.array(fc.nat({ max: 400 }), { maxLength: 6 }), (text, cuts) => {
        expect(readInPieces(text, cuts).filter(notBlank)).toEqual(readWithCsvParse(text).filter(notBlank));
      }),
      { seed: SEED, numRuns: 500 },
    );
  });

  it('reads the same items one by one (push, next) as chunk by chunk (write, end), unreadable rows included', () => {
    const anyText = fc.string({ unit: fc.constantFrom('a', '1', ' ', ',', '"', '\n', '\r', '\uFEFF', '某'), maxLength: 60 });
    fc.assert(
      fc.property(fc.oneof(csv, anyText), fc.array(fc.nat({ max: 400 }), { maxLength: 6 }), (text, cuts) => {
        expect(readOneByOne(text, cuts)).toEqual(readInPieces(text, cuts));
      }),
      { seed: SEED, numRuns: 500 },
    );
  });

  it('takes one record at a time: next() answers undefined once the pushed text is read, and reads on after the next push', () => {
    const reader = new CsvRecordReader(1 << 20);
    reader.push('a,b\nc,');
    expect(reader.next()).toEqual({ record: ['a', 'b'], line: 1 });
    expect(reader.next()).toBeUndefined();
    reader.push('d\ne');
    expect(reader.next()).toEqual({ record: ['c', 'd'], line: 2 });
    expect(reader.next()).toBeUndefined();
    reader.close();
    expect(reader.next()).toEqual({ record: ['e'], line: 3 });
    expect(reader.next()).toBeUndefined();
  });

  it.each([
    ['a quote inside a bare cell', 'a,b\nc,d"e,f\ng,h\n', 2],
    ['text after a closing quote', 'a,b\nc,"d"e,f\ng,h\n', 2],
  ])('reports %s on its line and reads the next lines', (_name, text, line) => {
    const items = readInPieces(text, []);
    expect(items.map((item) => ('error' in item ? ['error', item.line] : [item.record.join('|'), item.line]))).toEqual([
      ['a|b', 1],
      ['error', line],
      ['g|h', 3],
    ]);
  });

  it('reports a quote never closed on the last line', () => {
    expect(readInPieces('a,b\nc,"d\ne\n', [5]).map((item) => ('error' in item ? ['error', item.line] : [item.record.join('|'), item.line]))).toEqual([
      ['a|b', 1],
      ['error', 3],
    ]);
  });

  it('reports a row longer than the limit once and reads on', () => {
    const reader = new CsvRecordReader(10);
    const items = [...reader.write('a,b\n'), ...reader.write('x'.repeat(8)), ...reader.write('y'.repeat(8)), ...reader.write('zz\nc,d\n'), ...reader.end()];
    expect(items.map((item) => ('error' in item ? ['error', item.line] : [item.record.join('|'), item.line]))).toEqual([
      ['a|b', 1],
      ['error', 2],
      ['c|d', 3],
    ]);
  });
});
