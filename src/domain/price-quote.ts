import { STEP_OF_ACTION, type AgreementVersion, type PricingRule, type PricingStep } from './agreement';
import { tierRate } from './apply-tiers';
import { Dec, ONE, ZERO, formatAmount, formatRate, formatUnitPrice, roundMoney, sum } from './money';
import type { Adjustment, GiftLine, Quote, QuoteInput, QuotedLine, RuleDecision } from './quote';

/** The rules whose conditions held for one line, in the version's rule order. */
export type FiredRules = readonly PricingRule[];

interface PriceState {
  unitPrice: Dec;
  amount: Dec;
}

const PRICE_STEPS: readonly PricingStep[] = ['channel-price', 'buyer-discount'];

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
  const lines: QuotedLine[] = [];
  const giftCounts = new Map<string, { rule: PricingRule; sku: string; bought: number }>();

  input.lines.forEach((lineInput, index) => {
    const item = version.catalog.get(lineInput.sku)!;
    const fired = (firedPerLine[index] ?? []).filter((rule) => STEP_OF_ACTION[rule.action.type] !== 'settlement');
    const quantity = new Dec(lineInput.quantity);
    const listAmount = roundMoney(item.listPrice.times(quantity), policy);
    const state: PriceState = { unitPrice: item.listPrice, amount: listAmount };
    const adjustments: Adjustment[] = [];
    const decisions: RuleDecision[] = [];

    const setPrice = (rule: PricingRule, unitPrice: Dec, rate: Dec): void => {
      const amount = roundMoney(unitPrice.times(quantity), policy);
      if (unitPrice.eq(state.unitPrice)) {
        decisions.push({ ruleId: rule.id, reason: 'no-effect' });
        return;
      }
      adjustments.push(adjustment(rule, 'price', state.amount, rate, amount.minus(state.amount), policy.scale));
      state.unitPrice = unitPrice;
      state.amount = amount;
    };

    for (const step of PRICE_STEPS) {
      const resolvedGroups = new Set<string>();
      for (const rule of fired) {
        if (STEP_OF_ACTION[rule.action.type] !== step) continue;
        const group = rule.exclusivity?.group;
        if (group === undefined) {
          const [unitPrice, rate] = priceAfter(rule, state.unitPrice, item.listPrice, lineInput.quantity, input);
          setPrice(rule, unitPrice, rate);
          continue;
        }
        if (resolvedGroups.has(group)) continue;
        resolvedGroups.add(group);
        const members = fired.filter((candidate) => candidate.exclusivity?.group === group);
        const offers = members.map((member) => ({ rule: member, offer: priceAfter(member, state.unitPrice, item.listPrice, lineInput.quantity, input) }));
        // best for buyer: the lowest unit price; ties go to the earlier rule (priority, then id)
        const best = offers.reduce((a, b) => (b.offer[0].lt(a.offer[0]) ? b : a));
        for (const other of offers) {
          if (other !== best) decisions.push({ ruleId: other.rule.id, reason: 'lost-exclusivity', winner: best.rule.id });
        }
        setPrice(best.rule, best.offer[0], best.offer[1]);
      }
    }

    let floorApplied = false;
    const floors = fired.filter((rule) => rule.action.type === 'price-floor');
    for (const rule of floors) {
      if (rule.action.type !== 'price-floor') continue;
      const floor = item.listPrice.times(rule.action.factor);
      if (state.unitPrice.lt(floor)) {
        setPrice(rule, floor, rule.action.factor);
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
        commission = commission.plus(figure);
        adjustments.push(adjustment(rule, 'commission', state.amount, action.rate, figure, policy.scale));
      } else if (action.type === 'rebate-accrual') {
        const figure = roundMoney(state.amount.times(action.rate), policy);
        rebate = rebate.plus(figure);
        adjustments.push(adjustment(rule, 'rebate', state.amount, action.rate, figure, policy.scale));
      } else if (action.type === 'free-goods') {
        const sku = action.sku ?? lineInput.sku;
        const key = `${rule.id}\u0000${sku}`;
        const entry = giftCounts.get(key) ?? { rule, sku, bought: 0 };
        entry.bought += lineInput.quantity;
        giftCounts.set(key, entry);
      }
    }

    lines.push({
      sku: lineInput.sku,
      quantity: lineInput.quantity,
      listPrice: formatUnitPrice(item.listPrice, policy.scale),
      listAmount: formatAmount(listAmount, policy.scale),
      unitPrice: formatUnitPrice(state.unitPrice, policy.scale),
      amount: formatAmount(state.amount, policy.scale),
      commission: formatAmount(commission, policy.scale),
      rebate: formatAmount(rebate, policy.scale),
      floorApplied,
      adjustments,
      decisions,
    });
  });

  const gifts = giftLines(version, giftCounts);
  const list = sum(lines.map((line) => new Dec(line.listAmount)));
  const net = sum(lines.map((line) => new Dec(line.amount)));
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
      list: formatAmount(list, policy.scale),
      discount: formatAmount(list.minus(net), policy.scale),
      net: formatAmount(net, policy.scale),
      commission: formatAmount(sum(lines.map((line) => new Dec(line.commission))), policy.scale),
      rebate: formatAmount(sum(lines.map((line) => new Dec(line.rebate))), policy.scale),
      gifts: formatAmount(sum(gifts.map((gift) => new Dec(gift.value))), policy.scale),
    },
  };
}

/** The unit price a price-step rule would give, and the rate or factor it used. */
function priceAfter(rule: PricingRule, unitPrice: Dec, listPrice: Dec, quantity: number, input: QuoteInput): [Dec, Dec] {
  const action = rule.action;
  switch (action.type) {
    case 'price-factor':
      return [listPrice.times(action.factor), action.factor];
    case 'percentage-discount':
      return [unitPrice.times(ONE.minus(action.rate)), action.rate];
    case 'tiered-discount': {
      const basis = action.basis === 'line.quantity' ? quantity : input.lines.reduce((total, line) => total + line.quantity, 0);
      const rate = tierRate(action.tiers, new Dec(basis), action.mode);
      return [unitPrice.times(ONE.minus(rate)), rate];
    }
    default:
      throw new Error(`rule ${rule.id}: ${action.type} is not a price step`);
  }
}

function adjustment(rule: PricingRule, effect: Adjustment['effect'], base: Dec, rate: Dec, amount: Dec, scale: number): Adjustment {
  return {
    ruleId: rule.id,
    clause: rule.clause,
    label: rule.label,
    type: rule.action.type,
    effect,
    base: formatAmount(base, scale),
    rate: formatRate(rate),
    amount: formatAmount(amount, scale),
  };
}

function giftLines(version: AgreementVersion, counts: Map<string, { rule: PricingRule; sku: string; bought: number }>): GiftLine[] {
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
