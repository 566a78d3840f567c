import { createHash } from 'node:crypto';
import type { AgreementVersion } from '../domain/agreement';
import { DomainError } from '../domain/errors';
import type { ExternalSale, RecordLocator, SettlementIssue, SettlementTransaction, TransactionLocator } from '../domain/settlement';
import { openSettlement, type OpenSettlementOptions, type Settlement } from '../rules/calculate-settlement';
import type { RuleCatalog } from '../rules/rule-catalog';
import { canonicalJson } from '../trust/canonical-json';
import type { BatchChannel } from './batch-channel';
import type { LedgerTransactionInput } from './ledger-store';

/** The last day any version can run to: a version without a successor is open-ended. */
const END_OF_TIME = '9999-12-31';

/**
 * Checks an upload as a settlement checks its input (the agreement's channels and SKUs, signs,
 * dates, duplicates, refusal terms, returns against their originals) and hands every
 * transaction on to the ledger as it goes. Each transaction is checked under the agreement
 * version in force on its day (one settlement per version used, spanning the version's whole
 * range), so an upload may hold any months. Rows and cells are read by the settlement readers
 * (src/io), which call this as they would a settlement.
 */
export class UploadCheck implements Settlement {
  readonly version: AgreementVersion;
  private readonly byVersion = new Map<string, Settlement>();
  private readonly latest: Settlement;
  private readonly issues: SettlementIssue[] = [];
  /** Return id → the id it returns: a return of a sale already in the ledger is not an unknown original. */
  private readonly returns = new Map<string, string>();
  private transactions = 0;

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
    const settlement = this.settlementOn(transaction, at);
    if (settlement === undefined) return undefined;
    if (transaction.returnOf !== undefined) this.returns.set(transaction.id, transaction.returnOf);
    const booking = settlement.add(transaction, at);
    const body = canonicalJson(transaction);
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

  addExternalSale(sale: ExternalSale, at: RecordLocator): void {
    this.issues.push({
      pointer: at.field('institution'),
      code: 'EXTERNAL_SALE_NOT_IN_LEDGER',
      detail: `external sale to ${sale.institution}: the ledger keeps transactions and claims; settle external sales with POST /v1/settlements`,
      ...(at.source === undefined ? {} : { source: at.source }),
    });
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
    const found: SettlementIssue[] = [...this.issues];
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
    if (!/^\d{4}-\d{2}-\d{2}$/.test(transaction.date)) return this.latest;
    const versions = this.catalog.versions(this.agreement);
    const version = [...versions].reverse().find((candidate) => candidate.version.effectiveFrom <= transaction.date);
    if (version === undefined) {
      if (!quiet) {
        this.latest.reject(
          [{ pointer: at.field('date'), code: 'NO_RULESET_IN_FORCE', detail: `transaction ${transaction.id}: dated ${transaction.date}, before the first version of ${this.agreement} (${versions[0]!.version.effectiveFrom})`, transaction: transaction.id, ...(at.source === undefined ? {} : { source: at.source }) }],
          transaction.id,
        );
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
