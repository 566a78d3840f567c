import { Readable } from 'node:stream';
import { DomainError } from '../../src/domain/errors';
import type { ExternalSale, SettlementStatement } from '../../src/domain/settlement';
import type { SettlementFileFormat } from '../../src/io/read-settlement-file';
import { transactionColumnsOf } from '../../src/io/settlement-rows';
import { computeStatement } from '../../src/ledger/compute-statement';
import { LedgerError } from '../../src/ledger/ledger-errors';
import { LedgerService, type UploadContent } from '../../src/ledger/ledger-service';
import { SqliteLedgerStore } from '../../src/ledger/sqlite-ledger-store';
import type { LedgerStatementDocument } from '../../src/ledger/statement-document';
import { calculateSettlement, openSettlement, type SettlementRequest } from '../../src/rules/calculate-settlement';
import { ephemeralKeyRing } from '../../src/trust/signing-keys';
import { settlementFileOf } from '../support/settlement-file';
import { externalSalesCase, loadCatalog } from '../support/settlement-fixtures';

/**
 * External sales in the ledger: a month with the price guarantee's evidence closes into the
 * statement the stateless settlement gives for the same file (compensation included).
 */
const catalog = loadCatalog();
const keys = ephemeralKeyRing();
const example = externalSalesCase();
const { agreement } = example;
const month = example.period.from.slice(0, 7);
const sales = example.externalSales!;

async function service(): Promise<{ ledger: LedgerService; store: SqliteLedgerStore }> {
  const store = new SqliteLedgerStore(':memory:');
  await store.migrate();
  return { store, ledger: new LedgerService({ store, catalog: () => catalog, keys: () => keys, now: () => new Date('2026-12-02T08:00:00Z') }) };
}

const json = (request: Pick<SettlementRequest, 'transactions' | 'externalSales'>): UploadContent => ({ kind: 'json', transactions: request.transactions, ...(request.externalSales === undefined ? {} : { externalSales: request.externalSales }) });
const upload = (ledger: LedgerService, content: UploadContent, adjustment = false) => ledger.upload({ agreement, partner: 'partner-a', adjustment, content });

function file(request: SettlementRequest, format: SettlementFileFormat): UploadContent {
  const text = settlementFileOf(request, transactionColumnsOf(openSettlement(catalog, request.agreement, request.period).version), format);
  return { kind: 'file', file: { stream: Readable.from([Buffer.from(text)]), format } };
}

/** The month's statement as the stateless settlement gives it for these external sales. */
function stateless(externalSales: readonly ExternalSale[]): Promise<SettlementStatement> {
  return calculateSettlement(catalog, { agreement, period: example.period, transactions: example.transactions, externalSales });
}

async function closed(ledger: LedgerService): Promise<{ id: string; document: LedgerStatementDocument }> {
  const { statement } = await ledger.close(agreement, month, 'partner-a');
  return { id: statement.id, document: JSON.parse(statement.body) as LedgerStatementDocument };
}

/** The open month's figures as the periods listing gives them, by id. */
async function listedFigures(ledger: LedgerService): Promise<Record<string, string>> {
  const listing = await ledger.periods(agreement);
  const period = listing.periods.find((p) => p.period === month)!;
  return Object.fromEntries((period.figures ?? []).map((figure) => [figure.id, figure.amount]));
}

const figuresOf = (statement: SettlementStatement): Record<string, string> => Object.fromEntries(statement.figures.map((figure) => [figure.id, figure.amount]));

describe('external sales in the ledger', () => {
  it.each(['csv', 'ndjson'] as const)('a month uploaded as one %s file closes into the stateless settlement of the same file, compensation included, and verifies', async (format) => {
    const { ledger, store } = await service();
    const result = await upload(ledger, file(example, format));
    expect(result).toMatchObject({ accepted: example.transactions.length, unchanged: 0, periods: [month], externalSales: { accepted: sales.length, unchanged: 0 } });
    const { id, document } = await closed(ledger);
    const expected = await stateless(sales);
    expect(expected.compensation).not.toBe('0.00'); // the case was chosen for it: a guarantee breached
    expect(document.statement).toEqual(expected);
    expect(document.statement.counts.externalSales).toBe(sales.length);
    expect(await ledger.verify(id)).toMatchObject({ signature: 'valid', contentHash: 'matches', recomputed: 'matches', differences: [] });
    const [, recorded] = await store.listAudit(agreement);
    expect([recorded!.action, recorded!.detail]).toEqual(['upload', { transactions: example.transactions.length, externalSales: sales.length }]);
  });

  it('takes transactions and external sales in separate uploads too (JSON), and without them the month has no compensation', async () => {
    const { ledger, store } = await service();
    await upload(ledger, json({ transactions: example.transactions }));
    const without = await listedFigures(ledger);
    expect(without).toEqual(figuresOf(await stateless([])));
    const hashedWithout = (await computeStatement(catalog, store, agreement, month)).ledger;
    expect(await upload(ledger, json({ transactions: [], externalSales: sales }))).toMatchObject({ accepted: 0, unchanged: 0, periods: [month], externalSales: { accepted: sales.length, unchanged: 0 } });
    const withSales = await listedFigures(ledger);
    expect(withSales).toEqual(figuresOf(await stateless(sales)));
    expect(withSales).not.toEqual(without);
    // the external sales are inputs of the statement: in its ledger hash, so a recomputation sees whether they changed
    const hashedWith = (await computeStatement(catalog, store, agreement, month)).ledger;
    expect([hashedWith.transactions, hashedWith.transactionsHash === hashedWithout.transactionsHash]).toEqual([hashedWithout.transactions, false]);
    expect((await closed(ledger)).document.statement).toEqual(await stateless(sales));
  });

  it('counts an identical resend unchanged and changes nothing; a changed report for the open month replaces the stored one', async () => {
    const { ledger, store } = await service();
    await upload(ledger, json(example));
    const before = await listedFigures(ledger);
    const mark = await store.changeMark(agreement);
    expect(await upload(ledger, json(example))).toMatchObject({ accepted: 0, unchanged: example.transactions.length, periods: [], externalSales: { accepted: 0, unchanged: sales.length } });
    expect(await store.changeMark(agreement)).toBe(mark);
    // the month's report sent again without the sale that breached the guarantee: it replaces the first one whole
    const breach = await stateless(sales);
    const lowest = breach.priceGuarantee.find((line) => line.breach)!;
    const kept = sales.filter((sale) => !(sale.sku === lowest.sku && sale.unitPrice === lowest.lowestUnitPrice));
    expect(kept.length).toBeLessThan(sales.length);
    expect(await upload(ledger, json({ transactions: [], externalSales: kept }))).toMatchObject({ periods: [month], externalSales: { accepted: kept.length, unchanged: 0 } });
    const after = await listedFigures(ledger);
    expect(after).toEqual(figuresOf(await stateless(kept)));
    expect(after).not.toEqual(before);
    const { id, document } = await closed(ledger);
    expect(document.statement).toEqual(await stateless(kept));
    expect(document.statement.counts.externalSales).toBe(kept.length);
    expect((await ledger.verify(id)).recomputed).toBe('matches');
  });

  it('refuses external sales dated in a closed month (adjustment or not), recording nothing of the upload', async () => {
    const { ledger, store } = await service();
    await upload(ledger, json({ transactions: example.transactions }));
    await closed(ledger);
    const later = { ...example.transactions.find((tx) => tx.returnOf === undefined)!, id: 'NEXT-1', date: nextMonthDay(example.transactions[0]!.date) };
    const mark = await store.changeMark(agreement);
    for (const adjustment of [false, true]) {
      const refused = (await upload(ledger, json({ transactions: [later], externalSales: sales }), adjustment).catch((e: unknown) => e)) as LedgerError;
      expect(refused).toBeInstanceOf(LedgerError);
      expect([refused.code, refused.issues.map((issue) => [issue.pointer, issue.code])]).toEqual(['PERIOD_CLOSED', [['/externalSales/0/date', 'PERIOD_CLOSED']]]);
      expect(refused.message).toMatch(/prior-period adjustment does not apply/);
    }
    expect(await store.findTransactions(agreement, ['NEXT-1'])).toEqual([]);
    expect(await store.externalSales(agreement, month)).toBeUndefined();
    expect(await store.changeMark(agreement)).toBe(mark);
    expect((await store.listAudit(agreement, { limit: 1 }))[0]).toMatchObject({ action: 'upload-refused', detail: { conflicts: 0, closed: 0, closedExternalSales: 1 } });
  });

  it('refuses a month closed with its external sales a different report, but takes the identical one as unchanged', async () => {
    const { ledger } = await service();
    await upload(ledger, json(example));
    await closed(ledger);
    expect(await upload(ledger, json(example))).toMatchObject({ accepted: 0, periods: [], externalSales: { accepted: 0, unchanged: sales.length } });
    await expect(upload(ledger, json({ transactions: [], externalSales: sales.slice(1) }))).rejects.toMatchObject({ code: 'PERIOD_CLOSED' });
  });

  it('checks each external sale as a settlement does, naming its row or member; a bad one records nothing of the upload', async () => {
    const { ledger, store } = await service();
    const bad = sales.map((sale, i) => (i === sales.length - 1 ? { ...sale, sku: 'NO-SUCH-SKU', quantity: 0 } : sale));
    const refused = (await upload(ledger, json({ transactions: example.transactions, externalSales: bad })).catch((e: unknown) => e)) as DomainError;
    expect(refused).toBeInstanceOf(DomainError);
    const last = `/externalSales/${sales.length - 1}`;
    expect(refused.issues.map((issue) => [issue.pointer, issue.code])).toEqual([
      [`${last}/sku`, 'UNKNOWN_SKU'],
      [`${last}/quantity`, 'INVALID_QUANTITY'],
    ]);
    const csv = settlementFileOf({ ...example, externalSales: bad }, transactionColumnsOf(openSettlement(catalog, agreement, example.period).version), 'csv');
    const fromFile = (await upload(ledger, { kind: 'file', file: { stream: Readable.from([Buffer.from(csv)]), format: 'csv' } }).catch((e: unknown) => e)) as DomainError;
    const row = csv.split('\r\n').length; // the bad sale is the file's last row
    expect(fromFile.issues.map((issue) => [issue.pointer, issue.code])).toEqual([
      [`/rows/${row}/sku`, 'UNKNOWN_SKU'],
      [`/rows/${row}/quantity`, 'INVALID_QUANTITY'],
    ]);
    const early = { ...sales[0]!, date: dayBefore(catalog.versions(agreement)[0]!.version.effectiveFrom) };
    const beforeRules = (await upload(ledger, json({ transactions: [], externalSales: [early] })).catch((e: unknown) => e)) as DomainError;
    expect(beforeRules.issues.map((issue) => [issue.pointer, issue.code])).toEqual([['/externalSales/0/date', 'NO_RULESET_IN_FORCE']]);
    expect(await store.listPeriods(agreement)).toEqual([]);
    expect(await store.externalSales(agreement, month)).toBeUndefined();
    expect((await store.listAudit(agreement)).map((entry) => entry.action)).toEqual(['upload-refused', 'upload-refused', 'upload-refused']);
  });
});

/** The same day of the next month (days past 28 moved to the 28th). */
function nextMonthDay(date: string): string {
  const [year, monthOf, day] = date.split('-').map(Number) as [number, number, number];
  const next = monthOf === 12 ? { y: year + 1, m: 1 } : { y: year, m: monthOf + 1 };
  return `${next.y}-${String(next.m).padStart(2, '0')}-${String(Math.min(day, 28)).padStart(2, '0')}`;
}

function dayBefore(date: string): string {
  const day = new Date(`${date}T00:00:00Z`);
  day.setUTCDate(day.getUTCDate() - 1);
  return day.toISOString().slice(0, 10);
}
