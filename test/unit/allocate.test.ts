import fc from 'fast-check';
import { allocate } from '../../src/domain/allocate';
import { Dec, sum } from '../../src/domain/money';

const HALF_UP = { mode: 'half-up', scale: 2 } as const;
const dec = (values: readonly string[]): Dec[] => values.map((v) => new Dec(v));
const text = (values: readonly Dec[]): string[] => values.map((v) => v.toFixed(2));

describe('allocate: an order-level amount shared among lines', () => {
  it.each([
    ['in proportion, exact', '100.00', ['300.00', '100.00'], ['75.00', '25.00']],
    ['thirds: the remainder to the first largest line', '100.00', ['1.00', '1.00', '1.00'], ['33.34', '33.33', '33.33']],
    ['the remainder to the largest line, not the first', '100.00', ['1.00', '2.00', '1.00'], ['25.00', '50.00', '25.00']],
    // 20 / 3 = 6.666… → 6.67 each, 20.01 in all: the −0.01 goes to the first largest line
    ['a negative remainder', '20.00', ['3.00', '3.00', '3.00'], ['6.66', '6.67', '6.67']],
    // 10.005 → 10.01; 5.005 → 5.01 twice is 10.02: the −0.01 goes to the first line
    ['the total is rounded first', '10.005', ['1.00', '1.00'], ['5.00', '5.01']],
    ['no positive weight: all to the first line', '5.00', ['0.00', '0.00'], ['5.00', '0.00']],
  ])('%s', (_name, total, weights, expected) => {
    expect(text(allocate(new Dec(total), dec(weights), HALF_UP))).toEqual(expected);
  });

  it('the shares always add up to the rounded total, and none is more than a cent per line off its proportional share', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 10_000_000 }),
        fc.array(fc.integer({ min: 0, max: 5_000_000 }), { minLength: 1, maxLength: 30 }),
        (totalFen, weightsFen) => {
          const total = new Dec(totalFen).div(100);
          const weights = weightsFen.map((w) => new Dec(w).div(100));
          const shares = allocate(total, weights, HALF_UP);
          expect(sum(shares).toFixed(2)).toBe(total.toFixed(2));
          const weightSum = sum(weights);
          if (weightSum.isZero()) return;
          shares.forEach((share, i) => {
            const exact = total.times(weights[i]!).div(weightSum);
            expect(share.minus(exact).abs().lte(new Dec('0.01').times(weights.length))).toBe(true);
          });
        },
      ),
      { seed: 20261205, numRuns: 500 },
    );
  });
});
