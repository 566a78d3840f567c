import type { FieldIssue } from './errors';
import type { AttributeValue, Buyer } from './quote';
import type { StatementFigure } from './statement-figures';

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
  /** The order attributes the agreement declares (e.g. the affiliate that brought the order). */
  readonly attributes?: Readonly<Record<string, AttributeValue>>;
  /** The order's coupon code, if any. */
  readonly coupon?: string | null;
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

/**
 * The other party's figures, each reconciled with the computed one: any figure the statement
 * declares (agreement.json `statement`, e.g. supplyPayable, chamberPaysSupplier), or its
 * commission and compensation totals, by id; and the final rebate per buyer.
 */
export interface ClaimedFigures {
  readonly [figure: string]: string | Readonly<Record<string, string>> | undefined;
  /** Final rebate per key-account buyer id. */
  readonly rebates?: Readonly<Record<string, string>>;
}

/** The amount of a declared figure of a statement (undefined when it declares none by that id). */
export function figureAmount(statement: Pick<SettlementStatement, 'figures'>, id: string): string | undefined {
  return statement.figures.find((figure) => figure.id === id)?.amount;
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
  /** `buyer/<name>`, `attributes/<name>`: a declared buyer or order attribute; `coupon`: the order's coupon code. */
  field(name: 'id' | 'date' | 'channel' | 'buyer' | 'returnOf' | 'coupon' | `buyer/${string}` | `attributes/${string}` | ''): string;
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

/**
 * A volume rebate over a programme period longer than the statement (a quarter, a year): the
 * volume to date, the tier it reaches, and the rebate, paid on the statement that closes it.
 */
export interface ProgrammeLine {
  readonly ruleId: string;
  readonly period: SettlementPeriod;
  readonly volumeToDate: string;
  readonly tier: { readonly from: string; readonly to?: string; readonly rate: string };
  /** True when this statement's period ends the programme period: the rebate is paid now. */
  readonly closes: boolean;
  readonly rebate: string;
}

/** A return's commission taken back (clawback term), or not when the return came too late. */
export interface ClawbackLine {
  readonly transaction: string;
  readonly returnOf: string;
  /** The value of the statement's `per` attribute (the affiliate), when it has one. */
  readonly group?: string;
  readonly sku: string;
  readonly quantity: number;
  readonly amount: string;
  readonly daysAfterSale: number;
  readonly rate: string;
  readonly clawback: string;
}

/** The declared figures once per value of the statement's `per` attribute (each affiliate). */
export interface StatementGroups {
  /** The statement's name for the rows (e.g. affiliates) and for their key (e.g. affiliate). */
  readonly section: string;
  readonly key: string;
  readonly rows: readonly { readonly key: string; readonly figures: readonly StatementFigure[] }[];
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
  /** The parties of the agreement under their roles, as the figures' payer and payee name them. */
  readonly parties: Readonly<Record<string, { readonly id: string; readonly name: { readonly zh: string; readonly en: string } }>>;
  /** Σ line amounts per channel, returns subtracted, in the agreement's channel order. */
  readonly volume: Readonly<Record<string, string>>;
  /** Σ commissions of the period, returns subtracted (clawed back) unless a clawback term shows them apart. */
  readonly commission: string;
  readonly rebates: readonly RebateLine[];
  readonly priceGuarantee: readonly PriceGuaranteeLine[];
  readonly compensation: string;
  readonly giftsValue: string;
  readonly discrepancies: readonly Discrepancy[];
  /** The figures the agreement declares (agreement.json `statement`), its net last. */
  readonly figures: readonly StatementFigure[];
  /** The same figures per value of the statement's `per` attribute, when it declares one. */
  readonly groups?: StatementGroups;
  readonly programmes?: readonly ProgrammeLine[];
  readonly clawbacks?: readonly ClawbackLine[];
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

/** Members of the statement that a declared figure's id does not replace at the top level. */
const STRUCTURAL_MEMBERS: ReadonlySet<string> = new Set([
  'agreement', 'period', 'rulesetVersion', 'effectiveFrom', 'currency', 'parties', 'volume', 'rebates', 'priceGuarantee',
  'discrepancies', 'figures', 'groups', 'programmes', 'clawbacks', 'reconciliation', 'counts', 'totals',
]);

/**
 * The statement as the API answers it: every member of the statement, and each declared figure
 * once more under its own id at the top level (`"chamberPaysSupplier": "-1428.86"`, unless the
 * id names a structural member such as `volume`); a split statement's rows under the section
 * name it declares (`"affiliates": [{"affiliate": "AFF-001", "volume": …, "payable": …}]`) with
 * their `totals`.
 */
export function wireStatement<S extends Omit<SettlementStatement, 'discrepancies'>>(statement: S): Record<string, unknown> {
  const wire: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(statement)) {
    if (name === 'groups') continue;
    if (name === 'commission') {
      // the declared figures come right after the volumes, before the built-in totals
      for (const figure of statement.figures) if (!STRUCTURAL_MEMBERS.has(figure.id)) wire[figure.id] = figure.amount;
    }
    if (!(name in wire)) wire[name] = value;
  }
  const groups = statement.groups;
  if (groups !== undefined && statement.clawbacks !== undefined) {
    // a clawback names its group by the statement's key (the affiliate)
    wire['clawbacks'] = statement.clawbacks.map(({ transaction, returnOf, group, ...line }) => ({ transaction, returnOf, [groups.key]: group ?? '', ...line }));
  }
  if (groups !== undefined) {
    wire[groups.section] = groups.rows.map((row) => ({ [groups.key]: row.key, ...Object.fromEntries(row.figures.map((figure) => [figure.id, figure.amount])) }));
    wire['totals'] = Object.fromEntries(statement.figures.map((figure) => [figure.id, figure.amount]));
  }
  return wire;
}
