import { mkdirSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { MIGRATIONS } from './migrations';
import { RAISE_CHANGE_MARK_SQLITE } from './migrations/002-change-marks';
import {
  MAX_LISTED_IDS,
  nextPeriod,
  periodOfDate,
  PeriodClosedError,
  planExternalSales,
  type AuditEntryInput,
  type AuditRecord,
  type Claim,
  type ClosedPeriod,
  type ExternalSalesPlan,
  type ExternalSalesReport,
  type IngestOutcome,
  type IngestRequest,
  type LedgerReader,
  type LedgerStore,
  type LedgerTransaction,
  type LedgerTransactionInput,
  type NewStatement,
  type PeriodKey,
  type PeriodSummary,
  type StatementFilter,
  type StatementSummary,
  type StoredStatement,
} from './ledger-store';

/** Rows read per query when a period is streamed (keyset pages: the connection is never left mid-query across an await). */
const PAGE_ROWS = 2000;

export interface SqliteLedgerOptions {
  /** How long a write waits for another process holding the database (ms); default 60 s. */
  readonly busyTimeoutMs?: number;
}

interface TransactionRow {
  seq: number;
  id: string;
  period: string;
  date: string;
  return_of: string | null;
  adjustment: number;
  adjusted: number;
  content_hash: string;
  body: string;
}

interface StatementRow {
  id: string;
  agreement: string;
  period: string;
  partner: string | null;
  closed_at: string;
  content_hash: string;
  signature: string;
  body?: string;
}

/** The file the embedded ledger lives in, under the data directory. */
export const SQLITE_LEDGER_FILE = 'ledger.sqlite';

/**
 * The embedded ledger: one SQLite file (WAL), written by one connection under an in-process
 * lock (one upload or close at a time; other processes wait on SQLite's own lock), read by a
 * second connection that sees only committed data. An upload is one database transaction, so a
 * process killed half-way leaves the file as it was before the upload.
 */
export class SqliteLedgerStore implements LedgerStore {
  readonly backend = 'sqlite';
  private readonly writer: Database.Database;
  private reader: Database.Database | undefined;
  private queue: Promise<unknown> = Promise.resolve();

  constructor(
    readonly file: string,
    options: SqliteLedgerOptions = {},
  ) {
    if (file !== ':memory:') mkdirSync(path.dirname(file), { recursive: true });
    this.writer = new Database(file);
    this.writer.pragma('journal_mode = WAL');
    this.writer.pragma('synchronous = NORMAL');
    this.writer.pragma(`busy_timeout = ${options.busyTimeoutMs ?? 60_000}`);
    this.busyTimeoutMs = options.busyTimeoutMs ?? 60_000;
  }

  private readonly busyTimeoutMs: number;

  /** The read connection (opened once the schema exists; an in-memory database has only the one). */
  private get read(): Database.Database {
    if (this.file === ':memory:') return this.writer;
    if (this.reader === undefined) {
      this.reader = new Database(this.file, { readonly: true });
      this.reader.pragma(`busy_timeout = ${this.busyTimeoutMs}`);
    }
    return this.reader;
  }

  /** Runs `work` after every write queued before it (one writer at a time in this process). */
  private exclusive<T>(work: () => Promise<T>): Promise<T> {
    const run = this.queue.then(work, work);
    this.queue = run.catch(() => undefined);
    return run;
  }

  async migrate(): Promise<readonly number[]> {
    return this.exclusive(async () => {
      this.writer.exec('CREATE TABLE IF NOT EXISTS ledger_schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)');
      const applied: number[] = [];
      for (const migration of MIGRATIONS) {
        // checked under the write lock: workers starting together apply each migration once
        const ran = this.writer.transaction(() => {
          if (this.writer.prepare('SELECT 1 FROM ledger_schema_migrations WHERE version = ?').get(migration.version) !== undefined) return false;
          this.writer.exec(migration.sqlite);
          this.writer.prepare('INSERT INTO ledger_schema_migrations (version, name, applied_at) VALUES (?, ?, ?)').run(migration.version, migration.name, new Date().toISOString());
          return true;
        }).immediate();
        if (ran) applied.push(migration.version);
      }
      return applied;
    });
  }

  async ingest(request: IngestRequest): Promise<IngestOutcome> {
    return this.exclusive(async () => {
      const db = this.writer;
      const { agreement } = request;
      db.exec('BEGIN IMMEDIATE');
      try {
        const closed = new Set((db.prepare("SELECT period FROM ledger_periods WHERE agreement = ? AND state = 'closed'").all(agreement) as { period: string }[]).map((row) => row.period));
        const latestClosed = [...closed].sort().pop();
        const currentOpen = latestClosed === undefined ? undefined : nextPeriod(latestClosed);
        const insert = db.prepare(
          'INSERT INTO ledger_transactions (agreement, id, period, date, return_of, adjustment, adjusted, content_hash, body) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (agreement, id) DO NOTHING',
        );
        const hashOf = db.prepare('SELECT content_hash FROM ledger_transactions WHERE agreement = ? AND id = ?').pluck();
        let accepted = 0;
        let unchanged = 0;
        const conflicts: string[] = [];
        let conflictCount = 0;
        const refusedClosed: { id: string; period: string }[] = [];
        let closedCount = 0;
        const periods = new Set<string>();
        /** unchanged, or a conflict: the id is already in the ledger (or undefined when it is not). */
        const existing = (tx: LedgerTransactionInput): boolean => {
          const hash = hashOf.get(agreement, tx.id) as string | undefined;
          if (hash === undefined) return false;
          if (hash === tx.contentHash) unchanged++;
          else if (conflictCount++ < MAX_LISTED_IDS) conflicts.push(tx.id);
          return true;
        };
        for await (const batch of request.batches) {
          for (const tx of batch) {
            const own = periodOfDate(tx.date);
            let period = own;
            if (closed.has(own)) {
              if (existing(tx)) continue;
              if (!tx.adjustment || currentOpen === undefined) {
                if (closedCount++ < MAX_LISTED_IDS) refusedClosed.push({ id: tx.id, period: own });
                continue;
              }
              period = currentOpen;
            }
            const adjusted = period !== own;
            if (insert.run(agreement, tx.id, period, tx.date, tx.returnOf ?? null, tx.adjustment ? 1 : 0, adjusted ? 1 : 0, tx.contentHash, tx.body).changes === 0) {
              existing(tx);
              continue;
            }
            accepted++;
            periods.add(period);
          }
        }
        const external = putExternalSales(db, agreement, request.externalSales?.() ?? [], closed);
        if (conflictCount > 0 || closedCount > 0 || external.closed.length > 0) {
          db.exec('ROLLBACK');
          return { kind: 'refused', conflicts, conflictCount, closed: refusedClosed, closedCount, closedExternalSales: external.closed };
        }
        for (const period of external.periods) periods.add(period);
        const openPeriod = db.prepare("INSERT INTO ledger_periods (agreement, period, state) VALUES (?, ?, 'open') ON CONFLICT DO NOTHING");
        for (const period of periods) openPeriod.run(agreement, period);
        if (accepted > 0 || external.periods.length > 0) db.prepare(RAISE_CHANGE_MARK_SQLITE).run(agreement);
        this.insertAudit(request.audit());
        db.exec('COMMIT');
        return { kind: 'accepted', accepted, unchanged, periods: [...periods].sort(), externalSales: { accepted: external.accepted, unchanged: external.unchanged } };
      } catch (error) {
        if (db.inTransaction) db.exec('ROLLBACK');
        throw error;
      }
    });
  }

  async listPeriods(agreement: string): Promise<readonly PeriodSummary[]> {
    const rows = this.read
      .prepare(
        `SELECT p.period, p.state, p.closed_at, p.statement_id,
                COUNT(t.seq) AS transactions, COALESCE(SUM(t.return_of IS NOT NULL), 0) AS returns, COALESCE(SUM(t.adjusted), 0) AS adjustments
           FROM ledger_periods p LEFT JOIN ledger_transactions t ON t.agreement = p.agreement AND t.period = p.period
          WHERE p.agreement = ? GROUP BY p.period, p.state, p.closed_at, p.statement_id ORDER BY p.period`,
      )
      .all(agreement) as { period: string; state: 'open' | 'closed'; closed_at: string | null; statement_id: string | null; transactions: number; returns: number; adjustments: number }[];
    return rows.map((row) => ({
      period: row.period,
      state: row.state,
      transactions: row.transactions,
      returns: row.returns,
      adjustments: row.adjustments,
      ...(row.closed_at === null ? {} : { closedAt: row.closed_at }),
      ...(row.statement_id === null ? {} : { statementId: row.statement_id }),
    }));
  }

  async changeMark(agreement: string): Promise<string> {
    const mark = this.read.prepare('SELECT mark FROM ledger_change_marks WHERE agreement = ?').pluck().get(agreement) as number | undefined;
    return String(mark ?? 0);
  }

  readTransactions(agreement: string, from: PeriodKey, to: PeriodKey): AsyncIterable<LedgerTransaction> {
    return readTransactionsOn(() => this.read, agreement, from, to);
  }

  readOriginals(agreement: string, period: PeriodKey): AsyncIterable<LedgerTransaction> {
    return readOriginalsOn(() => this.read, agreement, period);
  }

  async findTransactions(agreement: string, ids: readonly string[]): Promise<readonly LedgerTransaction[]> {
    return findTransactionsOn(this.read, agreement, ids);
  }

  async claims(agreement: string, period: PeriodKey): Promise<readonly Claim[]> {
    return claimsOn(this.read, agreement, period);
  }

  async externalSales(agreement: string, period: PeriodKey): Promise<ExternalSalesReport | undefined> {
    return externalSalesOn(this.read, agreement, period);
  }

  async closePeriod(agreement: string, period: PeriodKey, compute: (reader: LedgerReader) => Promise<NewStatement>): Promise<ClosedPeriod> {
    return this.exclusive(async () => {
      const db = this.writer;
      db.exec('BEGIN IMMEDIATE');
      try {
        const stored = this.storedStatementOf(agreement, period);
        if (stored !== undefined) {
          db.exec('ROLLBACK');
          return { statement: stored, created: false };
        }
        // the reads see this transaction's snapshot; no other writer can commit until it ends
        const reader: LedgerReader = {
          readTransactions: (a, from, to) => readTransactionsOn(() => db, a, from, to),
          readOriginals: (a, p) => readOriginalsOn(() => db, a, p),
          findTransactions: async (a, ids) => findTransactionsOn(db, a, ids),
          claims: async (a, p) => claimsOn(db, a, p),
          externalSales: async (a, p) => externalSalesOn(db, a, p),
        };
        const statement = await compute(reader);
        db.prepare('INSERT INTO ledger_statements (id, agreement, period, partner, closed_at, content_hash, signature, body) VALUES (?, ?, ?, ?, ?, ?, ?, ?)').run(
          statement.id,
          agreement,
          period,
          statement.partner,
          statement.closedAt,
          statement.contentHash,
          statement.signature,
          statement.body,
        );
        db.prepare(
          "INSERT INTO ledger_periods (agreement, period, state, closed_at, statement_id) VALUES (?, ?, 'closed', ?, ?) ON CONFLICT (agreement, period) DO UPDATE SET state = 'closed', closed_at = excluded.closed_at, statement_id = excluded.statement_id",
        ).run(agreement, period, statement.closedAt, statement.id);
        db.prepare(RAISE_CHANGE_MARK_SQLITE).run(agreement);
        db.exec('COMMIT');
        return { statement: { ...statement, agreement, period }, created: true };
      } catch (error) {
        if (db.inTransaction) db.exec('ROLLBACK');
        throw error;
      }
    });
  }

  async putClaims(agreement: string, period: PeriodKey, claims: readonly Claim[], audit: AuditEntryInput): Promise<void> {
    return this.exclusive(async () => {
      const db = this.writer;
      db.transaction(() => {
        const state = db.prepare('SELECT state FROM ledger_periods WHERE agreement = ? AND period = ?').pluck().get(agreement, period) as string | undefined;
        if (state === 'closed') throw new PeriodClosedError(agreement, period);
        db.prepare("INSERT INTO ledger_periods (agreement, period, state) VALUES (?, ?, 'open') ON CONFLICT DO NOTHING").run(agreement, period);
        const put = db.prepare('INSERT INTO ledger_claims (agreement, period, figure, claimed) VALUES (?, ?, ?, ?) ON CONFLICT (agreement, period, figure) DO UPDATE SET claimed = excluded.claimed');
        for (const claim of claims) put.run(agreement, period, claim.figure, claim.claimed);
        db.prepare(RAISE_CHANGE_MARK_SQLITE).run(agreement);
        this.insertAudit(audit);
      }).immediate();
    });
  }

  async statement(id: string): Promise<StoredStatement | undefined> {
    const row = this.read.prepare('SELECT * FROM ledger_statements WHERE id = ?').get(id) as StatementRow | undefined;
    return row === undefined ? undefined : (statementOfRow(row) as StoredStatement);
  }

  async listStatements(filter: StatementFilter): Promise<readonly StatementSummary[]> {
    const where: string[] = [];
    const values: unknown[] = [];
    for (const [column, value] of [
      ['agreement', filter.agreement],
      ['period', filter.period],
      ['partner', filter.partner],
    ] as const) {
      if (value === undefined) continue;
      where.push(`${column} = ?`);
      values.push(value);
    }
    const rows = this.read
      .prepare(`SELECT id, agreement, period, partner, closed_at, content_hash, signature FROM ledger_statements ${where.length === 0 ? '' : `WHERE ${where.join(' AND ')}`} ORDER BY closed_at DESC, id LIMIT ?`)
      .all(...values, filter.limit ?? 100) as StatementRow[];
    return rows.map(statementOfRow);
  }

  async appendAudit(entry: AuditEntryInput): Promise<void> {
    return this.exclusive(async () => {
      this.insertAudit(entry);
    });
  }

  async listAudit(agreement: string, options: { readonly limit?: number; readonly before?: number } = {}): Promise<readonly AuditRecord[]> {
    const rows = this.read
      .prepare('SELECT * FROM ledger_audit WHERE agreement = ? AND seq < ? ORDER BY seq DESC LIMIT ?')
      .all(agreement, options.before ?? Number.MAX_SAFE_INTEGER, options.limit ?? 100) as { seq: number; agreement: string; action: string; partner: string | null; at: string; input_hash: string; detail: string }[];
    return rows.map((row) => ({ seq: row.seq, agreement: row.agreement, action: row.action, partner: row.partner, at: row.at, inputHash: row.input_hash, detail: JSON.parse(row.detail) as Record<string, unknown> }));
  }

  async close(): Promise<void> {
    await this.queue;
    this.reader?.close();
    this.writer.close();
  }

  private insertAudit(entry: AuditEntryInput): void {
    this.writer.prepare('INSERT INTO ledger_audit (agreement, action, partner, at, input_hash, detail) VALUES (?, ?, ?, ?, ?, ?)').run(entry.agreement, entry.action, entry.partner, entry.at, entry.inputHash, JSON.stringify(entry.detail));
  }

  private storedStatementOf(agreement: string, period: PeriodKey): StoredStatement | undefined {
    const row = this.writer.prepare('SELECT * FROM ledger_statements WHERE agreement = ? AND period = ?').get(agreement, period) as StatementRow | undefined;
    return row === undefined ? undefined : (statementOfRow(row) as StoredStatement);
  }
}

function statementOfRow(row: StatementRow): StatementSummary | StoredStatement {
  return {
    id: row.id,
    agreement: row.agreement,
    period: row.period,
    partner: row.partner,
    closedAt: row.closed_at,
    contentHash: row.content_hash,
    signature: row.signature,
    ...(row.body === undefined ? {} : { body: row.body }),
  };
}

function transactionOfRow(row: TransactionRow): LedgerTransaction {
  return {
    seq: row.seq,
    id: row.id,
    period: row.period,
    date: row.date,
    ...(row.return_of === null ? {} : { returnOf: row.return_of }),
    adjustment: row.adjustment === 1,
    adjusted: row.adjusted === 1,
    contentHash: row.content_hash,
    body: row.body,
  };
}

const TRANSACTION_COLUMNS = 'seq, id, period, date, return_of, adjustment, adjusted, content_hash, body';

async function* readTransactionsOn(db: () => Database.Database, agreement: string, from: PeriodKey, to: PeriodKey): AsyncGenerator<LedgerTransaction> {
  const periods = (db().prepare('SELECT DISTINCT period FROM ledger_transactions WHERE agreement = ? AND period BETWEEN ? AND ? ORDER BY period').pluck().all(agreement, from, to) as string[]);
  for (const period of periods) {
    let after = 0;
    for (;;) {
      const rows = db().prepare(`SELECT ${TRANSACTION_COLUMNS} FROM ledger_transactions WHERE agreement = ? AND period = ? AND seq > ? ORDER BY seq LIMIT ?`).all(agreement, period, after, PAGE_ROWS) as TransactionRow[];
      for (const row of rows) yield transactionOfRow(row);
      if (rows.length < PAGE_ROWS) break;
      after = rows[rows.length - 1]!.seq;
    }
  }
}

async function* readOriginalsOn(db: () => Database.Database, agreement: string, period: PeriodKey): AsyncGenerator<LedgerTransaction> {
  let after = 0;
  for (;;) {
    const rows = db()
      .prepare(
        `SELECT ${TRANSACTION_COLUMNS} FROM ledger_transactions o
          WHERE o.agreement = ? AND o.period < ? AND o.seq > ?
            AND o.id IN (SELECT r.return_of FROM ledger_transactions r WHERE r.agreement = ? AND r.period = ? AND r.return_of IS NOT NULL)
          ORDER BY o.seq LIMIT ?`,
      )
      .all(agreement, period, after, agreement, period, PAGE_ROWS) as TransactionRow[];
    for (const row of rows) yield transactionOfRow(row);
    if (rows.length < PAGE_ROWS) break;
    after = rows[rows.length - 1]!.seq;
  }
}

function findTransactionsOn(db: Database.Database, agreement: string, ids: readonly string[]): LedgerTransaction[] {
  const found: LedgerTransaction[] = [];
  for (let i = 0; i < ids.length; i += 500) {
    const chunk = ids.slice(i, i + 500);
    const rows = db.prepare(`SELECT ${TRANSACTION_COLUMNS} FROM ledger_transactions WHERE agreement = ? AND id IN (${chunk.map(() => '?').join(', ')})`).all(agreement, ...chunk) as TransactionRow[];
    found.push(...rows.map(transactionOfRow));
  }
  return found;
}

function claimsOn(db: Database.Database, agreement: string, period: PeriodKey): Claim[] {
  return db.prepare('SELECT figure, claimed FROM ledger_claims WHERE agreement = ? AND period = ? ORDER BY figure').all(agreement, period) as Claim[];
}

function externalSalesOn(db: Database.Database, agreement: string, period: PeriodKey): ExternalSalesReport | undefined {
  const contentHash = db.prepare('SELECT content_hash FROM ledger_external_reports WHERE agreement = ? AND period = ?').pluck().get(agreement, period) as string | undefined;
  if (contentHash === undefined) return undefined;
  const sales = db.prepare('SELECT body FROM ledger_external_sales WHERE agreement = ? AND period = ? ORDER BY ord').pluck().all(agreement, period) as string[];
  return { period, contentHash, sales };
}

/**
 * Writes an upload's external-sales reports inside its database transaction (see
 * planExternalSales); nothing is written when one is refused (the caller rolls back).
 */
function putExternalSales(db: Database.Database, agreement: string, reports: readonly ExternalSalesReport[], closed: ReadonlySet<PeriodKey>): ExternalSalesPlan {
  const storedHash = db.prepare('SELECT content_hash FROM ledger_external_reports WHERE agreement = ? AND period = ?').pluck();
  const stored = new Map(reports.flatMap((report) => {
    const hash = storedHash.get(agreement, report.period) as string | undefined;
    return hash === undefined ? [] : [[report.period, hash] as const];
  }));
  const plan = planExternalSales(reports, stored, closed);
  if (plan.closed.length > 0) return plan;
  const insert = db.prepare('INSERT INTO ledger_external_sales (agreement, period, ord, body) VALUES (?, ?, ?, ?)');
  for (const report of plan.write) {
    db.prepare('DELETE FROM ledger_external_sales WHERE agreement = ? AND period = ?').run(agreement, report.period);
    report.sales.forEach((body, ord) => insert.run(agreement, report.period, ord, body));
    db.prepare('INSERT INTO ledger_external_reports (agreement, period, content_hash, sales) VALUES (?, ?, ?, ?) ON CONFLICT (agreement, period) DO UPDATE SET content_hash = excluded.content_hash, sales = excluded.sales').run(
      agreement,
      report.period,
      report.contentHash,
      report.sales.length,
    );
  }
  return plan;
}
