import { Dec, ZERO, formatAmount, roundMoney } from '../money';
import { allocateOff, runningAmount } from './allocate-off';
import { NON_NEGATIVE_DECIMAL, paramsObject } from './schema-refs';
import type { OrderPricing, PriceOutcome, PriceTerm } from './term';

type MinimumBasis = 'order.amount' | 'order.listAmount' | 'order.totalQuantity';

export interface FixedAmountOff {
  readonly type: 'fixed-amount-off';
  readonly amount: Dec;
  readonly per: 'unit' | 'line' | 'order';
  /** The term applies only when this basis, at its step, reaches the value. */
  readonly minimum?: { readonly basis: MinimumBasis; readonly value: Dec };
  readonly text: string;
}

/**
 * A fixed amount off: per unit (off the unit price), per line (off the line amount) or per
 * order (allocated to the lines it fired on); never below zero, never more than what it is
 * taken from. With a minimum, an order whose basis falls short is priced without it and the
 * line says so (decision below-minimum).
 */
export const fixedAmountOff: PriceTerm<FixedAmountOff> = {
  type: 'fixed-amount-off',
  stage: 'price',
  defaultStep: 'buyer-discount',
  summary: { zh: '立减：每件、每行或每单减固定金额', en: 'Fixed amount off per unit, per line or per order' },
  paramsSchema: paramsObject(
    {
      amount: NON_NEGATIVE_DECIMAL,
      per: { enum: ['unit', 'line', 'order'] },
      minimum: paramsObject({ basis: { enum: ['order.amount', 'order.listAmount', 'order.totalQuantity'] }, value: NON_NEGATIVE_DECIMAL }, ['basis', 'value']),
    },
    ['amount', 'per'],
  ),
  parse: (params) => {
    const minimum = params['minimum'] as { basis: MinimumBasis; value: string } | undefined;
    const amount = new Dec(params['amount'] as string);
    return {
      type: 'fixed-amount-off',
      amount,
      per: params['per'] as FixedAmountOff['per'],
      ...(minimum === undefined ? {} : { minimum: { basis: minimum.basis, value: new Dec(minimum.value) } }),
      text: amount.toFixed(),
    };
  },
  lint: (action) => ({ errors: [], warnings: action.amount.isZero() ? [{ reason: 'amount 0 has no effect', hint: 'set the intended amount or remove the rule' }] : [] }),
  rateText: (action) => action.text,
  dependsOn: (action) => (action.minimum !== undefined || action.per === 'order' ? ['order.lines'] : []),
  outcomes: (action, lines, order) => {
    const short = shortOfMinimum(action, order);
    if (short !== undefined) return lines.map(() => short);
    switch (action.per) {
      case 'unit':
        return lines.map((line): PriceOutcome => ({ kind: 'unit-price', unitPrice: Dec.max(line.unitPrice.minus(action.amount), ZERO), rate: action.text }));
      case 'line':
        return lines.map((line): PriceOutcome => ({ kind: 'amount-off', amount: Dec.min(roundMoney(action.amount, order.policy), Dec.max(line.amount, ZERO)), rate: action.text }));
      case 'order': {
        const available = Dec.max(runningAmount(lines), ZERO);
        return allocateOff(Dec.min(roundMoney(action.amount, order.policy), available), action.text, lines, order);
      }
    }
  },
};

function shortOfMinimum(action: FixedAmountOff, order: OrderPricing): PriceOutcome | undefined {
  if (action.minimum === undefined) return undefined;
  const basis = basisValue(action.minimum.basis, order);
  if (basis.gte(action.minimum.value)) return undefined;
  const quantity = action.minimum.basis === 'order.totalQuantity';
  const shown = (value: Dec): string => (quantity ? value.toFixed() : formatAmount(value, order.policy.scale));
  return { kind: 'skipped', reason: 'below-minimum', detail: `${action.minimum.basis} ${shown(basis)} is below the minimum ${shown(action.minimum.value)}` };
}

/** The minimum's basis over the whole order, at this step. */
function basisValue(basis: MinimumBasis, order: OrderPricing): Dec {
  switch (basis) {
    case 'order.amount':
      return runningAmount(order.lines);
    case 'order.listAmount': {
      let total = ZERO;
      for (const line of order.lines) total = total.plus(line.listAmount);
      return total;
    }
    case 'order.totalQuantity':
      return new Dec(order.totalQuantity);
  }
}
