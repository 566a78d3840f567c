import { Readable } from 'node:stream';
import { DomainError } from '../../src/domain/errors';
import type { SettlementTransaction } from '../../src/domain/settlement';
import { LedgerError } from '../../src/ledger/ledger-errors';
import { LedgerService } from '../../src/ledger/ledger-service';
import { SqliteLedgerStore } from '../../src/ledger/sqlite-ledger-store';
import type { LedgerStatementDocument } from '../../src/ledger/statement-document';
import { calculateSettlement } from '../../src/rules/calculate-settlement';
import { ephemeralKeyRing } from '../../src/trust/signing-keys';
import { transactionColumnsOf } from '../../src/io/settlement-rows';
import { loadCatalog, workedExampleRequest } from '../support/settlement-fixtures';
import { settlementFileOf } from '../support/settlement-file';

const catalog = loadCatalog();
const keys = ephemeralKeyRing();

async function service(): Promise<{ ledger: LedgerService; store: SqliteLedgerStore }> {
  const store = new SqliteLedgerStore(':memory:');
  await store.migrate();
  return { store, ledger: new LedgerService({ store, catalog: () => catalog, keys: () => keys, now: () => new Date('2026-12-02T08:00:00Z') }) };
}

const example = workedExampleRequest();
const json = (transactions: readonly SettlementTransaction[]) => ({ kind: 'json' as const, transactions });

describe('ledger service', () => {
  it('closes a month into the statement the stateless settlement gives for the same transactions, signed and verifiable', async () => {
    const { ledger, store } = await service();
    const result = await ledger.upload({ agreement: example.agreement, partner: 'partner-a', adjustment: false, content: json(example.transactions) });
    expect(result).toMatchObject({ accepted: 5, unchanged: 0, periods: ['2026-11'] });
    const { statement, created } = await ledger.close(example.agreement, '2026-11', 'partner-a');
    expect(created).toBe(true);
    const document = JSON.parse(statement.body) as LedgerStatementDocument;
    const stateless = await calculateSettlement(catalog, { agreement: example.agreement, period: example.period, transactions: example.transactions });
    expect(document.statement).toEqual(stateless);
    expect(document.ledger.transactions).toBe(5);
    expect(await ledger.verify(statement.id)).toEqual({ statementId: statement.id, signature: 'valid', kid: keys.signing.kid, contentHash: 'matches', recomputed: 'matches', differences: [] });
    expect((await ledger.close(example.agreement, '2026-11', 'partner-b')).created).toBe(false);
    expect((await store.listAudit(example.agreement)).map((entry) => [entry.action, entry.partner])).toEqual([['close', 'partner-a'], ['upload', 'partner-a']]);
  });

  it('a transaction means the same in any format: sent as CSV (booleans written false), then as JSON (left out, or written false), it is unchanged', async () => {
    const { ledger } = await service();
    const version = catalog.versionOn(example.agreement, example.period.from).version;
    const csv = settlementFileOf({ ...example, externalSales: [], claimed: undefined }, transactionColumnsOf(version), 'csv');
    const first = await ledger.upload({ agreement: example.agreement, partner: null, adjustment: false, content: { kind: 'file', file: { stream: Readable.from([Buffer.from(csv)]), format: 'csv' } } });
    expect(first).toMatchObject({ accepted: example.transactions.length, unchanged: 0 });
    const booleans = [...version.attributes.buyer].filter(([, declaration]) => declaration.type === 'boolean').map(([name]) => name);
    expect(booleans.length).toBeGreaterThan(0);
    const spelledOut = example.transactions.map((tx) => ({ ...tx, buyer: { ...Object.fromEntries(booleans.map((name) => [name, false])), ...tx.buyer }, coupon: null }));
    for (const transactions of [example.transactions, spelledOut]) {
      expect(await ledger.upload({ agreement: example.agreement, partner: null, adjustment: false, content: json(transactions) })).toMatchObject({ accepted: 0, unchanged: example.transactions.length });
    }
  });

  it('prices a return of an earlier month\'s sale at the sale\'s prices, booked in the return\'s month', async () => {
    const { ledger } = await service();
    await ledger.upload({ agreement: example.agreement, partner: null, adjustment: false, content: json(example.transactions) });
    await ledger.close(example.agreement, '2026-11', null);
    const t1 = example.transactions.find((tx) => tx.id === 'T1')!;
    const back: SettlementTransaction = { ...t1, id: 'R-DEC', date: '2026-12-03', returnOf: 'T1', lines: t1.lines.map(({ sku, quantity }) => ({ sku, quantity: -quantity })) };
    await ledger.upload({ agreement: example.agreement, partner: null, adjustment: false, content: json([back]) });
    const december = JSON.parse((await ledger.close(example.agreement, '2026-12', null)).statement.body) as LedgerStatementDocument;
    const stateless = await calculateSettlement(catalog, { agreement: example.agreement, period: { from: '2026-12-01', to: '2026-12-31' }, transactions: [back], priorTransactions: [t1] });
    expect(december.statement).toEqual(stateless);
    expect(december.statement.counts.returns).toBe(1);
  });

  it('refuses a transaction dated in a closed month unless sent as an adjustment, which gets its own section', async () => {
    const { ledger } = await service();
    const [t1, ...rest] = example.transactions.filter((tx) => tx.returnOf === undefined && tx.id !== 'T2');
    await ledger.upload({ agreement: example.agreement, partner: null, adjustment: false, content: json([t1!]) });
    await ledger.close(example.agreement, '2026-11', null);
    const late = rest[0]!;
    await expect(ledger.upload({ agreement: example.agreement, partner: null, adjustment: false, content: json([late]) })).rejects.toMatchObject({ code: 'PERIOD_CLOSED' });
    expect(await ledger.upload({ agreement: example.agreement, partner: null, adjustment: true, content: json([late]) })).toMatchObject({ accepted: 1, periods: ['2026-12'] });
    const december = JSON.parse((await ledger.close(example.agreement, '2026-12', null)).statement.body) as LedgerStatementDocument;
    expect(december.statement.counts.transactions).toBe(0);
    expect(december.priorPeriodAdjustments.map((section) => [section.period, section.statement.counts.transactions])).toEqual([['2026-11', 1]]);
    const alone = await calculateSettlement(catalog, { agreement: example.agreement, period: example.period, transactions: [late] });
    expect(december.priorPeriodAdjustments[0]!.statement).toEqual(alone);
  });

  it('records nothing of an upload with problems and lists every one; a conflicting resend is refused naming the ids', async () => {
    const { ledger, store } = await service();
    const bad = example.transactions.map((tx, i) => (i === 0 ? { ...tx, channel: 'no-such-channel' } : i === 2 ? { ...tx, lines: [{ sku: 'NO-SUCH-SKU', quantity: 1 }] } : tx));
    const refused = ledger.upload({ agreement: example.agreement, partner: 'p', adjustment: false, content: json(bad) });
    await expect(refused).rejects.toBeInstanceOf(DomainError);
    const error = (await refused.catch((e: unknown) => e)) as DomainError;
    expect(error.issues.map((issue) => issue.pointer)).toEqual(expect.arrayContaining(['/transactions/0/channel', '/transactions/2/lines/0/sku']));
    expect(await store.listPeriods(example.agreement)).toEqual([]);
    await ledger.upload({ agreement: example.agreement, partner: 'p', adjustment: false, content: json(example.transactions) });
    const changed = example.transactions.map((tx) => (tx.id === 'T3' ? { ...tx, date: '2026-11-11' } : tx));
    const conflict = (await ledger.upload({ agreement: example.agreement, partner: 'p', adjustment: false, content: json(changed) }).catch((e: unknown) => e)) as LedgerError;
    expect([conflict.code, conflict.issues.map((issue) => issue.pointer)]).toEqual(['TRANSACTION_CONFLICT', ['/transactions/T3']]);
    expect((await store.listAudit(example.agreement)).map((entry) => entry.action)).toEqual(['upload-refused', 'upload', 'upload-refused']);
  });

  it('records nothing of an upload whose claims have no month to go to, or a closed one (all or nothing, claims included)', async () => {
    const { ledger, store } = await service();
    const claimed = { commission: '1.00' };
    const december = example.transactions.slice(0, 2).map((tx) => ({ ...tx, id: `${tx.id}-DEC`, date: tx.date.replace('-11-', '-12-') }));
    // two months and no claimsPeriod: which month the claims belong to cannot be told
    const twoMonths = (await ledger.upload({ agreement: example.agreement, partner: 'p', adjustment: false, content: { kind: 'json', transactions: [...example.transactions, ...december], claimed } }).catch((e: unknown) => e)) as LedgerError;
    expect([twoMonths.code, twoMonths.issues.map((issue) => issue.pointer)]).toEqual(['INVALID_PERIOD', ['/query/claimsPeriod']]);
    expect(twoMonths.message).toContain('nothing was recorded');
    expect(await store.listPeriods(example.agreement)).toEqual([]);
    // claims for a closed month, sent with new transactions of an open one: refused whole
    await ledger.upload({ agreement: example.agreement, partner: 'p', adjustment: false, content: json(example.transactions) });
    await ledger.close(example.agreement, '2026-11', 'p');
    const closed = (await ledger.upload({ agreement: example.agreement, partner: 'p', adjustment: false, claimsPeriod: '2026-11', content: { kind: 'json', transactions: december, claimed } }).catch((e: unknown) => e)) as LedgerError;
    expect([closed.code, closed.issues.map((issue) => issue.pointer)]).toEqual(['PERIOD_CLOSED', ['/query/claimsPeriod']]);
    expect((await store.listPeriods(example.agreement)).map((period) => period.period)).toEqual(['2026-11']);
    expect((await store.listAudit(example.agreement)).map((entry) => entry.action)).toEqual(['upload-refused', 'close', 'upload', 'upload-refused']);
    // named, the open month takes them with its transactions
    expect(await ledger.upload({ agreement: example.agreement, partner: 'p', adjustment: false, claimsPeriod: '2026-12', content: { kind: 'json', transactions: december, claimed } })).toMatchObject({ accepted: 2, claims: 1, periods: ['2026-12'] });
  });

  it('reads CSV uploads as the settlement does, claims stored with their period and reconciled on its statement', async () => {
    const { ledger } = await service();
    const csv = ['transaction,date,channel,buyer,member,keyAccount,sku,quantity', 'C1,2026-11-03,group-buy,ENT-001,true,true,BYK-H01,40', '', 'figure,claimed', 'commission,1.00', ''].join('\n');
    const result = await ledger.upload({ agreement: example.agreement, partner: null, adjustment: false, content: { kind: 'file', file: { stream: Readable.from([Buffer.from(csv)]), format: 'csv' } } });
    expect(result).toMatchObject({ accepted: 1, claims: 1, periods: ['2026-11'] });
    const document = JSON.parse((await ledger.close(example.agreement, '2026-11', null)).statement.body) as LedgerStatementDocument;
    expect(document.statement.reconciliation?.find((line) => line.figure === 'commission')?.claimed).toBe('1.00');
  });
});
