/**
 * BENCH BASELINE ONLY — not product code. The chamber × 百益康 agreement priced by hand:
 * every rate and branch hard-coded in TypeScript with decimal.js, the way one would write it
 * without a rules engine. It returns exactly the Quote the product returns (the bench checks
 * that before timing), so the two do the same work and the ratio measures only the cost of
 * keeping the rules as data. It formats money with the core's formatAmount/formatUnitPrice
 * (the same money helpers, so formatting speed-ups count for both sides).
 */
import Decimal from 'decimal.js';
import type { Label } from '../domain/agreement';
import { OrderRefused } from '../domain/errors';
import { Dec, formatAmount, formatUnitPrice } from '../domain/money';
import type { Adjustment, GiftLine, Quote, QuoteInput, QuotedLine, RuleDecision } from '../domain/quote';

const D = Dec;
type D = Dec;

const SUPPLY_FACTOR = new D('0.85');
const FLOOR_FACTOR = new D('0.85');
const MEMBER_KEEP = new D('0.95');
const COMMISSION_RATE = new D('0.10');
const REBATE_RATE = new D('0.02');
const GROUP_TIERS: readonly { readonly from: number; readonly rate: D; readonly keep: D; readonly text: string }[] = [
  { from: 100, rate: new D('0.10'), keep: new D('0.90'), text: '0.1' },
  { from: 50, rate: new D('0.06'), keep: new D('0.94'), text: '0.06' },
  { from: 10, rate: new D('0.03'), keep: new D('0.97'), text: '0.03' },
  { from: 1, rate: new D('0'), keep: new D('1'), text: '0' },
];
const CHAMBER_CHANNELS = new Set(['chamber-supply', 'member-direct', 'group-buy']);
const CATALOG = new Map<string, { readonly listPrice: D; readonly listPriceText: string; readonly premium: boolean }>([
  ['BYK-H01', { listPrice: new D('1288.00'), listPriceText: '1288.00', premium: true }],
  ['BYK-H02', { listPrice: new D('2680.00'), listPriceText: '2680.00', premium: true }],
  ['BYK-M01', { listPrice: new D('298.00'), listPriceText: '298.00', premium: false }],
  ['BYK-M02', { listPrice: new D('458.00'), listPriceText: '458.00', premium: false }],
  ['BYK-L01', { listPrice: new D('68.00'), listPriceText: '68.00', premium: false }],
  ['BYK-L02', { listPrice: new D('39.90'), listPriceText: '39.90', premium: false }],
]);

/** What the hand-written code prints beside its figures: rule ids, clauses and labels. */
export interface HandWrittenTexts {
  readonly rulesetVersion: string;
  readonly clause: (ruleId: string) => string;
  readonly label: (ruleId: string) => Label;
}

const round = (value: D): D => value.toDecimalPlaces(2, Decimal.ROUND_HALF_UP);
const money = (value: D): string => formatAmount(value, 2);
const unitText = (value: D): string => formatUnitPrice(value, 2);

/** Prices one quote of the bundled agreement with hard-coded logic (bench baseline). */
export function priceByHand(input: QuoteInput, texts: HandWrittenTexts): Quote {
  if (input.agreement !== 'chamber-baiyikang' || input.date < '2026-01-01') throw new Error('not the bundled agreement');
  const channel = input.channel;
  if (!CHAMBER_CHANNELS.has(channel) && channel !== 'other') throw new Error(`unknown channel ${channel}`);
  const chamber = CHAMBER_CHANNELS.has(channel);
  const { member, keyAccount } = input.buyer;
  // 五(3): the member channel needs a member card; the whole order is refused, every line breached
  if (channel === 'member-direct' && member !== true) {
    const ruleId = 'member-direct-needs-card';
    throw new OrderRefused([{ code: 'MEMBER_CARD_REQUIRED', ruleId, clause: texts.clause(ruleId), label: texts.label(ruleId), lines: input.lines.map((_, index) => index) }]);
  }
  let totalQuantity = 0;
  for (const line of input.lines) totalQuantity += line.quantity;
  const tier = channel === 'group-buy' ? GROUP_TIERS.find((t) => totalQuantity >= t.from) : undefined;
  const memberDiscount = member && (channel === 'member-direct' || channel === 'group-buy');

  const adjust = (ruleId: string, type: string, effect: Adjustment['effect'], base: D, rate: string, amount: D): Adjustment => ({
    ruleId,
    clause: texts.clause(ruleId),
    label: texts.label(ruleId),
    type,
    effect,
    base: money(base),
    rate,
    amount: money(amount),
  });

  const lines: QuotedLine[] = [];
  const gifts = new Map<string, number>();
  let listTotal = new D(0);
  let netTotal = new D(0);
  let commissionTotal = new D(0);
  let rebateTotal = new D(0);
  for (const line of input.lines) {
    const item = CATALOG.get(line.sku);
    if (item === undefined) throw new Error(`unknown SKU ${line.sku}`);
    const quantity = new D(line.quantity);
    const listAmount = round(item.listPrice.times(quantity));
    let unitPrice = item.listPrice;
    let amount = listAmount;
    const adjustments: Adjustment[] = [];
    const decisions: RuleDecision[] = [];

    if (channel === 'chamber-supply') {
      unitPrice = item.listPrice.times(SUPPLY_FACTOR);
      const next = round(unitPrice.times(quantity));
      adjustments.push(adjust('supply-price', 'price-factor', 'price', amount, '0.85', next.minus(amount)));
      amount = next;
    }
    if (tier !== undefined || memberDiscount) {
      // the two discounts are exclusive: the buyer gets the lower price; a tie goes to the tiers
      const tierPrice = tier === undefined ? undefined : unitPrice.times(tier.keep);
      const memberPrice = memberDiscount ? unitPrice.times(MEMBER_KEEP) : undefined;
      const tierWins = tierPrice !== undefined && (memberPrice === undefined || !memberPrice.lt(tierPrice));
      const winner = tierWins ? 'group-buy-tiers' : 'member-discount';
      if (tierPrice !== undefined && memberPrice !== undefined) decisions.push({ ruleId: tierWins ? 'member-discount' : 'group-buy-tiers', reason: 'lost-exclusivity', winner });
      const price = tierWins ? tierPrice! : memberPrice!;
      if (price.eq(unitPrice)) {
        decisions.push({ ruleId: winner, reason: 'no-effect' });
      } else {
        const next = round(price.times(quantity));
        adjustments.push(adjust(winner, tierWins ? 'tiered-discount' : 'percentage-discount', 'price', amount, tierWins ? tier!.text : '0.05', next.minus(amount)));
        unitPrice = price;
        amount = next;
      }
    }
    let floorApplied = false;
    if (channel !== 'chamber-supply') {
      const floor = item.listPrice.times(FLOOR_FACTOR);
      if (unitPrice.lt(floor)) {
        const next = round(floor.times(quantity));
        adjustments.push(adjust('lowest-price-floor', 'price-floor', 'price', amount, '0.85', next.minus(amount)));
        unitPrice = floor;
        amount = next;
        floorApplied = true;
      } else {
        decisions.push({ ruleId: 'lowest-price-floor', reason: 'no-effect' });
      }
    }
    let commission = new D(0);
    let rebate = new D(0);
    if (chamber) {
      commission = round(amount.times(COMMISSION_RATE));
      adjustments.push({
        ruleId: 'chamber-commission',
        clause: texts.clause('chamber-commission'),
        label: texts.label('chamber-commission'),
        type: 'commission',
        effect: 'commission',
        base: money(amount),
        rate: '0.1',
        amount: money(commission),
        payee: 'partner',
      });
      if (keyAccount) {
        rebate = round(amount.times(REBATE_RATE));
        adjustments.push(adjust('key-account-rebate', 'rebate-accrual', 'rebate', amount, '0.02', rebate));
      }
    }
    if (channel === 'group-buy' && keyAccount && item.premium) gifts.set(line.sku, (gifts.get(line.sku) ?? 0) + line.quantity);

    listTotal = listTotal.plus(listAmount);
    netTotal = netTotal.plus(amount);
    commissionTotal = commissionTotal.plus(commission);
    rebateTotal = rebateTotal.plus(rebate);
    lines.push({
      sku: line.sku,
      quantity: line.quantity,
      listPrice: item.listPriceText,
      listAmount: money(listAmount),
      unitPrice: unitText(unitPrice),
      amount: money(amount),
      commission: money(commission),
      rebate: money(rebate),
      floorApplied,
      adjustments,
      decisions,
    });
  }

  const giftLines: GiftLine[] = [];
  let giftsTotal = new D(0);
  for (const [sku, bought] of gifts) {
    const quantity = Math.floor(bought / 20);
    if (quantity <= 0) continue;
    const item = CATALOG.get(sku)!;
    const value = round(item.listPrice.times(quantity));
    giftsTotal = giftsTotal.plus(value);
    giftLines.push({ sku, quantity, listPrice: item.listPriceText, unitPrice: '0.00', value: money(value), ruleId: 'premium-gifts', clause: texts.clause('premium-gifts'), label: texts.label('premium-gifts') });
  }
  return {
    agreement: 'chamber-baiyikang',
    rulesetVersion: texts.rulesetVersion,
    effectiveFrom: '2026-01-01',
    channel,
    date: input.date,
    currency: 'CNY',
    buyer: input.buyer,
    lines,
    gifts: giftLines,
    totals: {
      list: money(listTotal),
      discount: money(listTotal.minus(netTotal)),
      net: money(netTotal),
      commission: money(commissionTotal),
      rebate: money(rebateTotal),
      gifts: money(giftsTotal),
    },
  };
}
