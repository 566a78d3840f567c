import type { AgreementVersion } from '../domain/agreement';
import { DomainError, type FieldIssue } from '../domain/errors';
import { checkSettlementPeriod, createSettlementAccumulator, type PendingSale, type SettlementOptions } from '../domain/settle-period';
import type {
  ClaimedFigures,
  ExternalSale,
  RecordLocator,
  SettlementIssue,
  SettlementPeriod,
  SettlementStatement,
  SettlementTransaction,
  StreamedStatement,
  TransactionLocator,
} from '../domain/settlement';
import { collectStatement } from '../domain/settlement';
import type { AttributeValue } from '../domain/quote';
import { FiredRulesCache } from './fired-rules-cache';
import { timeSlicer } from './time-slicer';
import type { RuleCatalog, RuleSet } from './rule-catalog';

/** The JSON body of POST /v1/settlements (openapi.yaml's SettlementRequest). */
export interface SettlementRequest {
  readonly agreement: string;
  readonly period: SettlementPeriod;
  readonly transactions: readonly SettlementTransaction[];
  /** Sales before the period: originals of the period's returns, and volume to date of programmes (a quarter's rebate). */
  readonly priorTransactions?: readonly SettlementTransaction[];
  readonly externalSales?: readonly ExternalSale[];
  readonly claimed?: ClaimedFigures;
}

/** A settlement being fed: transactions in, then external sales, then the statement. */
export interface Settlement {
  readonly version: AgreementVersion;
  /**
   * Checks, prices (rules evaluated as for a quote) and books one transaction; a promise
   * only when an asynchronous rule evaluator has to be awaited (await it before the next).
   */
  add(transaction: SettlementTransaction, at: TransactionLocator): Promise<void> | undefined;
  /** A sale before the period (see SettlementAccumulator.addPrior): add them first. */
  addPrior(transaction: SettlementTransaction, at: TransactionLocator): Promise<void> | undefined;
  /** Checks and books an external sale; a `refused` one (see SettlementAccumulator.addExternalSale) is only checked. */
  addExternalSale(sale: ExternalSale, at: RecordLocator, refused?: boolean): void;
  /** Checks what can be read of a transaction refused for unreadable cells (see SettlementAccumulator.refuse). */
  refuse(transaction: SettlementTransaction, at: TransactionLocator): void;
  /** Records problems found while reading the input, reported with all the others (see SettlementAccumulator.reject). */
  reject(issues: readonly SettlementIssue[], transactionId?: string): void;
  /**
   * The statement, or DomainError INVALID_SETTLEMENT listing every issue. A settlement that
   * spilled matches its returns partition by partition first, handing the event loop back
   * every few milliseconds (over 5M lines that matching takes ≈ 1.5 s).
   */
  finish(claimed?: ClaimedFigures): Promise<SettlementStatement>;
  /** {@link finish}, the discrepancies read back as the statement is written (close them once written): flat memory however many. */
  finishStreamed(claimed?: ClaimedFigures): Promise<StreamedStatement>;
  /** Gives up on an input that failed while read: removes the spill files, if any. */
  abort(): void;
}

/**
 * How a settlement is held: the accumulator's options, among them where it spills
 * (`openSpill`, passed in by the caller — src/io/spill-files.ts for files — so the rules layer
 * imports no io); without it nothing spills and memory grows with the input.
 */
export type OpenSettlementOptions = SettlementOptions;

/**
 * Opens the settlement of a period under the agreement version in force for all of it.
 * Throws INVALID_SETTLEMENT when the period is not a valid range or spans two versions
 * (settle each part on its own), NO_RULESET_IN_FORCE before the first version.
 */
export function openSettlement(catalog: RuleCatalog, agreement: string, period: SettlementPeriod, options: OpenSettlementOptions = {}): Settlement {
  const periodIssues = checkSettlementPeriod(period);
  if (periodIssues.length > 0) throw new DomainError('INVALID_SETTLEMENT', periodIssues.map((issue) => issue.detail).join('; '), periodIssues);
  const first = versionOn(catalog, agreement, period.from, '/period/from');
  const last = versionOn(catalog, agreement, period.to, '/period/to');
  if (first !== last) {
    const detail = `the period spans two versions of ${agreement} (effective ${first.version.effectiveFrom} and ${last.version.effectiveFrom}); settle ${period.from} … ${dayBefore(last.version.effectiveFrom)} and ${last.version.effectiveFrom} … ${period.to} separately`;
    throw new DomainError('INVALID_SETTLEMENT', detail, [{ pointer: '/period', code: 'PERIOD_SPANS_VERSIONS', detail }]);
  }
  // past SettlementOptions.spillAfter transaction ids, matching records go to the caller's spill store: memory stays flat whatever the input size
  const accumulator = createSettlementAccumulator(last.version, period, options);
  const rules = new FiredRulesCache(last);
  /** Evaluates a checked sale's rules and books it; a promise only when the evaluator is asynchronous. */
  const book = (pending: PendingSale | undefined): Promise<void> | undefined => {
    if (pending === undefined) return undefined;
    const fired = rules.fireNow(pending.transaction.date, pending.facts);
    if (fired !== undefined) {
      accumulator.bookSale(pending, fired);
      return undefined;
    }
    return rules.fire(pending.transaction.date, pending.facts).then((firedLater) => accumulator.bookSale(pending, firedLater));
  };
  return {
    version: last.version,
    add: (transaction, at) => book(accumulator.add(transaction, at)),
    addPrior: (transaction, at) => book(accumulator.addPrior(transaction, at)),
    addExternalSale: (sale, at, refused) => accumulator.addExternalSale(sale, at, refused),
    refuse: (transaction, at) => accumulator.refuse(transaction, at),
    reject: (issues, transactionId) => accumulator.reject(issues, transactionId),
    async finish(claimed) {
      return collectStatement(await this.finishStreamed(claimed));
    },
    async finishStreamed(claimed) {
      const slicer = timeSlicer();
      for (const _ of accumulator.matchSpilled()) await slicer.maybeYield();
      return accumulator.finishStreamed(claimed);
    },
    abort: () => accumulator.abort(),
  };
}

/**
 * Settles a period given as one JSON request: every transaction priced as a quote of it
 * would be, returns at the prices of the sales they return (in any order in the array).
 */
export async function calculateSettlement(catalog: RuleCatalog, request: SettlementRequest, options: OpenSettlementOptions = {}): Promise<SettlementStatement> {
  const settlement = openSettlement(catalog, request.agreement, request.period, options);
  try {
    return await settleRequest(settlement, request);
  } finally {
    settlement.abort();
  }
}

async function settleRequest(settlement: Settlement, request: SettlementRequest): Promise<SettlementStatement> {
  const slicer = timeSlicer(); // up to 100,000 transactions: let health probes and other requests in
  const prior = request.priorTransactions ?? [];
  for (let i = 0; i < prior.length; i++) await settlement.addPrior(prior[i]!, jsonTransactionLocator(`/priorTransactions/${i}`));
  for (let i = 0; i < request.transactions.length; i++) {
    await slicer.maybeYield();
    await settlement.add(request.transactions[i]!, jsonTransactionLocator(`/transactions/${i}`));
  }
  (request.externalSales ?? []).forEach((sale, i) => settlement.addExternalSale(sale, { field: (name) => `/externalSales/${i}/${name}` }));
  return settlement.finish(request.claimed);
}

/**
 * The settlement problems of a JSON body that breaks the contract, found in what can be read
 * of it: each transaction and external sale is checked as {@link calculateSettlement} checks it
 * (the period, the agreement's channels and SKUs, returns against their originals), a field
 * at one of `contractIssues`' pointers taken as unreadable (already reported), so a caller
 * hears every problem in one answer. Empty when the agreement or the period cannot be read.
 */
export async function settlementIssuesBeyondContract(catalog: RuleCatalog, body: unknown, contractIssues: readonly FieldIssue[], options: OpenSettlementOptions = {}): Promise<readonly SettlementIssue[]> {
  const reported = new Set(contractIssues.map((issue) => issue.pointer));
  const request = objectAt(body);
  const period = objectAt(request?.['period']);
  if (typeof request?.['agreement'] !== 'string' || typeof period?.['from'] !== 'string' || typeof period['to'] !== 'string') return [];
  let settlement: Settlement;
  try {
    settlement = openSettlement(catalog, request['agreement'], { from: period['from'], to: period['to'] }, options);
  } catch (error) {
    if (error instanceof DomainError && error.code === 'INVALID_SETTLEMENT') return error.issues.filter((issue) => !reported.has(issue.pointer));
    return [];
  }
  try {
    await checkReadable(settlement, request, reported);
    return [];
  } catch (error) {
    if (error instanceof DomainError && error.code === 'INVALID_SETTLEMENT') return error.issues.filter((issue) => !reported.has(issue.pointer));
    throw error;
  } finally {
    settlement.abort();
  }
}

/** Feeds what can be read of a body to the settlement: an item with a field at fault is refused (checked, not booked), with that field blank. */
async function checkReadable(settlement: Settlement, request: Readonly<Record<string, unknown>>, reported: ReadonlySet<string>): Promise<void> {
  const faultyItems = new Set([...reported].map((pointer) => /^\/(?:transactions|externalSales)\/\d+/.exec(pointer)?.[0]));
  const faulty = (pointer: string): boolean => faultyItems.has(pointer);
  const text = (value: unknown, pointer: string): string => (typeof value === 'string' && !reported.has(pointer) ? value : '');
  const units = (value: unknown, pointer: string): number => (typeof value === 'number' && !reported.has(pointer) ? value : Number.NaN);
  const transactions = Array.isArray(request['transactions']) ? (request['transactions'] as unknown[]) : [];
  for (let i = 0; i < transactions.length; i++) {
    const base = `/transactions/${i}`;
    const tx = objectAt(transactions[i]) ?? {};
    const buyer = objectAt(tx['buyer']) ?? {};
    const returnOf = tx['returnOf'] === undefined ? undefined : text(tx['returnOf'], `${base}/returnOf`);
    const lines = (Array.isArray(tx['lines']) ? (tx['lines'] as unknown[]) : []).map((item, j) => {
      const line = objectAt(item) ?? {};
      const unitPrice = line['unitPrice'] === undefined ? '' : text(line['unitPrice'], `${base}/lines/${j}/unitPrice`);
      const read = { sku: text(line['sku'], `${base}/lines/${j}/sku`), quantity: units(line['quantity'], `${base}/lines/${j}/quantity`) };
      return unitPrice === '' ? read : { ...read, unitPrice };
    });
    const transaction: SettlementTransaction = {
      id: text(tx['id'], `${base}/id`),
      date: text(tx['date'], `${base}/date`),
      channel: text(tx['channel'], `${base}/channel`),
      // the buyer's and the order's attributes as given: checked against the agreement's declaration
      buyer: { ...(buyer as Record<string, AttributeValue>), id: text(buyer['id'], `${base}/buyer/id`) },
      ...(returnOf === undefined ? {} : { returnOf }),
      ...(objectAt(tx['attributes']) === undefined ? {} : { attributes: objectAt(tx['attributes']) as Record<string, AttributeValue> }),
      ...(typeof tx['coupon'] === 'string' ? { coupon: tx['coupon'] } : {}),
      lines,
    };
    if (faulty(base)) settlement.refuse(transaction, jsonTransactionLocator(base));
    else await settlement.add(transaction, jsonTransactionLocator(base));
  }
  const externalSales = Array.isArray(request['externalSales']) ? (request['externalSales'] as unknown[]) : [];
  externalSales.forEach((item, i) => {
    const base = `/externalSales/${i}`;
    const sale = objectAt(item) ?? {};
    const read: ExternalSale = {
      institution: text(sale['institution'], `${base}/institution`),
      sku: text(sale['sku'], `${base}/sku`),
      date: text(sale['date'], `${base}/date`),
      quantity: units(sale['quantity'], `${base}/quantity`),
      unitPrice: text(sale['unitPrice'], `${base}/unitPrice`),
    };
    settlement.addExternalSale(read, { field: (name) => `${base}/${name}` }, faulty(base));
  });
  await settlement.finish();
}

function objectAt(value: unknown): Readonly<Record<string, unknown>> | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
}

/** Pointers into a transaction of a JSON body. */
function jsonTransactionLocator(base: string): TransactionLocator {
  return {
    field: (name) => (name === '' ? base : name === 'buyer' ? `${base}/buyer/id` : `${base}/${name}`),
    lineField: (index, name) => `${base}/lines/${index}${name === '' ? '' : `/${name}`}`,
  };
}

function versionOn(catalog: RuleCatalog, agreement: string, date: string, pointer: string): RuleSet {
  try {
    return catalog.versionOn(agreement, date);
  } catch (error) {
    if (error instanceof DomainError && error.code === 'NO_RULESET_IN_FORCE') {
      throw new DomainError(error.code, error.message, error.issues.map((issue) => ({ ...issue, pointer })));
    }
    throw error;
  }
}

function dayBefore(isoDate: string): string {
  const date = new Date(`${isoDate}T00:00:00Z`);
  date.setUTCDate(date.getUTCDate() - 1);
  return date.toISOString().slice(0, 10);
}
