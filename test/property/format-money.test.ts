import fc from 'fast-check';
import { Dec, formatAmount, formatUnitPrice } from '../../src/domain/money';

// formatAmount and formatUnitPrice skip decimal.js's toFixed when the value has few enough
// decimals; the text must be exactly what toFixed gives, for every sign, size and scale.
const decimalText = fc
  .tuple(fc.boolean(), fc.bigInt({ min: 0n, max: 10n ** 40n }), fc.integer({ min: 0, max: 45 }))
  .map(([negative, digits, decimals]) => new Dec(`${negative ? '-' : ''}${digits}e-${decimals}`));

describe('money formatting equals decimal.js toFixed', () => {
  it('formatAmount(value, scale) is toFixed(scale), never "-0"', () => {
    fc.assert(
      fc.property(decimalText, fc.integer({ min: 0, max: 6 }), (value, scale) => {
        const expected = (value.isZero() ? new Dec(0) : value).toFixed(scale);
        expect(formatAmount(value, scale)).toBe(expected);
        const rounded = value.toDecimalPlaces(scale);
        expect(formatAmount(rounded, scale)).toBe((rounded.isZero() ? new Dec(0) : rounded).toFixed(scale));
      }),
      { seed: 3, numRuns: 2000 },
    );
  });

  it('formatUnitPrice keeps every exact decimal and at least `scale`', () => {
    fc.assert(
      fc.property(decimalText, fc.integer({ min: 0, max: 6 }), (value, scale) => {
        const v = value.isZero() ? new Dec(0) : value;
        expect(formatUnitPrice(value, scale)).toBe(v.decimalPlaces() <= scale ? v.toFixed(scale) : v.toFixed());
      }),
      { seed: 4, numRuns: 2000 },
    );
  });

  it.each([
    ['237.405', 2, '237.41'],
    ['237.4', 2, '237.40'],
    ['-0.001', 2, '0.00'],
    ['1288', 2, '1288.00'],
    ['-15.5', 2, '-15.50'],
    ['7', 0, '7'],
  ])('formatAmount(%s, %i) = %s', (value, scale, expected) => {
    expect(formatAmount(new Dec(value).toDecimalPlaces(scale), scale)).toBe(expected);
  });
});
