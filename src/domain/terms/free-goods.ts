import { paramsObject } from './schema-refs';
import type { GiftTerm } from './term';

export interface FreeGoods {
  readonly type: 'free-goods';
  readonly per: number;
  readonly quantity: number;
  readonly sku?: string;
}

const COUNT = { type: 'integer', minimum: 1, maximum: 1_000_000 };

/**
 * Free goods: per gift SKU (the SKU bought unless named), floor(units bought on the lines it
 * fired on ÷ per) × quantity free units, unit price 0, valued at list price.
 */
export const freeGoods: GiftTerm<FreeGoods> = {
  type: 'free-goods',
  stage: 'gifts',
  summary: { zh: '赠品：每买若干件赠若干件', en: 'Free goods: so many free units per so many bought' },
  paramsSchema: paramsObject({ per: COUNT, quantity: COUNT, sku: { type: 'string', maxLength: 64, description: 'The SKU given; defaults to the SKU bought' } }, ['per', 'quantity']),
  parse: (params) => ({ type: 'free-goods', per: params['per'] as number, quantity: params['quantity'] as number, ...(typeof params['sku'] === 'string' ? { sku: params['sku'] } : {}) }),
  check: (action, context) => (action.sku !== undefined && !context.skus.has(action.sku) ? [`free-goods sku ${action.sku} is not in the catalog`] : []),
  lint: (action) => ({
    errors: action.quantity >= action.per ? [{ reason: `gives ${action.quantity} free per ${action.per} bought: as many as bought or more`, hint: '"per" is the units bought for each "quantity" given, e.g. per 20, quantity 1' }] : [],
    warnings: [],
  }),
  rateText: () => '',
  dependsOn: () => [],
  gift: (action, lineSku) => ({ sku: action.sku ?? lineSku, per: action.per, quantity: action.quantity }),
};
