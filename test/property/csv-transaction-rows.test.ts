import { Readable } from 'node:stream';
import fc from 'fast-check';
import { DomainError } from '../../src/domain/errors';
import { settleFiles, type SettlementFileFormat } from '../../src/io/read-settlement-file';
import { TABLES, transactionColumnsOf } from '../../src/io/settlement-rows';
import { openSettlement } from '../../src/rules/calculate-settlement';
import { loadCatalog } from '../support/settlement-fixtures';

const catalog = loadCatalog();
const SEED = 20261127;
const PERIOD = { from: '2026-11-01', to: '2026-11-30' };
const REQUIRED: readonly string[] = TABLES.transactions.required;
/** The fixed columns and the chamber agreement's declared buyer attributes (member, keyAccount). */
const COLUMNS = transactionColumnsOf(catalog.versionOn('chamber-baiyikang', PERIOD.from).version).names;

/** Cell values per column, good and bad: ids that repeat, days written two ways or not at all, unknown SKUs, bad flags and numbers, empty cells. */
const VALUES: Readonly<Record<string, readonly string[]>> = {
  transaction: ['T1', 'T2', 'T3', 'T4', 'bad id', ''],
  date: ['2026-11-02', '2026-11-05', '2026/11/7', '2026-12-01', '2026-11-31', ''],
  channel: ['group-buy', 'member-direct', 'chamber-supply', 'elsewhere', ''],
  buyer: ['ENT-001', 'M-007', 'CHAMBER', '', 'two words'],
  member: ['true', 'false', 'yes', '0', 'maybe', ''],
  keyAccount: ['true', 'FALSE', '1', 'no', ''],
  returnOf: ['', '', '', 'T1', 'T2', 'T9'],
  sku: ['BYK-H01', 'BYK-M02', 'BYK-L02', 'NOPE', ''],
  quantity: ['1', '5', '60', '-2', '0', 'x', '1000001', ''],
  unitPrice: ['', '', '1094.80', '33.915', '-1', '1.0.0'],
  coupon: ['', '', '', 'NO-SUCH-CODE', 'two words'],
};

/** A header (required columns, some optional ones, in any order) and rows of it; a row repeats its predecessor with another SKU or, now and then, another value, as the lines of one transaction do. */
const table = fc
  .tuple(
    fc.shuffledSubarray([...COLUMNS], { minLength: COLUMNS.length }).chain((all) =>
      fc.subarray(all.filter((column) => !REQUIRED.includes(column))).map((optional) => all.filter((column) => REQUIRED.includes(column) || optional.includes(column))),
    ),
    fc.array(fc.tuple(fc.nat(), fc.boolean(), fc.nat()), { maxLength: 14 }),
  )
  .chain(([columns, shapes]) =>
    fc.tuple(
      fc.constant(columns),
      fc.tuple(...shapes.map(() => fc.tuple(...columns.map((column) => fc.constantFrom(...VALUES[column]!))))),
      fc.constant(shapes),
    ),
  )
  .map(([columns, drawn, shapes]) => {
    const rows: string[][] = [];
    drawn.forEach((row, i) => {
      const [, sameTransaction, pickColumn] = shapes[i]!;
      const previous = rows[rows.length - 1];
      if (sameTransaction && previous !== undefined) {
        const changed = [...previous];
        const at = pickColumn % columns.length;
        changed[at] = row[at]!;
        rows.push(changed);
      } else {
        rows.push([...row]);
      }
    });
    return { columns, rows };
  });

/** The statement, or the issues that refused it. */
async function settle(text: string, format: SettlementFileFormat): Promise<unknown> {
  try {
    return await settleFiles(openSettlement(catalog, 'chamber-baiyikang', PERIOD), [{ stream: Readable.from([text]), format }]);
  } catch (error) {
    if (error instanceof DomainError) return { code: error.code, issues: error.issues };
    throw error;
  }
}

describe('transaction rows read from CSV', () => {
  it('settle as the same rows in NDJSON do (cells read by position as by name), good cells and bad, whatever the header', async () => {
    await fc.assert(
      fc.asyncProperty(table, fc.boolean(), async ({ columns, rows }, crlf) => {
        const csv = [columns.join(','), ...rows.map((row) => row.join(','))].join(crlf ? '\r\n' : '\n');
        // NDJSON rows are numbered by line: an empty first line numbers them as the CSV's, whose header is line 1; an empty cell is a missing key (but the one that tells the table)
        const ndjson = ['', ...rows.map((row) => JSON.stringify(Object.fromEntries(columns.map((column, i) => [column, row[i]]).filter(([column, value]) => value !== '' || column === 'transaction'))))].join('\n');
        expect(await settle(csv, 'csv')).toEqual(await settle(ndjson, 'ndjson'));
      }),
      { seed: SEED, numRuns: 300 },
    );
  });
});
