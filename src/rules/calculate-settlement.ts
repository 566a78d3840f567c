import type { AgreementVersion } from '../domain/agreement';
import { DomainError } from '../domain/errors';
import { checkSettlementPeriod, createSettlementAccumulator, type SettlementOptions } from '../domain/settle-period';
import type {
  ClaimedFigures,
  ExternalSale,
  RecordLocator,
  SettlementIssue,
  SettlementPeriod,
  SettlementStatement,
  SettlementTransaction,
  TransactionLocator,
} from '../domain/settlement';
import { openSpillFiles } from '../io/spill-files';
import { FiredRulesCache } from './fired-rules-cache';
import { timeSlicer } from './time-slicer';
import type { RuleCatalog, RuleSet } from './rule-catalog';

/** The JSON body of POST /v1/settlements (openapi.yaml's SettlementRequest). */
export interface SettlementRequest {
  readonly agreement: string;
  readonly period: SettlementPeriod;
  readonly transactions: readonly {
    readonly id: string;
    readonly date: string;
    readonly channel: string;
    readonly buyer: { readonly id: string; readonly member?: boolean; readonly keyAccount?: boolean };
    readonly returnOf?: string;
    readonly lines: readonly { readonly sku: string; readonly quantity: number; readonly unitPrice?: string }[];
  }[];
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
  addExternalSale(sale: ExternalSale, at: RecordLocator): void;
  /** Records problems found while reading the input, reported with all the others (see SettlementAccumulator.reject). */
  reject(issues: readonly SettlementIssue[], transactionId?: string): void;
  /**
   * The statement, or DomainError INVALID_SETTLEMENT listing every issue. A settlement that
   * spilled matches its returns partition by partition first, handing the event loop back
   * every few milliseconds (over 5M lines that matching takes ≈ 1.5 s).
   */
  finish(claimed?: ClaimedFigures): Promise<SettlementStatement>;
  /** Gives up on an input that failed while read: removes the spill files, if any. */
  abort(): void;
}

/** How a settlement is held: the accumulator's options, and where it spills. */
export interface OpenSettlementOptions extends Omit<SettlementOptions, 'openSpill'> {
  /** The directory of the spill files (default: the system's temporary directory, TMPDIR). */
  readonly spillDirectory?: string;
}

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
  // past SettlementOptions.spillAfter transaction ids, matching records go to temporary files: memory stays flat whatever the input size
  const { spillDirectory, ...accumulatorOptions } = options;
  const accumulator = createSettlementAccumulator(last.version, period, { ...accumulatorOptions, openSpill: () => openSpillFiles(spillDirectory) });
  const rules = new FiredRulesCache(last);
  return {
    version: last.version,
    add(transaction, at) {
      const pending = accumulator.add(transaction, at);
      if (pending === undefined) return undefined;
      const fired = rules.fireNow(transaction.date, pending.facts);
      if (fired !== undefined) {
        accumulator.bookSale(pending, fired);
        return undefined;
      }
      return rules.fire(transaction.date, pending.facts).then((firedLater) => accumulator.bookSale(pending, firedLater));
    },
    addExternalSale: (sale, at) => accumulator.addExternalSale(sale, at),
    reject: (issues, transactionId) => accumulator.reject(issues, transactionId),
    async finish(claimed) {
      const slicer = timeSlicer();
      for (const _ of accumulator.matchSpilled()) await slicer.maybeYield();
      return accumulator.finish(claimed);
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
  for (let i = 0; i < request.transactions.length; i++) {
    await slicer.maybeYield();
    const tx = request.transactions[i]!;
    const transaction: SettlementTransaction = {
      id: tx.id,
      date: tx.date,
      channel: tx.channel,
      buyer: { id: tx.buyer.id, member: tx.buyer.member ?? false, keyAccount: tx.buyer.keyAccount ?? false },
      ...(tx.returnOf === undefined ? {} : { returnOf: tx.returnOf }),
      lines: tx.lines,
    };
    await settlement.add(transaction, jsonTransactionLocator(`/transactions/${i}`));
  }
  (request.externalSales ?? []).forEach((sale, i) => settlement.addExternalSale(sale, { field: (name) => `/externalSales/${i}/${name}` }));
  return settlement.finish(request.claimed);
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
