import type { Tier, TierMode } from '../agreement';
import { findTier, tierRate } from '../apply-tiers';
import { Dec, ONE, ZERO, formatRate, roundMoney } from '../money';
import { allocateOff, runningAmount } from './allocate-off';
import { TIERS, paramsObject } from './schema-refs';
import { checkTierTable, lintTierRates, parseTiers } from './tiers';
import type { LinePricing, OrderPricing, PriceOutcome, PriceTerm } from './term';

/** What a tier table is read on. */
export type TierBasis =
  | 'line.quantity'
  | 'line.amount'
  | 'order.totalQuantity'
  | 'order.quantity'
  | 'order.amount'
  | 'order.listAmount'
  | 'category.quantity'
  | 'category.amount';

const BASES: readonly TierBasis[] = ['line.quantity', 'line.amount', 'order.totalQuantity', 'order.quantity', 'order.amount', 'order.listAmount', 'category.quantity', 'category.amount'];
const QUANTITY_BASES: ReadonlySet<TierBasis> = new Set(['line.quantity', 'order.totalQuantity', 'order.quantity', 'category.quantity']);

export interface TieredDiscount {
  readonly type: 'tiered-discount';
  readonly basis: TierBasis;
  readonly mode: TierMode;
  readonly tiers: readonly Tier[];
  /** The category of a category.* basis. */
  readonly category?: string;
}

/**
 * A discount read from a tier table on a quantity or an amount of the line, the order or a
 * category of the order. Range: the band reached gives one rate, taken off every line's
 * running unit price. Graduated: each slice of the basis gets its band's rate — on a quantity
 * basis as the average rate over the units, off the unit price; on an amount basis as an
 * amount Σ slice × rate, rounded, taken off the line (line.amount) or allocated to the lines
 * (order and category amounts).
 */
export const tieredDiscount: PriceTerm<TieredDiscount> = {
  type: 'tiered-discount',
  stage: 'price',
  defaultStep: 'buyer-discount',
  summary: { zh: '阶梯折扣：按数量或金额的阶梯（全额或分段累进）', en: 'Tiered discount on a quantity or an amount, range or graduated' },
  paramsSchema: paramsObject(
    {
      basis: { enum: BASES },
      mode: { enum: ['range', 'graduated'], description: 'range: the whole basis gets the rate of the band reached; graduated: each slice gets its own band\'s rate' },
      tiers: TIERS,
      category: { type: 'string', maxLength: 64, description: 'The category of a category.quantity or category.amount basis' },
    },
    ['basis', 'mode', 'tiers'],
  ),
  parse: (params) => ({
    type: 'tiered-discount',
    basis: params['basis'] as TierBasis,
    mode: params['mode'] as TierMode,
    tiers: parseTiers(params['tiers']),
    ...(typeof params['category'] === 'string' ? { category: params['category'] } : {}),
  }),
  check: (action, context) => {
    const reasons = checkTierTable(action.tiers, QUANTITY_BASES.has(action.basis));
    const needsCategory = action.basis.startsWith('category.');
    if (needsCategory && action.category === undefined) reasons.push(`basis ${action.basis} needs "category"`);
    if (!needsCategory && action.category !== undefined) reasons.push(`"category" applies only to a category.* basis, not ${action.basis}`);
    if (action.category !== undefined && !context.categories.has(action.category)) reasons.push(`category ${action.category} is not in the catalog`);
    return reasons;
  },
  lint: (action) => lintTierRates(action.tiers),
  rateText: (action) => formatRate(action.tiers[action.tiers.length - 1]!.rate),
  dependsOn: (action) => {
    switch (action.basis) {
      case 'line.quantity':
        return ['line.quantity'];
      case 'order.totalQuantity':
      case 'order.quantity':
        return ['order.totalQuantity'];
      case 'line.amount':
        return ['line.quantity'];
      default:
        return ['order.lines'];
    }
  },
  outcomes: (action, lines, order) => {
    if (action.basis === 'line.quantity' || action.basis === 'line.amount') return lines.map((line) => lineOutcome(action, line, order));
    const basis = orderBasis(action, order);
    if (action.mode === 'graduated' && !QUANTITY_BASES.has(action.basis)) {
      const { amount, rate } = graduatedAmount(action.tiers, basis);
      return allocateOff(roundMoney(amount, order.policy), rate, lines, order);
    }
    const offer = unitOffer(action.tiers, basis, action.mode);
    return lines.map((line) => ({ kind: 'unit-price', unitPrice: line.unitPrice.times(offer.keep), rate: offer.rate }));
  },
};

function lineOutcome(action: TieredDiscount, line: LinePricing, order: OrderPricing): PriceOutcome {
  if (action.basis === 'line.quantity' || action.mode === 'range') {
    const offer = unitOffer(action.tiers, action.basis === 'line.quantity' ? line.quantityDec : line.amount, action.mode);
    return { kind: 'unit-price', unitPrice: line.unitPrice.times(offer.keep), rate: offer.rate };
  }
  const { amount, rate } = graduatedAmount(action.tiers, line.amount);
  return { kind: 'amount-off', amount: roundMoney(amount, order.policy), rate };
}

/** The basis of an order or category table at this step. */
function orderBasis(action: TieredDiscount, order: OrderPricing): Dec {
  switch (action.basis) {
    case 'order.totalQuantity':
    case 'order.quantity':
      return new Dec(order.totalQuantity);
    case 'order.amount':
      return runningAmount(order.lines);
    case 'order.listAmount': {
      let total = ZERO;
      for (const line of order.lines) total = total.plus(line.listAmount);
      return total;
    }
    case 'category.quantity': {
      let total = 0;
      for (const line of order.lines) if (line.item.category === action.category) total += line.quantity;
      return new Dec(total);
    }
    case 'category.amount':
      return runningAmount(order.lines.filter((line) => line.item.category === action.category));
    case 'line.quantity':
    case 'line.amount':
      throw new Error(`${action.basis} is a line basis`);
  }
}

const offers = new WeakMap<readonly Tier[], Map<string, { keep: Dec; rate: string }>>();

/** 1 − rate of the table at `basis`, and the rate as shown; remembered per table and basis. */
function unitOffer(tiers: readonly Tier[], basis: Dec, mode: TierMode): { keep: Dec; rate: string } {
  let byBasis = offers.get(tiers);
  if (byBasis === undefined) offers.set(tiers, (byBasis = new Map()));
  const key = `${mode}:${basis.toString()}`;
  let offer = byBasis.get(key);
  if (offer === undefined) {
    const rate = tierRate(tiers, basis, mode);
    offer = { keep: ONE.minus(rate), rate: formatRate(rate) };
    if (byBasis.size < 10_000) byBasis.set(key, offer);
  }
  return offer;
}

/**
 * Σ over the bands of (the part of `basis` inside [from, to)) × rate, unrounded, and the rate
 * of the band `basis` reaches (what the adjustment shows).
 * @example bands 0–10000: 0, 10000–50000: 0.02, 50000+: 0.04 on 60000 → 800 + 400 = 1200, rate 0.04
 */
export function graduatedAmount(tiers: readonly Tier[], basis: Dec): { amount: Dec; rate: string } {
  let amount = ZERO;
  for (const tier of tiers) {
    if (!basis.gt(tier.from)) continue;
    const top = tier.to === undefined || basis.lt(tier.to) ? basis : tier.to;
    amount = amount.plus(top.minus(tier.from).times(tier.rate));
  }
  return { amount, rate: formatRate(findTier(tiers, basis)?.rate ?? ZERO) };
}
