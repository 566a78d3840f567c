import fc from 'fast-check';
import { Dec } from '../../src/domain/money';
import { PriceGuarantee, QuantityCounts } from '../../src/domain/settle/price-guarantee';
import type { PricedPiece } from '../../src/domain/settle/priced-piece';
import { loadCatalog } from '../support/settlement-fixtures';

/**
 * The price guarantee counts its lines per quantity in bounded memory: a map while quantities
 * are few, a dense table past a threshold. Whatever the threshold, the counts — and so the
 * compensation — are the same.
 */
const quantity = fc.oneof(fc.integer({ min: -60, max: 60 }), fc.integer({ min: -1_000_000, max: 1_000_000 }), fc.integer({ min: 1_000_001, max: 5_000_000 }));

function counted(counts: QuantityCounts): [number, number][] {
  return [...counts.entries()].sort(([a], [b]) => a - b);
}

describe('QuantityCounts', () => {
  it('counts each quantity the same as a map does, before and after it turns dense', () => {
    fc.assert(
      fc.property(fc.array(quantity, { maxLength: 300 }), fc.integer({ min: 0, max: 20 }), (quantities, denseAfter) => {
        const expected = new Map<number, number>();
        const counts = new QuantityCounts(denseAfter);
        for (const q of quantities) {
          expected.set(q, (expected.get(q) ?? 0) + 1);
          counts.add(q);
        }
        expect(counted(counts)).toEqual([...expected].sort(([a], [b]) => a - b));
      }),
      { seed: 20261206, numRuns: 150 },
    );
  });
});

describe('PriceGuarantee', () => {
  const version = loadCatalog().versionOn('chamber-baiyikang', '2026-11-01').version;
  const guaranteeRules = version.rules.filter((rule) => rule.action.type === 'price-guarantee');
  const skus = [...version.catalog.keys()];
  const period = { from: '2026-11-01', to: '2026-11-30' };

  it('gives the same compensation with its counts kept in a map or turned dense', () => {
    expect(guaranteeRules.length).toBeGreaterThan(0);
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.nat(skus.length - 1), fc.integer({ min: 1, max: 1_000_000 })), { minLength: 1, maxLength: 200 }), fc.nat(), (lines, priceSeed) => {
        const mapped = new PriceGuarantee(version, period);
        const dense = new PriceGuarantee(version, period, 1);
        for (const [at, q] of lines) {
          const piece = { sku: skus[at]!, quantity: q, fired: guaranteeRules } as unknown as PricedPiece;
          mapped.book(piece);
          dense.book(piece);
        }
        for (const sku of skus) {
          // an external sale at a third to a half of list: a breach on every SKU
          const price = version.catalog.get(sku)!.listPrice.times(new Dec(30 + (priceSeed % 20)).div(100)).toDecimalPlaces(2);
          mapped.noteExternalSale(sku, price, 'X');
          dense.noteExternalSale(sku, price, 'X');
        }
        const compensation = (guarantee: PriceGuarantee) => guarantee.lines().map((line) => [line.sku, line.compensation.toFixed(2)]);
        expect(compensation(dense)).toEqual(compensation(mapped));
        expect(compensation(mapped).length).toBeGreaterThan(0);
      }),
      { seed: 20261206, numRuns: 60 },
    );
  });
});
