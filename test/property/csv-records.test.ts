import { parse } from 'csv-parse/sync';
import fc from 'fast-check';
import { CsvRecordReader, type CsvItem } from '../../src/io/csv-records';

const SEED = 20261126;

/** The records (and unreadable rows) `text` completes, in order. */
function write(reader: CsvRecordReader, text: string): CsvItem[] {
  reader.push(text);
  return drain(reader);
}

/** The last record, when the text does not end with a line break. */
function end(reader: CsvRecordReader): CsvItem[] {
  reader.close();
  return drain(reader);
}

function drain(reader: CsvRecordReader): CsvItem[] {
  const items: CsvItem[] = [];
  for (let item = reader.next(); item !== undefined; item = reader.next()) items.push(item);
  return items;
}

/** Read in the given pieces: what the settlement reader sees of a streamed upload. */
function readInPieces(text: string, cuts: readonly number[]): CsvItem[] {
  const reader = new CsvRecordReader(1 << 20);
  const items: CsvItem[] = [];
  let at = 0;
  for (const cut of [...cuts].sort((a, b) => a - b)) {
    items.push(...write(reader, text.slice(at, Math.max(at, cut))));
    at = Math.max(at, cut);
  }
  items.push(...write(reader, text.slice(at)), ...end(reader));
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

/**
 * The reader's limit in the tests of line breaks, and the longest chunk they cut: a row shorter
 * than the limit is never too long; a longer one is when a chunk ends past the limit in it
 * (always for a row longer than both together).
 */
const LIMIT = 16;
const MAX_CHUNK = 4;
/** The line breaks the reader takes: LF, CRLF and a bare CR (as old Mac exports end their lines). */
const lineBreak = fc.constantFrom('\n', '\r\n', '\r');

/** A line of a file as written, what the reader should report for it and the line breaks inside it (in quoted cells). */
interface Row {
  readonly text: string;
  readonly read: { readonly record: string[] } | { readonly error: string } | undefined;
  readonly breaks: number;
}

const bareCell = fc.string({ unit: fc.constantFrom('a', '1', '某', ' ', '\t'), maxLength: 3 }).map((text) => ({ text, value: text.trim(), breaks: 0 }));
const quotedCell = fc
  .tuple(fc.array(fc.oneof(fc.constantFrom('a', ',', '"'), lineBreak), { maxLength: 3 }), fc.constantFrom('', ' '))
  .map(([units, pad]) => {
    const value = units.join('');
    return { text: `${pad}"${value.replace(/"/g, '""')}"${pad}`, value, breaks: value.match(/\r\n|\r|\n/g)?.length ?? 0 };
  });
const recordRow = fc
  .array(fc.oneof(bareCell, quotedCell), { minLength: 1, maxLength: 3 })
  .map((cells): Row => ({ text: cells.map((cell) => cell.text).join(','), read: cells.length === 1 && cells[0]!.text === '' ? undefined : { record: cells.map((cell) => cell.value) }, breaks: cells.reduce((sum, cell) => sum + cell.breaks, 0) }))
  .filter((row) => row.text.length < LIMIT);
const unreadableRow = fc.constantFrom<Row>(
  { text: 'a"b', read: { error: 'Invalid Opening Quote' }, breaks: 0 },
  { text: '"a" b,c', read: { error: 'Invalid Closing Quote' }, breaks: 0 },
);
const longRow = fc.string({ unit: fc.constantFrom('x', ' ', ','), minLength: LIMIT, maxLength: 40 }).map((text): Row => ({ text, read: { record: text.split(',').map((cell) => cell.trim()) }, breaks: 0 }));

/** A file of such rows, each ending in any line break (the last maybe in none): the items read from it whole, and for each the items read in short chunks may give instead. */
const linedCsv = fc
  .tuple(fc.array(fc.tuple(fc.oneof({ arbitrary: recordRow, weight: 4 }, unreadableRow, longRow), lineBreak), { maxLength: 10 }), fc.constantFrom('', '\n', '\r\n', '\r'), fc.boolean())
  .map(([rows, lastBreak, bom]) => {
    let text = bom ? '\uFEFF' : '';
    let line = 0;
    const whole: Summary[] = [];
    const chunked: Summary[][] = [];
    rows.forEach(([row, eol], i) => {
      // an empty line's LF right after a bare CR would join it into one CRLF
      const after = row.text === '' && eol === '\n' && text.endsWith('\r') ? '\r\n' : eol;
      text += row.text + (i === rows.length - 1 ? lastBreak : after);
      const first = line + 1;
      line += row.breaks + 1;
      if (row.read === undefined) return;
      const item = 'record' in row.read ? { record: row.read.record, line } : { error: row.read.error, line: first };
      whole.push(item);
      const tooLong = { error: `the row is longer than ${LIMIT} characters at line ${first}`, line: first };
      chunked.push(row.text.length < LIMIT ? [item] : row.text.length > LIMIT + MAX_CHUNK ? [tooLong] : [item, tooLong]);
    });
    return { text, whole, chunked };
  });

/** An item as the tests of line breaks compare it: a record, or the kind of error and its line. */
type Summary = { record: string[]; line: number } | { error: string; line: number };
const summarize = (item: CsvItem): Summary => ('error' in item ? { error: item.error.replace(/:.*/s, ''), line: item.line } : { record: item.record, line: item.line });
const lines = (items: readonly Summary[]): (string | number)[][] => items.map((item) => ('error' in item ? ['error', item.line] : [item.record.join('|'), item.line]));

/** Read as the settlement reader does (push a chunk, take its items, close), with the given limit. */
function readChunks(chunks: readonly string[], maxRecordChars: number): Summary[] {
  const reader = new CsvRecordReader(maxRecordChars);
  const items: Summary[] = [];
  const take = (): void => {
    for (let item = reader.next(); item !== undefined; item = reader.next()) items.push(summarize(item));
  };
  for (const chunk of chunks) {
    reader.push(chunk);
    take();
  }
  reader.close();
  take();
  return items;
}

/** The text cut into chunks of the given sizes in turn (none longer than MAX_CHUNK), and, if asked, between every CR and LF too. */
function cutText(text: string, sizes: readonly number[], betweenCrAndLf: boolean): string[] {
  const chunks: string[] = [];
  let at = 0;
  for (let turn = 0; at < text.length; turn++) {
    let end = Math.min(text.length, at + sizes[turn % sizes.length]!);
    const crlf = text.indexOf('\r\n', at);
    if (betweenCrAndLf && crlf >= 0 && crlf + 1 < end) end = crlf + 1;
    chunks.push(text.slice(at, end));
    at = end;
  }
  return chunks;
}

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

  it('counts in linesRead the lines it has handed out, empty ones included: the line a reader stopped before is linesRead + 1', () => {
    const reader = new CsvRecordReader(1 << 20);
    reader.push('a,b\r\n\nc,"d\ne"\r\nf,');
    expect(drain(reader).map((item) => item.line)).toEqual([1, 4]);
    expect(reader.linesRead).toBe(4);
    reader.push('g\n');
    drain(reader);
    expect(reader.linesRead).toBe(5);
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

  it('reads the same records on the same lines whole or in short chunks (LF, CRLF or CR line breaks, cuts between CR and LF); a row past the limit may be reported on its line instead', () => {
    fc.assert(
      fc.property(linedCsv, fc.array(fc.integer({ min: 1, max: MAX_CHUNK }), { minLength: 1, maxLength: 8 }), fc.boolean(), ({ text, whole, chunked }, sizes, betweenCrAndLf) => {
        expect(readChunks([text], Number.MAX_SAFE_INTEGER)).toEqual(whole);
        const items = readChunks(cutText(text, sizes, betweenCrAndLf), LIMIT);
        expect(items).toHaveLength(chunked.length);
        chunked.forEach((either, i) => expect(either).toContainEqual(items[i]));
      }),
      { seed: SEED, numRuns: 1000 },
    );
  });

  it.each([
    ['a row too long for the limit, ending in CRLF cut between CR and LF', 5, ['a\r\nxxxxxxxxxx', 'yy\r', '\nc,d\r\n'], [['a', 1], ['error', 2], ['c|d', 3]]],
    ['a row too long for the limit, its CR (a bare CR line break) ending a chunk', 5, ['a\rxxxxxx\r', 'c,d\re\r'], [['a', 1], ['error', 2], ['c|d', 3], ['e', 4]]],
    ['a row too long for the limit, its CR ending the text', 5, ['a\nxxxxxxxx', 'xx\r'], [['a', 1], ['error', 2]]],
    ['an unreadable row ending in CRLF cut between CR and LF', 1 << 20, ['a"b\r', '\nc\r\n'], [['error', 1], ['c', 2]]],
    ['a row ending in CRLF cut between CR and LF', 1 << 20, ['a\r', '\nc,d\r\n'], [['a', 1], ['c|d', 2]]],
    ['a CR ending the text', 1 << 20, ['a\r\n', 'b\r'], [['a', 1], ['b', 2]]],
    ['a CRLF in a quoted cell cut between CR and LF', 1 << 20, ['"a\r', '\nb",c\r\nd\r\n'], [['a\r\nb|c', 2], ['d', 3]]],
    ['a BOM, then CRLF cut between CR and LF', 1 << 20, ['\uFEFFa\r', '\nb'], [['a', 1], ['b', 2]]],
    ['a row too long for the limit with line breaks in a quoted cell', 5, ['a\n"xx\nxx\nxx', 'x"\nb\n'], [['a', 1], ['error', 2], ['b', 5]]],
    ['a quote never closed, too long for the limit before the text ends', 5, ['a\r\n"xx\r\nxx\r\nxx', 'x\r\nb\r\nc\r\n'], [['a', 1], ['error', 2], ['b', 5], ['c', 6]]],
    ['a row too long for the limit with a line break in a quoted cell, its CR ending a chunk', 5, ['a\n"xx\nxxx\r', '\nb\n'], [['a', 1], ['error', 2], ['b', 4]]],
  ])('numbers the lines after %s', (_name, maxRecordChars, chunks, expected) => {
    expect(lines(readChunks(chunks, maxRecordChars))).toEqual(expected);
  });

  it('reports a row longer than the limit once and reads on', () => {
    const reader = new CsvRecordReader(10);
    const items = [...write(reader, 'a,b\n'), ...write(reader, 'x'.repeat(8)), ...write(reader, 'y'.repeat(8)), ...write(reader, 'zz\nc,d\n'), ...end(reader)];
    expect(items.map((item) => ('error' in item ? ['error', item.line] : [item.record.join('|'), item.line]))).toEqual([
      ['a|b', 1],
      ['error', 2],
      ['c|d', 3],
    ]);
  });
});
