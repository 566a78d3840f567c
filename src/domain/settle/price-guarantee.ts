import type { AgreementVersion, PricingRule } from '../agreement';
import { Dec, ZERO, roundMoney } from '../money';
import type { SettlementPeriod } from '../settlement';
import type { PricedPiece } from './priced-piece';
import type { PriceGuaranteeResult } from './settlement-result';

/** The guaranteed lines of one SKU under one price-guarantee rule: how many lines had each quantity. */
interface GuaranteedLines {
  readonly factor: Dec;
  readonly countByQuantity: Map<number, number>;
}

interface LowestExternal {
  readonly unitPrice: Dec;
  readonly institution: string;
}

/**
 * The price guarantee (term 7b, `price-guarantee`): the lines the guarantee fired on (per SKU
 * and rule, a count per quantity: memory grows with the distinct quantities, not the lines)
 * and the lowest price each SKU was sold at to another institution; at the end, per SKU sold
 * elsewhere below list × the guaranteed factor, Σ round(quantity × (list × factor − lowest)).
 */
export class PriceGuarantee {
  private readonly guaranteed = new Map<string, Map<string, GuaranteedLines>>();
  private readonly lowest = new Map<string, LowestExternal>();

  constructor(
    private readonly version: AgreementVersion,
    private readonly period: SettlementPeriod,
  ) {}

  /** A priced piece (sale or return) of a line the guarantee fired on. */
  book(piece: PricedPiece): void {
    for (const rule of piece.fired) {
      const action = rule.action;
      if (action.type !== 'price-guarantee') continue;
      let bySku = this.guaranteed.get(piece.sku);
      if (bySku === undefined) this.guaranteed.set(piece.sku, (bySku = new Map()));
      let lines = bySku.get(rule.id);
      if (lines === undefined) bySku.set(rule.id, (lines = { factor: action.factor, countByQuantity: new Map() }));
      lines.countByQuantity.set(piece.quantity, (lines.countByQuantity.get(piece.quantity) ?? 0) + 1);
    }
  }

  /** A checked external sale: the SKU's lowest external price so far (the first of equal ones kept). */
  noteExternalSale(sku: string, unitPrice: Dec, institution: string): void {
    const lowest = this.lowest.get(sku);
    if (lowest === undefined || unitPrice.lt(lowest.unitPrice)) this.lowest.set(sku, { unitPrice, institution });
  }

  /** The SKUs in breach, in catalog order, each with its compensation. */
  lines(): PriceGuaranteeResult[] {
    const { version, period } = this;
    const rules = version.rules.filter((rule) => rule.action.type === 'price-guarantee' && inForceDuring(rule, period));
    if (rules.length === 0) return [];
    const threshold = Dec.max(...rules.map((rule) => (rule.action.type === 'price-guarantee' ? rule.action.factor : ZERO)));
    const lines: PriceGuaranteeResult[] = [];
    for (const item of version.catalog.values()) {
      const lowest = this.lowest.get(item.sku);
      if (lowest === undefined || !lowest.unitPrice.lt(item.listPrice.times(threshold))) continue;
      let compensation = ZERO;
      for (const group of this.guaranteed.get(item.sku)?.values() ?? []) {
        const shortfall = item.listPrice.times(group.factor).minus(lowest.unitPrice);
        if (shortfall.lte(0)) continue;
        for (const [quantity, count] of group.countByQuantity) compensation = compensation.plus(roundMoney(shortfall.times(quantity), version.rounding).times(count));
      }
      lines.push({
        sku: item.sku,
        lowestFactor: lowest.unitPrice.div(item.listPrice).toDecimalPlaces(4, Dec.ROUND_DOWN),
        lowestUnitPrice: lowest.unitPrice,
        institution: lowest.institution,
        compensation,
      });
    }
    return lines;
  }
}

/** True when the rule is in force on at least one day of the period. */
export function inForceDuring(rule: PricingRule, period: SettlementPeriod): boolean {
  return (rule.validFrom === undefined || rule.validFrom <= period.to) && (rule.validTo === undefined || period.from <= rule.validTo);
}
