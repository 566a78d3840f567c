import type { LedgerStore } from './ledger-store';

/**
 * The PostgreSQL ledger (SUANPAN_DATABASE_URL=postgres://…). Placeholder until the back end
 * lands (branch ledger-postgres replaces this file): starting with a PostgreSQL URL fails with
 * a clear message rather than falling back to SQLite.
 */
export async function openPostgresLedgerStore(_url: string): Promise<LedgerStore> {
  throw new Error('SUANPAN_DATABASE_URL names PostgreSQL, but this build has no PostgreSQL ledger back end yet; unset it to use the embedded SQLite ledger under SUANPAN_DATA_DIR');
}
