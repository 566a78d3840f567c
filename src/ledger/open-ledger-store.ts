import path from 'node:path';
import type { LedgerStore } from './ledger-store';
export { isPostgresUrl } from './ledger-store';
import { openPostgresLedgerStore } from './postgres-ledger-store';
import { SQLITE_LEDGER_FILE, SqliteLedgerStore } from './sqlite-ledger-store';

/** Where the ledger lives: a PostgreSQL URL, or else the SQLite file under the data directory. */
export interface LedgerLocation {
  readonly dataDir: string;
  readonly databaseUrl?: string | undefined;
}


/**
 * Opens the ledger and applies its pending migrations: PostgreSQL when `databaseUrl` is a
 * postgres:// URL, else `<dataDir>/ledger.sqlite`. Throws with a readable message when it cannot.
 */
export async function openLedgerStore(location: LedgerLocation): Promise<LedgerStore> {
  const store = location.databaseUrl !== undefined && location.databaseUrl !== '' ? await openPostgresLedgerStore(location.databaseUrl) : new SqliteLedgerStore(path.join(location.dataDir, SQLITE_LEDGER_FILE));
  try {
    await store.migrate();
  } catch (error) {
    await store.close().catch(() => undefined);
    throw error;
  }
  return store;
}
