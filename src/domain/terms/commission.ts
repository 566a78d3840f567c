import { Dec, formatRate, roundMoney } from '../money';
import { FRACTION, NON_NEGATIVE_DECIMAL, PAYEE, paramsObject } from './schema-refs';
import { checkPayee, type PayeeJson } from './payee';
import { resolvePayee, type LineFigureTerm } from './term';

export interface Commission {
  readonly type: 'commission';
  readonly rate: Dec;
  readonly payee: PayeeJson;
  readonly capPerLine?: Dec;
  readonly text: string;
}

/**
 * A commission to a named payee (a party of the agreement, or whoever an order attribute
 * names): round(line amount × rate), at most capPerLine. Different rates by condition are
 * different rules; a cap on the order is a commission-cap rule.
 */
export const commission: LineFigureTerm<Commission> = {
  type: 'commission',
  stage: 'figure',
  effect: 'commission',
  summary: { zh: '佣金/提成：行金额 × 比例，付给指定收款方', en: 'Commission: line amount × rate, paid to a named payee' },
  paramsSchema: paramsObject({ rate: FRACTION, payee: PAYEE, capPerLine: NON_NEGATIVE_DECIMAL }, ['rate']),
  parse: (params) => {
    const rate = new Dec(params['rate'] as string);
    return {
      type: 'commission',
      rate,
      payee: (params['payee'] as PayeeJson | undefined) ?? 'partner',
      ...(params['capPerLine'] === undefined ? {} : { capPerLine: new Dec(params['capPerLine'] as string) }),
      text: formatRate(rate),
    };
  },
  check: (action, context) => checkPayee(action.payee, context),
  lint: (action) => ({
    errors: action.rate.gte(1) ? [{ reason: `rate ${action.rate.toFixed()} is out of range: a commission must be below 1 (100 %)`, hint: 'write the rate as a fraction, e.g. "0.10" for 10 %' }] : [],
    warnings: action.rate.isZero() ? [{ reason: 'rate 0 has no effect', hint: 'set the intended rate or remove the rule' }] : [],
  }),
  rateText: (action) => action.text,
  dependsOn: () => [],
  figure: (action, line, order) => {
    const uncapped = roundMoney(line.amount.times(action.rate), order.policy);
    const capped = action.capPerLine !== undefined && uncapped.gt(action.capPerLine);
    return { amount: capped ? action.capPerLine! : uncapped, rate: action.text, payee: resolvePayee(action.payee, order), ...(capped ? { capped } : {}) };
  },
};
