import type { AgreementVersion } from '../agreement';
import { isIsoDate } from '../iso-date';
import { declaredInputIssues } from '../line-facts';
import { isUnitPriceText } from '../money';
import type { Registered } from '../settlement-spill';
import type { ExternalSale, RecordLocator, SettlementIssue, SettlementPeriod, SettlementTransaction, TransactionLocator } from '../settlement';

/** Why a unit price is refused (see {@link isUnitPriceText}: every product with a quantity stays exact). */
const UNIT_PRICE_RULE = 'is not a decimal ≥ 0 with at most 12 digits before the point and 8 after';

/** Every problem with a period: real days, `from` on or before `to`. */
export function checkSettlementPeriod(period: SettlementPeriod): SettlementIssue[] {
  const issues: SettlementIssue[] = [];
  for (const key of ['from', 'to'] as const) {
    if (!isIsoDate(period[key])) issues.push({ pointer: `/period/${key}`, code: 'INVALID_DATE', detail: `${JSON.stringify(period[key])} is not a day (yyyy-mm-dd)` });
  }
  if (issues.length === 0 && period.from > period.to) issues.push({ pointer: '/period', code: 'INVALID_PERIOD', detail: `the period starts (${period.from}) after it ends (${period.to})` });
  return issues;
}

/**
 * The problems of a transaction that need no other transaction: its day in the period, its
 * channel, SKUs, attributes and coupon in the agreement, the signs of its quantities, its
 * invoiced unit prices.
 * `partial`: the transaction was refused for unreadable cells, given as '' or NaN, which are
 * not checked again.
 */
export function checkTransaction(version: AgreementVersion, period: SettlementPeriod, tx: SettlementTransaction, at: TransactionLocator, partial: boolean): SettlementIssue[] {
  const found: SettlementIssue[] = [];
  const problem = transactionProblem(found, tx, at);
  if (partial && unreadable(tx.date)) {
    // reported where it was read
  } else if (!isIsoDate(tx.date)) problem(at.field('date'), 'INVALID_DATE', `date ${JSON.stringify(tx.date)} is not a day (yyyy-mm-dd)`);
  else if (tx.date < period.from || tx.date > period.to) problem(at.field('date'), 'OUTSIDE_PERIOD', `dated ${tx.date}, outside the period ${period.from} … ${period.to}`);
  if (!(partial && unreadable(tx.channel)) && !version.channels.has(tx.channel)) problem(at.field('channel'), 'UNKNOWN_CHANNEL', `channel ${JSON.stringify(tx.channel)} is not one of ${[...version.channels.keys()].join(', ')}`);
  // attributes and coupon as a quote's: declared, of the declared type ('/buyer/<name>' → field 'buyer/<name>')
  for (const issue of declaredInputIssues(version, tx)) problem(at.field(issue.pointer.slice(1) as 'coupon'), issue.code!, issue.detail);
  if (tx.returnOf === tx.id) problem(at.field('returnOf'), 'RETURN_OF_ITSELF', 'a transaction cannot return itself');
  if (tx.lines.length === 0) problem(at.field(''), 'NO_LINES', 'has no lines');
  const isReturn = tx.returnOf !== undefined;
  tx.lines.forEach((line, j) => {
    if (!(partial && unreadable(line.sku)) && !version.catalog.has(line.sku)) problem(at.lineField(j, 'sku'), 'UNKNOWN_SKU', `SKU ${JSON.stringify(line.sku)} is not in the catalog of ${version.agreement}`);
    if (partial && unreadable(line.quantity)) {
      // reported where it was read
    } else if (!Number.isSafeInteger(line.quantity) || line.quantity === 0) {
      problem(at.lineField(j, 'quantity'), 'INVALID_QUANTITY', `quantity ${String(line.quantity)} of ${line.sku} must be a whole number of units, not 0`);
    } else if (isReturn && line.quantity > 0) {
      problem(at.lineField(j, 'quantity'), 'RETURN_QUANTITY_POSITIVE', `returns ${tx.returnOf}, so quantity ${line.quantity} of ${line.sku} must be negative`);
    } else if (!isReturn && line.quantity < 0) {
      problem(at.lineField(j, 'quantity'), 'NEGATIVE_QUANTITY', `quantity ${line.quantity} of ${line.sku} is negative but the transaction names no returnOf (negative quantities only in returns)`);
    }
    if (line.unitPrice !== undefined && !isUnitPriceText(line.unitPrice)) {
      problem(at.lineField(j, 'unitPrice'), 'INVALID_UNIT_PRICE', `invoiced unit price ${JSON.stringify(line.unitPrice)} of ${line.sku} ${UNIT_PRICE_RULE}`);
    }
  });
  return found;
}

/**
 * The problems of a sale before the period (see SettlementAccumulator.addPrior): those of
 * {@link checkTransaction} but its day, then a day not before the period, a return, an id
 * already given.
 */
export function checkPriorSale(version: AgreementVersion, period: SettlementPeriod, tx: SettlementTransaction, at: TransactionLocator, idSeen: boolean): SettlementIssue[] {
  const found = checkTransaction(version, period, tx, at, false).filter((issue) => issue.code !== 'OUTSIDE_PERIOD');
  const problem = (code: string, detail: string): void => {
    found.push({ pointer: at.field(code === 'PRIOR_RETURN' ? 'returnOf' : 'date'), code, detail: `transaction ${tx.id}: ${detail}`, transaction: tx.id, ...sourceOf(at) });
  };
  if (isIsoDate(tx.date) && tx.date >= period.from) problem('PRIOR_NOT_BEFORE_PERIOD', `a prior transaction must be dated before the period (${period.from}), not ${tx.date}`);
  if (tx.returnOf !== undefined) problem('PRIOR_RETURN', 'a prior transaction is a sale; give its returns netted in its lines');
  if (idSeen) problem('DUPLICATE_TRANSACTION', `id ${tx.id} is given twice`);
  return found;
}

/**
 * The problems of a return against what its original id registered: an unknown, returned or
 * refused original; a channel, buyer or day that does not fit the sale; SKUs it did not sell;
 * more units than are left to return. A `refused` return is checked on the fields it could
 * read ('' and NaN were not, nor its quantities). Throws when the original is a sale not yet
 * booked (a caller's error).
 */
export function checkReturn(tx: SettlementTransaction, at: TransactionLocator, original: Registered | undefined, refused: boolean): SettlementIssue[] {
  const returned = tx.returnOf!;
  const problems: SettlementIssue[] = [];
  const problem = transactionProblem(problems, tx, at);
  if (original === undefined) {
    problem(at.field('returnOf'), 'UNKNOWN_ORIGINAL', `returnOf ${JSON.stringify(returned)} names no transaction in the input`);
  } else if (original === 'return') {
    problem(at.field('returnOf'), 'RETURN_OF_RETURN', `returnOf ${JSON.stringify(returned)} names a return, not a sale`);
  } else if (original === 'refused') {
    problem(at.field('returnOf'), 'ORIGINAL_REFUSED', `returns ${returned}, which was refused (see its own issues)`);
  } else if (original === 'pending') {
    throw new Error(`sale ${returned} was not booked before the next transaction was added`);
  } else {
    // a refused return's unreadable fields ('' and NaN) and positive quantities were reported with it
    const unread = (value: string): boolean => refused && unreadable(value);
    if (!unread(tx.channel) && original.channel !== tx.channel) problem(at.field('channel'), 'RETURN_MISMATCH', `channel ${tx.channel} differs from ${original.channel} of the returned sale ${returned}`);
    if (!unread(tx.buyer.id) && original.buyerId !== tx.buyer.id) problem(at.field('buyer'), 'RETURN_MISMATCH', `buyer ${tx.buyer.id} differs from ${original.buyerId} of the returned sale ${returned}`);
    if (!unread(tx.date) && tx.date < original.date) problem(at.field('date'), 'RETURN_BEFORE_SALE', `dated ${tx.date}, before the sale ${returned} it returns (${original.date})`);
    const left = new Map<string, number>();
    for (const line of original.lines()) left.set(line.sku, (left.get(line.sku) ?? 0) + line.remaining);
    tx.lines.forEach((line, j) => {
      if (unread(line.sku)) return;
      const available = left.get(line.sku);
      if (available === undefined) {
        problem(at.lineField(j, 'sku'), 'RETURN_SKU_NOT_SOLD', `returns ${line.sku}, which the sale ${returned} does not contain`);
      } else if (refused && !(Number.isSafeInteger(line.quantity) && line.quantity < 0)) {
        // its quantity was reported with it
      } else if (-line.quantity > available) {
        problem(at.lineField(j, 'quantity'), 'RETURN_EXCEEDS_SALE', `returns ${-line.quantity} × ${line.sku} but only ${available} of the sale ${returned} are left to return`);
      } else {
        left.set(line.sku, available + line.quantity);
      }
    });
  }
  return problems;
}

/** The problems of an external sale; a `refused` one's unreadable cells ('' or NaN) were reported where they were read. */
export function checkExternalSale(version: AgreementVersion, period: SettlementPeriod, sale: ExternalSale, at: RecordLocator, refused: boolean): SettlementIssue[] {
  const found: SettlementIssue[] = [];
  const problem = (field: string, code: string, detail: string): void => {
    const value: unknown = sale[field as keyof ExternalSale];
    if (!refused || (value !== '' && !Number.isNaN(value))) found.push({ pointer: at.field(field), code, detail: `external sale to ${sale.institution}: ${detail}`, ...sourceOf(at) });
  };
  if (!isIsoDate(sale.date)) problem('date', 'INVALID_DATE', `date ${JSON.stringify(sale.date)} is not a day (yyyy-mm-dd)`);
  else if (sale.date < period.from || sale.date > period.to) problem('date', 'OUTSIDE_PERIOD', `dated ${sale.date}, outside the period ${period.from} … ${period.to}`);
  if (!version.catalog.has(sale.sku)) problem('sku', 'UNKNOWN_SKU', `SKU ${JSON.stringify(sale.sku)} is not in the catalog of ${version.agreement}`);
  if (!Number.isSafeInteger(sale.quantity) || sale.quantity <= 0) problem('quantity', 'INVALID_QUANTITY', `quantity ${String(sale.quantity)} must be a whole number of units ≥ 1`);
  if (!isUnitPriceText(sale.unitPrice)) problem('unitPrice', 'INVALID_UNIT_PRICE', `unit price ${JSON.stringify(sale.unitPrice)} ${UNIT_PRICE_RULE}`);
  return found;
}

/** A second transaction with an id already seen. */
export function duplicateIssue(id: string, pointer: string, source: string | undefined): SettlementIssue {
  return { pointer, code: 'DUPLICATE_TRANSACTION', detail: `transaction ${id} appears more than once (ids are unique; the rows of one transaction must be adjacent)`, transaction: id, ...(source === undefined ? {} : { source }) };
}

/** A return naming another transaction (a return of itself has no original to check, nor one whose returnOf could not be read). */
export function returnsAnother(tx: SettlementTransaction): boolean {
  return tx.returnOf !== undefined && tx.returnOf !== '' && tx.returnOf !== tx.id;
}

/** The source to copy onto an issue, when the input was read from several files. */
export function sourceOf(at: { readonly source?: string }): { source?: string } {
  return at.source === undefined ? {} : { source: at.source };
}

/** A value a refused transaction could not read: '' for a text, NaN for a quantity (see SettlementAccumulator.refuse). */
function unreadable(value: string | number): boolean {
  return value === '' || Number.isNaN(value);
}

/** Adds to `found` an issue of transaction `tx`, its detail prefixed with the transaction. */
function transactionProblem(found: SettlementIssue[], tx: SettlementTransaction, at: TransactionLocator): (pointer: string, code: string, detail: string) => void {
  return (pointer, code, detail) => {
    found.push({ pointer, code, detail: `transaction ${tx.id}: ${detail}`, transaction: tx.id, ...sourceOf(at) });
  };
}
