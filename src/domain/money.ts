import Decimal from 'decimal.js';

/**
 * The one Decimal constructor of the core, at 80 significant digits: a unit price is a list
 * price (≤ 14 significant digits, agreement.schema.json) times the factors and rates of the
 * steps that fired (≤ 6 decimals each, rule.schema.json), and a line amount that times a
 * quantity (≤ 7 digits), so up to 9 stacked percentage steps stay exact (14 + 7 + 9 × 6 ≤ 80);
 * rounding happens only where {@link roundMoney} is called, with the mode the rule set names.
 */
export const Dec = Decimal.clone({ precision: 80, rounding: Decimal.ROUND_HALF_UP, toExpNeg: -90, toExpPos: 90 });
export type Dec = InstanceType<typeof Dec>;

export type RoundingModeName = 'half-up' | 'half-even';

/** How a rule set rounds money: the mode and the number of decimals (2 = fen for CNY). */
export interface RoundingPolicy {
  readonly mode: RoundingModeName;
  readonly scale: number;
}

const MODES: Record<RoundingModeName, Decimal.Rounding> = {
  'half-up': Decimal.ROUND_HALF_UP,
  'half-even': Decimal.ROUND_HALF_EVEN,
};

export const ZERO = new Dec(0);
export const ONE = new Dec(1);

const DECIMAL_TEXT = /^-?(0|[1-9]\d*)(\.\d+)?$/;

/** True when `text` is a plain decimal string (no exponent, no sign on zero-less forms, no spaces). */
export function isDecimalText(text: string): boolean {
  return DECIMAL_TEXT.test(text);
}

/**
 * An invoiced or external unit price as a request may carry it: ≥ 0, at most 12 digits before
 * the point and 8 after. Quantities are at most 1,000,000 units (7 digits), so its product with
 * a quantity has at most 27 significant digits: exact within the 34 of {@link Dec}, as are the
 * differences and sums the settlement takes of such products.
 */
export function isUnitPriceText(text: string): boolean {
  return UNIT_PRICE_TEXT.test(text);
}

const UNIT_PRICE_TEXT = /^(0|[1-9]\d{0,11})(\.\d{1,8})?$/;

/** Parses a decimal string from a rule file or a request; throws on anything that is not one. */
export function parseDecimal(text: string): Dec {
  if (!isDecimalText(text)) throw new Error(`not a decimal string: ${JSON.stringify(text)}`);
  return new Dec(text);
}

/**
 * Rounds a money figure to the policy's scale with its named mode.
 * @example roundMoney(new Dec('237.405'), { mode: 'half-up', scale: 2 }) // 237.41
 */
export function roundMoney(value: Dec, policy: RoundingPolicy): Dec {
  return value.toDecimalPlaces(policy.scale, MODES[policy.mode]);
}

/** A rounded amount as its wire string with exactly `scale` decimals; never "-0.00". */
export function formatAmount(value: Dec, scale = 2): string {
  if (value.isZero()) return ZERO.toFixed(scale);
  return value.decimalPlaces() <= scale ? padDecimals(value, scale) : value.toFixed(scale);
}

/**
 * An exact unit price as its wire string: at least `scale` decimals, more when the exact
 * value has them (39.90 × 0.85 = "33.915"), never rounded.
 */
export function formatUnitPrice(value: Dec, scale = 2): string {
  if (value.isZero()) return ZERO.toFixed(scale);
  return value.decimalPlaces() <= scale ? padDecimals(value, scale) : value.toFixed();
}

/**
 * `value.toFixed(scale)` for a value with at most `scale` decimals, without the rounding
 * copy decimal.js makes in toFixed (the costliest step of formatting a quote): the plain
 * digits, padded with zeros. Values too large or too small for plain toString go through toFixed.
 */
function padDecimals(value: Dec, scale: number): string {
  if (value.e >= PLAIN_UP_TO_EXPONENT || value.e <= -PLAIN_UP_TO_EXPONENT) return value.toFixed(scale);
  const text = value.toString();
  const point = text.indexOf('.');
  if (point < 0) return scale > 0 ? `${text}.${'0'.repeat(scale)}` : text;
  const missing = scale - (text.length - point - 1);
  return missing > 0 ? text + '0'.repeat(missing) : text;
}

/** Dec prints plain digits (no exponent) well inside toExpNeg -90 and toExpPos 90. */
const PLAIN_UP_TO_EXPONENT = 30;

/** A rate or factor as written: the shortest exact decimal ("0.1", "0.03"). */
export function formatRate(value: Dec): string {
  return value.isZero() ? '0' : value.toFixed();
}

/** Sums decimals exactly (no rounding: callers sum figures that are already rounded). */
export function sum(values: Iterable<Dec>): Dec {
  let total = ZERO;
  for (const v of values) total = total.plus(v);
  return total;
}
