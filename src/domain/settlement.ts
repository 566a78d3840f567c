import type { FieldIssue } from './errors';
import type { Buyer } from './quote';

/** The days a settlement covers, both inclusive (ISO yyyy-mm-dd). */
export interface SettlementPeriod {
  readonly from: string;
  readonly to: string;
}

export interface SettlementLineInput {
  readonly sku: string;
  /** Whole units: positive in a sale, negative in a return, never 0. */
  readonly quantity: number;
  /** The unit price on the invoice, when known: it only feeds the discrepancy list. */
  readonly unitPrice?: string;
}

/** One transaction of the period: a sale, or a return of an earlier sale (`returnOf`). */
export interface SettlementTransaction {
  readonly id: string;
  readonly date: string;
  readonly channel: string;
  readonly buyer: Buyer;
  /** The id of the transaction this one returns (its lines then have negative quantities). */
  readonly returnOf?: string;
  readonly lines: readonly SettlementLineInput[];
}

/** A sale the supplier reports to an institution other than the chamber (term 7b). */
export interface ExternalSale {
  readonly institution: string;
  readonly sku: string;
  readonly date: string;
  readonly quantity: number;
  readonly unitPrice: string;
}

/** The other party's figures, each reconciled with the computed one. */
export interface ClaimedFigures {
  readonly supplyPayable?: string;
  readonly commission?: string;
  readonly compensation?: string;
  readonly chamberPaysSupplier?: string;
  /** Final rebate per key-account buyer id. */
  readonly rebates?: Readonly<Record<string, string>>;
}

/** A settlement input problem, located by pointer and naming the transaction it belongs to. */
export interface SettlementIssue extends FieldIssue {
  readonly transaction?: string;
  /** The file, when the input was read from several. */
  readonly source?: string;
}

/**
 * Where a transaction sits in its source, so an issue can point at the field at fault: a
 * JSON pointer into a request body (`/transactions/3/lines/1/quantity`) or a row of a file
 * (`/rows/12/quantity`).
 */
export interface TransactionLocator {
  /** The file, when the input is read from several: copied onto the issues. */
  readonly source?: string;
  field(name: 'id' | 'date' | 'channel' | 'buyer' | 'returnOf' | ''): string;
  lineField(index: number, name: 'sku' | 'quantity' | 'unitPrice' | ''): string;
}

/** Where an external sale sits in its source. */
export interface RecordLocator {
  readonly source?: string;
  field(name: string): string;
}

/** One key-account buyer's rebate: accrued during the period, re-set by the period volume. */
export interface RebateLine {
  readonly buyer: string;
  readonly volume: string;
  readonly accrued: string;
  readonly rate: string;
  readonly final: string;
  readonly trueUp: string;
  readonly ruleId: string;
}

/** A SKU another institution bought below the guaranteed factor. */
export interface PriceGuaranteeLine {
  readonly sku: string;
  /** Lowest external unit price ÷ list price, truncated to 4 decimals (display only). */
  readonly lowestFactor: string;
  readonly lowestUnitPrice: string;
  readonly institution: string;
  readonly breach: true;
  readonly compensation: string;
}

/** A line whose invoiced amount differs from the amount the agreement gives. */
export interface Discrepancy {
  readonly transaction: string;
  readonly sku: string;
  readonly quantity: number;
  readonly invoicedUnitPrice: string;
  readonly agreedUnitPrice: string;
  readonly invoicedAmount: string;
  readonly agreedAmount: string;
  /** invoicedAmount − agreedAmount. */
  readonly difference: string;
}

/** A claimed figure beside the computed one; difference = claimed − computed. */
export interface ReconciliationLine {
  readonly figure: string;
  readonly claimed: string;
  readonly computed: string;
  readonly difference: string;
}

/** How much input the statement was computed from: nothing is dropped silently. */
export interface SettlementCounts {
  readonly transactions: number;
  readonly returns: number;
  readonly lines: number;
  readonly externalSales: number;
}

/** The settlement statement of one period; every total is the sum of the rounded figures under it. */
export interface SettlementStatement {
  readonly agreement: string;
  readonly period: SettlementPeriod;
  readonly rulesetVersion: string;
  readonly effectiveFrom: string;
  readonly currency: string;
  /** Σ line amounts per channel, returns subtracted, in the agreement's channel order. */
  readonly volume: Readonly<Record<string, string>>;
  readonly supplyPayable: string;
  readonly commission: string;
  readonly rebates: readonly RebateLine[];
  readonly priceGuarantee: readonly PriceGuaranteeLine[];
  readonly compensation: string;
  readonly giftsValue: string;
  readonly discrepancies: readonly Discrepancy[];
  /** supplyPayable − commission − compensation; negative when the supplier pays the chamber. */
  readonly chamberPaysSupplier: string;
  readonly reconciliation?: readonly ReconciliationLine[];
  readonly counts: SettlementCounts;
}

/**
 * The discrepancies of a statement, read one at a time from where they are kept (memory, or
 * the spill files past `SettlementOptions.discrepanciesInMemory`) in the order the
 * statement lists them, so a statement with millions of them is written without holding them.
 */
export interface DiscrepancyList extends Iterable<Discrepancy> {
  readonly length: number;
  /** Frees where they are kept (removes the spill files); the list is not read again. Safe to call twice. */
  close(): void;
}

/** A statement whose discrepancies are read as it is written: close its list once written (or not). */
export interface StreamedStatement extends Omit<SettlementStatement, 'discrepancies'> {
  readonly discrepancies: DiscrepancyList;
}

/** A statement of the few discrepancies an array holds, as a {@link StreamedStatement}. */
export function streamedStatement(statement: SettlementStatement): StreamedStatement {
  const list = statement.discrepancies;
  const discrepancies: DiscrepancyList = { length: list.length, [Symbol.iterator]: () => list[Symbol.iterator](), close: () => undefined };
  return { ...statement, discrepancies };
}

/** The statement with its discrepancies read into an array (then closed): for inputs whose discrepancies fit in memory. */
export function collectStatement(statement: StreamedStatement): SettlementStatement {
  try {
    return { ...statement, discrepancies: [...statement.discrepancies] };
  } finally {
    statement.discrepancies.close();
  }
}
