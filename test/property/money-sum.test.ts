import fc from 'fast-check';
import { Dec, ZERO } from '../../src/domain/money';
import { MoneySum, minorUnits } from '../../src/domain/money-sum';

const SEED = 20261126;

/** Amounts of at most 2 decimals, from fen to sums near 2^52 fen (where the running number must fold) and beyond (within Dec's 34 digits, where sums are exact), and some with 3 decimals. */
const amount = fc.oneof(
  fc.bigInt({ min: -(10n ** 9n), max: 10n ** 9n }).map((fen) => new Dec(fen.toString()).div(100)),
  fc.bigInt({ min: -(2n ** 53n), max: 2n ** 53n }).map((fen) => new Dec(fen.toString()).div(100)),
  fc.bigInt({ min: -(10n ** 28n), max: 10n ** 28n }).map((fen) => new Dec(fen.toString()).div(100)),
  fc.integer({ min: -999_999, max: 999_999 }).map((n) => new Dec(n).div(1000)),
);

describe('MoneySum', () => {
  it('sums exactly what adding the Decs one by one sums, with or without the minor units given', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(amount, fc.boolean()), { maxLength: 60 }), (values) => {
        const sum = new MoneySum(2);
        let expected = ZERO;
        for (const [value, withUnits] of values) {
          sum.add(value, withUnits ? minorUnits(value, 2) : undefined);
          expected = expected.plus(value);
        }
        expect(sum.value.eq(expected)).toBe(true);
      }),
      { seed: SEED, numRuns: 500 },
    );
  });

  it.each([
    ['237.41', 23741],
    ['-0.03', -3],
    ['33.915', undefined],
    ['45035996273704.96', undefined],
  ])('minorUnits(%s, 2) = %s', (text, units) => {
    expect(minorUnits(new Dec(text), 2)).toBe(units);
  });
});
