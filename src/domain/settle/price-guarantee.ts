import type { AgreementVersion, PricingRule } from '../agreement';
import { Dec, ZERO, roundMoney } from '../money';
import type { SettlementPeriod } from '../settlement';
import type { PricedPiece } from './priced-piece';
import type { PriceGuaranteeResult } from './settlement-result';

/** The guaranteed lines of one SKU under one price-guarantee rule: how many lines had each quantity. */
interface GuaranteedLines {
  readonly factor: Dec;
  readonly countByQuantity: QuantityCounts;
}

/** Quantities a dense table counts: every quantity a settlement file can carry (±1,000,000 units). */
const DENSE_LIMIT = 1_000_000;
/** Default {@link QuantityCounts} switch to the dense table: past this many distinct quantities (≈ 5 MB of map entries). */
export const DENSE_AFTER = 50_000;

/**
 * How many lines had each quantity, in bounded memory: a map while the quantities are few (a
 * month repeats a handful), then a table of 2,000,001 counts (8 MB) indexed by quantity, so a
 * hostile file of a million distinct quantities cannot grow the map without bound. A quantity
 * beyond the table (only a JSON request can carry one) stays in the map.
 */
export class QuantityCounts {
  private readonly few = new Map<number, number>();
  private dense: Uint32Array | undefined;

  constructor(private readonly denseAfter: number = DENSE_AFTER) {}

  add(quantity: number): void {
    const dense = this.dense;
    if (dense !== undefined && Math.abs(quantity) <= DENSE_LIMIT) {
      dense[quantity + DENSE_LIMIT]! += 1;
      return;
    }
    this.few.set(quantity, (this.few.get(quantity) ?? 0) + 1);
    if (dense === undefined && this.few.size > this.denseAfter) this.densify();
  }

  /** Each quantity with its count (in no particular order). */
  *entries(): Generator<[number, number]> {
    yield* this.few;
    const dense = this.dense;
    if (dense === undefined) return;
    for (let i = 0; i < dense.length; i++) if (dense[i] !== 0) yield [i - DENSE_LIMIT, dense[i]!];
  }

  private densify(): void {
    const dense = (this.dense = new Uint32Array(2 * DENSE_LIMIT + 1));
    for (const [quantity, count] of this.few) {
      if (Math.abs(quantity) > DENSE_LIMIT) continue;
      dense[quantity + DENSE_LIMIT] = count;
      this.few.delete(quantity);
    }
  }
}

interface LowestExternal {
  readonly unitPrice: Dec;
  readonly institution: string;
}

/**
 * The price guarantee (term 7b, `price-guarantee`): the lines the guarantee fired on (per SKU
 * and rule, a count per quantity: memory grows with the distinct quantities, not the lines, and
 * is bounded: see {@link QuantityCounts})
 * and the lowest price each SKU was sold at to another institution; at the end, per SKU sold
 * elsewhere below list × the guaranteed factor, Σ round(quantity × (list × factor − lowest)).
 */
export class PriceGuarantee {
  private readonly guaranteed = new Map<string, Map<string, GuaranteedLines>>();
  private readonly lowest = new Map<string, LowestExternal>();

  constructor(
    private readonly version: AgreementVersion,
    private readonly period: SettlementPeriod,
    /** When a group's quantity counts turn dense (see {@link QuantityCounts}); tests lower it. */
    private readonly denseAfter: number = DENSE_AFTER,
  ) {}

  /** A priced piece (sale or return) of a line the guarantee fired on. */
  book(piece: PricedPiece): void {
    for (const rule of piece.fired) {
      const action = rule.action;
      if (action.type !== 'price-guarantee') continue;
      let bySku = this.guaranteed.get(piece.sku);
      if (bySku === undefined) this.guaranteed.set(piece.sku, (bySku = new Map()));
      let lines = bySku.get(rule.id);
      if (lines === undefined) bySku.set(rule.id, (lines = { factor: action.factor, countByQuantity: new QuantityCounts(this.denseAfter) }));
      lines.countByQuantity.add(piece.quantity);
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
        for (const [quantity, count] of group.countByQuantity.entries()) compensation = compensation.plus(roundMoney(shortfall.times(quantity), version.rounding).times(count));
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
