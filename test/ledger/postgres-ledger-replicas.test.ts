import { createHash } from 'node:crypto';
import { MIGRATIONS } from '../../src/ledger/migrations';
import { openLedgerStore } from '../../src/ledger/open-ledger-store';
import type { LedgerTransactionInput } from '../../src/ledger/ledger-store';
import { PostgresLedgerStore } from '../../src/ledger/postgres-ledger-store';
import { sale } from '../support/ledger-store-contract';
import { describePostgres } from '../support/postgres-server';

/**
 * What the shared contract cannot show with one store: several replicas (stores with their own
 * pools) on one database, migrating at once, uploading at once, closing while others upload.
 */

async function* inBatches(items: readonly LedgerTransactionInput[], size: number): AsyncGenerator<readonly LedgerTransactionInput[]> {
  for (let i = 0; i < items.length; i += size) {
    await new Promise((resolve) => setImmediate(resolve));
    yield items.slice(i, i + size);
  }
}

const audit = (agreement: string) => () => ({ agreement, action: 'upload', partner: null, at: '2026-12-01T00:00:00.000Z', inputHash: '0'.repeat(64), detail: {} });

describePostgres('PostgreSQL ledger shared by replicas', (server) => {
  let url: string;
  let replicas: PostgresLedgerStore[];
  beforeAll(async () => {
    url = await server().createDatabase();
    replicas = Array.from({ length: 4 }, () => new PostgresLedgerStore(url, { writeConnections: 3, readConnections: 2 }));
  });
  afterAll(async () => {
    await Promise.all(replicas.map((store) => store.close()));
  });

  it('applies each migration once when replicas start at the same moment', async () => {
    const applied = await Promise.all(replicas.map((store) => store.migrate()));
    expect(applied.flat().sort()).toEqual(MIGRATIONS.map((m) => m.version).sort());
  });

  it('opens through openLedgerStore for a postgres:// URL, and names the server (not the password) when it cannot reach it', async () => {
    const store = await openLedgerStore({ dataDir: '/nonexistent', databaseUrl: url });
    expect(store.backend).toBe('postgres');
    await store.close();
    const unreachable = `postgres://suanpan:s3cret-pw@127.0.0.1:${server().port}/no_such_database`;
    const failure = openLedgerStore({ dataDir: '/nonexistent', databaseUrl: unreachable });
    await expect(failure).rejects.toThrow(/127\.0\.0\.1:\d+\/no_such_database/);
    await expect(failure).rejects.not.toThrow(/s3cret-pw/);
  });

  it('keeps bodies byte for byte through COPY (tabs, newlines, backslashes, \\N, non-ASCII)', async () => {
    const agreement = 'copy-escapes';
    const bodies = ['{"note":"a\ttab"}', '{"note":"a\nnewline\r"}', '{"note":"back\\\\slash \\\\N"}', '\\N', '{"note":"算盘 ✓"}'];
    const transactions = bodies.map((body, i) => ({ id: `E${i}\t${i}`, date: '2026-11-01', adjustment: false, contentHash: createHash('sha256').update(body).digest('hex'), body }));
    expect(await replicas[0]!.ingest({ agreement, batches: inBatches(transactions, 2), audit: audit(agreement) })).toMatchObject({ kind: 'accepted', accepted: 5 });
    const read = await replicas[1]!.findTransactions(agreement, transactions.map((tx) => tx.id));
    expect(new Map(read.map((tx) => [tx.id, tx.body]))).toEqual(new Map(transactions.map((tx) => [tx.id, tx.body])));
  });

  it('counts an id repeated in one upload once (unchanged), and refuses it when its copies differ', async () => {
    const agreement = 'repeated-ids';
    const twice = await replicas[0]!.ingest({ agreement, batches: inBatches([sale('D1', '2026-11-02'), sale('D1', '2026-11-02')], 1), audit: audit(agreement) });
    expect(twice).toEqual({ kind: 'accepted', accepted: 1, unchanged: 1, periods: ['2026-11'], externalSales: { accepted: 0, unchanged: 0 } });
    const differ = await replicas[0]!.ingest({ agreement, batches: inBatches([sale('D2', '2026-11-02'), sale('D2', '2026-11-02', 5)], 1), audit: audit(agreement) });
    expect(differ).toMatchObject({ kind: 'refused', conflictCount: 1, conflicts: ['D2'] });
  });

  it('uploads from every replica at once, racing a close from another: each transaction is in the statement or refused as closed, never lost, never twice', async () => {
    const agreement = 'replicas-race';
    const uploads = Array.from({ length: 24 }, (_, u) => Array.from({ length: 200 }, (_, i) => sale(`R${u}-${i}`, '2026-11-15')));
    const statementIds: string[] = [];
    const outcomes = uploads.map((transactions, u) =>
      replicas[u % replicas.length]!.ingest({ agreement, batches: inBatches([...transactions, sale('R0-0', '2026-11-15')], 50), audit: audit(agreement) }),
    );
    await new Promise((resolve) => setTimeout(resolve, 30));
    const closing = replicas[3]!.closePeriod(agreement, '2026-11', async (reader) => {
      for await (const tx of reader.readTransactions(agreement, '2026-11', '2026-11')) statementIds.push(tx.id);
      const body = JSON.stringify({ ids: statementIds });
      return { id: 'ST-race', partner: null, closedAt: '2026-12-01T00:00:00.000Z', contentHash: createHash('sha256').update(body).digest('hex'), signature: 'sig..nature', body };
    });
    const settled = await Promise.all(outcomes);
    await closing;
    const inStatement = new Set(statementIds);
    expect(inStatement.size).toBe(statementIds.length);
    settled.forEach((outcome, u) => {
      const ids = uploads[u]!.map((tx) => tx.id);
      if (outcome.kind === 'accepted') expect(ids.filter((id) => !inStatement.has(id))).toEqual([]);
      else expect([outcome.conflictCount, ids.filter((id) => inStatement.has(id))]).toEqual([0, []]);
    });
    const accepted = settled.reduce((sum, outcome) => sum + (outcome.kind === 'accepted' ? outcome.accepted : 0), 0);
    const ledger: string[] = [];
    for await (const tx of replicas[2]!.readTransactions(agreement, '2026-11', '2026-11')) ledger.push(tx.id);
    expect([ledger.length, accepted]).toEqual([statementIds.length, statementIds.length]);
    expect(new Set(ledger)).toEqual(inStatement);
  }, 60_000);
});
