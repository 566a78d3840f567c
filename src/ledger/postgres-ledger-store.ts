import { Pool, type PoolClient } from 'pg';
import { MIGRATIONS } from './migrations';
import { RAISE_CHANGE_MARK_POSTGRES } from './migrations/002-change-marks';
import { copyBatches, CREATE_STAGING_TABLE, STAGING_TABLE } from './postgres-copy';
import { migratePostgres } from './postgres-migrate';
import {
  MAX_LISTED_IDS,
  nextPeriod,
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
  type NewStatement,
  type PeriodKey,
  type PeriodSummary,
  type StatementFilter,
  type StatementSummary,
  type StoredStatement,
} from './ledger-store';

/** Rows read per query when a period is streamed (keyset pages). */
const PAGE_ROWS = 2000;

/**
 * The first key of the per-agreement advisory locks (pg_advisory_xact_lock(int4, int4), the
 * second being hashtext(agreement)): the merge of an upload, a close and a claims update of one
 * agreement take it, across every replica sharing the database.
 */
const AGREEMENT_LOCK_CLASS = 0x4c656467; // "Ledg"

export interface PostgresLedgerOptions {
  /** Connections for uploads, closes and audit writes (each holds one for its database transaction); default 8. */
  readonly writeConnections?: number;
  /** Connections for reads (listings, the upload check's look-ups); default 4. */
  readonly readConnections?: number;
}

interface TransactionRow {
  seq: string;
  id: string;
  period: string;
  date: string;
  return_of: string | null;
  adjustment: boolean;
  adjusted: boolean;
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

type Queryable = Pick<PoolClient, 'query'>;

/**
 * The production ledger: PostgreSQL, shared by every replica. An upload is one database
 * transaction: its transactions are copied (COPY) into a temporary staging table as they
 * arrive, then — under the agreement's advisory lock, so that concurrent uploads and closes of
 * the agreement take turns on every replica — checked against the ledger in one query and
 * merged with one INSERT … SELECT. A refusal or a failure rolls back, so nothing of the upload
 * stays; a process killed half-way leaves an aborted transaction that the server discards.
 *
 * Two pools: writes hold a connection for their whole database transaction, reads never wait
 * behind them (the service's upload check looks ids up while its upload is being copied).
 */
export class PostgresLedgerStore implements LedgerStore {
  readonly backend = 'postgres';
  private readonly writes: Pool;
  private readonly reads: Pool;

  constructor(connectionString: string, options: PostgresLedgerOptions = {}) {
    this.writes = new Pool({ connectionString, max: options.writeConnections ?? 8, application_name: 'suanpan-ledger' });
    this.reads = new Pool({ connectionString, max: options.readConnections ?? 4, application_name: 'suanpan-ledger' });
    // an idle connection the server closes (restart, failover) is replaced on next use; unhandled, it would end the process
    this.writes.on('error', () => undefined);
    this.reads.on('error', () => undefined);
  }

  /** Checks the database answers (a clear start-up error rather than one on the first request). */
  async ping(): Promise<void> {
    await this.reads.query('SELECT 1');
  }

  async migrate(): Promise<readonly number[]> {
    return migratePostgres(this.writes, MIGRATIONS);
  }

  async ingest(request: IngestRequest): Promise<IngestOutcome> {
    const { agreement } = request;
    return this.inTransaction(async (client) => {
      await client.query(CREATE_STAGING_TABLE);
      await copyBatches(client, request.batches);
      await client.query(`ANALYZE ${STAGING_TABLE}`); // a temporary table has no statistics otherwise
      await lockAgreement(client, agreement);
      const closed = (await client.query<{ period: string }>("SELECT period FROM ledger_periods WHERE agreement = $1 AND state = 'closed' ORDER BY period", [agreement])).rows.map((row) => row.period);
      const currentOpen = closed.length === 0 ? null : nextPeriod(closed[closed.length - 1]!);
      const params = [agreement, closed, currentOpen];
      const counts = await client.query<{ verdict: Verdict; period: string | null; n: string }>(`SELECT verdict, period, count(*) AS n FROM (${VERDICTS}) v GROUP BY verdict, period`, params);
      const count = (verdict: Verdict): number => counts.rows.filter((row) => row.verdict === verdict).reduce((sum, row) => sum + Number(row.n), 0);
      const external = await putExternalSales(client, agreement, request.externalSales?.() ?? [], new Set(closed));
      if (count('conflict') > 0 || count('closed') > 0 || external.closed.length > 0) {
        const listed = await client.query<{ verdict: Verdict; id: string; own: string }>(
          `SELECT verdict, id, own FROM (SELECT v.*, row_number() OVER (PARTITION BY verdict ORDER BY ord) AS rank FROM (${VERDICTS}) v WHERE verdict IN ('conflict', 'closed')) ranked WHERE rank <= ${MAX_LISTED_IDS} ORDER BY ord`,
          params,
        );
        await client.query('ROLLBACK');
        return {
          kind: 'refused',
          conflicts: listed.rows.filter((row) => row.verdict === 'conflict').map((row) => row.id),
          conflictCount: count('conflict'),
          closed: listed.rows.filter((row) => row.verdict === 'closed').map((row) => ({ id: row.id, period: row.own })),
          closedCount: count('closed'),
          closedExternalSales: external.closed,
        };
      }
      const inserted = await client.query(
        `INSERT INTO ledger_transactions (agreement, id, period, date, return_of, adjustment, adjusted, content_hash, body)
         SELECT $1::text, s.id, b.period, s.date, s.return_of, s.adjustment, b.period <> left(s.date, 7), s.content_hash, s.body
           FROM ${STAGING_TABLE} s CROSS JOIN LATERAL (SELECT ${BOOKED_PERIOD} AS period) b
          ORDER BY s.ord
         ON CONFLICT (agreement, id) DO NOTHING`,
        params,
      );
      const accepted = count('new');
      if (inserted.rowCount !== accepted) throw new Error(`ledger merge inserted ${inserted.rowCount} transactions where ${accepted} were new`);
      const periods = [...new Set([...counts.rows.filter((row) => row.verdict === 'new').map((row) => row.period!), ...external.periods])].sort();
      await client.query("INSERT INTO ledger_periods (agreement, period, state) SELECT $1::text, unnest($2::text[]), 'open' ON CONFLICT DO NOTHING", [agreement, periods]);
      if (accepted > 0 || external.periods.length > 0) await client.query(RAISE_CHANGE_MARK_POSTGRES, [agreement]);
      await insertAudit(client, request.audit());
      await client.query('COMMIT');
      return { kind: 'accepted', accepted, unchanged: count('unchanged'), periods, externalSales: { accepted: external.accepted, unchanged: external.unchanged } };
    });
  }

  async listPeriods(agreement: string): Promise<readonly PeriodSummary[]> {
    const { rows } = await this.reads.query<{ period: string; state: 'open' | 'closed'; closed_at: string | null; statement_id: string | null; transactions: string; returns: string; adjustments: string }>(
      `SELECT p.period, p.state, p.closed_at, p.statement_id,
              count(t.seq) AS transactions, count(t.return_of) AS returns, count(*) FILTER (WHERE t.adjusted) AS adjustments
         FROM ledger_periods p LEFT JOIN ledger_transactions t ON t.agreement = p.agreement AND t.period = p.period
        WHERE p.agreement = $1 GROUP BY p.period, p.state, p.closed_at, p.statement_id ORDER BY p.period`,
      [agreement],
    );
    return rows.map((row) => ({
      period: row.period,
      state: row.state,
      transactions: Number(row.transactions),
      returns: Number(row.returns),
      adjustments: Number(row.adjustments),
      ...(row.closed_at === null ? {} : { closedAt: row.closed_at }),
      ...(row.statement_id === null ? {} : { statementId: row.statement_id }),
    }));
  }

  async changeMark(agreement: string): Promise<string> {
    const { rows } = await this.reads.query<{ mark: string }>('SELECT mark FROM ledger_change_marks WHERE agreement = $1', [agreement]);
    return rows[0]?.mark ?? '0';
  }

  readTransactions(agreement: string, from: PeriodKey, to: PeriodKey): AsyncIterable<LedgerTransaction> {
    return readTransactionsOn(this.reads, agreement, from, to);
  }

  readOriginals(agreement: string, period: PeriodKey): AsyncIterable<LedgerTransaction> {
    return readOriginalsOn(this.reads, agreement, period);
  }

  async findTransactions(agreement: string, ids: readonly string[]): Promise<readonly LedgerTransaction[]> {
    return findTransactionsOn(this.reads, agreement, ids);
  }

  async claims(agreement: string, period: PeriodKey): Promise<readonly Claim[]> {
    return claimsOn(this.reads, agreement, period);
  }

  async externalSales(agreement: string, period: PeriodKey): Promise<ExternalSalesReport | undefined> {
    return externalSalesOn(this.reads, agreement, period);
  }

  async closePeriod(agreement: string, period: PeriodKey, compute: (reader: LedgerReader) => Promise<NewStatement>): Promise<ClosedPeriod> {
    return this.inTransaction(async (client) => {
      await lockAgreement(client, agreement);
      const stored = await client.query<StatementRow>('SELECT * FROM ledger_statements WHERE agreement = $1 AND period = $2', [agreement, period]);
      if (stored.rows[0] !== undefined) {
        await client.query('ROLLBACK');
        return { statement: statementOfRow(stored.rows[0]) as StoredStatement, created: false };
      }
      // no upload, close or claim of this agreement commits until this transaction ends (the lock)
      const statement = await compute(readerOn(client));
      await client.query('INSERT INTO ledger_statements (id, agreement, period, partner, closed_at, content_hash, signature, body) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)', [
        statement.id,
        agreement,
        period,
        statement.partner,
        statement.closedAt,
        statement.contentHash,
        statement.signature,
        statement.body,
      ]);
      await client.query(
        "INSERT INTO ledger_periods (agreement, period, state, closed_at, statement_id) VALUES ($1, $2, 'closed', $3, $4) ON CONFLICT (agreement, period) DO UPDATE SET state = 'closed', closed_at = excluded.closed_at, statement_id = excluded.statement_id",
        [agreement, period, statement.closedAt, statement.id],
      );
      await client.query(RAISE_CHANGE_MARK_POSTGRES, [agreement]);
      await client.query('COMMIT');
      return { statement: { ...statement, agreement, period }, created: true };
    });
  }

  async putClaims(agreement: string, period: PeriodKey, claims: readonly Claim[], audit: AuditEntryInput): Promise<void> {
    return this.inTransaction(async (client) => {
      await lockAgreement(client, agreement);
      const state = await client.query<{ state: string }>('SELECT state FROM ledger_periods WHERE agreement = $1 AND period = $2', [agreement, period]);
      if (state.rows[0]?.state === 'closed') throw new PeriodClosedError(agreement, period);
      await client.query("INSERT INTO ledger_periods (agreement, period, state) VALUES ($1, $2, 'open') ON CONFLICT DO NOTHING", [agreement, period]);
      await client.query(
        'INSERT INTO ledger_claims (agreement, period, figure, claimed) SELECT $1::text, $2::text, unnest($3::text[]), unnest($4::text[]) ON CONFLICT (agreement, period, figure) DO UPDATE SET claimed = excluded.claimed',
        [agreement, period, claims.map((claim) => claim.figure), claims.map((claim) => claim.claimed)],
      );
      await client.query(RAISE_CHANGE_MARK_POSTGRES, [agreement]);
      await insertAudit(client, audit);
      await client.query('COMMIT');
    });
  }

  async statement(id: string): Promise<StoredStatement | undefined> {
    const { rows } = await this.reads.query<StatementRow>('SELECT * FROM ledger_statements WHERE id = $1', [id]);
    return rows[0] === undefined ? undefined : (statementOfRow(rows[0]) as StoredStatement);
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
      values.push(value);
      where.push(`${column} = $${values.length}`);
    }
    values.push(filter.limit ?? 100);
    const { rows } = await this.reads.query<StatementRow>(
      `SELECT id, agreement, period, partner, closed_at, content_hash, signature FROM ledger_statements ${where.length === 0 ? '' : `WHERE ${where.join(' AND ')}`} ORDER BY closed_at DESC, id COLLATE "C" LIMIT $${values.length}`,
      values,
    );
    return rows.map(statementOfRow);
  }

  async appendAudit(entry: AuditEntryInput): Promise<void> {
    await insertAudit(this.writes, entry);
  }

  async listAudit(agreement: string, options: { readonly limit?: number; readonly before?: number } = {}): Promise<readonly AuditRecord[]> {
    const { rows } = await this.reads.query<{ seq: string; agreement: string; action: string; partner: string | null; at: string; input_hash: string; detail: string }>(
      'SELECT * FROM ledger_audit WHERE agreement = $1 AND ($2::bigint IS NULL OR seq < $2) ORDER BY seq DESC LIMIT $3',
      [agreement, options.before ?? null, options.limit ?? 100],
    );
    return rows.map((row) => ({ seq: Number(row.seq), agreement: row.agreement, action: row.action, partner: row.partner, at: row.at, inputHash: row.input_hash, detail: JSON.parse(row.detail) as Record<string, unknown> }));
  }

  async close(): Promise<void> {
    await Promise.all([this.writes.end(), this.reads.end()]);
  }

  /**
   * Runs `work` in a database transaction on a write connection. `work` commits (or rolls back
   * on a refusal) itself; when it throws, the transaction is rolled back and the error rethrown.
   */
  private async inTransaction<T>(work: (client: PoolClient) => Promise<T>): Promise<T> {
    const client = await this.writes.connect();
    let broken = false;
    try {
      await client.query('BEGIN');
      return await work(client);
    } catch (error) {
      await client.query('ROLLBACK').catch(() => {
        broken = true;
      });
      throw error;
    } finally {
      client.release(broken);
    }
  }
}

/**
 * Opens the PostgreSQL ledger at `url` (postgres://…) and checks that it answers; throws a
 * message naming the server (never the password) when it does not. Migrations are applied by
 * the caller (openLedgerStore).
 */
export async function openPostgresLedgerStore(url: string, options: PostgresLedgerOptions = {}): Promise<LedgerStore> {
  const store = new PostgresLedgerStore(url, options);
  try {
    await store.ping();
  } catch (error) {
    await store.close().catch(() => undefined);
    throw new Error(`cannot reach the PostgreSQL ledger at ${describeDatabase(url)} (SUANPAN_DATABASE_URL): ${(error as Error).message}`);
  }
  return store;
}

/** host:port/database of a URL, without its credentials. */
export function describeDatabase(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.hostname}:${parsed.port === '' ? '5432' : parsed.port}${parsed.pathname}`;
  } catch {
    return 'an unreadable URL';
  }
}

type Verdict = 'new' | 'unchanged' | 'conflict' | 'closed';

/** The period an upload's row is booked in ($2: the closed periods, $3: the current open period). */
const BOOKED_PERIOD = `CASE WHEN left(s.date, 7) = ANY($2::text[]) THEN $3::text ELSE left(s.date, 7) END`;

/**
 * Every staging row's verdict ($1: agreement, $2: closed periods, $3: current open period):
 * already in the ledger (`unchanged` with the same content hash, else `conflict`); repeated in
 * the upload (`unchanged` when every copy has one content, else `conflict`); dated in a closed
 * period without being an adjustment that can be booked (`closed`); else `new`, with the period
 * it is booked in.
 */
const VERDICTS = `
  SELECT s.ord, s.id, left(s.date, 7) AS own,
         CASE WHEN t.content_hash IS NOT NULL THEN CASE WHEN t.content_hash = s.content_hash THEN 'unchanged' ELSE 'conflict' END
              WHEN f.ord <> s.ord THEN CASE WHEN f.lowest = f.highest THEN 'unchanged' ELSE 'conflict' END
              WHEN left(s.date, 7) = ANY($2::text[]) AND (NOT s.adjustment OR $3::text IS NULL) THEN 'closed'
              ELSE 'new' END AS verdict,
         CASE WHEN t.content_hash IS NULL AND f.ord = s.ord THEN ${BOOKED_PERIOD} END AS period
    FROM ${STAGING_TABLE} s
    JOIN (SELECT id, min(ord) AS ord, min(content_hash) AS lowest, max(content_hash) AS highest FROM ${STAGING_TABLE} GROUP BY id) f ON f.id = s.id
    LEFT JOIN ledger_transactions t ON t.agreement = $1 AND t.id = s.id`;

async function lockAgreement(client: Queryable, agreement: string): Promise<void> {
  await client.query('SELECT pg_advisory_xact_lock($1, hashtext($2))', [AGREEMENT_LOCK_CLASS, agreement]);
}

async function insertAudit(db: Queryable, entry: AuditEntryInput): Promise<void> {
  await db.query('INSERT INTO ledger_audit (agreement, action, partner, at, input_hash, detail) VALUES ($1, $2, $3, $4, $5, $6)', [entry.agreement, entry.action, entry.partner, entry.at, entry.inputHash, JSON.stringify(entry.detail)]);
}

function readerOn(db: Queryable): LedgerReader {
  return {
    readTransactions: (agreement, from, to) => readTransactionsOn(db, agreement, from, to),
    readOriginals: (agreement, period) => readOriginalsOn(db, agreement, period),
    findTransactions: (agreement, ids) => findTransactionsOn(db, agreement, ids),
    claims: (agreement, period) => claimsOn(db, agreement, period),
    externalSales: (agreement, period) => externalSalesOn(db, agreement, period),
  };
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
    seq: Number(row.seq),
    id: row.id,
    period: row.period,
    date: row.date,
    ...(row.return_of === null ? {} : { returnOf: row.return_of }),
    adjustment: row.adjustment,
    adjusted: row.adjusted,
    contentHash: row.content_hash,
    body: row.body,
  };
}

const TRANSACTION_COLUMNS = 'seq, id, period, date, return_of, adjustment, adjusted, content_hash, body';

async function* readTransactionsOn(db: Queryable, agreement: string, from: PeriodKey, to: PeriodKey): AsyncGenerator<LedgerTransaction> {
  let afterPeriod = '';
  let afterSeq = 0;
  for (;;) {
    const { rows } = await db.query<TransactionRow>(
      `SELECT ${TRANSACTION_COLUMNS} FROM ledger_transactions
        WHERE agreement = $1 AND period BETWEEN $2 AND $3 AND (period, seq) > ($4::text, $5::bigint)
        ORDER BY period, seq LIMIT ${PAGE_ROWS}`,
      [agreement, from, to, afterPeriod, afterSeq],
    );
    for (const row of rows) yield transactionOfRow(row);
    if (rows.length < PAGE_ROWS) return;
    const last = rows[rows.length - 1]!;
    afterPeriod = last.period;
    afterSeq = Number(last.seq);
  }
}

async function* readOriginalsOn(db: Queryable, agreement: string, period: PeriodKey): AsyncGenerator<LedgerTransaction> {
  let after = 0;
  for (;;) {
    const { rows } = await db.query<TransactionRow>(
      `SELECT ${TRANSACTION_COLUMNS} FROM ledger_transactions o
        WHERE o.agreement = $1 AND o.period < $2 AND o.seq > $3
          AND o.id IN (SELECT r.return_of FROM ledger_transactions r WHERE r.agreement = $1 AND r.period = $2 AND r.return_of IS NOT NULL)
        ORDER BY o.seq LIMIT ${PAGE_ROWS}`,
      [agreement, period, after],
    );
    for (const row of rows) yield transactionOfRow(row);
    if (rows.length < PAGE_ROWS) return;
    after = Number(rows[rows.length - 1]!.seq);
  }
}

async function findTransactionsOn(db: Queryable, agreement: string, ids: readonly string[]): Promise<LedgerTransaction[]> {
  const found: LedgerTransaction[] = [];
  for (let i = 0; i < ids.length; i += PAGE_ROWS) {
    const { rows } = await db.query<TransactionRow>(`SELECT ${TRANSACTION_COLUMNS} FROM ledger_transactions WHERE agreement = $1 AND id = ANY($2::text[])`, [agreement, ids.slice(i, i + PAGE_ROWS)]);
    found.push(...rows.map(transactionOfRow));
  }
  return found;
}

async function claimsOn(db: Queryable, agreement: string, period: PeriodKey): Promise<Claim[]> {
  const { rows } = await db.query<Claim>('SELECT figure, claimed FROM ledger_claims WHERE agreement = $1 AND period = $2 ORDER BY figure COLLATE "C"', [agreement, period]);
  return rows.map((row) => ({ figure: row.figure, claimed: row.claimed }));
}

async function externalSalesOn(db: Queryable, agreement: string, period: PeriodKey): Promise<ExternalSalesReport | undefined> {
  const report = await db.query<{ content_hash: string }>('SELECT content_hash FROM ledger_external_reports WHERE agreement = $1 AND period = $2', [agreement, period]);
  if (report.rows[0] === undefined) return undefined;
  const { rows } = await db.query<{ body: string }>('SELECT body FROM ledger_external_sales WHERE agreement = $1 AND period = $2 ORDER BY ord', [agreement, period]);
  return { period, contentHash: report.rows[0].content_hash, sales: rows.map((row) => row.body) };
}

/**
 * Writes an upload's external-sales reports inside its database transaction, under the
 * agreement's lock (see planExternalSales); nothing is written when one is refused (the caller rolls back).
 */
async function putExternalSales(db: Queryable, agreement: string, reports: readonly ExternalSalesReport[], closed: ReadonlySet<PeriodKey>): Promise<ExternalSalesPlan> {
  const found = reports.length === 0 ? [] : (await db.query<{ period: string; content_hash: string }>('SELECT period, content_hash FROM ledger_external_reports WHERE agreement = $1 AND period = ANY($2::text[])', [agreement, reports.map((report) => report.period)])).rows;
  const plan = planExternalSales(reports, new Map(found.map((row) => [row.period, row.content_hash])), closed);
  if (plan.closed.length > 0) return plan;
  for (const report of plan.write) {
    await db.query('DELETE FROM ledger_external_sales WHERE agreement = $1 AND period = $2', [agreement, report.period]);
    await db.query('INSERT INTO ledger_external_sales (agreement, period, ord, body) SELECT $1::text, $2::text, ord - 1, body FROM unnest($3::text[]) WITH ORDINALITY AS s(body, ord)', [agreement, report.period, report.sales]);
    await db.query(
      'INSERT INTO ledger_external_reports (agreement, period, content_hash, sales) VALUES ($1, $2, $3, $4) ON CONFLICT (agreement, period) DO UPDATE SET content_hash = excluded.content_hash, sales = excluded.sales',
      [agreement, report.period, report.contentHash, report.sales.length],
    );
  }
  return plan;
}
