import { Dec, ZERO } from './money';

/** Minor units a plain number adds exactly: while |sum| < 2^52, adding one more < 2^52 stays below 2^53. */
const SAFE_UNITS = 2 ** 52;

/**
 * `value` in minor units of `scale` decimals (fen for 2) as a number, when it is a whole
 * number of them below 2^52 in size; undefined otherwise (the sum then adds the Dec).
 * @example minorUnits(new Dec('237.41'), 2) // 23741
 */
export function minorUnits(value: Dec, scale: number): number | undefined {
  if (value.decimalPlaces() > scale) return undefined;
  const units = value.times(TEN.pow(scale)).toNumber();
  return Number.isSafeInteger(units) && Math.abs(units) < SAFE_UNITS ? units : undefined;
}

const TEN = new Dec(10);

/**
 * An exact running sum of rounded money figures: whole minor units in a plain number while
 * that is exact, folded into a Dec before it would not be; other values are added as Decs.
 * Always the same value as adding the Decs one by one, without a Dec per addition.
 */
export class MoneySum {
  private units = 0;
  private rest = ZERO;
  private readonly unit: Dec;

  constructor(scale: number) {
    this.unit = TEN.pow(-scale);
  }

  /** Adds `value`; `units` is {@link minorUnits} of it when the caller has it at hand. */
  add(value: Dec, units: number | undefined = undefined): void {
    if (units === undefined) {
      this.rest = this.rest.plus(value);
      return;
    }
    this.units += units;
    if (this.units >= SAFE_UNITS || this.units <= -SAFE_UNITS) {
      this.rest = this.rest.plus(this.unit.times(this.units));
      this.units = 0;
    }
  }

  get value(): Dec {
    return this.units === 0 ? this.rest : this.rest.plus(this.unit.times(this.units));
  }
}
