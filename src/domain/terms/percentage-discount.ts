import { Dec, ONE, formatRate } from '../money';
import { FRACTION, paramsObject } from './schema-refs';
import type { PriceTerm } from './term';

export interface PercentageDiscount {
  readonly type: 'percentage-discount';
  readonly rate: Dec;
  /** What the rate is taken off: the running unit price (default) or the list price. */
  readonly on: 'running' | 'list';
  /** 1 − rate, computed once. */
  readonly keep: Dec;
  readonly text: string;
}

/** A percentage off the running unit price (or off list): unit price × (1 − rate). */
export const percentageDiscount: PriceTerm<PercentageDiscount> = {
  type: 'percentage-discount',
  stage: 'price',
  defaultStep: 'buyer-discount',
  summary: { zh: '折扣：单价 × (1 − 折扣率)', en: 'Percentage discount: unit price × (1 − rate)' },
  paramsSchema: paramsObject({ rate: FRACTION, on: { enum: ['running', 'list'], description: 'running (default): the unit price after the steps before; list: the catalog price' } }, ['rate']),
  parse: (params) => {
    const rate = new Dec(params['rate'] as string);
    return { type: 'percentage-discount', rate, on: params['on'] === 'list' ? 'list' : 'running', keep: ONE.minus(rate), text: formatRate(rate) };
  },
  lint: (action) => ({
    errors: action.rate.gte(1) ? [{ reason: `rate ${action.rate.toFixed()} is out of range: a percentage-discount must be below 1 (100 %)`, hint: 'write the rate as a fraction, e.g. "0.05" for 5 %' }] : [],
    warnings: action.rate.isZero() ? [{ reason: 'rate 0 has no effect', hint: 'set the intended rate or remove the rule' }] : [],
  }),
  rateText: (action) => action.text,
  dependsOn: () => [],
  outcomes: (action, lines) =>
    lines.map((line) => ({ kind: 'unit-price', unitPrice: (action.on === 'list' ? line.item.listPrice : line.unitPrice).times(action.keep), rate: action.text })),
};
