import type { SettlementStatement } from '../domain/settlement';
import { statementSections, type StatementCell } from './statement-sections';

const BOM = '\uFEFF';
const CRLF = '\r\n';

/**
 * The statement as a CSV file Excel opens correctly: UTF-8 with a BOM (so 某医院 reads right),
 * CRLF line ends, and one table per section — a title row, a header row, the data rows and a
 * blank row. Decimals are written exactly as in the JSON statement ("33.915", "-1428.86"): no
 * thousands separators, no currency signs. Text that a spreadsheet would run as a formula
 * (starting with = + - @) is prefixed with an apostrophe.
 */
export function formatStatementCsv(statement: SettlementStatement): string {
  const lines: string[] = [];
  for (const section of statementSections(statement)) {
    lines.push(csvRow([section.title]));
    lines.push(csvRow(section.columns));
    for (const row of section.rows) lines.push(csvRow(row.map(cellText)));
    lines.push('');
  }
  return BOM + lines.join(CRLF) + CRLF;
}

function cellText(cell: StatementCell): string {
  return cell.kind === 'text' && /^[=+\-@\t\r]/.test(cell.value) ? `'${cell.value}` : cell.value;
}

function csvRow(cells: readonly string[]): string {
  return cells.map((cell) => (/[",\r\n]/.test(cell) ? `"${cell.replace(/"/g, '""')}"` : cell)).join(',');
}
