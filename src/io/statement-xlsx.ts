import type { Writable } from 'node:stream';
import { PassThrough } from 'node:stream';
import ExcelJS from 'exceljs';
import type { Label } from '../domain/agreement';
import { STATEMENT_LABELS as L } from './statement-labels';
import { decimalsOf, plainPresentation, type StatementPresentation } from './statement-presentation';
import { statementSections, type PrintableStatement, type StatementCell, type StatementSection } from './statement-sections';

/** The media type of an .xlsx workbook. */
export const XLSX_MEDIA_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

/** Data rows a worksheet takes (Excel's 1,048,576 rows less the two header rows); more go on a next sheet. */
export const XLSX_ROWS_PER_SHEET = 1_048_576 - 2;

/**
 * The statement as an Excel workbook, written to `out` as a stream (rows committed as they are
 * written: millions of discrepancies in flat memory): one worksheet per section, two header
 * rows (中文, English) frozen above the data. Money is a number cell shown with thousands
 * separators and at least the agreement's decimals (`#,##0.00`) whose value is the statement's
 * decimal string exactly — a figure a double cannot hold exactly (over 15 significant digits)
 * is written as that string instead, never rounded; rates and factors are numbers shown in
 * percent; dates are dates; text stays text (ids with leading zeros, SKUs, a cell starting
 * with `=` is a string, never a formula).
 */
export async function writeStatementXlsx(statement: PrintableStatement, out: Writable, presentation: StatementPresentation = plainPresentation(statement)): Promise<void> {
  const workbook = new ExcelJS.stream.xlsx.WorkbookWriter({ stream: out, useStyles: true, useSharedStrings: false });
  workbook.creator = 'suanpan';
  const names = new Set<string>();
  for (const section of statementSections(statement, presentation)) {
    let sheet = addSheet(workbook, section, names, '');
    let rows = 0;
    let part = 1;
    for (const row of section.rows) {
      if (rows === XLSX_ROWS_PER_SHEET) {
        sheet.commit();
        part += 1;
        sheet = addSheet(workbook, section, names, ` (${part})`);
        rows = 0;
      }
      writeRow(sheet, row, presentation);
      rows += 1;
    }
    if (section.rowCount === 0) sheet.addRow([`${L.none.zh} ${L.none.en}`]).commit();
    sheet.commit();
  }
  await workbook.commit();
}

/** {@link writeStatementXlsx} into one buffer (the CLI, tests). */
export async function statementXlsxBuffer(statement: PrintableStatement, presentation?: StatementPresentation): Promise<Buffer> {
  const out = new PassThrough();
  const chunks: Buffer[] = [];
  out.on('data', (chunk: Buffer) => chunks.push(chunk));
  const ended = new Promise<void>((resolve, reject) => {
    out.on('end', resolve);
    out.on('error', reject);
  });
  await writeStatementXlsx(statement, out, presentation);
  await ended;
  return Buffer.concat(chunks);
}

function addSheet(workbook: ExcelJS.stream.xlsx.WorkbookWriter, section: StatementSection, names: Set<string>, suffix: string): ExcelJS.Worksheet {
  const sheet = workbook.addWorksheet(sheetName(section.heading, names, suffix), { views: [{ state: 'frozen', ySplit: 2 }] });
  const view = columnsOf(section);
  sheet.columns = view.map((index) => ({ width: Math.max(12, Math.min(40, section.labels[index]!.en.length + 4)) }));
  for (const language of ['zh', 'en'] as const) {
    const header = sheet.addRow(view.map((index) => section.labels[index]![language]));
    header.font = { bold: language === 'zh' };
    header.commit();
  }
  return sheet;
}

function columnsOf(section: StatementSection): readonly number[] {
  // the spreadsheet keeps every column (its id column too: a figure is looked up by it)
  return section.labels.map((_, index) => index);
}

function writeRow(sheet: ExcelJS.Worksheet, cells: readonly StatementCell[], presentation: StatementPresentation): void {
  const row = sheet.addRow(cells.map((cell) => cellValue(cell)));
  cells.forEach((cell, index) => {
    const format = numberFormat(cell, presentation);
    if (format !== undefined && typeof row.getCell(index + 1).value === 'number') row.getCell(index + 1).numFmt = format;
    if (cell.kind === 'text' && cell.format !== 'date') row.getCell(index + 1).numFmt = '@';
    if (cell.format === 'date') row.getCell(index + 1).numFmt = 'yyyy-mm-dd';
    if (cell.flagged === true) row.getCell(index + 1).font = { bold: true, color: { argb: 'FFB3261E' } };
  });
  row.commit();
}

/** A cell's value: a number when a double holds the decimal string exactly, a date, or the text. */
function cellValue(cell: StatementCell): string | number | Date {
  if (cell.label !== undefined) return `${cell.label.zh} ${cell.label.en}`;
  if (cell.format === 'date' && /^\d{4}-\d{2}-\d{2}$/.test(cell.value)) return new Date(`${cell.value}T00:00:00Z`);
  if (cell.kind === 'number' && /^-?\d+(\.\d+)?$/.test(cell.value)) {
    const number = Number(cell.value);
    // exact: the double prints back as the very decimal string (else the string is kept)
    if (number.toFixed(decimalsOf(cell.value)) === cell.value) return number;
  }
  return cell.value;
}

function numberFormat(cell: StatementCell, presentation: StatementPresentation): string | undefined {
  if (cell.format === 'money') return `#,##0.${'0'.repeat(Math.max(presentation.scale, decimalsOf(cell.value)))}`.replace(/\.$/, '');
  if (cell.format === 'rate' || cell.format === 'factor') {
    const decimals = Math.max(0, decimalsOf(cell.value) - 2);
    return decimals === 0 ? '0%' : `0.${'0'.repeat(decimals)}%`;
  }
  if (cell.kind === 'number') return '#,##0';
  return undefined;
}

/** A worksheet name: the heading in Chinese, at most 31 characters, none of : \ / ? * [ ], unique. */
function sheetName(heading: Label, taken: Set<string>, suffix: string): string {
  const base = `${heading.zh.replace(/[:\\/?*[\]]/g, ' ')}`.slice(0, 31 - suffix.length - 3) + suffix;
  let name = base;
  for (let n = 2; taken.has(name.toLowerCase()); n++) name = `${base}~${n}`;
  taken.add(name.toLowerCase());
  return name;
}
