import fc from 'fast-check';
import { Dec, formatAmount, roundMoney } from '../../src/domain/money';

// Issue 12 item 15: a line amount is list price × the factors of every step that fired × the
// quantity. At the schema's bounds (list ≤ 12 digits before the point, factors and rates with
// ≤ 6 decimals, quantity ≤ 1,000,000) and up to 9 stacked steps, the core's decimals give exactly
// what integer arithmetic gives.
const HALF_UP = { mode: 'half-up', scale: 2 } as const;

const listPrice = fc.tuple(fc.oneof(fc.constant(999_999_999_999n), fc.bigInt({ min: 0n, max: 999_999_999_999n })), fc.integer({ min: 0, max: 99 })).map(([whole, cents]) => ({ text: `${whole}.${String(cents).padStart(2, '0')}`, scaled: whole * 100n + BigInt(cents) }));
/** A kept fraction (1 − rate, or a factor) with up to 6 decimals, as text and as an integer of 10^-6. */
const keep = fc.oneof(fc.constant(999_999), fc.integer({ min: 1, max: 1_000_000 })).map((millionths) => ({ text: (millionths / 1_000_000).toFixed(6), scaled: BigInt(millionths) }));
const quantity = fc.oneof(fc.constant(1_000_000), fc.integer({ min: 1, max: 1_000_000 }));

/** An integer of 10^-scale as a decimal string with `scale` decimals. */
function decimalText(value: bigint, scale: number): string {
  const digits = value.toString().padStart(scale + 1, '0');
  return `${digits.slice(0, -scale)}.${digits.slice(-scale)}`;
}

/** An integer of 10^-scale rounded half-up to the fen, as a decimal string. */
function fen(value: bigint, scale: number): string {
  const unit = 10n ** BigInt(scale - 2);
  const cents = (value + unit / 2n) / unit;
  return `${cents / 100n}.${String(cents % 100n).padStart(2, '0')}`;
}

describe('stacked steps at the bounds stay exact', () => {
  it('list × up to 9 factors × quantity, rounded to the fen, equals integer arithmetic', () => {
    fc.assert(
      fc.property(listPrice, fc.array(keep, { minLength: 1, maxLength: 9 }), quantity, (list, keeps, q) => {
        let unit = new Dec(list.text);
        let exact = list.scaled;
        for (const k of keeps) {
          unit = unit.times(k.text);
          exact *= k.scaled;
        }
        const product = unit.times(q);
        const scale = 2 + 6 * keeps.length;
        // the unrounded product itself is exact, digit for digit
        expect(product.eq(new Dec(`${exact * BigInt(q)}e-${scale}`))).toBe(true);
        expect(product.toFixed(scale)).toBe(decimalText(exact * BigInt(q), scale));
        expect(formatAmount(roundMoney(product, HALF_UP), 2)).toBe(fen(exact * BigInt(q), scale));
      }),
      { seed: 20261205, numRuns: 2000 },
    );
  });
});
