import { readFileSync } from 'node:fs';
import { parse as parseCsv } from 'csv-parse/sync';
import type { ApiContract } from '../http/api-contract';
import type { DiffOrderJson } from '../rules/diff-versions';

/** The columns of an orders CSV: one row per order line, rows of one order share its `order` id. */
export const ORDER_CSV_COLUMNS = ['order', 'channel', 'date', 'buyer', 'member', 'keyAccount', 'sku', 'quantity'] as const;

/**
 * Reads the orders of `rules diff`: a JSON file (an array of quote requests, each with an
 * optional `id`, or `{"orders": [...]}`) or a CSV file (`.csv`, columns
 * {@link ORDER_CSV_COLUMNS}; `date`, `member` and `keyAccount` may be empty). Every order is
 * checked against openapi.yaml's DiffOrder. Throws an Error naming each bad order or row.
 */
export function readOrdersFile(file: string, contract: ApiContract): DiffOrderJson[] {
  const text = readFileSync(file, 'utf8').replace(/^\uFEFF/, '');
  const orders = file.toLowerCase().endsWith('.csv') ? ordersFromCsv(text) : ordersFromJson(text);
  const problems = orders.flatMap((order, i) => contract.validate('DiffOrder', order).map((issue) => `order ${(order as { id?: string }).id ?? `#${i + 1}`}${issue.pointer === '/' ? '' : ` ${issue.pointer}`}: ${issue.detail}`));
  if (orders.length === 0) problems.push('no orders');
  if (problems.length > 0) throw new Error(`${file}: ${problems.slice(0, 20).join('; ')}${problems.length > 20 ? `; and ${problems.length - 20} more` : ''}`);
  return orders as DiffOrderJson[];
}

function ordersFromJson(text: string): unknown[] {
  const json = JSON.parse(text) as unknown;
  if (Array.isArray(json)) return json;
  if (json !== null && typeof json === 'object' && Array.isArray((json as { orders?: unknown }).orders)) return (json as { orders: unknown[] }).orders;
  throw new Error('the orders JSON must be an array of orders or {"orders": [...]}');
}

function ordersFromCsv(text: string): unknown[] {
  const rows = parseCsv(text, { columns: true, skip_empty_lines: true, trim: true }) as Record<string, string>[];
  const unknown = rows.length === 0 ? [] : Object.keys(rows[0]!).filter((column) => !(ORDER_CSV_COLUMNS as readonly string[]).includes(column));
  if (unknown.length > 0) throw new Error(`unknown CSV column(s) ${unknown.join(', ')}; the columns are ${ORDER_CSV_COLUMNS.join(',')}`);
  const orders = new Map<string, { id: string; channel: string; date?: string; buyer: Record<string, unknown>; lines: { sku: string; quantity: unknown }[] }>();
  rows.forEach((row, i) => {
    const at = `CSV row ${i + 2}`;
    const id = row['order'] ?? '';
    if (id === '') throw new Error(`${at}: the order column is empty`);
    const quantity = /^-?\d+$/.test(row['quantity'] ?? '') ? Number(row['quantity']) : row['quantity'];
    const line = { sku: row['sku'] ?? '', quantity };
    const known = orders.get(id);
    if (known !== undefined) {
      if (known.channel !== row['channel'] || (known.date ?? '') !== (row['date'] ?? '') || known.buyer['id'] !== row['buyer']) throw new Error(`${at}: order ${id} changes its channel, date or buyer between rows`);
      known.lines.push(line);
      return;
    }
    orders.set(id, {
      id,
      channel: row['channel'] ?? '',
      ...(row['date'] === undefined || row['date'] === '' ? {} : { date: row['date'] }),
      buyer: { id: row['buyer'] ?? '', member: flag(row['member'], `${at} member`), keyAccount: flag(row['keyAccount'], `${at} keyAccount`) },
      lines: [line],
    });
  });
  return [...orders.values()];
}

function flag(value: string | undefined, at: string): boolean {
  const text = (value ?? '').toLowerCase();
  if (['', 'false', 'no', '0'].includes(text)) return false;
  if (['true', 'yes', '1'].includes(text)) return true;
  throw new Error(`${at}: ${JSON.stringify(value)} is not true/false`);
}
