import type { SettlementOptions } from '../../src/domain/settle-period';
import type { SettlementTransaction } from '../../src/domain/settlement';
import { LedgerService } from '../../src/ledger/ledger-service';
import { SqliteLedgerStore } from '../../src/ledger/sqlite-ledger-store';
import type { LedgerStatementDocument } from '../../src/ledger/statement-document';
import { ephemeralKeyRing } from '../../src/trust/signing-keys';
import { MemorySpillStore } from '../support/memory-spill-store';
import { loadCatalog, quarterClosingCase } from '../support/settlement-fixtures';

const catalog = loadCatalog();
const keys = ephemeralKeyRing();

async function ledgerWith(options: SettlementOptions): Promise<LedgerService> {
  const store = new SqliteLedgerStore(':memory:');
  await store.migrate();
  return new LedgerService({ store, catalog: () => catalog, keys: () => keys, now: () => new Date('2026-12-02T08:00:00Z'), settlementOptions: options });
}

/**
 * A close whose prior transactions (a programme's earlier months, the originals of its returns)
 * outnumber what the settlement registers in memory spills them as it spills its own: the
 * statement is the one an unspilled close gives.
 */
describe('a ledger close with more prior transactions than the settlement keeps in memory', () => {
  it('spills the priors and gives the statement an unspilled close gives, programme volume and returned priors included', async () => {
    const { request, quarter } = quarterClosingCase();
    const last = quarter.to.slice(0, 7);
    const priors = request.priorTransactions!;
    // a return, in the quarter's last month, of the first prior sale: its original is read as a prior too
    const first = priors[0]!;
    const back: SettlementTransaction = { ...first, id: `${first.id}-BACK`, date: `${last}-28`, returnOf: first.id, lines: [{ sku: first.lines[0]!.sku, quantity: -1 }] };
    const transactions = [...priors, ...request.transactions, back];
    const statements: LedgerStatementDocument[] = [];
    for (const options of [{}, { spillAfter: 1, spillPartitions: 4, openSpill: () => new MemorySpillStore() }, { spillAfter: 0, spillPartitions: 2, openSpill: () => new MemorySpillStore() }]) {
      const ledger = await ledgerWith(options);
      await ledger.upload({ agreement: request.agreement, partner: null, adjustment: false, content: { kind: 'json', transactions } });
      statements.push(JSON.parse((await ledger.close(request.agreement, last, null)).statement.body) as LedgerStatementDocument);
    }
    const [unspilled, spilled, spilledAtOnce] = statements.map((document) => ({ statement: document.statement, ledger: document.ledger }));
    expect(unspilled!.statement.counts.returns).toBe(1);
    expect(unspilled!.statement.programmes).toHaveLength(1);
    expect(spilled).toEqual(unspilled);
    expect(spilledAtOnce).toEqual(unspilled);
  });
});
