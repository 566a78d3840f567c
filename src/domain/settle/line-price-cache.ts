import type { AgreementVersion } from '../agreement';
import { minorUnits } from '../money-sum';
import type { Dec } from '../money';
import { priceOrder, type FiredRules } from '../price-quote';
import type { QuoteInput } from '../quote';

/** A sale line's figures as {@link priceOrder} gives them, with their minor units for MoneySum. */
export interface LineFigures {
  readonly unitPrice: Dec;
  readonly amount: Dec;
  readonly commission: Dec;
  readonly rebate: Dec;
  readonly amountUnits?: number | undefined;
  readonly commissionUnits?: number | undefined;
  readonly rebateUnits?: number | undefined;
  /** Invoiced unit prices (as written) whose amount for this line's quantity equals its amount, or not. */
  readonly invoicedAgrees?: Map<string, boolean>;
}

/**
 * What the cache knows of one list of fired rules (the fired-rules cache hands out one array
 * per key): what the line's figures depend on, as each term declares it (`dependsOn`), and
 * the pricings remembered under these rules.
 */
export interface FiredEntry {
  /** Its number: a spilled sale records its lines' rules by it. */
  readonly id: number;
  /** The first list seen with these rule ids: sales share it. */
  readonly rules: FiredRules;
  /** A tier table on the order's total units: the line's unit price depends on the whole order. */
  readonly readsOrderQuantity: boolean;
  /** A tier table on the line's units. */
  readonly readsLineQuantity: boolean;
  /** A term reads the rest of the order (an order amount allocated, a cap): the line is priced with its order, never from the cache. */
  readonly readsOrderLines: boolean;
  readonly givesGoods: boolean;
  /** Unit prices under these rules by SKU, then the order's units (0 unless read), then the line's (0 unless read). */
  readonly unitPrices: Map<string, Map<number, Map<number, SharedPrice>>>;
  /** Line figures under these rules by unit price, then quantity. */
  readonly figures: Map<number, Map<number, LineFigures>>;
}

/** A unit price shared by the sales that have it (booked sales number prices by identity), numbered for the keys of {@link LineFigures}. */
interface SharedPrice {
  readonly id: number;
  readonly value: Dec;
}

/** At most this many unit prices and line figures are remembered each (a month repeats a few thousand). */
export const MAX_REMEMBERED_PRICINGS = 50_000;

/**
 * The figures of a settlement's sale lines, exactly as {@link priceOrder} (the quote's
 * procedure) gives them. A line's unit price is a function of its SKU and fired rules (and of
 * the units the fired tier tables read: the line's, the order's), its amount, commission and
 * rebate of its unit price, quantity and fired rules — the inputs each term declares its result
 * depends on; a month repeats a few thousand of each, so the procedure runs only for a sale
 * with a line not seen before, and its figures are remembered (at most `maxPricings` of each;
 * 0 prices every sale afresh). A line whose terms read the rest of the order is never cached.
 */
export class LinePriceCache {
  private readonly byIds = new Map<string, FiredEntry>();
  private readonly entries = new WeakMap<FiredRules, FiredEntry>();
  private readonly list: FiredEntry[] = [];
  private readonly sharedPrices = new Map<string, SharedPrice>();
  private priceCount = 0;
  private remembered = 0;

  constructor(
    private readonly version: AgreementVersion,
    private readonly maxPricings: number = MAX_REMEMBERED_PRICINGS,
  ) {}

  /** The entry of a list of fired rules (one per distinct list of rule ids). */
  entry(fired: FiredRules): FiredEntry {
    const seen = this.entries.get(fired);
    if (seen !== undefined) return seen;
    const ids = fired.map((rule) => rule.id).join('\n');
    let entry = this.byIds.get(ids);
    if (entry === undefined) {
      const reads = (input: string): boolean => fired.some((rule) => rule.term.dependsOn(rule.action as never).includes(input as never));
      entry = {
        id: this.byIds.size,
        rules: fired,
        readsOrderQuantity: reads('order.totalQuantity'),
        readsLineQuantity: reads('line.quantity'),
        readsOrderLines: reads('order.lines'),
        givesGoods: fired.some((rule) => rule.term.stage === 'gifts'),
        unitPrices: new Map(),
        figures: new Map(),
      };
      this.byIds.set(ids, entry);
      this.list.push(entry);
    }
    this.entries.set(fired, entry);
    return entry;
  }

  /** The rules of entry number `n` (see {@link FiredEntry.id}). */
  rulesOf(n: number): FiredRules {
    return this.list[n]!.rules;
  }

  /** The figures of a sale's lines, given the rules that fired per line and their {@link entry}s. */
  priceLines(input: QuoteInput, firedPerLine: readonly FiredRules[], entries: readonly FiredEntry[]): LineFigures[] {
    const lines = input.lines;
    let totalQuantity = 0;
    for (const line of lines) totalQuantity += line.quantity;
    const figures: LineFigures[] = [];
    const cacheable = !entries.some((entry) => entry.readsOrderLines);
    for (let j = 0; cacheable && j < lines.length; j++) {
      const line = lines[j]!;
      const entry = entries[j]!;
      const price = entry.unitPrices
        .get(line.sku)
        ?.get(entry.readsOrderQuantity ? totalQuantity : 0)
        ?.get(entry.readsLineQuantity ? line.quantity : 0);
      const known = price === undefined ? undefined : entry.figures.get(price.id)?.get(line.quantity);
      if (known === undefined) break;
      figures.push(known);
    }
    if (figures.length === lines.length) return figures;
    const priced = priceOrder(this.version, input, firedPerLine);
    if (this.remembered + lines.length > this.maxPricings) this.forget();
    const scale = this.version.rounding.scale;
    return priced.lines.map((line, j) => {
      const entry = entries[j]!;
      const price = this.share(line.unitPrice);
      const { commission, rebate } = priced.figures[j]!;
      const lineFigures: LineFigures = {
        unitPrice: price.value,
        amount: line.amount,
        commission,
        rebate,
        amountUnits: minorUnits(line.amount, scale),
        commissionUnits: minorUnits(commission, scale),
        rebateUnits: minorUnits(rebate, scale),
        invoicedAgrees: new Map(),
      };
      if (this.maxPricings > 0 && cacheable) {
        const bySku = inner(entry.unitPrices, line.item.sku, () => new Map<number, Map<number, SharedPrice>>());
        inner(bySku, entry.readsOrderQuantity ? totalQuantity : 0, () => new Map<number, SharedPrice>()).set(entry.readsLineQuantity ? line.quantity : 0, price);
        inner(entry.figures, price.id, () => new Map<number, LineFigures>()).set(line.quantity, lineFigures);
        this.remembered += 2;
      }
      return lineFigures;
    });
  }

  private forget(): void {
    for (const entry of this.byIds.values()) {
      entry.unitPrices.clear();
      entry.figures.clear();
    }
    this.remembered = 0;
  }

  /** One Dec per unit price value, so booked sales number each price once. */
  private share(unitPrice: Dec): SharedPrice {
    const key = unitPrice.toString();
    let shared = this.sharedPrices.get(key);
    if (shared === undefined) {
      shared = { id: this.priceCount++, value: unitPrice };
      if (this.sharedPrices.size < this.maxPricings) this.sharedPrices.set(key, shared);
    }
    return shared;
  }
}

/** The map under `key`, made when missing. */
function inner<K, V>(outer: Map<K, V>, key: K, make: () => V): V {
  let found = outer.get(key);
  if (found === undefined) outer.set(key, (found = make()));
  return found;
}
