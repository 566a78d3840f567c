import { PRICE_STEPS, STEP_OF_ACTION, type AgreementVersion, type PricingRule, type Tier, type TierMode } from './agreement';
import { tierRate } from './apply-tiers';
import { Dec, ONE, ZERO, formatAmount, formatRate, formatUnitPrice, roundMoney, sum } from './money';
import { actionRateText, factorPrice, keepFactor, listPriceText } from './pricing-plan';
import type { Adjustment, GiftLine, Quote, QuoteInput, QuotedLine, RuleDecision } from './quote';

/** The rules whose conditions held for one line, in the version's rule order. */
export type FiredRules = readonly PricingRule[];

interface PriceState {
  unitPrice: Dec;
  amount: Dec;
}

/**
 * Prices a checked quote input under one agreement version, given the rules that fired on
 * each line. Steps per line, in order: list price → channel price → buyer discount (an
 * exclusivity group gives only its best-for-buyer member) → floor → exact unit price →
 * amount rounded at the line → commission and rebate on the amount; then gift lines per SKU.
 * Every step that changes a figure emits an adjustment; totals are sums of the line figures.
 *
 * @example priceQuote(v, {channel: 'chamber-supply', lines: [{sku: 'BYK-L02', quantity: 7}], …}, fired)
 *   // unitPrice "33.915", amount "237.41", commission "23.74"
 */
export function priceQuote(version: AgreementVersion, input: QuoteInput, firedPerLine: readonly FiredRules[]): Quote {
  const policy = version.rounding;
  const scale = policy.scale;
  const lines: QuotedLine[] = [];
  let totalQuantity = 0;
  for (const line of input.lines) totalQuantity += line.quantity;
  // a tier table on the order's total quantity gives the same offer on every line
  const orderTierOffers = new Map<PricingRule, TierOffer>();
  let listTotal = ZERO;
  let netTotal = ZERO;
  let commissionTotal = ZERO;
  let rebateTotal = ZERO;

  input.lines.forEach((lineInput, index) => {
    const item = version.catalog.get(lineInput.sku)!;
    const fired = (firedPerLine[index] ?? []).filter((rule) => STEP_OF_ACTION[rule.action.type] !== 'settlement');
    const quantity = new Dec(lineInput.quantity);
    const listAmount = roundMoney(item.listPrice.times(quantity), policy);
    const state: PriceState = { unitPrice: item.listPrice, amount: listAmount };
    const adjustments: Adjustment[] = [];
    const decisions: RuleDecision[] = [];

    const setPrice = (rule: PricingRule, unitPrice: Dec, rate: string): void => {
      const amount = roundMoney(unitPrice.times(quantity), policy);
      if (unitPrice.eq(state.unitPrice)) {
        decisions.push({ ruleId: rule.id, reason: 'no-effect' });
        return;
      }
      adjustments.push(adjustment(rule, 'price', state.amount, rate, amount.minus(state.amount), scale));
      state.unitPrice = unitPrice;
      state.amount = amount;
    };
    const offerOf = (rule: PricingRule): Offer => {
      const action = rule.action;
      switch (action.type) {
        case 'price-factor':
          return [factorPrice(rule, action.factor, item), actionRateText(rule)];
        case 'percentage-discount':
          return [state.unitPrice.times(keepFactor(rule)), actionRateText(rule)];
        case 'tiered-discount': {
          let offer = action.basis === 'order.totalQuantity' ? orderTierOffers.get(rule) : undefined;
          if (offer === undefined) {
            offer = tierOffer(action.tiers, action.basis === 'line.quantity' ? lineInput.quantity : totalQuantity, action.mode);
            if (action.basis === 'order.totalQuantity') orderTierOffers.set(rule, offer);
          }
          return [state.unitPrice.times(offer.keep), offer.rateText];
        }
        default:
          throw new Error(`rule ${rule.id}: ${action.type} is not a price step`);
      }
    };

    for (const step of PRICE_STEPS) {
      const resolvedGroups = new Set<string>();
      for (const rule of fired) {
        if (STEP_OF_ACTION[rule.action.type] !== step) continue;
        const group = rule.exclusivity?.group;
        if (group === undefined) {
          const [unitPrice, rate] = offerOf(rule);
          setPrice(rule, unitPrice, rate);
          continue;
        }
        if (resolvedGroups.has(group)) continue;
        resolvedGroups.add(group);
        const members = fired.filter((candidate) => candidate.exclusivity?.group === group);
        const offers = members.map((member) => ({ rule: member, offer: offerOf(member) }));
        // best for buyer: the lowest unit price; ties go to the earlier rule (priority, then id)
        const best = offers.reduce((a, b) => (b.offer[0].lt(a.offer[0]) ? b : a));
        for (const other of offers) {
          if (other !== best) decisions.push({ ruleId: other.rule.id, reason: 'lost-exclusivity', winner: best.rule.id });
        }
        setPrice(best.rule, best.offer[0], best.offer[1]);
      }
    }

    let floorApplied = false;
    for (const rule of fired) {
      if (rule.action.type !== 'price-floor') continue;
      const floor = factorPrice(rule, rule.action.factor, item);
      if (state.unitPrice.lt(floor)) {
        setPrice(rule, floor, actionRateText(rule));
        floorApplied = true;
      } else {
        decisions.push({ ruleId: rule.id, reason: 'no-effect' });
      }
    }

    let commission = ZERO;
    let rebate = ZERO;
    for (const rule of fired) {
      const action = rule.action;
      if (action.type === 'commission') {
        const figure = roundMoney(state.amount.times(action.rate), policy);
        commission = add(commission, figure);
        adjustments.push(adjustment(rule, 'commission', state.amount, actionRateText(rule), figure, scale));
      } else if (action.type === 'rebate-accrual') {
        const figure = roundMoney(state.amount.times(action.rate), policy);
        rebate = add(rebate, figure);
        adjustments.push(adjustment(rule, 'rebate', state.amount, actionRateText(rule), figure, scale));
      }
    }

    // totals are sums of the rounded line figures (the same values the strings below show)
    listTotal = add(listTotal, listAmount);
    netTotal = add(netTotal, state.amount);
    commissionTotal = add(commissionTotal, commission);
    rebateTotal = add(rebateTotal, rebate);
    lines.push({
      sku: lineInput.sku,
      quantity: lineInput.quantity,
      listPrice: listPriceText(item, scale),
      listAmount: formatAmount(listAmount, scale),
      unitPrice: formatUnitPrice(state.unitPrice, scale),
      amount: formatAmount(state.amount, scale),
      commission: formatAmount(commission, scale),
      rebate: formatAmount(rebate, scale),
      floorApplied,
      adjustments,
      decisions,
    });
  });

  const gifts = orderGifts(version, input.lines, firedPerLine);
  return {
    agreement: version.agreement,
    rulesetVersion: version.rulesetVersion,
    effectiveFrom: version.effectiveFrom,
    channel: input.channel,
    date: input.date,
    currency: version.currency,
    buyer: input.buyer,
    lines,
    gifts,
    totals: {
      list: formatAmount(listTotal, scale),
      discount: formatAmount(listTotal.minus(netTotal), scale),
      net: formatAmount(netTotal, scale),
      commission: formatAmount(commissionTotal, scale),
      rebate: formatAmount(rebateTotal, scale),
      gifts: formatAmount(sum(gifts.map((gift) => new Dec(gift.value))), scale),
    },
  };
}

/** A price step's offer: the unit price it would give and the rate or factor it shows. */
type Offer = readonly [Dec, string];

interface TierOffer {
  readonly keep: Dec;
  readonly rateText: string;
}

function tierOffer(tiers: readonly Tier[], basis: number, mode: TierMode): TierOffer {
  const rate = tierRate(tiers, new Dec(basis), mode);
  return { keep: ONE.minus(rate), rateText: formatRate(rate) };
}

/** total + figure, skipping the addition to the starting zero (x + 0 = x exactly). */
function add(total: Dec, figure: Dec): Dec {
  return total === ZERO ? figure : total.plus(figure);
}

function adjustment(rule: PricingRule, effect: Adjustment['effect'], base: Dec, rate: string, amount: Dec, scale: number): Adjustment {
  return {
    ruleId: rule.id,
    clause: rule.clause,
    label: rule.label,
    type: rule.action.type,
    effect,
    base: formatAmount(base, scale),
    rate,
    amount: formatAmount(amount, scale),
  };
}

/**
 * The gift lines of an order (term 6 style free goods): per free-goods rule and gift SKU,
 * floor(units bought on the lines it fired on ÷ per) × quantity, valued at list price.
 * Lines are read in order and rules in the order they fired, which orders the gift lines.
 */
export function orderGifts(version: AgreementVersion, lines: readonly { readonly sku: string; readonly quantity: number }[], firedPerLine: readonly FiredRules[]): GiftLine[] {
  const counts = new Map<string, { rule: PricingRule; sku: string; bought: number }>();
  lines.forEach((line, index) => {
    for (const rule of firedPerLine[index] ?? []) {
      const action = rule.action;
      if (action.type !== 'free-goods') continue;
      const sku = action.sku ?? line.sku;
      const key = `${rule.id}\u0000${sku}`;
      const entry = counts.get(key) ?? { rule, sku, bought: 0 };
      entry.bought += line.quantity;
      counts.set(key, entry);
    }
  });
  const gifts: GiftLine[] = [];
  for (const { rule, sku, bought } of counts.values()) {
    if (rule.action.type !== 'free-goods') continue;
    const quantity = Math.floor(bought / rule.action.per) * rule.action.quantity;
    const item = version.catalog.get(sku);
    if (quantity <= 0 || item === undefined) continue;
    gifts.push({
      sku,
      quantity,
      listPrice: formatUnitPrice(item.listPrice, version.rounding.scale),
      unitPrice: formatAmount(ZERO, version.rounding.scale),
      value: formatAmount(roundMoney(item.listPrice.times(quantity), version.rounding), version.rounding.scale),
      ruleId: rule.id,
      clause: rule.clause,
      label: rule.label,
    });
  }
  return gifts;
}
