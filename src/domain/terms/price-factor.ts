import { Dec, formatRate } from '../money';
import { factorPrice } from '../pricing-plan';
import { FRACTION, paramsObject } from './schema-refs';
import type { PriceTerm } from './term';

export interface PriceFactor {
  readonly type: 'price-factor';
  readonly factor: Dec;
  readonly text: string;
}

/** A channel price: the unit price is list × factor (8.5 折 = factor 0.85). */
export const priceFactor: PriceTerm<PriceFactor> = {
  type: 'price-factor',
  stage: 'price',
  defaultStep: 'channel-price',
  summary: { zh: '渠道价：牌价 × 系数', en: 'Channel price: list price × factor' },
  paramsSchema: paramsObject({ factor: FRACTION }, ['factor']),
  parse: (params) => {
    const factor = new Dec(params['factor'] as string);
    return { type: 'price-factor', factor, text: formatRate(factor) };
  },
  lint: (action) => ({
    errors: action.factor.isZero() ? [{ reason: 'factor 0 is out of range: it prices at 0', hint: 'a factor is the fraction of list price paid, e.g. "0.85" for 8.5 折' }] : [],
    warnings: action.factor.eq(1) ? [{ reason: 'factor 1 has no effect (list price)', hint: 'set the intended factor or remove the rule' }] : [],
  }),
  rateText: (action) => action.text,
  dependsOn: () => [],
  outcomes: (action, lines) => lines.map((line) => ({ kind: 'unit-price', unitPrice: factorPrice(action, line.item), rate: action.text })),
};
