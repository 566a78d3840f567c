import { readFileSync } from 'node:fs';
import { parse as parseCsv } from 'csv-parse/sync';
import type { AgreementVersion } from '../domain/agreement';
import type { AttributeValue } from '../domain/quote';
import type { ApiContract } from '../http/api-contract';
import { transactionColumnsOf, type AttributeColumn } from '../io/settlement-rows';
import type { DiffOrderJson } from '../rules/diff-versions';

/**
 * The fixed columns of an orders CSV: one row per order line, rows of one order share its
 * `order` id. Beside them, a column per buyer or order attribute the agreement declares, named
 * as in a settlement file (the attribute's name, or `buyer.<name>` / `order.<name>`).
 */
export const ORDER_CSV_COLUMNS = ['order', 'channel', 'date', 'buyer', 'sku', 'quantity', 'coupon'] as const;

/** An orders file as read, before its agreement is known: JSON orders, or CSV rows by column. */
export type OrdersFile = { readonly kind: 'json'; readonly orders: readonly unknown[] } | { readonly kind: 'csv'; readonly rows: readonly Record<string, string>[] };

/**
 * Reads the orders of `rules diff`: a JSON file (an array of quote requests, each with an
 * optional `id`, or `{"orders": [...]}`) or a CSV file (`.csv`, see {@link ORDER_CSV_COLUMNS}).
 * Throws an Error when the file cannot be read as either.
 */
export function readOrdersFile(file: string): OrdersFile {
  const text = readFileSync(file, 'utf8').replace(/^\uFEFF/, '');
  if (!file.toLowerCase().endsWith('.csv')) return { kind: 'json', orders: ordersFromJson(text) };
  return { kind: 'csv', rows: parseCsv(text, { columns: true, skip_empty_lines: true, trim: true }) as Record<string, string>[] };
}

/** The agreements JSON orders name (a CSV names none: --agreement or the versions tell it). */
export function agreementsNamed(orders: OrdersFile): string[] {
  if (orders.kind === 'csv') return [];
  return orders.orders.flatMap((order) => {
    const agreement = (order as { agreement?: unknown } | null)?.agreement;
    return typeof agreement === 'string' ? [agreement] : [];
  });
}

/**
 * The orders, each checked against openapi.yaml's DiffOrder; CSV attribute columns read by
 * the declarations of `versions` (the two versions diffed: a column either declares is read).
 * Throws an Error naming each bad order or row.
 */
export function diffOrdersOf(read: OrdersFile, contract: ApiContract, versions: readonly AgreementVersion[]): DiffOrderJson[] {
  const orders = read.kind === 'json' ? read.orders : ordersFromCsv(read.rows, attributeColumnsOf(versions));
  const problems = orders.flatMap((order, i) => contract.validate('DiffOrder', order).map((issue) => `order ${(order as { id?: string }).id ?? `#${i + 1}`}${issue.pointer === '/' ? '' : ` ${issue.pointer}`}: ${issue.detail}`));
  if (orders.length === 0) problems.push('no orders');
  if (problems.length > 0) throw new Error(`${problems.slice(0, 20).join('; ')}${problems.length > 20 ? `; and ${problems.length - 20} more` : ''}`);
  return orders as DiffOrderJson[];
}

function ordersFromJson(text: string): unknown[] {
  const json = JSON.parse(text) as unknown;
  if (Array.isArray(json)) return json;
  if (json !== null && typeof json === 'object' && Array.isArray((json as { orders?: unknown }).orders)) return (json as { orders: unknown[] }).orders;
  throw new Error('the orders JSON must be an array of orders or {"orders": [...]}');
}

/** The attribute columns the versions declare, by every spelling a settlement file accepts (lower-cased). */
function attributeColumnsOf(versions: readonly AgreementVersion[]): Map<string, AttributeColumn> {
  const columns = new Map<string, AttributeColumn>();
  for (const version of versions) {
    const { byAlias, attributes } = transactionColumnsOf(version);
    for (const [alias, name] of byAlias) {
      const attribute = attributes.find((column) => column.column === name);
      if (attribute !== undefined) columns.set(alias, attribute);
    }
  }
  return columns;
}

interface CsvOrder {
  id: string;
  channel: string;
  date?: string;
  buyer: Record<string, AttributeValue>;
  attributes?: Record<string, AttributeValue>;
  coupon?: string;
  lines: { sku: string; quantity: unknown }[];
}

function ordersFromCsv(rows: readonly Record<string, string>[], attributes: ReadonlyMap<string, AttributeColumn>): unknown[] {
  const fixed: readonly string[] = ORDER_CSV_COLUMNS;
  const header = rows.length === 0 ? [] : Object.keys(rows[0]!);
  const unknown = header.filter((column) => !fixed.includes(column) && !attributes.has(column.toLowerCase()));
  if (unknown.length > 0) {
    const allowed = [...fixed, ...new Set([...attributes.values()].map((column) => column.column))];
    throw new Error(`unknown CSV column(s) ${unknown.join(', ')}; the columns are ${allowed.join(',')} (the attributes the agreement declares)`);
  }
  const orders = new Map<string, CsvOrder>();
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
    const order: CsvOrder = {
      id,
      channel: row['channel'] ?? '',
      ...(row['date'] === undefined || row['date'] === '' ? {} : { date: row['date'] }),
      buyer: { id: row['buyer'] ?? '' },
      ...(row['coupon'] === undefined || row['coupon'] === '' ? {} : { coupon: row['coupon'] }),
      lines: [line],
    };
    for (const column of header) {
      const attribute = attributes.get(column.toLowerCase());
      const cell = row[column] ?? '';
      if (attribute === undefined || (cell === '' && attribute.declaration.type !== 'boolean')) continue;
      const value = attribute.declaration.type === 'boolean' ? flag(cell, `${at} ${column}`) : cell;
      if (attribute.owner === 'buyer') order.buyer[attribute.name] = value;
      else (order.attributes ??= {})[attribute.name] = value;
    }
    orders.set(id, order);
  });
  return [...orders.values()];
}

function flag(value: string, at: string): boolean {
  const text = value.toLowerCase();
  if (['', 'false', 'no', '0'].includes(text)) return false;
  if (['true', 'yes', '1'].includes(text)) return true;
  throw new Error(`${at}: ${JSON.stringify(value)} is not true/false`);
}
