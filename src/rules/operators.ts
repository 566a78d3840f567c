import { Dec, isDecimalText } from '../domain/money';

/**
 * The comparison operators suanpan adds to json-rules-engine. Its built-in
 * lessThan/greaterThan family compares decimal strings as text ("999.99" >= "1000.00" is
 * true), so the rule schema refuses those and money and quantities go through these.
 * A fact value that is not a decimal (or an ISO date, for the date operators) never matches.
 */
export type OperatorFn = (factValue: unknown, ruleValue: unknown) => boolean;

/** A number or a plain decimal string as a Decimal; undefined for anything else (never throws). */
export function toDecimal(value: unknown): Dec | undefined {
  if (typeof value === 'number') return Number.isFinite(value) ? new Dec(value) : undefined;
  if (typeof value === 'string' && isDecimalText(value)) return new Dec(value);
  return undefined;
}

/** What each decimal operator requires of `fact.comparedTo(value)` (-1, 0 or 1). */
export const DECIMAL_COMPARISONS: Readonly<Record<string, (comparison: number) => boolean>> = {
  decimalEqual: (c) => c === 0,
  decimalNotEqual: (c) => c !== 0,
  decimalGreaterThan: (c) => c > 0,
  decimalGreaterThanInclusive: (c) => c >= 0,
  decimalLessThan: (c) => c < 0,
  decimalLessThanInclusive: (c) => c <= 0,
};

function decimalComparison(test: (comparison: number) => boolean): OperatorFn {
  return (factValue, ruleValue) => {
    const a = toDecimal(factValue);
    const b = toDecimal(ruleValue);
    return a !== undefined && b !== undefined && test(a.comparedTo(b));
  };
}

const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;

/** True for a string of the form yyyy-mm-dd, the only dates the date operators compare. */
export function isIsoDateText(value: unknown): value is string {
  return typeof value === 'string' && ISO_DATE.test(value);
}

/** What each date operator requires of (fact date, rule date); both are yyyy-mm-dd, so text order is date order. */
export const DATE_COMPARISONS: Readonly<Record<string, (factDate: string, ruleDate: string) => boolean>> = {
  dateOnOrAfter: (a, b) => a >= b,
  dateOnOrBefore: (a, b) => a <= b,
};

function dateComparison(test: (factDate: string, ruleDate: string) => boolean): OperatorFn {
  return (factValue, ruleValue) => isIsoDateText(factValue) && isIsoDateText(ruleValue) && test(factValue, ruleValue);
}

function mapValues<T, U>(record: Readonly<Record<string, T>>, fn: (value: T) => U): Record<string, U> {
  return Object.fromEntries(Object.entries(record).map(([key, value]) => [key, fn(value)]));
}

export const DECIMAL_OPERATORS: Readonly<Record<string, OperatorFn>> = mapValues(DECIMAL_COMPARISONS, decimalComparison);

export const DATE_OPERATORS: Readonly<Record<string, OperatorFn>> = mapValues(DATE_COMPARISONS, dateComparison);

/** Every operator suanpan registers on top of json-rules-engine's equal/notEqual/in/notIn. */
export const CUSTOM_OPERATORS: Readonly<Record<string, OperatorFn>> = { ...DECIMAL_OPERATORS, ...DATE_OPERATORS };

/** json-rules-engine's own operators that the schema allows (they compare with ===). */
export const IDENTITY_OPERATORS: ReadonlySet<string> = new Set(['equal', 'notEqual', 'in', 'notIn']);

/** json-rules-engine's own operators on a list fact (line.tags): the list holds, or lacks, the value (===). */
export const LIST_OPERATORS: ReadonlySet<string> = new Set(['contains', 'doesNotContain']);
