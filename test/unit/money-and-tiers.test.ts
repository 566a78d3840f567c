import type { Tier } from '../../src/domain/agreement';
import { findTier, tierRate } from '../../src/domain/apply-tiers';
import { Dec, formatAmount, formatRate, formatUnitPrice, parseDecimal, roundMoney } from '../../src/domain/money';
import { DECIMAL_OPERATORS, DATE_OPERATORS } from '../../src/rules/operators';

describe('roundMoney', () => {
  it.each([
    ['237.405', 'half-up', '237.41'],
    ['237.404', 'half-up', '237.40'],
    ['-237.405', 'half-up', '-237.41'],
    ['0.005', 'half-up', '0.01'],
    ['237.405', 'half-even', '237.40'],
    ['237.415', 'half-even', '237.42'],
    ['2176.874', 'half-up', '2176.87'],
  ] as const)('%s %s → %s', (value, mode, expected) => {
    expect(formatAmount(roundMoney(new Dec(value), { mode, scale: 2 }))).toBe(expected);
  });
});

describe('formatting', () => {
  it.each([
    ['1094.8', '1094.80'],
    ['33.915', '33.915'],
    ['1288', '1288.00'],
    ['0', '0.00'],
  ])('unit price %s → %s', (value, expected) => {
    expect(formatUnitPrice(new Dec(value))).toBe(expected);
  });

  it('never writes negative zero', () => {
    expect(formatAmount(new Dec('-0'))).toBe('0.00');
    expect(formatAmount(roundMoney(new Dec('-0.001'), { mode: 'half-up', scale: 2 }))).toBe('0.00');
  });

  it('writes rates in their shortest exact form', () => {
    expect(formatRate(new Dec('0.10'))).toBe('0.1');
    expect(formatRate(new Dec('0'))).toBe('0');
  });

  it.each(['1e3', '1,000', ' 1', 'NaN', '', '.5', '01'])('refuses %j as a decimal', (text) => {
    expect(() => parseDecimal(text)).toThrow(/not a decimal string/);
  });
});

const GROUP_BUY: Tier[] = [
  { from: new Dec(1), to: new Dec(10), rate: new Dec('0') },
  { from: new Dec(10), to: new Dec(50), rate: new Dec('0.03') },
  { from: new Dec(50), to: new Dec(100), rate: new Dec('0.06') },
  { from: new Dec(100), rate: new Dec('0.10') },
];

describe('tiers', () => {
  it.each([
    [0, undefined],
    [1, '0'],
    [9, '0'],
    [10, '0.03'],
    [49, '0.03'],
    [50, '0.06'],
    [99, '0.06'],
    [100, '0.1'],
    [100000, '0.1'],
  ])('range: %d units → rate %s', (quantity, rate) => {
    expect(findTier(GROUP_BUY, new Dec(quantity))?.rate.toFixed()).toBe(rate);
    expect(tierRate(GROUP_BUY, new Dec(quantity), 'range').toFixed()).toBe(rate ?? '0');
  });

  it.each([
    [9, '0'],
    // units 10..12 at 3 %: 3 × 0.03 / 12
    [12, '0.0075'],
    // 9 × 0 + 40 × 0.03 + 50 × 0.06 + 1 × 0.10 = 4.3, over 100 units
    [100, '0.043'],
  ])('graduated: %d units → average rate %s', (quantity, rate) => {
    expect(tierRate(GROUP_BUY, new Dec(quantity), 'graduated').toFixed()).toBe(rate);
  });
});

describe('decimal operators compare numbers, not text', () => {
  it.each([
    ['decimalGreaterThanInclusive', '999.99', '1000.00', false],
    ['decimalGreaterThanInclusive', '1000.00', '1000', true],
    ['decimalLessThan', '999.99', '1000.00', true],
    ['decimalEqual', '1.50', '1.5', true],
    ['decimalNotEqual', '1.50', '1.5', false],
    ['decimalGreaterThan', 120, '100', true],
    ['decimalGreaterThan', 'abc', '100', false],
    ['decimalLessThanInclusive', null, '100', false],
    ['decimalLessThan', Number.NaN, '100', false],
  ] as const)('%s(%j, %j) is %s', (operator, fact, value, expected) => {
    expect(DECIMAL_OPERATORS[operator]!(fact, value)).toBe(expected);
  });

  it.each([
    ['dateOnOrAfter', '2026-12-01', '2026-11-30', true],
    ['dateOnOrAfter', '2026-11-30', '2026-11-30', true],
    ['dateOnOrBefore', '2026-12-01', '2026-11-30', false],
    ['dateOnOrBefore', 'tomorrow', '2026-11-30', false],
  ] as const)('%s(%j, %j) is %s', (operator, fact, value, expected) => {
    expect(DATE_OPERATORS[operator]!(fact, value)).toBe(expected);
  });
});
