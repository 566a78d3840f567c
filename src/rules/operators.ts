import { Dec, isDecimalText } from '../domain/money';

/**
 * The comparison operators suanpan adds to json-rules-engine. Its built-in
 * lessThan/greaterThan family compares decimal strings as text ("999.99" >= "1000.00" is
 * true), so the rule schema refuses those and money and quantities go through these.
 * A fact value that is not a decimal (or an ISO date, for the date operators) never matches.
 */
export type OperatorFn = (factValue: unknown, ruleValue: unknown) => boolean;

function toDecimal(value: unknown): Dec | undefined {
  if (typeof value === 'number') return Number.isFinite(value) ? new Dec(value) : undefined;
  if (typeof value === 'string' && isDecimalText(value)) return new Dec(value);
  return undefined;
}

function decimalComparison(test: (comparison: number) => boolean): OperatorFn {
  return (factValue, ruleValue) => {
    const a = toDecimal(factValue);
    const b = toDecimal(ruleValue);
    return a !== undefined && b !== undefined && test(a.comparedTo(b));
  };
}

const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;

function dateComparison(test: (factDate: string, ruleDate: string) => boolean): OperatorFn {
  return (factValue, ruleValue) =>
    typeof factValue === 'string' && typeof ruleValue === 'string' && ISO_DATE.test(factValue) && ISO_DATE.test(ruleValue) && test(factValue, ruleValue);
}

export const DECIMAL_OPERATORS: Readonly<Record<string, OperatorFn>> = {
  decimalEqual: decimalComparison((c) => c === 0),
  decimalNotEqual: decimalComparison((c) => c !== 0),
  decimalGreaterThan: decimalComparison((c) => c > 0),
  decimalGreaterThanInclusive: decimalComparison((c) => c >= 0),
  decimalLessThan: decimalComparison((c) => c < 0),
  decimalLessThanInclusive: decimalComparison((c) => c <= 0),
};

export const DATE_OPERATORS: Readonly<Record<string, OperatorFn>> = {
  dateOnOrAfter: dateComparison((a, b) => a >= b),
  dateOnOrBefore: dateComparison((a, b) => a <= b),
};

/** Every operator suanpan registers on top of json-rules-engine's equal/notEqual/in/notIn. */
export const CUSTOM_OPERATORS: Readonly<Record<string, OperatorFn>> = { ...DECIMAL_OPERATORS, ...DATE_OPERATORS };

/** json-rules-engine's own operators that the schema allows (they compare with ===). */
export const IDENTITY_OPERATORS: ReadonlySet<string> = new Set(['equal', 'notEqual', 'in', 'notIn']);
