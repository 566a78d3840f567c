import { Readable } from 'node:stream';
import { DomainError } from '../../src/domain/errors';
import { wireStatement, type SettlementTransaction } from '../../src/domain/settlement';
import { settleFiles, type SettlementFileFormat } from '../../src/io/read-settlement-file';
import { TABLES, transactionColumnsOf, type TransactionColumns } from '../../src/io/settlement-rows';
import { calculateSettlement, openSettlement, type SettlementRequest } from '../../src/rules/calculate-settlement';
import { listGoldenCases } from '../../src/rules/golden-cases';
import { RuleCatalog } from '../../src/rules/rule-catalog';
import { RULES_DIR } from '../support/test-app';

/**
 * Every settlement golden case of the bundled rules (whatever agreements they hold), written
 * as a CSV file and as an NDJSON file — its transactions with the buyer and order attributes
 * and the coupon their agreement declares, its external sales, its claims — settles to the
 * statement the JSON request gives, byte for byte. Prior transactions (which a file does not
 * carry) are handed to the settlement first, as the ledger does.
 */
const catalog = RuleCatalog.load(RULES_DIR);
const cases = listGoldenCases(RULES_DIR).filter((found) => found.goldenCase.kind === 'settlement' && found.goldenCase.expect !== undefined);

/** The cells of a transaction's rows: one row per line, the transaction's columns repeated. */
function transactionRows(tx: SettlementTransaction, columns: TransactionColumns): Record<string, string>[] {
  return tx.lines.map((line) => {
    const cells: Record<string, string> = { transaction: tx.id, date: tx.date, channel: tx.channel, buyer: tx.buyer.id, sku: line.sku, quantity: String(line.quantity) };
    if (tx.returnOf !== undefined) cells['returnOf'] = tx.returnOf;
    if (line.unitPrice !== undefined) cells['unitPrice'] = line.unitPrice;
    if (typeof tx.coupon === 'string') cells['coupon'] = tx.coupon;
    for (const attribute of columns.attributes) {
      const value = attribute.owner === 'buyer' ? tx.buyer[attribute.name] : tx.attributes?.[attribute.name];
      if (value !== undefined && value !== null) cells[attribute.column] = String(value);
    }
    return cells;
  });
}

function csvCell(value: string): string {
  return /[",\r\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

function csvTable(columns: readonly string[], rows: readonly Record<string, string>[]): string[] {
  return [columns.join(','), ...rows.map((row) => columns.map((column) => csvCell(row[column] ?? '')).join(','))];
}

/** The request's transactions, external sales and claims as one file. */
function fileOf(request: SettlementRequest, columns: TransactionColumns, format: SettlementFileFormat): string {
  const transactions = request.transactions.flatMap((tx) => transactionRows(tx, columns));
  const external = (request.externalSales ?? []).map((sale) => ({ institution: sale.institution, sku: sale.sku, date: sale.date, quantity: String(sale.quantity), unitPrice: sale.unitPrice }));
  const claims: Record<string, string>[] = [];
  for (const [figure, value] of Object.entries(request.claimed ?? {})) {
    if (typeof value === 'string') claims.push({ figure, claimed: value });
    else for (const [buyer, amount] of Object.entries(value ?? {})) claims.push({ figure: `${figure}/${buyer}`, claimed: amount });
  }
  if (format === 'ndjson') return [...transactions, ...external, ...claims].map((row) => JSON.stringify(row)).join('\n');
  return [
    ...csvTable(columns.names, transactions),
    ...(external.length === 0 ? [] : ['', ...csvTable(TABLES.externalSales.columns, external)]),
    ...(claims.length === 0 ? [] : ['', ...csvTable(TABLES.claims.columns, claims)]),
  ].join('\r\n');
}

async function settledFromFile(request: SettlementRequest, format: SettlementFileFormat): Promise<unknown> {
  const settlement = openSettlement(catalog, request.agreement, request.period);
  const prior = request.priorTransactions ?? [];
  for (let i = 0; i < prior.length; i++) {
    await settlement.addPrior(prior[i]!, { field: (name) => `/priorTransactions/${i}/${name}`, lineField: (line, name) => `/priorTransactions/${i}/lines/${line}/${name}` });
  }
  const text = fileOf(request, transactionColumnsOf(settlement.version), format);
  try {
    return wireStatement(await settleFiles(settlement, [{ stream: Readable.from([text]), format }]));
  } catch (error) {
    if (error instanceof DomainError) return { code: error.code, issues: error.issues };
    throw error;
  }
}

describe('a settlement golden case written as a file', () => {
  it('finds settlement cases in the bundled rules', () => {
    expect(cases.length).toBeGreaterThan(0);
  });

  it.each(cases.map((found) => [found.file, found.goldenCase.request as SettlementRequest] as const))('%s: CSV and NDJSON settle as the JSON request', async (_file, request) => {
    const expected = JSON.stringify(wireStatement(await calculateSettlement(catalog, request)));
    expect(JSON.stringify(await settledFromFile(request, 'csv'))).toBe(expected);
    expect(JSON.stringify(await settledFromFile(request, 'ndjson'))).toBe(expected);
  });
});
