import http from 'node:http';
import { Client } from 'pg';
import { settlementCsvChunks } from '../../src/bench/settlement-input';
import { workedExampleRequest } from '../support/settlement-fixtures';
import { describePostgres } from '../support/postgres-server';
import { call, compileServer, startProcess, until, type CompiledServer } from '../support/server-process';

/**
 * kill -9 of the real server while it copies an upload into PostgreSQL: the ledger is as it
 * was before the upload, and a restarted server goes on from there.
 */

let build: CompiledServer;
beforeAll(() => {
  build = compileServer('postgres-ledger-kill');
});
afterAll(() => build.remove());

const example = workedExampleRequest();
const agreement = example.agreement;

/** Everything the ledger holds, as one comparable value. */
async function ledgerContents(db: Client): Promise<unknown> {
  const tables = ['ledger_transactions', 'ledger_periods', 'ledger_statements', 'ledger_claims', 'ledger_audit'];
  const contents: Record<string, unknown> = {};
  for (const table of tables) contents[table] = (await db.query(`SELECT md5(coalesce(string_agg(t::text, '|' ORDER BY t::text), '')) AS digest, count(*) AS n FROM ${table} t`)).rows[0];
  return contents;
}

describePostgres('the ledger in PostgreSQL when the server is killed during an upload', (server) => {
  it('keeps nothing of the upload, and a restarted server takes the next one', async () => {
    const url = await server().createDatabase();
    const env = { SUANPAN_DATABASE_URL: url, SUANPAN_DATA_DIR: `${server().dir}/unused` };
    const db = new Client({ connectionString: url });
    let running = await startProcess(build.server, env);
    try {
      const first = await call(running.port, 'POST', `/v1/ledgers/${agreement}/transactions`, { headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ transactions: example.transactions }) });
      expect(first.status).toBe(200);
      await db.connect();
      const before = await ledgerContents(db);

      // a large CSV upload, sent as fast as the server takes it, until the server is killed
      const upload = http.request({ host: '127.0.0.1', port: running.port, method: 'POST', path: `/v1/ledgers/${agreement}/transactions`, agent: false, headers: { 'Content-Type': 'text/csv' } });
      upload.on('error', () => undefined);
      upload.on('response', (res) => res.resume());
      const sending = (async () => {
        for (const chunk of settlementCsvChunks(2_000_000, 7)) {
          if (upload.destroyed) return;
          if (!upload.write(chunk)) {
            await new Promise<void>((resolve) => {
              const done = (): void => {
                upload.off('drain', done).off('close', done);
                resolve();
              };
              upload.on('drain', done).on('close', done);
            });
          }
        }
        upload.end();
      })();
      const copied = await until(
        'the server to be copying the upload',
        async () => {
          const { rows } = await db.query<{ n: string }>("SELECT tuples_processed AS n FROM pg_stat_progress_copy WHERE command = 'COPY FROM'");
          return rows[0] !== undefined && Number(rows[0].n) >= 10_000 ? Number(rows[0].n) : undefined;
        },
        1200,
      );
      expect(copied).toBeGreaterThanOrEqual(10_000);
      running.child.kill('SIGKILL');
      expect((await running.exited).signal).toBe('SIGKILL');
      upload.destroy();
      await sending;

      // the server's backend notices the closed connection and aborts the transaction
      await until('the killed upload to be gone', async () => ((await db.query("SELECT 1 FROM pg_stat_activity WHERE application_name = 'suanpan-ledger' AND query LIKE 'COPY%'")).rowCount === 0 ? true : undefined), 400);
      expect(await ledgerContents(db)).toEqual(before);

      running = await startProcess(build.server, env);
      const periods = await call(running.port, 'GET', `/v1/ledgers/${agreement}/periods?figures=false`);
      expect(JSON.parse(periods.body).periods).toEqual([{ period: '2026-11', state: 'open', transactions: 5, returns: 1, adjustments: 0 }]);
      const renamed = example.transactions.map((tx) => ({ ...tx, id: `N-${tx.id}`, ...(tx.returnOf === undefined ? {} : { returnOf: `N-${tx.returnOf}` }) }));
      const next = await call(running.port, 'POST', `/v1/ledgers/${agreement}/transactions`, { headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ transactions: renamed }) });
      expect(next.status).toBe(200);
      const accepted = JSON.parse(next.body).accepted as number;
      expect(accepted).toBe(5);
      const { rows } = await db.query<{ n: string }>('SELECT count(*) AS n FROM ledger_transactions WHERE agreement = $1', [agreement]);
      expect(Number(rows[0]!.n)).toBe(5 + accepted);
    } finally {
      running.child.kill('SIGKILL');
      await db.end().catch(() => undefined);
    }
  }, 120_000);
});
