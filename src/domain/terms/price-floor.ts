import { Dec, formatRate } from '../money';
import { factorPrice } from '../pricing-plan';
import { FRACTION, paramsObject } from './schema-refs';
import type { PriceOutcome, PriceTerm } from './term';

export interface PriceFloor {
  readonly type: 'price-floor';
  readonly factor: Dec;
  readonly text: string;
}

const NONE: PriceOutcome = { kind: 'none' };

/** A floor: a unit price below list × factor is raised to it, and the line says so (floorApplied). */
export const priceFloor: PriceTerm<PriceFloor> = {
  type: 'price-floor',
  stage: 'price',
  defaultStep: 'floor',
  summary: { zh: '最低价：单价不低于牌价 × 系数', en: 'Floor: the unit price never goes below list price × factor' },
  paramsSchema: paramsObject({ factor: FRACTION }, ['factor']),
  parse: (params) => {
    const factor = new Dec(params['factor'] as string);
    return { type: 'price-floor', factor, text: formatRate(factor) };
  },
  lint: (action) => ({ errors: action.factor.isZero() ? [{ reason: 'factor 0 is out of range: a floor at 0 holds nothing', hint: 'e.g. "0.85" keeps every unit price at 85 % of list or more' }] : [], warnings: [] }),
  rateText: (action) => action.text,
  dependsOn: () => [],
  outcomes: (action, lines) =>
    lines.map((line) => {
      const floor = factorPrice(action, line.item);
      return line.unitPrice.lt(floor) ? { kind: 'unit-price', unitPrice: floor, rate: action.text, floor: true } : NONE;
    }),
};
