import type { Pool } from 'pg';
import type { Migration } from './ledger-store';

/**
 * The advisory lock key (pg_advisory_xact_lock(bigint)) migrations are applied under: replicas
 * starting together wait for each other, and each migration is applied once. The ledger's
 * per-agreement locks use the two-int4 form, a separate key space.
 */
export const MIGRATION_LOCK_KEY = 0x5375616e; // "Suan"

/**
 * Applies the migrations not yet recorded in `ledger_schema_migrations`, in order, each in its
 * own database transaction under the migration lock; returns the versions applied by this call.
 */
export async function migratePostgres(pool: Pool, migrations: readonly Migration[]): Promise<readonly number[]> {
  const applied: number[] = [];
  const client = await pool.connect();
  try {
    for (const migration of migrations) {
      await client.query('BEGIN');
      try {
        await client.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK_KEY]);
        // under the lock: replicas starting at once never race on creating the table either
        await client.query('CREATE TABLE IF NOT EXISTS ledger_schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)');
        const done = await client.query('SELECT 1 FROM ledger_schema_migrations WHERE version = $1', [migration.version]);
        if (done.rowCount === 0) {
          await client.query(migration.postgres);
          await client.query('INSERT INTO ledger_schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)', [migration.version, migration.name, new Date().toISOString()]);
          applied.push(migration.version);
        }
        await client.query('COMMIT');
      } catch (error) {
        await client.query('ROLLBACK').catch(() => undefined);
        throw new Error(`ledger migration ${migration.version} (${migration.name}) failed: ${(error as Error).message}`);
      }
    }
  } finally {
    client.release();
  }
  return applied;
}
