import Decimal from 'decimal.js';
import fc from 'fast-check';
import type { SettlementTransaction } from '../../src/domain/settlement';
import type { LedgerStore } from '../../src/ledger/ledger-store';
import { LedgerService } from '../../src/ledger/ledger-service';
import type { PeriodFigure } from '../../src/ledger/month-figures';
import { SqliteLedgerStore } from '../../src/ledger/sqlite-ledger-store';
import type { LedgerStatementDocument } from '../../src/ledger/statement-document';
import { calculateSettlement } from '../../src/rules/calculate-settlement';
import { RuleCatalog } from '../../src/rules/rule-catalog';
import { ephemeralKeyRing } from '../../src/trust/signing-keys';
import { dateAfterLastVersion } from '../support/agreement-fixture';
import { copyRules, publishVersion } from '../support/rules-fixture';
import { loadCatalog, quarterClosingCase, workedExampleRequest } from '../support/settlement-fixtures';

const catalog = loadCatalog();
const keys = ephemeralKeyRing();
const example = workedExampleRequest();
const json = (transactions: readonly SettlementTransaction[]) => ({ kind: 'json' as const, transactions });

/** A ledger service on an in-memory SQLite store that counts the transaction reads (what computing figures costs). */
async function service(rules: RuleCatalog = catalog): Promise<{ ledger: LedgerService; store: SqliteLedgerStore; reads: () => number }> {
  const store = new SqliteLedgerStore(':memory:');
  await store.migrate();
  let reads = 0;
  const counted: LedgerStore = Object.create(store, {
    readTransactions: {
      value: (...args: Parameters<LedgerStore['readTransactions']>) => {
        reads++;
        return store.readTransactions(...args);
      },
    },
  });
  return { store, reads: () => reads, ledger: new LedgerService({ store: counted, catalog: () => rules, keys: () => keys, now: () => new Date('2026-12-02T08:00:00Z') }) };
}

/** The stored statement's figures, with the declared net marked as the listing marks it. */
function storedFigures(body: string, rules: RuleCatalog = catalog): PeriodFigure[] {
  const { statement } = JSON.parse(body) as LedgerStatementDocument;
  const net = rules.versionByHash(statement.agreement, statement.rulesetVersion)!.version.statement?.net?.id;
  return statement.figures.map((figure) => (figure.id === net ? { ...figure, net: true as const } : figure));
}

describe('ledger periods with their figures to date', () => {
  it("lists an open month's figures as closing it then stores them; a closed month's are read from its statement", async () => {
    const { ledger } = await service();
    await ledger.upload({ agreement: example.agreement, partner: null, adjustment: false, content: { ...json(example.transactions), externalSales: example.externalSales ?? [] } });
    const open = await ledger.periods(example.agreement);
    const [november] = open.periods;
    expect(november).toMatchObject({ period: '2026-11', state: 'open', transactions: 5 });
    const stateless = await calculateSettlement(catalog, { agreement: example.agreement, period: example.period, transactions: example.transactions, externalSales: example.externalSales ?? [] });
    expect(november!.figures!.map((figure) => [figure.id, figure.amount])).toEqual(stateless.figures.map((figure) => [figure.id, figure.amount]));
    // the declared net, last and marked (the month's external sales in the ledger: its price-guarantee compensation in it)
    const net = catalog.versionByHash(example.agreement, stateless.rulesetVersion)!.version.statement!.net!;
    expect(november!.figures![november!.figures!.length - 1]).toEqual({ id: net.id, label: net.label, payer: net.payer, payee: net.payee, amount: stateless.figures[stateless.figures.length - 1]!.amount, net: true });
    expect(november!.figures!.filter((figure) => figure.net === true)).toHaveLength(1);

    const { statement } = await ledger.close(example.agreement, '2026-11', null);
    expect(november!.figures).toEqual(storedFigures(statement.body));
    const closed = await ledger.periods(example.agreement);
    expect(closed.periods[0]).toEqual({ ...november, state: 'closed', closedAt: '2026-12-02T08:00:00.000Z', statementId: statement.id });
  });

  it("reads a closed month's figures from its stored statement, never recomputing them", async () => {
    const { ledger, store, reads } = await service();
    await ledger.upload({ agreement: example.agreement, partner: null, adjustment: false, content: json(example.transactions) });
    const { statement } = await ledger.close(example.agreement, '2026-11', null);
    // the stored statement is what the listing shows, even where the ledger would now give another figure
    const document = JSON.parse(statement.body) as LedgerStatementDocument;
    const edited = { ...document, statement: { ...document.statement, figures: document.statement.figures.map((figure, i) => (i === 0 ? { ...figure, amount: '1.23' } : figure)) } };
    (store as unknown as { writer: { prepare(sql: string): { run(...args: unknown[]): void } } }).writer.prepare('UPDATE ledger_statements SET body = ? WHERE id = ?').run(JSON.stringify(edited), statement.id);
    const before = reads();
    const listed = await ledger.periods(example.agreement);
    expect(reads()).toBe(before);
    expect(listed.periods[0]!.figures![0]!.amount).toBe('1.23');
  });

  it('computes once per change of the ledger: a second listing reads nothing, an upload or a close makes the next one compute', async () => {
    const { ledger, reads } = await service();
    const [first, ...rest] = example.transactions.filter((tx) => tx.returnOf === undefined);
    await ledger.upload({ agreement: example.agreement, partner: null, adjustment: false, content: json([first!]) });
    const one = await ledger.periods(example.agreement);
    const afterFirst = reads();
    expect(afterFirst).toBeGreaterThan(0);
    expect(await ledger.periods(example.agreement)).toEqual(one);
    expect(reads()).toBe(afterFirst);
    await ledger.upload({ agreement: example.agreement, partner: null, adjustment: false, content: json(rest) });
    const more = await ledger.periods(example.agreement);
    expect(reads()).toBeGreaterThan(afterFirst);
    expect(more.periods[0]!.figures).not.toEqual(one.periods[0]!.figures);
    const stateless = await calculateSettlement(catalog, { agreement: example.agreement, period: example.period, transactions: [first!, ...rest] });
    expect(more.periods[0]!.figures!.map((figure) => figure.amount)).toEqual(stateless.figures.map((figure) => figure.amount));
  });

  it('figures=false lists state and counts only, computing nothing; from and to bound the months listed', async () => {
    const { ledger, reads } = await service();
    const t1 = example.transactions.find((tx) => tx.id === 'T1')!;
    const months = ['2026-09', '2026-10', '2026-11'];
    await ledger.upload({ agreement: example.agreement, partner: null, adjustment: false, content: json(months.map((month, i) => ({ ...t1, id: `M${i}`, date: `${month}-05` }))) });
    const counts = await ledger.periods(example.agreement, { figures: false });
    expect(reads()).toBe(0);
    expect(counts).toEqual({ periods: months.map((period) => ({ period, state: 'open', transactions: 1, returns: 0, adjustments: 0 })) });
    expect((await ledger.periods(example.agreement, { figures: false, from: '2026-10' })).periods.map((p) => p.period)).toEqual(['2026-10', '2026-11']);
    expect((await ledger.periods(example.agreement, { figures: false, to: '2026-10' })).periods.map((p) => p.period)).toEqual(['2026-09', '2026-10']);
    const october = await ledger.periods(example.agreement, { from: '2026-10', to: '2026-10' });
    expect(october.periods.map((p) => p.period)).toEqual(['2026-10']);
    const stateless = await calculateSettlement(catalog, { agreement: example.agreement, period: { from: '2026-10-01', to: '2026-10-31' }, transactions: [{ ...t1, id: 'M1', date: '2026-10-05' }] });
    expect(october.periods[0]!.figures!.map((figure) => figure.amount)).toEqual(stateless.figures.map((figure) => figure.amount));
  });

  it('gives a quarter programme its volume and rebate to date; closing the quarter pays what the listing showed', async () => {
    const { request, ruleId, quarter } = quarterClosingCase();
    const { ledger } = await service();
    const agreement = request.agreement;
    await ledger.upload({ agreement, partner: null, adjustment: false, content: json([...request.priorTransactions!, ...request.transactions]) });
    const [first, last] = [quarter.from.slice(0, 7), quarter.to.slice(0, 7)];
    const listing = await ledger.periods(agreement);
    const months = listing.periods.map((p) => p.period);
    expect(months[0]).toBe(first);
    expect(months[months.length - 1]).toBe(last);
    const closing = await calculateSettlement(catalog, request);
    const line = closing.programmes!.find((p) => p.ruleId === ruleId)!;
    const rule = catalog.versionByHash(agreement, closing.rulesetVersion)!.version.rules.find((r) => r.id === ruleId)!;
    const [programme] = listing.programmes!.filter((p) => p.programme === ruleId);
    expect(programme).toEqual({
      programme: ruleId,
      label: rule.label,
      kind: 'quarter',
      period: `${quarter.from.slice(0, 4)}-Q${(Number(quarter.from.slice(5, 7)) + 2) / 3}`,
      months: expect.arrayContaining(months),
      state: 'open',
      asOf: last,
      volumeToDate: line.volumeToDate,
      rebateToDate: line.rebate,
      tier: { from: line.tier.from, ...(line.tier.to === undefined ? {} : { to: line.tier.to }), rate: line.tier.rate },
      final: false,
    });
    expect(programme!.months).toHaveLength(3);

    // as of the month before: the volume that month's statement counts, at the rate of its tier
    const middle = programme!.months[1]!;
    const before = await ledger.periods(agreement, { to: middle });
    const [toDate] = before.programmes!;
    const middleStatement = await calculateSettlement(catalog, {
      agreement,
      period: { from: `${middle}-01`, to: lastDay(middle) },
      priorTransactions: request.priorTransactions!.filter((tx) => tx.date < `${middle}-01`),
      transactions: request.priorTransactions!.filter((tx) => tx.date.startsWith(middle)),
    });
    const middleLine = middleStatement.programmes!.find((p) => p.ruleId === ruleId)!;
    expect(rule.action.type === 'rebate-settlement' && rule.action.mode).toBe('range');
    expect(toDate).toMatchObject({ asOf: middle, volumeToDate: middleLine.volumeToDate, final: false, state: 'open' });
    expect(toDate!.rebateToDate).toBe(new Decimal(middleLine.volumeToDate).times(middleLine.tier.rate).toDecimalPlaces(2, Decimal.ROUND_HALF_UP).toFixed(2));
    const tiers = rule.action.type === 'rebate-settlement' ? rule.action.tiers : [];
    const next = tiers.find((tier) => tier.from.gt(middleLine.volumeToDate));
    expect(toDate!.nextTier?.from).toBe(next === undefined ? undefined : next.from.toFixed(2));

    // closing each month stores the figures the listing showed before; the last close pays the programme's rebate to date
    for (const month of programme!.months) {
      const shown = (await ledger.periods(agreement, { from: month, to: month })).periods[0]!;
      const { statement } = await ledger.close(agreement, month, null);
      expect(shown.figures).toEqual(storedFigures(statement.body));
    }
    const closed = await ledger.periods(agreement);
    expect(closed.programmes).toEqual([{ ...programme, state: 'closed', final: true }]);
    const lastStored = JSON.parse((await ledger.statement(`${agreement}.${last}`)).body) as LedgerStatementDocument;
    expect(lastStored.statement.programmes!.find((p) => p.ruleId === ruleId)!.rebate).toBe(programme!.rebateToDate);
  });

  it("says why a month's figures cannot be computed (its days span two rule versions) and lists the others", async () => {
    const rules = copyRules();
    try {
      const year = dateAfterLastVersion(rules.dir, example.agreement).slice(0, 4);
      publishVersion(rules.dir, '2026-01-01', `${year}-01-15`, '0.06');
      const twoVersions = RuleCatalog.load(rules.dir);
      const { ledger } = await service(twoVersions);
      const t3 = example.transactions.find((tx) => tx.id === 'T3')!;
      await ledger.upload({ agreement: example.agreement, partner: null, adjustment: false, content: json([{ ...t3, id: 'J1', date: `${year}-01-05` }, { ...t3, id: 'J2', date: `${year}-01-20` }, { ...t3, id: 'F1', date: `${year}-02-03` }]) });
      const listing = await ledger.periods(example.agreement);
      const [january, february] = listing.periods;
      expect(january!.figures).toBeUndefined();
      expect(january!.figuresProblem).toEqual({ code: 'PERIOD_SPANS_VERSIONS', detail: expect.stringContaining(`${year}-01-15`) });
      const stateless = await calculateSettlement(twoVersions, { agreement: example.agreement, period: { from: `${year}-02-01`, to: lastDay(`${year}-02`) }, transactions: [{ ...t3, id: 'F1', date: `${year}-02-03` }] });
      expect(february!.figures!.map((figure) => figure.amount)).toEqual(stateless.figures.map((figure) => figure.amount));
    } finally {
      rules.cleanup();
    }
  });

  it('is deterministic, and its net is the declared plus figures minus the minus ones (property)', async () => {
    const sales = example.transactions.filter((tx) => tx.returnOf === undefined);
    const net = catalog.versionOn(example.agreement, example.period.to).version.statement!.net!;
    await fc.assert(
      fc.asyncProperty(fc.subarray(sales, { minLength: 1 }), async (chosen) => {
        const [a, b] = [await service(), await service()];
        for (const { ledger } of [a, b]) await ledger.upload({ agreement: example.agreement, partner: null, adjustment: false, content: json(chosen) });
        const [left, right] = [await a.ledger.periods(example.agreement), await b.ledger.periods(example.agreement)];
        expect(left).toEqual(right);
        const figures = left.periods[0]!.figures!;
        const amount = (id: string): Decimal => new Decimal(figures.find((figure) => figure.id === id)?.amount ?? '0');
        const expected = net.plus.reduce((sum, id) => sum.plus(amount(id)), new Decimal(0)).minus(net.minus.reduce((sum, id) => sum.plus(amount(id)), new Decimal(0)));
        expect(figures.find((figure) => figure.net === true)).toMatchObject({ id: net.id, amount: expected.toFixed(2) });
      }),
      { numRuns: 12 },
    );
  });
});

function lastDay(month: string): string {
  const [year, m] = month.split('-').map(Number) as [number, number];
  return `${month}-${String(new Date(Date.UTC(year, m, 0)).getUTCDate()).padStart(2, '0')}`;
}
