import { Dec } from '../money';
import { NON_NEGATIVE_DECIMAL, PAYEE, paramsObject } from './schema-refs';
import { checkPayee, type PayeeJson } from './payee';
import { resolvePayee, type OrderFigureTerm } from './term';

export interface CommissionCap {
  readonly type: 'commission-cap';
  readonly perOrder: Dec;
  readonly payee: PayeeJson;
}

/**
 * A cap on an order's commissions to one payee: when the lines it fired on owe that payee more
 * than perOrder, they owe perOrder, allocated in proportion to their uncapped commissions.
 */
export const commissionCap: OrderFigureTerm<CommissionCap> = {
  type: 'commission-cap',
  stage: 'order-figure',
  effect: 'commission',
  summary: { zh: '佣金封顶：每单佣金上限，按比例分摊', en: 'Commission cap per order, allocated in proportion' },
  paramsSchema: paramsObject({ perOrder: NON_NEGATIVE_DECIMAL, payee: PAYEE }, ['perOrder']),
  parse: (params) => ({ type: 'commission-cap', perOrder: new Dec(params['perOrder'] as string), payee: (params['payee'] as PayeeJson | undefined) ?? 'partner' }),
  check: (action, context) => checkPayee(action.payee, context),
  rateText: (action) => action.perOrder.toFixed(),
  dependsOn: () => ['order.lines'],
  payee: (action, order) => resolvePayee(action.payee, order),
  limit: (action) => action.perOrder,
};
