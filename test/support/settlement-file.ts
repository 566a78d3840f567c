import type { SettlementTransaction } from '../../src/domain/settlement';
import type { SettlementFileFormat } from '../../src/io/read-settlement-file';
import { TABLES, type TransactionColumns } from '../../src/io/settlement-rows';
import type { SettlementRequest } from '../../src/rules/calculate-settlement';

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

/** The request's transactions, external sales and claims as one settlement file (CSV tables or NDJSON records). */
export function settlementFileOf(request: SettlementRequest, columns: TransactionColumns, format: SettlementFileFormat): string {
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
