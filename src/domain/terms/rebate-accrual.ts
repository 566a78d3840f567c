import { Dec, formatRate, roundMoney } from '../money';
import { FRACTION, paramsObject } from './schema-refs';
import type { LineFigureTerm } from './term';

export interface RebateAccrual {
  readonly type: 'rebate-accrual';
  readonly rate: Dec;
  readonly text: string;
}

/** A rebate accrued on each line at quote time: round(line amount × rate), settled over the period. */
export const rebateAccrual: LineFigureTerm<RebateAccrual> = {
  type: 'rebate-accrual',
  stage: 'figure',
  effect: 'rebate',
  summary: { zh: '返点计提：行金额 × 比例', en: 'Rebate accrual: line amount × rate' },
  paramsSchema: paramsObject({ rate: FRACTION }, ['rate']),
  parse: (params) => {
    const rate = new Dec(params['rate'] as string);
    return { type: 'rebate-accrual', rate, text: formatRate(rate) };
  },
  lint: (action) => ({
    errors: action.rate.gte(1) ? [{ reason: `rate ${action.rate.toFixed()} is out of range: a rebate-accrual must be below 1 (100 %)`, hint: 'write the rate as a fraction, e.g. "0.02" for 2 %' }] : [],
    warnings: action.rate.isZero() ? [{ reason: 'rate 0 has no effect', hint: 'set the intended rate or remove the rule' }] : [],
  }),
  rateText: (action) => action.text,
  dependsOn: () => [],
  figure: (action, line, order) => ({ amount: roundMoney(line.amount.times(action.rate), order.policy), rate: action.text, payee: 'buyer' }),
};
