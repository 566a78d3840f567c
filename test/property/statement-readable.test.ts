import ExcelJS from 'exceljs';
import fc from 'fast-check';
import type { SettlementStatement } from '../../src/domain/settlement';
import { formatStatementHtml } from '../../src/io/statement-html';
import { decimalsOf, presentationIn } from '../../src/io/statement-presentation';
import { statementXlsxBuffer } from '../../src/io/statement-xlsx';
import { calculateSettlement } from '../../src/rules/calculate-settlement';
import { loadCatalog, workedExampleRequest } from '../support/settlement-fixtures';
import { readWorkbook } from '../support/read-workbook';
import { htmlTable, moneyOf } from '../support/statement-html-tables';

const SEED = 20261205;
const catalog = loadCatalog();

/** A decimal string of `decimals` places, negative or not, up to 10^17 (past what a double holds exactly). */
const decimal = (decimals: number): fc.Arbitrary<string> =>
  fc.tuple(fc.boolean(), fc.bigInt({ min: 0n, max: 10n ** 17n }), fc.integer({ min: 0, max: 17 })).map(([negative, digits, cut]) => {
    const scaled = (digits / 10n ** BigInt(cut)).toString().padStart(decimals + 1, '0');
    const text = decimals === 0 ? scaled : `${scaled.slice(0, -decimals)}.${scaled.slice(-decimals)}`;
    return negative && /[1-9]/.test(text) ? `-${text}` : text;
  });

/** The money of a statement, in the order of the tables that show it: figures (volumes, declared), rebates, breaches, discrepancies. */
function moneyOfStatement(s: SettlementStatement): Record<string, string[]> {
  return {
    figures: [...Object.values(s.volume), ...s.figures.map((f) => f.amount)],
    rebates: s.rebates.flatMap((r) => [r.volume, r.accrued, r.final, r.trueUp]),
    priceGuarantee: s.priceGuarantee.flatMap((g) => [g.lowestUnitPrice, g.compensation]),
    discrepancies: s.discrepancies.flatMap((d) => [d.invoicedUnitPrice, d.agreedUnitPrice, d.invoicedAmount, d.agreedAmount, d.difference]),
  };
}

/** The money columns (1-based, as in the CSV/xlsx) of each table, and of the HTML (0-based, in the columns it shows). */
const XLSX_COLUMNS: Record<string, { sheet: string; columns: number[] }> = {
  figures: { sheet: '汇总', columns: [2] },
  rebates: { sheet: '返点', columns: [2, 3, 5, 6] },
  priceGuarantee: { sheet: '最低折扣保证', columns: [3, 6] },
  discrepancies: { sheet: '发票差异', columns: [4, 5, 6, 7, 8] },
};
const HTML_COLUMNS: Record<string, number[]> = { figures: [1], rebates: [1, 2, 4, 5], priceGuarantee: [2, 5], discrepancies: [3, 4, 5, 6, 7] };

describe('every amount people read equals the JSON statement', () => {
  let base: SettlementStatement;
  beforeAll(async () => {
    base = await calculateSettlement(catalog, workedExampleRequest());
  });

  const statements = (): fc.Arbitrary<SettlementStatement> =>
    fc
      .record({
        volume: fc.array(decimal(2), { minLength: 3, maxLength: 3 }),
        figures: fc.array(decimal(2), { minLength: base.figures.length, maxLength: base.figures.length }),
        rebate: fc.array(decimal(2), { minLength: 4, maxLength: 4 }),
        breach: fc.tuple(decimal(2), decimal(2)),
        discrepancies: fc.array(fc.tuple(decimal(3), decimal(2), decimal(2)), { minLength: 0, maxLength: 5 }),
      })
      .map(({ volume, figures, rebate, breach, discrepancies }) => ({
        ...base,
        volume: Object.fromEntries(Object.keys(base.volume).map((channel, i) => [channel, volume[i]!])),
        figures: base.figures.map((figure, i) => ({ ...figure, amount: figures[i]! })),
        rebates: base.rebates.map((line) => ({ ...line, volume: rebate[0]!, accrued: rebate[1]!, final: rebate[2]!, trueUp: rebate[3]! })),
        priceGuarantee: base.priceGuarantee.map((line) => ({ ...line, lowestUnitPrice: breach[0], compensation: breach[1] })),
        discrepancies: discrepancies.map(([unitPrice, amount, difference], i) => ({ ...base.discrepancies[0]!, transaction: `T${i}`, invoicedUnitPrice: unitPrice, agreedUnitPrice: unitPrice, invoicedAmount: amount, agreedAmount: amount, difference })),
      }));

  it('HTML: each amount, read back without its separators and currency sign, is the JSON decimal string', () => {
    fc.assert(
      fc.property(statements(), (statement) => {
        const html = formatStatementHtml(statement, presentationIn(catalog, statement));
        for (const [section, expected] of Object.entries(moneyOfStatement(statement))) {
          const shown = htmlTable(html, section).slice(1).flatMap((row) => HTML_COLUMNS[section]!.map((column) => moneyOf(row[column]!)));
          expect(shown).toEqual(expected);
        }
      }),
      { seed: SEED, numRuns: 60 },
    );
  });

  it('xlsx: each amount cell is a number printing back as the JSON decimal string (or, past a double, that string)', async () => {
    await fc.assert(
      fc.asyncProperty(statements(), async (statement) => {
        const workbook = await readWorkbook(await statementXlsxBuffer(statement, presentationIn(catalog, statement)));
        for (const [section, expected] of Object.entries(moneyOfStatement(statement))) {
          const { sheet, columns } = XLSX_COLUMNS[section]!;
          const cells: ExcelJS.CellValue[] = [];
          workbook.getWorksheet(sheet)!.eachRow((row, index) => {
            if (index > 2 && expected.length > 0) for (const column of columns) cells.push(row.getCell(column).value);
          });
          // a number prints back with the JSON string's decimals; an amount past a double is the string itself
          expect(cells.map((value, i) => (typeof value === 'number' ? value.toFixed(decimalsOf(expected[i]!)) : value))).toEqual(expected);
        }
      }),
      { seed: SEED, numRuns: 25 },
    );
  });
});
