import type { AgreementVersion, Label, PricingRule } from './agreement';
import { allocate } from './allocate';
import { assertNever } from './line-facts';
import { Dec, ZERO, formatAmount, formatUnitPrice, roundMoney, type RoundingPolicy } from './money';
import { listPriceText } from './pricing-plan';
import type { Adjustment, CouponOutcome, CouponReason, GiftLine, Quote, QuoteInput, QuotedLine } from './quote';
import type { LinePricing, OrderPricing, PriceOutcome, PriceTerm } from './terms/term';

/** The rules whose conditions held for one line, in the version's rule order. */
export type FiredRules = readonly PricingRule[];

/** One breach of a refusal term: the order is not priced. */
export interface Breach {
  readonly code: string;
  readonly ruleId: string;
  readonly clause: string;
  readonly label: Label;
  /** The lines (indexes) the refusal's conditions held on. */
  readonly lines: readonly number[];
}

/**
 * The refusals an order breaches, one per refusal rule, with the lines it fired on, in rule
 * order; empty when the order may be priced.
 */
export function findBreaches(version: AgreementVersion, firedPerLine: readonly FiredRules[]): Breach[] {
  if (!hasStage(version, 'refusal')) return [];
  const breaches = new Map<PricingRule, number[]>();
  firedPerLine.forEach((fired, index) => {
    for (const rule of fired) {
      if (rule.term.stage !== 'refusal') continue;
      const lines = breaches.get(rule);
      if (lines === undefined) breaches.set(rule, [index]);
      else lines.push(index);
    }
  });
  return [...breaches].map(([rule, lines]) => ({
    code: rule.term.stage === 'refusal' ? rule.term.code(rule.action as never) : 'ORDER_REFUSED',
    ruleId: rule.id,
    clause: rule.clause,
    label: rule.label,
    lines,
  }));
}

/**
 * Prices a checked quote input under one agreement version, given the rules that fired on
 * each line. The price steps run in the version's order (agreement.json `pricingSteps`); in
 * each, the rules run by priority over the lines they fired on — an exclusivity group gives
 * each line one member's outcome (best for the buyer, or the first by priority). Line terms
 * set the exact unit price; order-level amounts are allocated to the lines
 * (docs/agreements/README.md). Then commissions and rebates on the line amounts, caps on an
 * order's commissions, and gift lines. Every change emits an adjustment; totals are sums of
 * the rounded line figures. Refusals are not checked here ({@link findBreaches}).
 *
 * @example priceQuote(v, {channel: 'supply', lines: [{sku: 'OATS', quantity: 7}], …}, fired)
 *   // list 39.90 × factor 0.85: unitPrice "33.915", amount "237.41"; commission 10 %: "23.74"
 */
export function priceQuote(version: AgreementVersion, input: QuoteInput, firedPerLine: readonly FiredRules[]): Quote {
  const scale = version.rounding.scale;
  const { lines, figures } = priceOrder(version, input, firedPerLine);
  const quotedLines: QuotedLine[] = [];
  let listTotal = ZERO;
  let netTotal = ZERO;
  let commissionTotal = ZERO;
  let rebateTotal = ZERO;
  for (const line of lines) {
    const { commission, rebate } = figures[line.index]!;
    // totals are sums of the rounded line figures (the same values the strings below show)
    listTotal = add(listTotal, line.listAmount);
    netTotal = add(netTotal, line.amount);
    commissionTotal = add(commissionTotal, commission);
    rebateTotal = add(rebateTotal, rebate);
    quotedLines.push({
      sku: line.item.sku,
      quantity: line.quantity,
      listPrice: listPriceText(line.item, scale),
      listAmount: formatAmount(line.listAmount, scale),
      unitPrice: formatUnitPrice(line.unitPrice, scale),
      amount: formatAmount(line.amount, scale),
      commission: formatAmount(commission, scale),
      rebate: formatAmount(rebate, scale),
      floorApplied: line.floorApplied,
      adjustments: line.adjustments,
      decisions: line.decisions,
    });
  }

  const gifts = orderGifts(version, input.lines, firedPerLine);
  let giftsTotal = ZERO;
  for (const gift of gifts) giftsTotal = giftsTotal.plus(gift.value);
  const coupon = couponOutcome(version, input, lines);
  return {
    agreement: version.agreement,
    rulesetVersion: version.rulesetVersion,
    effectiveFrom: version.effectiveFrom,
    channel: input.channel,
    date: input.date,
    currency: version.currency,
    buyer: input.buyer,
    ...(input.attributes === undefined ? {} : { attributes: input.attributes }),
    ...(coupon === undefined ? {} : { coupon }),
    lines: quotedLines,
    gifts,
    totals: {
      list: formatAmount(listTotal, scale),
      discount: formatAmount(listTotal.minus(netTotal), scale),
      net: formatAmount(netTotal, scale),
      commission: formatAmount(commissionTotal, scale),
      rebate: formatAmount(rebateTotal, scale),
      gifts: formatAmount(giftsTotal, scale),
    },
  };
}

/** An order priced in decimals: its lines after every price step, and each line's figures. */
export interface PricedOrder {
  readonly lines: readonly LinePricing[];
  readonly figures: readonly LineFigures[];
}

/**
 * The pricing procedure of {@link priceQuote} in decimals, nothing formatted: the lines after
 * the price steps (exact unit price, rounded amount) and each line's commission and rebate
 * after the order caps. A settlement books these values; a quote presents them.
 */
export function priceOrder(version: AgreementVersion, input: QuoteInput, firedPerLine: readonly FiredRules[]): PricedOrder {
  const policy = version.rounding;
  let totalQuantity = 0;
  for (const line of input.lines) totalQuantity += line.quantity;
  const lines: LinePricing[] = input.lines.map((lineInput, index) => pricingLine(version, index, lineInput.sku, lineInput.quantity, firedPerLine[index] ?? []));
  const order: OrderPricing = { input, lines, policy, totalQuantity };
  for (const rules of priceStepsOf(version)) runPriceStep(rules, order);
  return { lines, figures: lineFigures(version, order) };
}

/** A line before the price steps: at list price, its amount round(list × quantity). */
function pricingLine(version: AgreementVersion, index: number, sku: string, quantity: number, fired: FiredRules): LinePricing {
  const item = version.catalog.get(sku)!;
  const quantityDec = new Dec(quantity);
  const listAmount = lineAmount(item.listPrice, quantityDec, version.rounding);
  return {
    index,
    item,
    quantity,
    quantityDec,
    listAmount,
    unitPrice: item.listPrice,
    amount: listAmount,
    allocated: ZERO,
    floorApplied: false,
    fired: ownRules(version, fired),
    adjustments: [],
    decisions: [],
  };
}

/** A line's amount at an exact unit price: round(unit price × quantity), the line being where money is rounded. */
function lineAmount(unitPrice: Dec, quantity: Dec, policy: RoundingPolicy): Dec {
  return roundMoney(unitPrice.times(quantity), policy);
}

/**
 * A line priced at a unit price already agreed (a returned part of a sale line, at the sale's
 * unit price and with the rules that fired on the sale): its amount and its figure terms
 * exactly as {@link priceQuote} computes them for a line at that unit price (the same
 * {@link lineAmount} and {@link figureLine}); no order caps. Negative quantities give
 * negative figures (every rounding mode here is symmetric around zero).
 *
 * @example priceLineAt(v, order, 'OATS', -2, new Dec('33.915'), fired) // amount −67.83; commission 10 %: −6.78
 */
export function priceLineAt(version: AgreementVersion, order: OrderPricing, sku: string, quantity: number, unitPrice: Dec, fired: FiredRules): { readonly amount: Dec; readonly commission: Dec; readonly rebate: Dec } {
  const line = pricingLine(version, 0, sku, quantity, fired);
  line.unitPrice = unitPrice;
  line.amount = lineAmount(unitPrice, line.quantityDec, order.policy);
  const { commission, rebate } = figureLine(line, order, false, false);
  return { amount: line.amount, commission, rebate };
}

const rulesById = new WeakMap<AgreementVersion, ReadonlyMap<string, PricingRule>>();

/**
 * The fired rules as the version's own objects (the steps find a line's rules by identity):
 * an evaluator built over another load of the same files answers with equal, not identical, rules.
 */
function ownRules(version: AgreementVersion, fired: FiredRules): FiredRules {
  let byId = rulesById.get(version);
  if (byId === undefined) rulesById.set(version, (byId = new Map(version.rules.map((rule) => [rule.id, rule]))));
  for (const rule of fired) if (byId.get(rule.id) !== rule) return fired.map((other) => byId.get(other.id) ?? other);
  return fired;
}

/** One unit of work of a price step: a rule alone, or the members of an exclusivity group. */
type StepEntry = { readonly rule: PricingRule } | { readonly group: readonly PricingRule[] };

const stepsCache = new WeakMap<AgreementVersion, readonly (readonly StepEntry[])[]>();

/**
 * The version's price rules, step by step in the version's order (rules already sorted by
 * priority), each exclusivity group gathered where its first member stands; built once per version.
 */
function priceStepsOf(version: AgreementVersion): readonly (readonly StepEntry[])[] {
  let steps = stepsCache.get(version);
  if (steps === undefined) {
    steps = version.pricingSteps.map((step) => {
      const rules = version.rules.filter((rule) => rule.term.stage === 'price' && rule.step === step);
      const entries: StepEntry[] = [];
      const seen = new Set<string>();
      for (const rule of rules) {
        const group = rule.exclusivity?.group;
        if (group === undefined) entries.push({ rule });
        else if (!seen.has(group)) {
          seen.add(group);
          entries.push({ group: rules.filter((member) => member.exclusivity?.group === group) });
        }
      }
      return entries;
    });
    stepsCache.set(version, steps);
  }
  return steps;
}

function linesFiredOn(rule: PricingRule, order: OrderPricing): LinePricing[] {
  const on: LinePricing[] = [];
  for (const line of order.lines) if (line.fired.includes(rule)) on.push(line);
  return on;
}

function runPriceStep(entries: readonly StepEntry[], order: OrderPricing): void {
  for (const entry of entries) {
    if ('group' in entry) {
      resolveGroup(entry.group, order);
      continue;
    }
    const on = linesFiredOn(entry.rule, order);
    if (on.length === 0) continue;
    const outcomes = (entry.rule.term as PriceTerm<never>).outcomes(entry.rule.action as never, on, order);
    for (let i = 0; i < on.length; i++) applyOutcome(entry.rule, on[i]!, outcomes[i]!, order);
  }
}

/**
 * An exclusivity group: each member's outcomes over the lines it fired on, then per line the
 * winner — the lowest resulting amount (then unit price; ties to the earlier rule) for
 * best-for-buyer, the first member that fired for first-by-priority.
 */
function resolveGroup(members: readonly PricingRule[], order: OrderPricing): void {
  // per member, its outcome on each line of the order (undefined where it did not fire)
  const offers: (PriceOutcome | undefined)[][] = [];
  const present: PricingRule[] = [];
  for (const member of members) {
    const on = linesFiredOn(member, order);
    if (on.length === 0) continue;
    const outcomes = (member.term as PriceTerm<never>).outcomes(member.action as never, on, order);
    const byLine = new Array<PriceOutcome | undefined>(order.lines.length);
    for (let i = 0; i < on.length; i++) byLine[on[i]!.index] = outcomes[i];
    offers.push(byLine);
    present.push(member);
  }
  for (const line of order.lines) {
    let best = -1;
    for (let m = 0; m < present.length; m++) {
      const outcome = offers[m]![line.index];
      if (outcome === undefined) continue;
      if (best === -1 || (present[m]!.exclusivity!.policy === 'best-for-buyer' && isBetterForBuyer(line, outcome, offers[best]![line.index]!, order))) best = m;
    }
    if (best === -1) continue;
    const winner = present[best]!;
    for (let m = 0; m < present.length; m++) {
      if (m !== best && offers[m]![line.index] !== undefined) line.decisions.push({ ruleId: present[m]!.id, reason: 'lost-exclusivity', winner: winner.id });
    }
    applyOutcome(winner, line, offers[best]![line.index]!, order);
  }
}

/**
 * True when `candidate` leaves the line cheaper than `best`: the lower unit price between two
 * unit prices (the amount follows it), else the lower resulting amount, then unit price.
 */
function isBetterForBuyer(line: LinePricing, candidate: PriceOutcome, best: PriceOutcome, order: OrderPricing): boolean {
  if (candidate.kind === 'unit-price' && best.kind === 'unit-price') return candidate.unitPrice.lt(best.unitPrice);
  const [amount, unitPrice] = resultOf(line, candidate, order);
  const [bestAmount, bestUnitPrice] = resultOf(line, best, order);
  return amount.lt(bestAmount) || (amount.eq(bestAmount) && unitPrice.lt(bestUnitPrice));
}

/** The line's amount and unit price if `outcome` were applied. */
function resultOf(line: LinePricing, outcome: PriceOutcome, order: OrderPricing): [Dec, Dec] {
  switch (outcome.kind) {
    case 'unit-price':
      return [lineAmount(outcome.unitPrice, line.quantityDec, order.policy).plus(line.allocated), outcome.unitPrice];
    case 'amount-off':
      return [line.amount.minus(outcome.amount), line.unitPrice];
    case 'none':
    case 'skipped':
      return [line.amount, line.unitPrice];
    default:
      return assertNever(outcome);
  }
}

function applyOutcome(rule: PricingRule, line: LinePricing, outcome: PriceOutcome, order: OrderPricing): void {
  const scale = order.policy.scale;
  switch (outcome.kind) {
    case 'unit-price': {
      if (outcome.unitPrice.eq(line.unitPrice)) {
        line.decisions.push({ ruleId: rule.id, reason: 'no-effect' });
        return;
      }
      const amount = lineAmount(outcome.unitPrice, line.quantityDec, order.policy);
      const withShares = line.allocated.isZero() ? amount : amount.plus(line.allocated);
      line.adjustments.push(adjustment(rule, 'price', line.amount, outcome.rate, withShares.minus(line.amount), scale));
      line.unitPrice = outcome.unitPrice;
      line.amount = withShares;
      if (outcome.floor === true) line.floorApplied = true;
      return;
    }
    case 'amount-off':
      if (outcome.amount.isZero()) {
        line.decisions.push({ ruleId: rule.id, reason: 'no-effect' });
        return;
      }
      line.adjustments.push(adjustment(rule, 'price', line.amount, outcome.rate, outcome.amount.neg(), scale));
      line.amount = line.amount.minus(outcome.amount);
      line.allocated = line.allocated.minus(outcome.amount);
      return;
    case 'none':
      line.decisions.push({ ruleId: rule.id, reason: 'no-effect' });
      return;
    case 'skipped':
      line.decisions.push({ ruleId: rule.id, reason: outcome.reason, detail: outcome.detail });
      return;
    default:
      assertNever(outcome);
  }
}

/** A line's commission and rebate (decimals, rounded at the line). */
export interface LineFigures {
  commission: Dec;
  rebate: Dec;
  /** Commission per payee on this line, before any order cap. */
  readonly byPayee: Map<string, Dec>;
}

/** Commissions and rebates on each line's final amount, then the order caps on commissions. */
function lineFigures(version: AgreementVersion, order: OrderPricing): LineFigures[] {
  const caps = capRules(version, order);
  const figures = order.lines.map((line) => figureLine(line, order, true, caps.length > 0));
  for (const rule of caps) capCommission(rule, order, figures);
  return figures;
}

/**
 * The figure terms (commission, rebate accrual) that fired on one line, on its amount: each
 * term's own module computes its figure. `explain`: each figure is written on the line as an
 * adjustment (a quote shows them); `byPayee`: commissions are kept per payee (a cap reads them).
 */
function figureLine(line: LinePricing, order: OrderPricing, explain: boolean, byPayeeWanted: boolean): LineFigures {
  const scale = order.policy.scale;
  let commission = ZERO;
  let rebate = ZERO;
  // per payee only when a cap will read it
  let byPayee: Map<string, Dec> | undefined;
  for (const rule of line.fired) {
    const term = rule.term;
    if (term.stage !== 'figure') continue;
    const figure = term.figure(rule.action as never, line, order);
    if (term.effect === 'commission') {
      commission = add(commission, figure.amount);
      if (byPayeeWanted) (byPayee ??= new Map()).set(figure.payee, add(byPayee.get(figure.payee) ?? ZERO, figure.amount));
      if (explain) line.adjustments.push(adjustment(rule, 'commission', line.amount, figure.rate, figure.amount, scale, figure.payee));
    } else {
      rebate = add(rebate, figure.amount);
      if (explain) line.adjustments.push(adjustment(rule, 'rebate', line.amount, figure.rate, figure.amount, scale));
    }
  }
  return { commission, rebate, byPayee: byPayee ?? EMPTY_PAYEES };
}

const EMPTY_PAYEES: Map<string, Dec> = new Map();

const stagesCache = new WeakMap<AgreementVersion, ReadonlySet<string>>();

/** True when some rule of the version runs in `stage` (most versions have no refusal and no cap: their quotes skip those). */
function hasStage(version: AgreementVersion, stage: PricingRule['term']['stage']): boolean {
  let stages = stagesCache.get(version);
  if (stages === undefined) stagesCache.set(version, (stages = new Set(version.rules.map((rule) => rule.term.stage))));
  return stages.has(stage);
}

const NO_RULES: PricingRule[] = [];

/** The order-figure rules that fired on any line, in rule order. */
function capRules(version: AgreementVersion, order: OrderPricing): PricingRule[] {
  if (!hasStage(version, 'order-figure')) return NO_RULES;
  const rules: PricingRule[] = [];
  for (const line of order.lines) for (const rule of line.fired) if (rule.term.stage === 'order-figure' && !rules.includes(rule)) rules.push(rule);
  return rules;
}

/** Limits the commissions to one payee on the lines a cap fired on, allocating the limit in proportion to them. */
function capCommission(rule: PricingRule, order: OrderPricing, figures: LineFigures[]): void {
  const term = rule.term;
  if (term.stage !== 'order-figure') return;
  const payee = term.payee(rule.action as never, order);
  const limit = term.limit(rule.action as never);
  const on = linesFiredOn(rule, order);
  const owed = on.map((line) => figures[line.index]!.byPayee.get(payee) ?? ZERO);
  let total = ZERO;
  for (const figure of owed) total = total.plus(figure);
  if (!total.gt(limit)) return;
  const shares = allocate(limit, owed, order.policy);
  on.forEach((line, i) => {
    const change = shares[i]!.minus(owed[i]!);
    if (change.isZero()) return;
    figures[line.index]!.commission = figures[line.index]!.commission.plus(change);
    line.adjustments.push(adjustment(rule, 'commission', owed[i]!, term.rateText(rule.action as never), change, order.policy.scale, payee));
  });
}

/** total + figure, skipping the addition to the starting zero (x + 0 = x exactly). */
function add(total: Dec, figure: Dec): Dec {
  return total === ZERO ? figure : total.plus(figure);
}

function adjustment(rule: PricingRule, effect: Adjustment['effect'], base: Dec, rate: string, amount: Dec, scale: number, payee?: string): Adjustment {
  const baseText = formatAmount(base, scale);
  const amountText = formatAmount(amount, scale);
  // two literals rather than a spread: one object shape per kind, no copy
  return payee === undefined
    ? { ruleId: rule.id, clause: rule.clause, label: rule.label, type: rule.action.type, effect, base: baseText, rate, amount: amountText }
    : { ruleId: rule.id, clause: rule.clause, label: rule.label, type: rule.action.type, effect, base: baseText, rate, amount: amountText, payee };
}

/**
 * What became of the order's coupon: applied when a rule of its code changed a line; otherwise
 * the reasons the pricing knows (a minimum not reached). Reasons from conditions are added by
 * the rules layer, which evaluates them.
 */
function couponOutcome(version: AgreementVersion, input: QuoteInput, lines: readonly LinePricing[]): CouponOutcome | undefined {
  const code = input.coupon;
  if (code === undefined || code === null) return undefined;
  const ruleIds = new Set(version.coupons.get(code)?.ruleIds ?? []);
  const applied = lines.some((line) => line.adjustments.some((adjustment) => ruleIds.has(adjustment.ruleId)));
  if (applied) return { code, applied };
  const reasons: CouponReason[] = [];
  for (const line of lines) {
    for (const decision of line.decisions) {
      if (decision.reason === 'below-minimum' && ruleIds.has(decision.ruleId) && !reasons.some((r) => r.ruleId === decision.ruleId)) reasons.push({ ruleId: decision.ruleId, reason: 'below-minimum', detail: decision.detail ?? '' });
    }
  }
  return { code, applied, reasons };
}

/**
 * The gift lines of an order (free goods): per gift rule and gift SKU, floor(units bought on
 * the lines it fired on ÷ per) × quantity, valued at list price. Lines are read in order and
 * rules in the order they fired, which orders the gift lines.
 */
export function orderGifts(version: AgreementVersion, lines: readonly { readonly sku: string; readonly quantity: number }[], firedPerLine: readonly FiredRules[]): GiftLine[] {
  const counts = new Map<string, { rule: PricingRule; sku: string; per: number; quantity: number; bought: number }>();
  lines.forEach((line, index) => {
    for (const rule of firedPerLine[index] ?? []) {
      const term = rule.term;
      if (term.stage !== 'gifts') continue;
      const gift = term.gift(rule.action as never, line.sku);
      const key = `${rule.id}\u0000${gift.sku}`;
      const entry = counts.get(key) ?? { rule, ...gift, bought: 0 };
      entry.bought += line.quantity;
      counts.set(key, entry);
    }
  });
  const gifts: GiftLine[] = [];
  for (const { rule, sku, per, quantity: perQuantity, bought } of counts.values()) {
    const quantity = Math.floor(bought / per) * perQuantity;
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
