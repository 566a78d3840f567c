import type { AgreementVersion } from './agreement';
import { DomainError, type FieldIssue } from './errors';
import { listPriceFact } from './pricing-plan';
import type { QuoteInput } from './quote';

/** The facts a rule condition may name (see rules/schema/rule.schema.json). */
export type FactName =
  | 'channel'
  | 'date'
  | 'buyer.id'
  | 'buyer.member'
  | 'buyer.keyAccount'
  | 'line.sku'
  | 'line.category'
  | 'line.quantity'
  | 'line.listPrice'
  | 'order.totalQuantity'
  | 'order.lineCount'
  | 'period.volume';

/** Every fact name, in the order of the schema's enum. */
export const FACT_NAMES: readonly FactName[] = [
  'channel',
  'date',
  'buyer.id',
  'buyer.member',
  'buyer.keyAccount',
  'line.sku',
  'line.category',
  'line.quantity',
  'line.listPrice',
  'order.totalQuantity',
  'order.lineCount',
  'period.volume',
];

export type FactValue = string | number | boolean | null;
export type Facts = Readonly<Record<FactName, FactValue>>;

/** Facts whose values are numbers or decimal strings: only decimal operators compare them. */
export const DECIMAL_FACTS: ReadonlySet<FactName> = new Set<FactName>([
  'line.quantity',
  'line.listPrice',
  'order.totalQuantity',
  'order.lineCount',
  'period.volume',
]);

/**
 * Checks that the input names a channel and SKUs of the agreement version, collecting every
 * problem (not just the first) with the JSON pointer of the field.
 */
export function checkQuoteInput(version: AgreementVersion, input: QuoteInput): void {
  const issues: FieldIssue[] = [];
  if (!version.channels.has(input.channel)) {
    issues.push({
      pointer: '/channel',
      code: 'UNKNOWN_CHANNEL',
      detail: `channel ${JSON.stringify(input.channel)} is not one of ${[...version.channels.keys()].join(', ')}`,
    });
  }
  input.lines.forEach((line, i) => {
    if (!version.catalog.has(line.sku)) {
      issues.push({ pointer: `/lines/${i}/sku`, code: 'UNKNOWN_SKU', detail: `SKU ${JSON.stringify(line.sku)} is not in the catalog of ${version.agreement}` });
    }
  });
  if (issues.length > 0) {
    const code = issues.every((issue) => issue.code === 'UNKNOWN_SKU') ? 'UNKNOWN_SKU' : 'UNKNOWN_CHANNEL';
    throw new DomainError(code, issues.map((issue) => issue.detail).join('; '), issues);
  }
}

/** The facts of each line of a checked quote input, in line order. */
export function buildLineFacts(version: AgreementVersion, input: QuoteInput): Facts[] {
  let totalQuantity = 0;
  for (const line of input.lines) totalQuantity += line.quantity;
  return input.lines.map((line) => {
    const item = version.catalog.get(line.sku)!;
    return {
      channel: input.channel,
      date: input.date,
      'buyer.id': input.buyer.id,
      'buyer.member': input.buyer.member,
      'buyer.keyAccount': input.buyer.keyAccount,
      'line.sku': line.sku,
      'line.category': item.category,
      'line.quantity': line.quantity,
      'line.listPrice': listPriceFact(item),
      'order.totalQuantity': totalQuantity,
      'order.lineCount': input.lines.length,
      'period.volume': null,
    };
  });
}
