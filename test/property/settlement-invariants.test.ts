import { figureAmount } from '../../src/domain/settlement';
import { Readable } from 'node:stream';
import fc from 'fast-check';
import { Dec, sum } from '../../src/domain/money';
import type { ExternalSale, SettlementStatement } from '../../src/domain/settlement';
import { settleFiles } from '../../src/io/read-settlement-file';
import { calculateQuote } from '../../src/rules/calculate-quote';
import { calculateSettlement, openSettlement, type SettlementRequest } from '../../src/rules/calculate-settlement';
import { withMemberCard } from '../support/member-card';
import { loadCatalog } from '../support/settlement-fixtures';

const catalog = loadCatalog();
const SEED = 20261130;
const RUNS = 60;
const SKUS = ['BYK-H01', 'BYK-H02', 'BYK-M01', 'BYK-M02', 'BYK-L01', 'BYK-L02'];
const CHANNELS = ['chamber-supply', 'member-direct', 'group-buy', 'other'];
/** Buyers keep their flags across transactions, as real buyers do. */
const BUYERS = [
  { id: 'CHAMBER', member: false, keyAccount: false },
  { id: 'ENT-001', member: true, keyAccount: true },
  { id: 'ENT-002', member: false, keyAccount: true },
  { id: 'M-007', member: true, keyAccount: false },
  { id: 'P-100', member: false, keyAccount: false },
];
const PERIOD = { from: '2026-11-01', to: '2026-11-30' };
const MIDDLE = '2026-11-15';

type Tx = SettlementRequest['transactions'][number];

const day = (d: number): string => `2026-11-${String(d).padStart(2, '0')}`;

/** A sale with 1–4 lines (a SKU may repeat), sometimes with invoiced prices, sometimes a return of part of it on the same day or later in the same half of the month. */
const saleWithReturn = fc
  .record({
    channel: fc.constantFrom(...CHANNELS),
    buyer: fc.constantFrom(...BUYERS),
    day: fc.integer({ min: 1, max: 30 }),
    lines: fc.array(
      fc.record({ sku: fc.constantFrom(...SKUS), quantity: fc.integer({ min: 1, max: 150 }), unitPrice: fc.option(fc.constantFrom('33.92', '1094.80', '61.20', '1.00'), { nil: undefined }) }),
      { minLength: 1, maxLength: 4 },
    ),
    returned: fc.option(fc.array(fc.nat({ max: 150 }), { minLength: 1, maxLength: 4 }), { nil: undefined }),
    returnDelay: fc.nat({ max: 14 }),
  })
  .map(({ channel, buyer, day: saleDay, lines, returned, returnDelay }) => ({ ...withMemberCard({ channel, buyer }), saleDay, lines: lines.map((l) => (l.unitPrice === undefined ? { sku: l.sku, quantity: l.quantity } : l)), returned, returnDelay }));

/** Transactions T1… with their returns R1…, returns dated in the half of the month of their sale. */
const transactions = fc.array(saleWithReturn, { minLength: 1, maxLength: 12 }).map((sales) => {
  const txs: Tx[] = [];
  sales.forEach((sale, i) => {
    const id = `T${i + 1}`;
    txs.push({ id, date: day(sale.saleDay), channel: sale.channel, buyer: sale.buyer, lines: sale.lines });
    if (sale.returned === undefined) return;
    const lastDay = sale.saleDay <= 15 ? 15 : 30;
    const lines = sale.lines
      .map((line, j) => ({ sku: line.sku, quantity: -Math.min(line.quantity, 1 + (sale.returned![j % sale.returned!.length]! % line.quantity)) }))
      .filter((_line, j) => j < sale.returned!.length);
    txs.push({ id: `R${i + 1}`, date: day(Math.min(lastDay, sale.saleDay + sale.returnDelay)), channel: sale.channel, buyer: sale.buyer, returnOf: id, lines });
  });
  return txs;
});

const externalSales = fc.array(
  fc.record({ institution: fc.constantFrom('某医院', '某超市', 'Clinic'), sku: fc.constantFrom(...SKUS), quantity: fc.integer({ min: 1, max: 50 }), factor: fc.constantFrom('0.75', '0.80', '0.84', '0.85', '0.90', '1') }),
  { maxLength: 5 },
);

const LIST: Readonly<Record<string, string>> = { 'BYK-H01': '1288.00', 'BYK-H02': '2680.00', 'BYK-M01': '298.00', 'BYK-M02': '458.00', 'BYK-L01': '68.00', 'BYK-L02': '39.90' };
const externals = (sales: readonly { institution: string; sku: string; quantity: number; factor: string }[], date: string): ExternalSale[] =>
  sales.map((s) => ({ institution: s.institution, sku: s.sku, date, quantity: s.quantity, unitPrice: new Dec(LIST[s.sku]!).times(s.factor).toFixed() }));

const settle = (txs: readonly Tx[], ext: readonly ExternalSale[] = [], period = PERIOD): Promise<SettlementStatement> =>
  calculateSettlement(catalog, { agreement: 'chamber-baiyikang', period, transactions: txs, externalSales: ext });

const total = (values: readonly string[]): string => sum(values.map((v) => new Dec(v))).toFixed(2);
const plus = (a: string | undefined, b: string | undefined): string => new Dec(a ?? '0').plus(b ?? '0').toFixed(2);

/** The figures that add up over disjoint sets of lines (given the same lowest external prices). */
function additive(statement: SettlementStatement): Record<string, string> {
  const figures: Record<string, string> = {
    supplyPayable: figureAmount(statement, 'supplyPayable') ?? '',
    commission: statement.commission,
    compensation: statement.compensation,
    giftsValue: statement.giftsValue,
  };
  for (const [channel, amount] of Object.entries(statement.volume)) figures[`volume/${channel}`] = amount;
  for (const rebate of statement.rebates) {
    figures[`rebateVolume/${rebate.buyer}`] = rebate.volume;
    figures[`rebateAccrued/${rebate.buyer}`] = rebate.accrued;
  }
  return figures;
}

function addFigures(a: Record<string, string>, b: Record<string, string>): Record<string, string> {
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
  return Object.fromEntries([...keys].map((key) => [key, plus(a[key], b[key])]));
}

/** Drops figures that are zero, so "absent" and "0.00" compare equal. */
const nonZero = (figures: Record<string, string>): Record<string, string> => Object.fromEntries(Object.entries(figures).filter(([, v]) => !new Dec(v).isZero()));

describe('settlement invariants (fast-check)', () => {
  it('every total is the sum of the figures shown under it', async () => {
    await fc.assert(
      fc.asyncProperty(transactions, externalSales, async (txs, ext) => {
        const s = await settle(txs, externals(ext, '2026-11-20'));
        expect(s.compensation).toBe(total(s.priceGuarantee.map((g) => g.compensation)));
        expect(figureAmount(s, 'supplyPayable')).toBe(s.volume['chamber-supply'] ?? '0.00');
        expect(figureAmount(s, 'chamberPaysSupplier')).toBe(new Dec(figureAmount(s, 'supplyPayable')!).minus(s.commission).minus(s.compensation).toFixed(2));
        for (const r of s.rebates) {
          expect(r.final).toBe(new Dec(r.volume).times(r.rate).toDecimalPlaces(2, Dec.ROUND_HALF_UP).toFixed(2));
          expect(r.trueUp).toBe(new Dec(r.final).minus(r.accrued).toFixed(2));
        }
        for (const d of s.discrepancies) expect(d.difference).toBe(new Dec(d.invoicedAmount).minus(d.agreedAmount).toFixed(2));
      }),
      { seed: SEED, numRuns: RUNS },
    );
  });

  it('without returns, the statement adds up the quotes of its transactions', async () => {
    await fc.assert(
      fc.asyncProperty(transactions, async (all) => {
        const sales = all.filter((tx) => tx.returnOf === undefined);
        const s = await settle(sales);
        const quotes = await Promise.all(sales.map((tx) => calculateQuote(catalog, { agreement: 'chamber-baiyikang', channel: tx.channel, date: tx.date, buyer: tx.buyer as never, lines: tx.lines.map(({ sku, quantity }) => ({ sku, quantity })) })));
        expect(s.commission).toBe(total(quotes.map((q) => q.totals.commission)));
        expect(s.giftsValue).toBe(total(quotes.map((q) => q.totals.gifts)));
        expect(total(s.rebates.map((r) => r.accrued))).toBe(total(quotes.map((q) => q.totals.rebate)));
        for (const channel of CHANNELS) {
          const ofChannel = quotes.filter((q) => q.channel === channel);
          expect(s.volume[channel]).toBe(ofChannel.length === 0 ? undefined : total(ofChannel.map((q) => q.totals.net)));
        }
      }),
      { seed: SEED, numRuns: RUNS },
    );
  });

  it('a sale returned in full cancels out of every additive figure except the gifts already given', async () => {
    await fc.assert(
      fc.asyncProperty(transactions, fc.nat(), async (all, pick) => {
        const sales = all.filter((tx) => tx.returnOf === undefined);
        const returnedSale = sales[pick % sales.length]!;
        const fullReturn: Tx = { ...returnedSale, id: 'FULL-RETURN', returnOf: returnedSale.id, lines: returnedSale.lines.map(({ sku, quantity }) => ({ sku, quantity: -quantity })) };
        const withReturn = additive(await settle([...sales, fullReturn]));
        const without = additive(await settle(sales.filter((tx) => tx !== returnedSale)));
        const onlyTheSale = additive(await settle([returnedSale]));
        const { giftsValue: giftsWith, ...restWith } = withReturn;
        const { giftsValue: giftsWithout, ...restWithout } = without;
        expect(nonZero(restWith)).toEqual(nonZero(restWithout));
        expect(giftsWith).toBe(plus(giftsWithout, onlyTheSale['giftsValue']));
      }),
      { seed: SEED, numRuns: RUNS },
    );
  });

  it('settling a period equals settling its halves, for additive figures', async () => {
    await fc.assert(
      fc.asyncProperty(transactions, externalSales, async (txs, ext) => {
        const first = txs.filter((tx) => tx.date <= MIDDLE);
        const second = txs.filter((tx) => tx.date > MIDDLE);
        // the same lowest external prices in both halves, so compensation is additive too
        const whole = await settle(txs, externals(ext, '2026-11-10'));
        const a = await settle(first, externals(ext, '2026-11-10'), { from: PERIOD.from, to: MIDDLE });
        const b = await settle(second, externals(ext, '2026-11-20'), { from: '2026-11-16', to: PERIOD.to });
        expect(nonZero(additive(whole))).toEqual(nonZero(addFigures(additive(a), additive(b))));
        expect(whole.discrepancies.length).toBe(a.discrepancies.length + b.discrepancies.length);
        expect(whole.counts.lines).toBe(a.counts.lines + b.counts.lines);
      }),
      { seed: SEED, numRuns: RUNS },
    );
  });

  it('the order of the transactions does not change the statement (returns may come before their sales)', async () => {
    await fc.assert(
      fc.asyncProperty(transactions, fc.nat(), async (txs, rotation) => {
        const shuffled = [...txs].reverse();
        const rotated = [...shuffled.slice(rotation % shuffled.length), ...shuffled.slice(0, rotation % shuffled.length)];
        const inOrder = await settle(txs);
        const reordered = await settle(rotated);
        expect({ ...reordered, discrepancies: [] }).toEqual({ ...inOrder, discrepancies: [] });
        const key = (d: { transaction: string; sku: string; quantity: number }): string => `${d.transaction}/${d.sku}/${d.quantity}`;
        expect(reordered.discrepancies.map(key).sort()).toEqual(inOrder.discrepancies.map(key).sort());
      }),
      { seed: SEED, numRuns: RUNS },
    );
  });

  it('a CSV upload gives the statement the JSON request gives', async () => {
    await fc.assert(
      fc.asyncProperty(transactions, externalSales, async (txs, ext) => {
        const sales = externals(ext, '2026-11-20');
        const rows = ['transaction,date,channel,buyer,member,keyAccount,returnOf,sku,quantity,unitPrice'];
        for (const tx of txs) {
          for (const line of tx.lines) rows.push([tx.id, tx.date, tx.channel, tx.buyer.id, tx.buyer.member, tx.buyer.keyAccount, tx.returnOf ?? '', line.sku, line.quantity, line.unitPrice ?? ''].join(','));
        }
        rows.push('', 'institution,sku,date,quantity,unitPrice', ...sales.map((s) => [s.institution, s.sku, s.date, s.quantity, s.unitPrice].join(',')));
        const fromCsv = await settleFiles(openSettlement(catalog, 'chamber-baiyikang', PERIOD), [{ stream: Readable.from([`\uFEFF${rows.join('\r\n')}`]), format: 'csv' }]);
        expect(fromCsv).toEqual(await settle(txs, sales));
      }),
      { seed: SEED, numRuns: RUNS },
    );
  });
});
