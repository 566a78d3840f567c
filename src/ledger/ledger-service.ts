import { createHash } from 'node:crypto';
import type { Readable } from 'node:stream';
import { Transform } from 'node:stream';
import { DomainError } from '../domain/errors';
import type { ClaimedFigures, ExternalSale, SettlementIssue, SettlementTransaction } from '../domain/settlement';
import { readSettlementFiles, type SettlementFile } from '../io/read-settlement-file';
import type { OpenSettlementOptions } from '../rules/calculate-settlement';
import type { RuleCatalog } from '../rules/rule-catalog';
import { canonicalJson } from '../trust/canonical-json';
import type { KeyRing } from '../trust/signing-keys';
import { BatchChannel } from './batch-channel';
import { computeStatement } from './compute-statement';
import { LedgerError } from './ledger-errors';
import { isPeriodKey, PeriodClosedError, type AuditRecord, type ExternalSalesOutcome, type IngestOutcome, type Claim, type LedgerStore, type PeriodKey, type StatementFilter, type StatementSummary, type StoredStatement } from './ledger-store';
import { PeriodListings, type PeriodListing, type PeriodListingOptions } from './period-listing';
import { checkSignature, sealDocument, sha256, type LedgerStatementDocument, type StatementSignatureStatus } from './statement-document';
import { UploadCheck } from './upload-check';

export interface LedgerServiceDeps {
  readonly store: LedgerStore;
  readonly catalog: () => RuleCatalog;
  /** The keys statements are signed and verified with (the quote keys). */
  readonly keys: () => KeyRing;
  readonly now: () => Date;
  readonly settlementOptions?: OpenSettlementOptions;
}

/** An upload: a file stream (CSV, NDJSON) or the transactions of a JSON body. */
export type UploadContent =
  | { readonly kind: 'file'; readonly file: SettlementFile }
  | { readonly kind: 'json'; readonly transactions: readonly SettlementTransaction[]; readonly externalSales?: readonly ExternalSale[]; readonly claimed?: ClaimedFigures };

export interface LedgerUpload {
  readonly agreement: string;
  /** The partner of the API key; null when authentication is off. */
  readonly partner: string | null;
  /** Send every transaction as a prior-period adjustment (see LedgerTransactionInput.adjustment). */
  readonly adjustment: boolean;
  /** The period the upload's claims belong to; default: the one period its transactions touch. */
  readonly claimsPeriod?: PeriodKey;
  readonly content: UploadContent;
}

export interface UploadResult {
  readonly accepted: number;
  readonly unchanged: number;
  readonly periods: readonly PeriodKey[];
  /** External sales of months whose report was recorded (replacing the stored one), and of months already holding the identical report. */
  readonly externalSales: ExternalSalesOutcome;
  readonly claims: number;
  readonly inputHash: string;
}


export interface StatementVerification {
  readonly statementId: string;
  readonly signature: StatementSignatureStatus;
  readonly kid?: string;
  /** The stored statement's text has the content hash given (or stored). */
  readonly contentHash: 'matches' | 'differs';
  /** Recomputed from the ledger now: the same statement, or not (with the first differing members). */
  readonly recomputed: 'matches' | 'differs';
  readonly differences: readonly string[];
}

/**
 * The settlement ledger, pure of HTTP: uploads checked and recorded all or nothing, periods
 * closed into signed statements kept for good, statements verified against the ledger.
 */
export class LedgerService {
  private readonly listings: PeriodListings;

  constructor(private readonly deps: LedgerServiceDeps) {
    this.listings = new PeriodListings(deps);
  }

  /**
   * Records an upload all or nothing. Throws INVALID_SETTLEMENT listing every problem of the
   * input, TRANSACTION_CONFLICT naming ids already recorded with other content, PERIOD_CLOSED
   * naming transactions dated in closed periods (send them as adjustments); each refusal is audited.
   */
  async upload(upload: LedgerUpload): Promise<UploadResult> {
    const { agreement } = upload;
    const catalog = this.deps.catalog();
    catalog.versions(agreement); // UNKNOWN_AGREEMENT before anything is read
    const channel = new BatchChannel<import('./ledger-store').LedgerTransactionInput>();
    const check = new UploadCheck(catalog, agreement, channel, upload.adjustment, this.deps.settlementOptions);
    const hash = createHash('sha256');
    let claimed: ClaimedFigures | undefined;
    let claimsPeriod: PeriodKey | undefined;
    let inputHash = '';
    const audit = (action: string, detail: Record<string, unknown>) => ({ agreement, action, partner: upload.partner, at: this.deps.now().toISOString(), inputHash, detail });
    const reading = (async () => {
      try {
        claimed = await this.read(upload.content, check, hash);
        inputHash = hash.digest('hex');
        const problems = await check.problems(async (ids) => new Set((await this.deps.store.findTransactions(agreement, ids)).map((tx) => tx.id)));
        if (problems.length > 0) throw invalidUpload(problems);
        // the claims' month is settled before anything is recorded: a problem with it refuses the whole upload
        if (claimsOf(claimed).length > 0) claimsPeriod = await this.claimsPeriodOf(upload, check.months());
        channel.end();
      } catch (error) {
        channel.fail(error);
      } finally {
        check.abort();
      }
    })();
    let outcome;
    try {
      outcome = await this.deps.store.ingest({ agreement, batches: channel, audit: () => audit('upload', { transactions: check.count, externalSales: check.externalSaleCount }), externalSales: () => check.externalSales() });
    } catch (error) {
      channel.release();
      await reading;
      if (inputHash === '') inputHash = hash.copy().digest('hex');
      await this.deps.store.appendAudit(audit('upload-refused', { reason: error instanceof DomainError || error instanceof LedgerError ? error.code : 'ERROR' }));
      throw error;
    }
    await reading;
    if (outcome.kind === 'refused') {
      await this.deps.store.appendAudit(audit('upload-refused', { conflicts: outcome.conflictCount, closed: outcome.closedCount, closedExternalSales: outcome.closedExternalSales.length }));
      if (outcome.conflictCount > 0) {
        throw new LedgerError('TRANSACTION_CONFLICT', `${outcome.conflictCount} transaction id(s) are already in the ledger with other content: ${outcome.conflicts.slice(0, 20).join(', ')}; nothing was recorded`, outcome.conflicts.map((id) => ({ pointer: `/transactions/${id}`, code: 'TRANSACTION_CONFLICT', detail: `transaction ${id} is recorded with other content` })));
      }
      throw periodClosed(outcome, check);
    }
    const claims = claimsOf(claimed);
    // only a close racing this upload can refuse the claims now (PERIOD_CLOSED): the upload's transactions stay recorded
    if (claims.length > 0) await this.putClaims(agreement, claimsPeriod!, claims, upload.partner, inputHash);
    return { accepted: outcome.accepted, unchanged: outcome.unchanged, periods: outcome.periods, externalSales: outcome.externalSales, claims: claims.length, inputHash };
  }

  /**
   * The month an upload's claims belong to: `claimsPeriod`, else the one month its transactions
   * and external sales are dated in (an adjustment's month is the ledger's to choose: name it).
   * INVALID_PERIOD when it cannot be told, PERIOD_CLOSED when it is closed.
   */
  private async claimsPeriodOf(upload: LedgerUpload, months: readonly PeriodKey[]): Promise<PeriodKey> {
    const period = upload.claimsPeriod ?? (months.length === 1 && !upload.adjustment ? months[0] : undefined);
    if (period === undefined) {
      throw new LedgerError('INVALID_PERIOD', `the upload has claims: name their month (claimsPeriod=yyyy-mm); ${upload.adjustment ? 'it is sent as adjustments' : `its transactions are dated in ${months.length === 0 ? 'no month' : months.join(', ')}`}; nothing was recorded`, [
        { pointer: '/query/claimsPeriod', code: 'MISSING', detail: 'required with claims when the upload is an adjustment or is dated in other than one month' },
      ]);
    }
    requirePeriod(period, '/query/claimsPeriod');
    // a closed month is one with its statement stored: one read by id, not a listing of the ledger
    if ((await this.deps.store.statement(statementIdOf(upload.agreement, period))) !== undefined) throw new LedgerError('PERIOD_CLOSED', `period ${period} is closed: its claims can no longer change; nothing was recorded`, [{ pointer: '/query/claimsPeriod', code: 'PERIOD_CLOSED', detail: `${period} is closed` }]);
    return period;
  }

  /** Stores a period's claims; PERIOD_CLOSED when it is closed. */
  async putClaims(agreement: string, period: PeriodKey, claims: readonly Claim[], partner: string | null, inputHash: string): Promise<void> {
    try {
      await this.deps.store.putClaims(agreement, period, claims, { agreement, action: 'claims', partner, at: this.deps.now().toISOString(), inputHash, detail: { period, figures: claims.length } });
    } catch (error) {
      if (error instanceof PeriodClosedError) throw new LedgerError('PERIOD_CLOSED', `period ${period} is closed: its claims can no longer change`);
      throw error;
    }
  }

  /**
   * Closes a month: its statement is computed from the ledger, signed and stored with the
   * period's state in one transaction; closing a closed month returns the stored statement.
   */
  async close(agreement: string, period: PeriodKey, partner: string | null): Promise<{ statement: StoredStatement; created: boolean }> {
    requirePeriod(period);
    const catalog = this.deps.catalog();
    catalog.versions(agreement);
    const closed = await this.deps.store.closePeriod(agreement, period, async (reader) => {
      const computed = await computeStatement(catalog, reader, agreement, period, this.deps.settlementOptions);
      const closedAt = this.deps.now().toISOString();
      const id = statementIdOf(agreement, period);
      const document: LedgerStatementDocument = { kind: 'suanpan.ledger-statement', id, agreement, period, closedAt, closedBy: partner, ledger: computed.ledger, statement: computed.statement, priorPeriodAdjustments: computed.priorPeriodAdjustments };
      return { id, partner, closedAt, ...sealDocument(document, this.deps.keys()) };
    });
    if (closed.created) {
      await this.deps.store.appendAudit({ agreement, action: 'close', partner, at: this.deps.now().toISOString(), inputHash: closed.statement.contentHash, detail: { period, statementId: closed.statement.id } });
    }
    return closed;
  }

  /**
   * The ledger's months (ascending), each with its state, counts and figures to date, and its
   * quarter and year programmes to date (see PeriodListings): `figures: false` lists state and
   * counts only, computing nothing; `from`/`to` (yyyy-mm) bound the months listed.
   */
  periods(agreement: string, options: PeriodListingOptions = {}): Promise<PeriodListing> {
    return this.listings.list(agreement, options);
  }

  statements(filter: StatementFilter): Promise<readonly StatementSummary[]> {
    return this.deps.store.listStatements(filter);
  }

  async statement(id: string): Promise<StoredStatement> {
    const found = await this.deps.store.statement(id);
    if (found === undefined) throw new LedgerError('UNKNOWN_STATEMENT', `no statement ${JSON.stringify(id)}`);
    return found;
  }

  audit(agreement: string, options: { readonly limit?: number; readonly before?: number } = {}): Promise<readonly AuditRecord[]> {
    this.deps.catalog().versions(agreement);
    return this.deps.store.listAudit(agreement, options);
  }

  /**
   * Verifies a stored statement: its signature over its stored text, that text's hash
   * (against `contentHash` when given), and a recomputation from the ledger as it is now.
   */
  async verify(id: string, contentHash?: string): Promise<StatementVerification> {
    const stored = await this.statement(id);
    const signature = checkSignature(stored.body, stored.signature, this.deps.keys());
    const document = JSON.parse(stored.body) as LedgerStatementDocument;
    const recomputed = await computeStatement(this.deps.catalog(), this.deps.store, document.agreement, document.period, this.deps.settlementOptions);
    const differences: string[] = [];
    for (const member of ['statement', 'priorPeriodAdjustments', 'ledger'] as const) {
      if (canonicalJson(recomputed[member]) !== canonicalJson(document[member])) differences.push(`/${member}`);
    }
    const hashMatches = sha256(stored.body) === stored.contentHash && (contentHash === undefined || contentHash === stored.contentHash);
    return {
      statementId: id,
      signature: signature.status,
      ...(signature.kid === undefined ? {} : { kid: signature.kid }),
      contentHash: hashMatches ? 'matches' : 'differs',
      recomputed: differences.length === 0 ? 'matches' : 'differs',
      differences,
    };
  }

  /** Reads the content into the check (and so into the ledger), hashing its bytes; returns its claims. */
  private async read(content: UploadContent, check: UploadCheck, hash: ReturnType<typeof createHash>): Promise<ClaimedFigures | undefined> {
    if (content.kind === 'file') return readSettlementFiles(check, [{ ...content.file, stream: hashed(content.file.stream, hash) }]);
    hash.update(canonicalJson({ transactions: content.transactions, ...(content.externalSales === undefined ? {} : { externalSales: content.externalSales }), ...(content.claimed === undefined ? {} : { claimed: content.claimed }) }));
    for (let i = 0; i < content.transactions.length; i++) {
      const base = `/transactions/${i}`;
      await check.add(content.transactions[i]!, {
        field: (name) => (name === '' ? base : name === 'buyer' ? `${base}/buyer/id` : `${base}/${name}`),
        lineField: (index, name) => `${base}/lines/${index}${name === '' ? '' : `/${name}`}`,
      });
    }
    (content.externalSales ?? []).forEach((sale, i) => check.addExternalSale(sale, { field: (name) => `/externalSales/${i}/${name}` }));
    return content.claimed;
  }
}

/** The id of a month's statement: one per agreement and month. */
export function statementIdOf(agreement: string, period: PeriodKey): string {
  return `${agreement}.${period}`;
}

function requirePeriod(period: string, pointer = '/path/period'): void {
  if (!isPeriodKey(period)) throw new LedgerError('INVALID_PERIOD', `${JSON.stringify(period)} is not a month (yyyy-mm)`, [{ pointer, code: 'INVALID_PERIOD', detail: 'must be yyyy-mm' }]);
}

/**
 * The refusal of an upload with transactions dated in closed months (send them as adjustments)
 * or external sales dated in closed months (no adjustment: a closed month's compensation is final).
 */
function periodClosed(outcome: Extract<IngestOutcome, { kind: 'refused' }>, check: UploadCheck): LedgerError {
  const reasons: string[] = [];
  if (outcome.closedCount > 0) reasons.push(`${outcome.closedCount} transaction(s) are dated in closed periods (${[...new Set(outcome.closed.map((c) => c.period))].join(', ')}); send them as prior-period adjustments (adjustment=true)`);
  if (outcome.closedExternalSales.length > 0) {
    reasons.push(`the upload has external sales dated in closed periods (${outcome.closedExternalSales.join(', ')}) that differ from the ones their statements were closed with; a closed month's external sales cannot change (prior-period adjustment does not apply to them)`);
  }
  return new LedgerError('PERIOD_CLOSED', `${reasons.join('; ')}; nothing was recorded`, [
    ...outcome.closed.map((c) => ({ pointer: `/transactions/${c.id}`, code: 'PERIOD_CLOSED', detail: `transaction ${c.id} is dated in ${c.period}, which is closed` })),
    ...outcome.closedExternalSales.map((period) => ({ pointer: check.externalSalesPointer(period), code: 'PERIOD_CLOSED', detail: `external sales dated in ${period}, which is closed: its statement was closed with other external sales (or none)` })),
  ]);
}

function invalidUpload(problems: readonly SettlementIssue[]): DomainError {
  const listed = problems.slice(0, 20).map((issue) => `${issue.pointer} ${issue.code ?? ''}`).join('; ');
  return new DomainError('INVALID_SETTLEMENT', `the upload has ${problems.length} problem(s), nothing was recorded: ${listed}`, problems);
}

function claimsOf(claimed: ClaimedFigures | undefined): Claim[] {
  if (claimed === undefined) return [];
  const claims: Claim[] = [];
  for (const [figure, value] of Object.entries(claimed)) {
    if (typeof value === 'string') claims.push({ figure, claimed: value });
    else if (figure === 'rebates' && value !== undefined) for (const [buyer, amount] of Object.entries(value)) claims.push({ figure: `rebates/${buyer}`, claimed: amount });
  }
  return claims;
}

/** The stream, its bytes added to `hash` as they pass. */
function hashed(stream: Readable, hash: ReturnType<typeof createHash>): Readable {
  const through = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      hash.update(chunk);
      callback(null, chunk);
    },
  });
  stream.on('error', (error) => through.destroy(error));
  return stream.pipe(through);
}
