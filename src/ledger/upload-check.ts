import { createHash } from 'node:crypto';
import type { AgreementVersion } from '../domain/agreement';
import { DomainError } from '../domain/errors';
import { isIsoDate } from '../domain/iso-date';
import type { ExternalSale, RecordLocator, SettlementIssue, SettlementTransaction, TransactionLocator } from '../domain/settlement';
import { openSettlement, type OpenSettlementOptions, type Settlement } from '../rules/calculate-settlement';
import type { RuleCatalog } from '../rules/rule-catalog';
import { withoutDefaultAttributes } from '../domain/line-facts';
import { canonicalJson } from '../trust/canonical-json';
import type { BatchChannel } from './batch-channel';
import { periodOfDate, type ExternalSalesReport, type LedgerTransactionInput, type PeriodKey } from './ledger-store';

/** The last day any version can run to: a version without a successor is open-ended. */
const END_OF_TIME = '9999-12-31';

/**
 * Checks an upload as a settlement checks its input (the agreement's channels and SKUs, signs,
 * dates, duplicates, refusal terms, returns against their originals) and hands every
 * transaction on to the ledger as it goes. Each transaction is checked under the agreement
 * version in force on its day (one settlement per version used, spanning the version's whole
 * range), so an upload may hold any months; so is each external sale, kept per month for the
 * ledger (see {@link externalSales}). Rows and cells are read by the settlement readers
 * (src/io), which call this as they would a settlement.
 */
export class UploadCheck implements Settlement {
  readonly version: AgreementVersion;
  private readonly byVersion = new Map<string, Settlement>();
  private readonly latest: Settlement;
  /** Return id → the id it returns: a return of a sale already in the ledger is not an unknown original. */
  private readonly returns = new Map<string, string>();
  private transactions = 0;
  private readonly transactionMonths = new Set<PeriodKey>();
  /** The external sales read, per month they are dated in (canonical JSON, in order), with where the month's first was read. */
  private readonly external = new Map<PeriodKey, { sales: string[]; pointer: string }>();
  private externalCount = 0;

  constructor(
    private readonly catalog: RuleCatalog,
    private readonly agreement: string,
    private readonly channel: BatchChannel<LedgerTransactionInput>,
    private readonly adjustment: boolean,
    private readonly options: OpenSettlementOptions = {},
  ) {
    const versions = catalog.versions(agreement);
    this.version = versions[versions.length - 1]!.version;
    this.latest = this.settlementFor(this.version.effectiveFrom);
  }

  /** How many transactions were read. */
  get count(): number {
    return this.transactions;
  }

  add(transaction: SettlementTransaction, at: TransactionLocator): Promise<void> | undefined {
    this.transactions++;
    if (isIsoDate(transaction.date)) this.transactionMonths.add(periodOfDate(transaction.date));
    const settlement = this.settlementOn(transaction, at);
    if (settlement === undefined) return undefined;
    if (transaction.returnOf !== undefined) this.returns.set(transaction.id, transaction.returnOf);
    const booking = settlement.add(transaction, at);
    // one content per meaning: a boolean attribute written false (CSV) or left out (JSON) is the same transaction
    const body = canonicalJson(withoutDefaultAttributes(settlement.version, transaction));
    const input: LedgerTransactionInput = {
      id: transaction.id,
      date: transaction.date,
      ...(transaction.returnOf === undefined ? {} : { returnOf: transaction.returnOf }),
      adjustment: this.adjustment,
      contentHash: createHash('sha256').update(body).digest('hex'),
      body,
    };
    const handing = this.channel.push(input);
    if (booking === undefined) return handing;
    return handing === undefined ? booking : Promise.all([booking, handing]).then(() => undefined);
  }

  addPrior(): Promise<void> | undefined {
    throw new Error('an upload has no prior transactions');
  }

  /**
   * Checks an external sale as a settlement does (SKU in the catalog of the version in force on
   * its day, date, quantity, unit price) and keeps it for its month's report. A sale with a
   * problem is kept too: the upload is then refused whole.
   */
  addExternalSale(sale: ExternalSale, at: RecordLocator, refused = false): void {
    this.externalCount++;
    const settlement = this.settlementOnDay(sale.date, () => ({
      pointer: at.field('date'),
      detail: `external sale to ${sale.institution}: dated ${sale.date}`,
      ...(at.source === undefined ? {} : { source: at.source }),
    }));
    settlement?.addExternalSale(sale, at, refused);
    const period = periodOfDate(sale.date);
    const month = this.external.get(period) ?? { sales: [], pointer: at.field('date') };
    month.sales.push(canonicalJson({ institution: sale.institution, sku: sale.sku, date: sale.date, quantity: sale.quantity, unitPrice: sale.unitPrice }));
    this.external.set(period, month);
  }

  /** The months the upload's transactions and external sales are dated in, ascending. */
  months(): PeriodKey[] {
    return [...new Set([...this.transactionMonths, ...this.external.keys()])].sort();
  }

  /** How many external sales were read. */
  get externalSaleCount(): number {
    return this.externalCount;
  }

  /** The upload's external sales, one report per month they are dated in, by month. */
  externalSales(): ExternalSalesReport[] {
    return [...this.external.keys()].sort().map((period) => {
      const { sales } = this.external.get(period)!;
      return { period, contentHash: createHash('sha256').update(sales.join('\n')).digest('hex'), sales };
    });
  }

  /** Where the first external sale dated in `period` was read (a refusal of the month names it). */
  externalSalesPointer(period: PeriodKey): string {
    return this.external.get(period)?.pointer ?? '/externalSales';
  }

  refuse(transaction: SettlementTransaction, at: TransactionLocator): void {
    this.transactions++;
    (this.settlementOn(transaction, at, true) ?? this.latest).refuse(transaction, at);
  }

  reject(issues: readonly SettlementIssue[], transactionId?: string): void {
    this.latest.reject(issues, transactionId);
  }

  /**
   * Every problem of the upload (empty when it may be recorded): each version's settlement is
   * finished for its checks, and a return of a sale the ledger already holds (`inLedger`) is
   * not reported as an unknown original (its quantities are checked when its period closes).
   */
  async problems(inLedger: (ids: readonly string[]) => Promise<ReadonlySet<string>>): Promise<readonly SettlementIssue[]> {
    const found: SettlementIssue[] = [];
    for (const settlement of this.byVersion.values()) {
      try {
        await settlement.finish();
      } catch (error) {
        if (!(error instanceof DomainError) || error.code !== 'INVALID_SETTLEMENT') throw error;
        found.push(...(error.issues as SettlementIssue[]));
      }
    }
    const unknown = found.filter((issue) => issue.code === 'UNKNOWN_ORIGINAL' && issue.transaction !== undefined && this.returns.has(issue.transaction));
    if (unknown.length === 0) return found;
    const known = await inLedger(unknown.map((issue) => this.returns.get(issue.transaction!)!));
    return found.filter((issue) => !(issue.code === 'UNKNOWN_ORIGINAL' && issue.transaction !== undefined && known.has(this.returns.get(issue.transaction) ?? '')));
  }

  finish(): never {
    throw new Error('an upload is not settled: call problems()');
  }

  finishStreamed(): never {
    throw new Error('an upload is not settled: call problems()');
  }

  abort(): void {
    for (const settlement of this.byVersion.values()) settlement.abort();
  }

  /** The settlement of the version in force on the transaction's day; undefined (reported) when none is. */
  private settlementOn(transaction: SettlementTransaction, at: TransactionLocator, quiet = false): Settlement | undefined {
    return this.settlementOnDay(
      transaction.date,
      () => ({ pointer: at.field('date'), detail: `transaction ${transaction.id}: dated ${transaction.date}`, transaction: transaction.id, ...(at.source === undefined ? {} : { source: at.source }) }),
      quiet,
    );
  }

  /**
   * The settlement of the version in force on `date` (the latest version's for a date that is
   * not a day: it reports that); undefined when the date is before the first version, reported
   * (NO_RULESET_IN_FORCE, with what `issue` says of the record) unless `quiet`.
   */
  private settlementOnDay(date: string, issue: () => Omit<SettlementIssue, 'code'>, quiet = false): Settlement | undefined {
    if (!/^\d{4}-\d{2}-\d{2}$/.test(date)) return this.latest;
    const versions = this.catalog.versions(this.agreement);
    const version = [...versions].reverse().find((candidate) => candidate.version.effectiveFrom <= date);
    if (version === undefined) {
      if (!quiet) {
        const found = issue();
        this.latest.reject([{ ...found, code: 'NO_RULESET_IN_FORCE', detail: `${found.detail}, before the first version of ${this.agreement} (${versions[0]!.version.effectiveFrom})` }], found.transaction);
      }
      return undefined;
    }
    return this.settlementFor(version.version.effectiveFrom);
  }

  private settlementFor(effectiveFrom: string): Settlement {
    let settlement = this.byVersion.get(effectiveFrom);
    if (settlement === undefined) {
      const versions = this.catalog.versions(this.agreement);
      const next = versions.find((candidate) => candidate.version.effectiveFrom > effectiveFrom);
      const to = next === undefined ? END_OF_TIME : dayBefore(next.version.effectiveFrom);
      settlement = openSettlement(this.catalog, this.agreement, { from: effectiveFrom, to }, this.options);
      this.byVersion.set(effectiveFrom, settlement);
    }
    return settlement;
  }
}

function dayBefore(isoDate: string): string {
  const date = new Date(`${isoDate}T00:00:00Z`);
  date.setUTCDate(date.getUTCDate() - 1);
  return date.toISOString().slice(0, 10);
}
