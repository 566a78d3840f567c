import { Transform, type Readable } from 'node:stream';
import { duplicateMemberIn } from '../trust/duplicate-members';
import { CsvRecordReader, type CsvItem } from './csv-records';
import { InputTextDecoder, type TextEncodingName } from './text-decoding';
import { collectStatement, type ClaimedFigures, type SettlementIssue, type SettlementStatement, type StreamedStatement } from '../domain/settlement';
import type { Settlement } from '../rules/calculate-settlement';
import { SettlementRowReader, TABLES, TABLE_BY_KEY, type AttributeColumn, type RowCells, type TableName } from './settlement-rows';

/** How a settlement file is written: CSV tables (transactions, external sales, claims) or NDJSON records. */
export type SettlementFileFormat = 'csv' | 'ndjson';

/** One file of a settlement: its bytes, its format and, when there are several, its name for issues. */
export interface SettlementFile {
  readonly stream: Readable;
  readonly format: SettlementFileFormat;
  readonly source?: string;
  /**
   * The encoding its sender declared (an HTTP charset); without one, CSV is read as UTF-8 or
   * GB18030, whichever its first lines beyond ASCII are (see {@link InputTextDecoder}), and
   * NDJSON as UTF-8 (RFC 8259).
   */
  readonly encoding?: TextEncodingName;
}

/** The longest row read (characters); longer ones are reported and skipped, so one bad line cannot exhaust memory. */
const MAX_ROW_LENGTH = 1 << 20;

/**
 * Settles a period from files, streaming: each row is checked, priced and booked as it is
 * read, so memory holds only the current transaction and what return matching needs. Claims
 * rows, if any, are reconciled. Throws INVALID_SETTLEMENT listing every issue of every file.
 */
export async function settleFiles(settlement: Settlement, files: readonly SettlementFile[]): Promise<SettlementStatement> {
  return collectStatement(await settleFilesStreamed(settlement, files));
}

/** {@link settleFiles}, the statement's discrepancies read back as it is written (close them once written): flat memory however many. */
export async function settleFilesStreamed(settlement: Settlement, files: readonly SettlementFile[]): Promise<StreamedStatement> {
  try {
    return await settlement.finishStreamed(await readSettlementFiles(settlement, files));
  } finally {
    // after finish, a no-op; after a failed read (a broken upload, a timeout), removes the spill files
    settlement.abort();
  }
}

/**
 * Reads every file into the settlement (each transaction handed to `add`, each problem to
 * `reject`) without finishing it; returns the claims read, if any. The ledger feeds its
 * uploads through this.
 */
export async function readSettlementFiles(settlement: Settlement, files: readonly SettlementFile[]): Promise<ClaimedFigures | undefined> {
  let claims: ClaimedFigures | undefined;
  for (const file of files) {
    const reader = new SettlementRowReader(settlement, file.source);
    const decoder = new InputTextDecoder(file.encoding !== undefined ? [file.encoding] : file.format === 'csv' ? ['utf-8', 'gb18030'] : ['utf-8']);
    await (file.format === 'csv' ? readCsv(file.stream, decoder, reader) : readNdjson(file.stream, decoder, reader));
    const read = await reader.end();
    if (read !== undefined) claims = { ...claims, ...read, ...(read.rebates === undefined ? {} : { rebates: { ...claims?.rebates, ...read.rebates } }) };
  }
  return claims;
}

/** Raised by {@link countBytes} when a stream passes its limit. */
export class InputTooLargeError extends Error {
  constructor(readonly limit: number) {
    super(`the input is larger than ${limit} bytes`);
    this.name = 'InputTooLargeError';
  }
}

/** A pass-through that reports the bytes seen and fails with InputTooLargeError past `maxBytes`. */
export function countBytes(onBytes: (total: number) => void, maxBytes = Number.POSITIVE_INFINITY): Transform {
  let total = 0;
  return new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      total += chunk.length;
      if (total > maxBytes) {
        callback(new InputTooLargeError(maxBytes));
        return;
      }
      onBytes(total);
      callback(null, chunk);
    },
  });
}

/** Hands a row to its table's reader; a promise only when the row has to wait for the rule evaluator. */
function dispatch(reader: SettlementRowReader, table: TableName, cells: RowCells, row: number, found: readonly SettlementIssue[] | undefined): Promise<void> | undefined {
  if (table === 'transactions') return reader.transactionRow(cells, row, found);
  if (table === 'externalSales') reader.externalSaleRow(cells, row, found);
  else reader.claimRow(cells, row, found);
  return undefined;
}

interface CsvTable {
  readonly name: TableName;
  /** Column name per position; undefined for a position the header leaves empty. */
  readonly columns: readonly (string | undefined)[];
  /** Of the transactions table, the position of each fixed column (−1 when the header has none). */
  readonly transactionColumnAt: Readonly<Record<TransactionColumn, number>> | undefined;
  /** Of the transactions table, the position of each attribute column the agreement declares (−1 when the header has none). */
  readonly attributeAt: readonly number[];
  readonly valid: boolean;
}

type TransactionColumn = (typeof TABLES.transactions.columns)[number];

/** What reading a CSV file has found so far: the table being read, whether rows before any header were reported. */
interface CsvState {
  table: CsvTable | undefined;
  headerMissingReported: boolean;
}

/**
 * CSV: UTF-8 with or without BOM, or GB18030 (GBK: Chinese Excel's plain "CSV" save), told
 * from the bytes (see {@link InputTextDecoder}); one or more tables, each starting with its
 * header row (the one with a column `transaction`, `institution` or `figure`); blank rows are
 * ignored; columns in any order, names matched without regard to case. Rows are numbered as a
 * spreadsheet does. Bytes that are text in neither encoding are an INVALID_ENCODING problem of
 * their row, and the rest of the file is not read (its rows could not be told apart from
 * garbled ones).
 */
async function readCsv(stream: Readable, decoder: InputTextDecoder, reader: SettlementRowReader): Promise<void> {
  const records = new CsvRecordReader(MAX_ROW_LENGTH);
  const state: CsvState = { table: undefined, headerMissingReported: false };
  // each record is read when the one before it has been handled (see CsvRecordReader)
  const readRecords = async (): Promise<void> => {
    for (let item = records.next(); item !== undefined; item = records.next()) {
      const waiting = readCsvItem(item, reader, state);
      if (waiting !== undefined) await waiting;
    }
  };
  for await (const chunk of stream as AsyncIterable<Buffer | string>) {
    if (decoder.failure !== undefined) continue; // the upload is read to its end all the same
    records.push(typeof chunk === 'string' ? chunk : decoder.write(chunk));
    await readRecords();
    if (decoder.failure !== undefined) reader.rejectRow(records.linesRead + 1, 'INVALID_ENCODING', decoder.failure);
  }
  if (decoder.failure !== undefined) return;
  records.push(decoder.end());
  await readRecords();
  if (decoder.failure !== undefined) {
    reader.rejectRow(records.linesRead + 1, 'INVALID_ENCODING', decoder.failure);
    return;
  }
  records.close();
  await readRecords();
}

/** Reads one CSV record; a promise only when it has to wait for the rule evaluator (most rows need not: no promise each). */
function readCsvItem(item: CsvItem, reader: SettlementRowReader, state: CsvState): Promise<void> | undefined {
  const row = item.line;
  if ('error' in item) {
    reader.rejectRow(row, 'UNREADABLE_ROW', `not readable as CSV: ${item.error}`);
    return undefined;
  }
  const record = item.record;
  if (allEmpty(record)) return undefined;
  const header = mayBeHeader(record) ? readHeader(record, row, reader) : undefined;
  if (header !== undefined) {
    state.table = header;
    return undefined;
  }
  const table = state.table;
  if (table === undefined) {
    if (!state.headerMissingReported) reader.rejectRow(row, 'NO_HEADER', `a table must start with its header row: ${reader.columns.names.join(',')} (or ${TABLES.externalSales.columns.join(',')}, or ${TABLES.claims.columns.join(',')})`);
    state.headerMissingReported = true;
    return undefined;
  }
  if (!table.valid) return undefined;
  let found: SettlementIssue[] | undefined;
  for (let i = 0; i < record.length; i++) {
    const value = record[i]!;
    if (table.columns[i] === undefined && value !== '') (found ??= []).push(reader.issue(row, '', 'EXTRA_CELL', `cell ${i + 1} (${JSON.stringify(value)}) is beyond the header's columns`));
  }
  const at = table.transactionColumnAt;
  return dispatch(reader, table.name, at === undefined ? cellsByColumn(record, table.columns) : transactionCells(record, at, table.attributeAt, reader.columns.attributes), row, found);
}

/** A row's cells by column name (a column the row has no cell for is left out). */
function cellsByColumn(record: readonly string[], columns: readonly (string | undefined)[]): RowCells {
  const cells: Record<string, string> = {};
  for (let i = 0; i < record.length; i++) {
    const column = columns[i];
    if (column !== undefined) cells[column] = record[i]!;
  }
  return cells;
}

/**
 * A transaction row's cells, every column written out ('' where the header or the row has
 * none, which the row reader reads as a missing cell): one object shape for every row of a
 * month, where cells added one by one under names known only at run time cost a lookup each.
 */
function transactionCells(record: readonly string[], at: Readonly<Record<TransactionColumn, number>>, attributeAt: readonly number[], attributes: readonly AttributeColumn[]): RowCells {
  const cells: Record<string, string> = {
    transaction: cellAt(record, at.transaction),
    date: cellAt(record, at.date),
    channel: cellAt(record, at.channel),
    buyer: cellAt(record, at.buyer),
    returnOf: cellAt(record, at.returnOf),
    sku: cellAt(record, at.sku),
    quantity: cellAt(record, at.quantity),
    unitPrice: cellAt(record, at.unitPrice),
    coupon: cellAt(record, at.coupon),
  };
  // the agreement's attribute columns, in the same order on every row (one object shape a file)
  for (let k = 0; k < attributes.length; k++) cells[attributes[k]!.column] = cellAt(record, attributeAt[k]!);
  return cells;
}

function cellAt(record: readonly string[], position: number): string {
  return position >= 0 && position < record.length ? record[position]! : '';
}

function allEmpty(record: readonly string[]): boolean {
  for (const value of record) if (value !== '') return false;
  return true;
}

/** True when a cell names a table's identifying column (most rows: none does, and {@link readHeader} need not run). */
function mayBeHeader(record: readonly string[]): boolean {
  for (const cell of record) {
    // transaction, institution (11 letters) or figure (6), in any case: tr, in or fi
    if (cell.length !== 11 && cell.length !== 6) continue;
    const first = cell.charCodeAt(0) | 0x20;
    const second = cell.charCodeAt(1) | 0x20;
    if (((first === 0x74 && second === 0x72) || (first === 0x69 && second === 0x6e) || (first === 0x66 && second === 0x69)) && TABLE_BY_KEY[cell.toLowerCase()] !== undefined) return true;
  }
  return false;
}

/**
 * The table a header row starts, told by the column `transaction`, `institution` or `figure`
 * anywhere in it; undefined when the row is not a header. Reports a header with missing,
 * unknown or repeated columns.
 */
function readHeader(record: readonly string[], row: number, reader: SettlementRowReader): CsvTable | undefined {
  const name = record.map((cell) => TABLE_BY_KEY[cell.toLowerCase()]).find((table) => table !== undefined);
  if (name === undefined) return undefined;
  const known = name === 'transactions' ? reader.columns.byAlias : new Map<string, string>(TABLES[name].columns.map((column) => [column.toLowerCase(), column]));
  const expected = name === 'transactions' ? reader.columns.names : TABLES[name].columns;
  const columns = record.map((cell) => (cell === '' ? undefined : known.get(cell.toLowerCase())));
  const unknown = record.filter((cell, i) => cell !== '' && columns[i] === undefined);
  // A data row whose first cell happens to be "transaction" is not a header: most of its cells are not column names.
  if (unknown.length > columns.filter((column) => column !== undefined).length) return undefined;
  const missing = TABLES[name].required.filter((column) => !columns.includes(column));
  const repeated = columns.filter((column, i) => column !== undefined && columns.indexOf(column) !== i);
  const problems = [
    ...(unknown.length > 0 ? [`unknown column(s) ${unknown.join(', ')}`] : []),
    ...(missing.length > 0 ? [`missing column(s) ${missing.join(', ')}`] : []),
    ...(repeated.length > 0 ? [`repeated column(s) ${repeated.join(', ')}`] : []),
  ];
  if (problems.length > 0) {
    reader.rejectRow(row, 'INVALID_HEADER', `the ${name} header has ${problems.join('; ')} (expected ${expected.join(',')}); its rows are not read`);
  }
  const transactionColumnAt = name === 'transactions' ? (Object.fromEntries(TABLES.transactions.columns.map((column) => [column, columns.indexOf(column)])) as Record<TransactionColumn, number>) : undefined;
  const attributeAt = name === 'transactions' ? reader.columns.attributes.map((attribute) => columns.indexOf(attribute.column)) : [];
  return { name, columns, transactionColumnAt, attributeAt, valid: problems.length === 0 };
}

/**
 * NDJSON: one JSON object per line, a row of one of the CSV tables with the column names as
 * keys; the table is told by the key `transaction`, `institution` or `figure`. UTF-8, as JSON
 * text is (RFC 8259): other bytes are an INVALID_ENCODING problem and end the reading.
 */
async function readNdjson(stream: Readable, decoder: InputTextDecoder, reader: SettlementRowReader): Promise<void> {
  let pending = '';
  let row = 0;
  let oversized = false;
  const handle = async (line: string): Promise<void> => {
    row++;
    const text = (row === 1 ? line.replace(/^\uFEFF/, '') : line).trim();
    if (text === '') return;
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      reader.rejectRow(row, 'INVALID_JSON', 'is not valid JSON');
      return;
    }
    if (value === null || typeof value !== 'object' || Array.isArray(value)) {
      reader.rejectRow(row, 'INVALID_RECORD', 'must be a JSON object');
      return;
    }
    // JSON.parse keeps the last of two values under one name: which one the ERP meant cannot be told
    const repeated = duplicateMemberIn(text, value);
    if (repeated !== undefined) {
      reader.rejectRow(row, 'DUPLICATE_MEMBER', `names ${repeated} twice; a record names each field once`);
      return;
    }
    const keys = Object.keys(value);
    const tables = keys.map((key) => TABLE_BY_KEY[key]).filter((table): table is TableName => table !== undefined);
    if (tables.length !== 1) {
      reader.rejectRow(row, 'UNKNOWN_RECORD', 'must have exactly one of the keys transaction (a transaction line), institution (an external sale) or figure (a claim)');
      return;
    }
    const table = tables[0]!;
    if (table !== 'transactions') {
      const allowed: readonly string[] = TABLES[table].columns;
      const found = keys.filter((key) => !allowed.includes(key)).map((key) => reader.issue(row, key, 'UNKNOWN_FIELD', `${key} is not a field of a ${table} record (${allowed.join(', ')})`));
      await dispatch(reader, table, value as RowCells, row, found);
      return;
    }
    // a transaction record's keys as its CSV header's: an attribute by its column name or buyer.<name> / order.<name>
    const { byAlias, names } = reader.columns;
    const cells: Record<string, unknown> = {};
    const found: SettlementIssue[] = [];
    for (const key of keys) {
      const column = byAlias.get(key.toLowerCase());
      if (column === undefined || (column !== key && !key.includes('.'))) found.push(reader.issue(row, key, 'UNKNOWN_FIELD', `${key} is not a field of a transactions record (${names.join(', ')})`));
      else if (cells[column] !== undefined) found.push(reader.issue(row, key, 'DUPLICATE_MEMBER', `${key} gives ${column} a second time`));
      else cells[column] = (value as Record<string, unknown>)[key];
    }
    await dispatch(reader, table, cells, row, found);
  };
  for await (const chunk of stream as AsyncIterable<Buffer | string>) {
    if (decoder.failure !== undefined) continue; // the upload is read to its end all the same
    pending += typeof chunk === 'string' ? chunk : decoder.write(chunk);
    let start = 0;
    for (let newline = pending.indexOf('\n'); newline >= 0; newline = pending.indexOf('\n', start)) {
      const line = pending.slice(start, newline);
      start = newline + 1;
      if (oversized) {
        // the rest of a line already reported as too long
        oversized = false;
      } else if (line.length > MAX_ROW_LENGTH) {
        row++;
        reader.rejectRow(row, 'ROW_TOO_LONG', `is longer than ${MAX_ROW_LENGTH} characters`);
      } else {
        await handle(line);
      }
    }
    pending = pending.slice(start);
    if (pending.length > MAX_ROW_LENGTH) {
      if (!oversized) {
        row++;
        reader.rejectRow(row, 'ROW_TOO_LONG', `is longer than ${MAX_ROW_LENGTH} characters`);
      }
      oversized = true;
      pending = '';
    }
    // the text handed on ends at the line before the bad one
    if (decoder.failure !== undefined) reader.rejectRow(row + 1, 'INVALID_ENCODING', decoder.failure);
  }
  if (decoder.failure !== undefined) return;
  pending += decoder.end();
  if (decoder.failure !== undefined) {
    reader.rejectRow(row + 1, 'INVALID_ENCODING', decoder.failure);
    return;
  }
  if (!oversized && pending !== '') await handle(pending);
}
