import { Dec, formatRate } from '../money';
import { FRACTION, NON_NEGATIVE_DECIMAL, paramsObject } from './schema-refs';
import type { SettlementTerm } from './term';

export interface Accelerator {
  readonly type: 'accelerator';
  readonly threshold: Dec;
  readonly rate: Dec;
  /** Whose volume is measured: an order attribute (`order.affiliate`) or `buyer.id`. */
  readonly per: string;
  readonly period: 'month' | 'quarter' | 'year' | 'statement';
}

/**
 * An accelerator at settlement: a payee whose volume over the period reaches the threshold
 * earns `rate` more on the whole volume (retroactive), shown as its own figure.
 */
export const accelerator: SettlementTerm<Accelerator> = {
  type: 'accelerator',
  stage: 'settlement',
  summary: { zh: '加速佣金：期间业务额达标后全额加点', en: 'Accelerator: extra rate on the whole volume once a threshold is reached' },
  paramsSchema: paramsObject(
    { threshold: NON_NEGATIVE_DECIMAL, rate: FRACTION, per: { type: 'string', pattern: '^(buyer\\.id|order\\.[A-Za-z][A-Za-z0-9]*)$' }, period: { enum: ['statement', 'month', 'quarter', 'year'] } },
    ['threshold', 'rate', 'per'],
  ),
  parse: (params) => ({
    type: 'accelerator',
    threshold: new Dec(params['threshold'] as string),
    rate: new Dec(params['rate'] as string),
    per: params['per'] as string,
    period: (params['period'] as Accelerator['period'] | undefined) ?? 'statement',
  }),
  check: (action, context) => (action.per === 'buyer.id' || context.orderAttributes.has(action.per.slice('order.'.length)) ? [] : [`per ${action.per} is not a declared order attribute`]),
  rateText: (action) => formatRate(action.rate),
  dependsOn: () => [],
};
