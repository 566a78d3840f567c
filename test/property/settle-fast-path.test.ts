import fc from 'fast-check';
import { createSettlementAccumulator, type SettlementOptions } from '../../src/domain/settle-period';
import type { SettlementStatement, SettlementTransaction, TransactionLocator } from '../../src/domain/settlement';
import { FiredRulesCache } from '../../src/rules/fired-rules-cache';
import { withMemberCard } from '../support/member-card';
import { loadCatalog } from '../support/settlement-fixtures';

const catalog = loadCatalog();
const PERIOD = { from: '2026-11-01', to: '2026-11-30' };
const SEED = 20261126;
const SKUS = ['BYK-H01', 'BYK-H02', 'BYK-M01', 'BYK-M02', 'BYK-L01', 'BYK-L02'];
const BUYERS = [
  { id: 'CHAMBER', member: false, keyAccount: false },
  { id: 'ENT-001', member: true, keyAccount: true },
  { id: 'ENT-002', member: false, keyAccount: true },
  { id: 'M-007', member: true, keyAccount: false },
];
/** Few quantities, so sales repeat pricings (the remembered path) across tier boundaries (9/10, 49/50, 99/100). */
const QUANTITIES = [1, 2, 9, 10, 20, 40, 49, 50, 60, 99, 100, 150];

const at = (i: number): TransactionLocator => ({ field: (name) => `/transactions/${i}/${name}`, lineField: (line, name) => `/transactions/${i}/lines/${line}/${name}` });

/** Sales (with invoiced prices now and then) and returns of part of an earlier sale, some listed before it. */
const month = fc
  .array(
    fc.record({
      channel: fc.constantFrom('chamber-supply', 'member-direct', 'group-buy'),
      buyer: fc.constantFrom(...BUYERS),
      day: fc.integer({ min: 1, max: 28 }),
      lines: fc.uniqueArray(fc.record({ sku: fc.constantFrom(...SKUS), quantity: fc.constantFrom(...QUANTITIES), unitPrice: fc.option(fc.constantFrom('1094.80', '33.92', '1.00'), { nil: undefined }) }), { minLength: 1, maxLength: 4, selector: (line) => line.sku }),
      returned: fc.option(fc.integer({ min: 1, max: 3 }), { nil: undefined, freq: 4 }),
      returnFirst: fc.boolean(),
    }),
    { minLength: 1, maxLength: 80 },
  )
  .map((sales) => {
    const txs: SettlementTransaction[] = [];
    sales.forEach((sale, i) => {
      const tx: SettlementTransaction = withMemberCard({ id: `T${i}`, date: `2026-11-${String(sale.day).padStart(2, '0')}`, channel: sale.channel, buyer: sale.buyer, lines: sale.lines.map((l) => (l.unitPrice === undefined ? { sku: l.sku, quantity: l.quantity } : l)) });
      const line = sale.lines[0]!;
      const ret = sale.returned === undefined ? undefined : { ...tx, id: `R${i}`, date: '2026-11-29', returnOf: tx.id, lines: [{ sku: line.sku, quantity: -Math.min(line.quantity, sale.returned) }] };
      if (ret !== undefined && sale.returnFirst) txs.push(ret, tx);
      else txs.push(tx, ...(ret === undefined ? [] : [ret]));
    });
    return txs;
  });

async function settle(txs: readonly SettlementTransaction[], options: SettlementOptions): Promise<SettlementStatement> {
  const ruleSet = catalog.versionOn('chamber-baiyikang', PERIOD.to);
  const accumulator = createSettlementAccumulator(ruleSet.version, PERIOD, options);
  const rules = new FiredRulesCache(ruleSet);
  for (let i = 0; i < txs.length; i++) {
    const pending = accumulator.add(txs[i]!, at(i));
    if (pending !== undefined) accumulator.bookSale(pending, await rules.fire(txs[i]!.date, pending.facts));
  }
  return accumulator.finish();
}

describe('settlement: remembered line pricings (fast path) vs priceQuote for every sale', () => {
  it('gives the same statement, figure for figure', async () => {
    await fc.assert(
      fc.asyncProperty(month, async (txs) => {
        expect(await settle(txs, {})).toEqual(await settle(txs, { rememberedPricings: 0 }));
      }),
      { seed: SEED, numRuns: 150 },
    );
  });

  it('gives the same statement when the remembered pricings overflow and are dropped', async () => {
    await fc.assert(
      fc.asyncProperty(month, async (txs) => {
        expect(await settle(txs, { rememberedPricings: 5 })).toEqual(await settle(txs, { rememberedPricings: 0 }));
      }),
      { seed: SEED, numRuns: 50 },
    );
  });
});
