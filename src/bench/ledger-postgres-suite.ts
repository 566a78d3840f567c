/**
 * The ledger's PostgreSQL ingestion (COPY into a staging table, one merge) beside the embedded
 * SQLite ledger: the same generated month uploaded through the ledger service into each, then
 * closed. PostgreSQL is a throwaway local cluster (fsync off, as the tests run it), or the
 * database of SUANPAN_BENCH_DATABASE_URL. Without the server binaries the run fails (a
 * contender that cannot start), unless SUANPAN_SKIP_POSTGRES=1 asks to leave the row out.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { LedgerService } from '../ledger/ledger-service';
import type { LedgerStore } from '../ledger/ledger-store';
import { PostgresLedgerStore } from '../ledger/postgres-ledger-store';
import { SqliteLedgerStore } from '../ledger/sqlite-ledger-store';
import { RuleCatalog } from '../rules/rule-catalog';
import { ephemeralKeyRing } from '../trust/signing-keys';
import type { BenchOptions } from './measure';
import { ratioRow, type BenchRow } from './report';
import { settlementCsvChunks } from './settlement-input';
import { postgresSkipped, startPostgres } from './throwaway-postgres';

const RULES_DIR = path.resolve(__dirname, '../../rules');
const AGREEMENT = 'chamber-baiyikang';
const PERIOD = '2026-11';

interface Timings {
  readonly uploadMs: number;
  readonly closeMs: number;
  readonly accepted: number;
}

/** The generated month without its table of external sales (the bench measures the transactions; 200 external sales would not show). */
function* transactionsOnly(chunks: Iterable<string>): Generator<string> {
  for (const chunk of chunks) {
    const end = chunk.indexOf('\n\n');
    if (end === -1) {
      yield chunk;
      continue;
    }
    yield chunk.slice(0, end + 1);
    return;
  }
}

async function uploadAndClose(store: LedgerStore, lines: number): Promise<Timings> {
  await store.migrate();
  const catalog = RuleCatalog.load(RULES_DIR);
  const keys = ephemeralKeyRing();
  const ledger = new LedgerService({ store, catalog: () => catalog, keys: () => keys, now: () => new Date() });
  const started = performance.now();
  const result = await ledger.upload({ agreement: AGREEMENT, partner: null, adjustment: false, content: { kind: 'file', file: { stream: Readable.from(transactionsOnly(settlementCsvChunks(lines))), format: 'csv' } } });
  const uploaded = performance.now();
  await ledger.close(AGREEMENT, PERIOD, null);
  return { uploadMs: uploaded - started, closeMs: performance.now() - uploaded, accepted: result.accepted };
}

/** Rows: PostgreSQL ingestion and close of `lines` lines (1M, 50,000 with --quick) beside SQLite's. */
export async function ledgerPostgresSuite(options: BenchOptions): Promise<BenchRow[]> {
  if (postgresSkipped()) return [];
  const lines = options.quick ? 50_000 : 1_000_000;
  const dir = mkdtempSync(path.join(os.tmpdir(), 'suanpan-bench-ledger-'));
  const given = process.env['SUANPAN_BENCH_DATABASE_URL'];
  const cluster = given === undefined || given === '' ? await startPostgres() : undefined;
  try {
    const url = cluster === undefined ? given! : await cluster.createDatabase('bench');
    const sqliteStore = new SqliteLedgerStore(path.join(dir, 'ledger.sqlite'));
    const sqlite = await uploadAndClose(sqliteStore, lines).finally(() => sqliteStore.close());
    const postgresStore = new PostgresLedgerStore(url);
    const postgres = await uploadAndClose(postgresStore, lines).finally(() => postgresStore.close());
    if (postgres.accepted !== sqlite.accepted) throw new Error(`the PostgreSQL ledger accepted ${postgres.accepted} transactions where SQLite accepted ${sqlite.accepted}`);
    const size = `${lines.toLocaleString('en-US')} lines`;
    return [
      ratioRow(`ledger ingest into PostgreSQL (COPY), ${size} [baseline: SQLite]`, lines / (postgres.uploadMs / 1000), lines / (sqlite.uploadMs / 1000), 'lines/s', { text: 'reported' }, postgres.uploadMs / sqlite.uploadMs),
      ratioRow(`ledger close in PostgreSQL, ${size} [baseline: SQLite]`, postgres.closeMs / 1000, sqlite.closeMs / 1000, 's', { text: 'reported' }),
    ];
  } finally {
    await cluster?.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}
