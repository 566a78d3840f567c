import { Dec, formatRate } from '../money';
import { FRACTION, paramsObject } from './schema-refs';
import type { SettlementTerm } from './term';

export interface PriceGuarantee {
  readonly type: 'price-guarantee';
  readonly factor: Dec;
}

/**
 * A lowest-price guarantee at settlement: for each SKU sold to others below list × factor in
 * the period, a breach and the difference repaid on the guaranteed lines of that SKU.
 */
export const priceGuarantee: SettlementTerm<PriceGuarantee> = {
  type: 'price-guarantee',
  stage: 'settlement',
  summary: { zh: '最低价保证：他方更低则赔偿差价', en: 'Lowest-price guarantee: the difference is repaid when others paid less' },
  paramsSchema: paramsObject({ factor: FRACTION }, ['factor']),
  parse: (params) => ({ type: 'price-guarantee', factor: new Dec(params['factor'] as string) }),
  lint: (action) => ({ errors: action.factor.isZero() ? [{ reason: 'factor 0 is out of range: nobody can pay less than 0', hint: 'e.g. "0.85" guarantees 85 % of list is the lowest price' }] : [], warnings: [] }),
  rateText: (action) => formatRate(action.factor),
  dependsOn: () => [],
};
