import { statementSections, type PrintableStatement, type StatementCell } from './statement-sections';

const BOM = '\uFEFF';
const CRLF = '\r\n';

/**
 * The statement as a CSV file Excel opens correctly: UTF-8 with a BOM (so 某医院 reads right),
 * CRLF line ends, and one table per section — a title row, a header row, the data rows and a
 * blank row. Decimals are written exactly as in the JSON statement ("33.915", "-1428.86"): no
 * thousands separators, no currency signs. Text that a spreadsheet would run as a formula
 * (starting with = + - @) is prefixed with an apostrophe.
 */
export function formatStatementCsv(statement: PrintableStatement): string {
  return [...statementCsvLines(statement)].join('');
}

/** {@link formatStatementCsv} line by line (each with its CRLF), for writing a statement of millions of discrepancies as a stream. */
export function* statementCsvLines(statement: PrintableStatement): Generator<string> {
  yield BOM;
  for (const section of statementSections(statement)) {
    yield csvRow([section.title]) + CRLF;
    yield csvRow(section.columns) + CRLF;
    for (const row of section.rows) yield csvRow(row.map(cellText)) + CRLF;
    yield CRLF;
  }
}

function cellText(cell: StatementCell): string {
  return cell.kind === 'text' && /^[=+\-@\t\r]/.test(cell.value) ? `'${cell.value}` : cell.value;
}

function csvRow(cells: readonly string[]): string {
  return cells.map((cell) => (/[",\r\n]/.test(cell) ? `"${cell.replace(/"/g, '""')}"` : cell)).join(',');
}
