/**
 * The settlement ledger's repository: what a back end (SQLite, PostgreSQL) must do, and
 * nothing of how. Every call is asynchronous (pg is; better-sqlite3 answers at once, wrapped).
 * Both back ends run the same contract suite (test/support/ledger-store-contract.ts).
 *
 * Vocabulary: a ledger is one agreement's transactions; a period is a calendar month
 * (`yyyy-mm`), open until it is closed, then immutable; closing stores its statement.
 */

/** A calendar month, `yyyy-mm`: the unit a ledger is closed in. */
export type PeriodKey = string;

export type PeriodState = 'open' | 'closed';

/** A transaction as handed to {@link LedgerStore.ingest}. */
export interface LedgerTransactionInput {
  /** The transaction id, unique within the agreement's ledger (idempotency key). */
  readonly id: string;
  /** The transaction's day (yyyy-mm-dd); its month is the period it belongs to. */
  readonly date: string;
  /** For a return: the id of the sale it returns (in this upload, or anywhere in the ledger). */
  readonly returnOf?: string;
  /**
   * Sent as a prior-period adjustment: when its own month is closed, it is booked in the
   * agreement's current open period (the month after the latest closed one) instead of being
   * refused as PERIOD_CLOSED. When its month is open, it is booked there as any transaction.
   */
  readonly adjustment: boolean;
  /** SHA-256 (hex) of `body`: an identical resend has the same hash. */
  readonly contentHash: string;
  /** The transaction (a SettlementTransaction) as canonical JSON. */
  readonly body: string;
}

/** A transaction as the ledger holds it. */
export interface LedgerTransaction extends LedgerTransactionInput {
  /** The month it is booked in: its date's, or for a booked adjustment the open month it went to. */
  readonly period: PeriodKey;
  /** True when it was booked in a later period than its date's (a prior-period adjustment). */
  readonly adjusted: boolean;
  /** Position in the ledger: increasing in the order transactions were accepted. */
  readonly seq: number;
}

/** An audit record to write: who did what, when, on which input. */
export interface AuditEntryInput {
  readonly agreement: string;
  /** `upload`, `upload-refused`, `close`, `claims`… */
  readonly action: string;
  /** The partner of the API key; null when authentication is off. */
  readonly partner: string | null;
  /** ISO timestamp. */
  readonly at: string;
  /** SHA-256 (hex) of the input (the upload's bytes; for a close, the statement's content hash). */
  readonly inputHash: string;
  /** Anything else worth keeping (counts, periods, the statement id), as a JSON object. */
  readonly detail: Readonly<Record<string, unknown>>;
}

export interface AuditRecord extends AuditEntryInput {
  readonly seq: number;
}

/**
 * One month's external sales (the supplier's sales to other institutions, the price guarantee's
 * evidence) as an upload sends them: the month's report, whole. External sales have no id, so a
 * month's report replaces the one stored before it (an identical one changes nothing).
 */
export interface ExternalSalesReport {
  /** The month the sales are dated in. */
  readonly period: PeriodKey;
  /** SHA-256 (hex) of the report (its sales' canonical JSON, in order): an identical resend has the same hash. */
  readonly contentHash: string;
  /** Each sale (an ExternalSale) as canonical JSON, in the order sent. */
  readonly sales: readonly string[];
}

/** What an upload's external sales did: sales of months recorded (their report replaced) and of months already holding the identical report. */
export interface ExternalSalesOutcome {
  readonly accepted: number;
  readonly unchanged: number;
}

/** One upload: its transactions in batches (read as they arrive), its external sales, its audit record. */
export interface IngestRequest {
  readonly agreement: string;
  /**
   * The transactions, batch by batch. The store writes each batch as it comes inside one
   * database transaction; if the iterable throws, nothing is kept and the error is rethrown
   * (the service throws when its checks found problems: all or nothing).
   */
  readonly batches: AsyncIterable<readonly LedgerTransactionInput[]>;
  /** The audit record, asked for once every batch is read (the input hash is known then); written with the upload. */
  audit(): AuditEntryInput;
  /**
   * The upload's external sales, one report per month they are dated in; asked for once every
   * batch is read (a file's external-sale rows may come after its transactions) and written in
   * the same database transaction: each replaces its month's stored report. A report for a
   * closed month is refused (`closedExternalSales`) unless it is identical to the stored one.
   */
  externalSales?(): readonly ExternalSalesReport[];
}

/** At most this many ids are listed in a refusal; the counts say how many there were. */
export const MAX_LISTED_IDS = 1000;

export type IngestOutcome =
  | {
      readonly kind: 'accepted';
      /** New transactions written. */
      readonly accepted: number;
      /** Identical resends (same id, same content hash) counted, not written again. */
      readonly unchanged: number;
      /** The periods the accepted transactions were booked in and the months whose external sales were recorded, ascending. */
      readonly periods: readonly PeriodKey[];
      readonly externalSales: ExternalSalesOutcome;
    }
  | {
      /** Nothing was written. */
      readonly kind: 'refused';
      /** Ids already in the ledger with other content (at most MAX_LISTED_IDS). */
      readonly conflicts: readonly string[];
      readonly conflictCount: number;
      /** New transactions dated in a closed period and not sent as adjustments (at most MAX_LISTED_IDS). */
      readonly closed: readonly { readonly id: string; readonly period: PeriodKey }[];
      readonly closedCount: number;
      /** Closed months the upload sent external sales for that differ from their stored report, ascending. */
      readonly closedExternalSales: readonly PeriodKey[];
    };

/** A period as listed: its state and counts to date. */
export interface PeriodSummary {
  readonly period: PeriodKey;
  readonly state: PeriodState;
  /** Transactions booked in it (sales and returns, adjustments included). */
  readonly transactions: number;
  readonly returns: number;
  /** Of them, prior-period adjustments booked here. */
  readonly adjustments: number;
  readonly closedAt?: string;
  readonly statementId?: string;
}

/** A claimed figure of a period (see ClaimedFigures): `commission`, `rebates/<buyer>`… */
export interface Claim {
  readonly figure: string;
  readonly claimed: string;
}

/** A statement to store when a period closes. */
export interface NewStatement {
  readonly id: string;
  readonly partner: string | null;
  readonly closedAt: string;
  /** SHA-256 (hex) of `body`. */
  readonly contentHash: string;
  /** Detached compact JWS over `body` (Ed25519, the quote keys). */
  readonly signature: string;
  /** The statement document as canonical JSON. */
  readonly body: string;
}

export interface StoredStatement extends NewStatement {
  readonly agreement: string;
  readonly period: PeriodKey;
}

export type StatementSummary = Omit<StoredStatement, 'body'>;

export interface StatementFilter {
  readonly agreement?: string;
  readonly period?: PeriodKey;
  readonly partner?: string;
  /** Default 100. */
  readonly limit?: number;
}

/**
 * What computing a statement reads. Inside {@link LedgerStore.closePeriod} it reads the state
 * the close is taken on: no upload to the period can commit between the reads and the close.
 */
export interface LedgerReader {
  /** The transactions booked in periods `from` … `to` (inclusive), in ledger order (seq); streamed, never held whole. */
  readTransactions(agreement: string, from: PeriodKey, to: PeriodKey): AsyncIterable<LedgerTransaction>;
  /** The sales, booked in periods before `period`, that transactions booked in `period` return; in ledger order, streamed. */
  readOriginals(agreement: string, period: PeriodKey): AsyncIterable<LedgerTransaction>;
  /** The transactions with these ids (those that exist), any order. */
  findTransactions(agreement: string, ids: readonly string[]): Promise<readonly LedgerTransaction[]>;
  /** The period's stored claims, by figure. */
  claims(agreement: string, period: PeriodKey): Promise<readonly Claim[]>;
  /** The month's stored external-sales report; undefined when none was uploaded. */
  externalSales(agreement: string, period: PeriodKey): Promise<ExternalSalesReport | undefined>;
}

/** What closing a period gave: the stored statement, and whether this call stored it. */
export interface ClosedPeriod {
  readonly statement: StoredStatement;
  /** False when the period was already closed: the statement stored then is returned. */
  readonly created: boolean;
}

/** Thrown by {@link LedgerStore.putClaims} for a closed period. */
export class PeriodClosedError extends Error {
  constructor(
    readonly agreement: string,
    readonly period: PeriodKey,
  ) {
    super(`period ${period} of ${agreement} is closed`);
    this.name = 'PeriodClosedError';
  }
}

/** One version of the ledger schema: SQL per dialect (see src/ledger/migrations/). */
export interface Migration {
  readonly version: number;
  readonly name: string;
  readonly sqlite: string;
  readonly postgres: string;
}

export interface LedgerStore extends LedgerReader {
  /** `sqlite` or `postgres`, for logs and the bench. */
  readonly backend: string;
  /** Applies the migrations not yet applied, in order, each in its own transaction; returns the versions applied now. */
  migrate(): Promise<readonly number[]>;
  /** Records an upload all or nothing (see {@link IngestRequest}, {@link IngestOutcome}). */
  ingest(request: IngestRequest): Promise<IngestOutcome>;
  /** Every period the ledger has (touched by a transaction, external sales, claims or a close), ascending. */
  listPeriods(agreement: string): Promise<readonly PeriodSummary[]>;
  /**
   * A cheap mark of the agreement's ledger (one row read): it changes whenever a write commits
   * that changes what the ledger holds — an upload recording transactions or external sales, a close, claims — and
   * never otherwise. Read it before reading the ledger: what was computed from reads taken after
   * it is still valid while the mark is the same (the service caches month figures under it).
   */
  changeMark(agreement: string): Promise<string>;
  /**
   * Closes a period atomically: under the write lock, when the period is open `compute` reads
   * through the reader it is given and returns the statement, which is stored with the period
   * marked closed in one database transaction. An upload racing it is either read by compute or
   * refused (closed). When the period is already closed, compute is not called and the stored
   * statement is returned. If compute throws, nothing changes and the error is rethrown.
   */
  closePeriod(agreement: string, period: PeriodKey, compute: (reader: LedgerReader) => Promise<NewStatement>): Promise<ClosedPeriod>;
  /** Stores a period's claims (replacing those of the same figure); throws PeriodClosedError when it is closed. */
  putClaims(agreement: string, period: PeriodKey, claims: readonly Claim[], audit: AuditEntryInput): Promise<void>;
  statement(id: string): Promise<StoredStatement | undefined>;
  /** The statements matching the filter, newest close first, without their bodies. */
  listStatements(filter: StatementFilter): Promise<readonly StatementSummary[]>;
  appendAudit(entry: AuditEntryInput): Promise<void>;
  /** The agreement's audit records, newest first; `before` a seq pages back. */
  listAudit(agreement: string, options?: { readonly limit?: number; readonly before?: number }): Promise<readonly AuditRecord[]>;
  /** Closes connections; the store is not used again. */
  close(): Promise<void>;
}

/** The period (yyyy-mm) of a day (yyyy-mm-dd). */
export function periodOfDate(date: string): PeriodKey {
  return date.slice(0, 7);
}

/** The month after a period. */
export function nextPeriod(period: PeriodKey): PeriodKey {
  const [year, month] = period.split('-').map(Number) as [number, number];
  return month === 12 ? `${year + 1}-01` : `${year}-${String(month + 1).padStart(2, '0')}`;
}

/** True for `yyyy-mm` with a month 01–12. */
export function isPeriodKey(text: string): boolean {
  return /^\d{4}-(0[1-9]|1[0-2])$/.test(text);
}

/** What a store does with an upload's external-sales reports (see {@link planExternalSales}). */
export interface ExternalSalesPlan extends ExternalSalesOutcome {
  /** The reports to write, each replacing its month's stored one. */
  readonly write: readonly ExternalSalesReport[];
  /** The months to write (and so touched by the upload), ascending. */
  readonly periods: readonly PeriodKey[];
  /** Closed months whose report differs from the stored one: the upload is refused, ascending. */
  readonly closed: readonly PeriodKey[];
}

/**
 * Sorts an upload's external-sales reports against the stored ones (`stored`: month → content
 * hash): a report identical to its month's stored one is unchanged (even in a closed month); a
 * different one is written, unless its month is closed (prior-period adjustment does not apply:
 * a closed month's price-guarantee compensation is final).
 */
export function planExternalSales(reports: readonly ExternalSalesReport[], stored: ReadonlyMap<PeriodKey, string>, closed: ReadonlySet<PeriodKey>): ExternalSalesPlan {
  const write: ExternalSalesReport[] = [];
  const refused: PeriodKey[] = [];
  let unchanged = 0;
  for (const report of reports) {
    if (stored.get(report.period) === report.contentHash) unchanged += report.sales.length;
    else if (closed.has(report.period)) refused.push(report.period);
    else write.push(report);
  }
  return {
    write,
    accepted: write.reduce((sum, report) => sum + report.sales.length, 0),
    unchanged,
    periods: write.map((report) => report.period).sort(),
    closed: refused.sort(),
  };
}

/** True when a database URL names PostgreSQL (postgres:// or postgresql://). */
export function isPostgresUrl(url: string): boolean {
  return /^postgres(ql)?:\/\//i.test(url);
}
