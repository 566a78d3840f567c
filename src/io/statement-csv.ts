import { statementSections, type PrintableStatement, type StatementCell } from './statement-sections';

const BOM = '\uFEFF';
const CRLF = '\r\n';

/**
 * The statement as a CSV file Excel opens correctly: UTF-8 with a BOM (so 某医院 reads right),
 * CRLF line ends, and one table per section — a title row, a header row, the data rows and a
 * blank row. Decimals are written exactly as in the JSON statement ("33.915", "-1428.86"): no
 * thousands separators, no currency signs. Cells are written by {@link csvCell}: nothing a
 * spreadsheet would run as a formula, and `;` quoted as `,` is.
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
    for (const row of section.rows) yield row.map(csvCell).join(',') + CRLF;
    yield CRLF;
  }
}

/**
 * A statement cell as CSV, safe to open in a spreadsheet (OWASP "CSV injection"): a cell a
 * spreadsheet could run as a formula — starting with = + - @ (or their full-width forms), a tab
 * or a CR, also after leading blanks or invisible characters (a spreadsheet may drop those
 * first) — is written with a leading apostrophe, so it is shown as the text it is. A number
 * cell holding a plain decimal (`-1428.86`) is written as it is and stays a number. A cell
 * holding a double quote, a comma, a semicolon (the list separator of locales whose decimal
 * mark is a comma), a tab or a line break is quoted.
 *
 * @example csvCell({ kind: 'text', value: ' =1+1' }) // "' =1+1"
 * @example csvCell({ kind: 'number', value: '-1428.86' }) // '-1428.86'
 */
export function csvCell(cell: StatementCell): string {
  const text = cell.kind === 'number' && PLAIN_DECIMAL.test(cell.value) ? cell.value : defused(cell.value);
  return NEEDS_QUOTES.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

const PLAIN_DECIMAL = /^-?[0-9]+(\.[0-9]+)?$/;
const NEEDS_QUOTES = /[",;\t\r\n]/;
/**
 * A formula: = + - @ (or their full-width forms) after any white space and invisible format
 * characters a spreadsheet may skip (soft hyphen, zero-width spaces and joiners, bidi marks,
 * word joiner, BOM); or a leading tab or CR.
 */
const FORMULA = /^[\s\u00ad\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\ufeff]*[=+\-@\uff1d\uff0b\uff0d\uff20]|^[\t\r]/;

function defused(value: string): string {
  return FORMULA.test(value) ? `'${value}` : value;
}

function csvRow(cells: readonly string[]): string {
  return cells.map((cell) => csvCell({ kind: 'text', value: cell })).join(',');
}
