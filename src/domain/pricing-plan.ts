import type { CatalogItem } from './agreement';
import { formatUnitPrice, type Dec } from './money';

/*
 * Figures that depend only on a rule or a catalog item, computed once and remembered for as
 * long as the (immutable) rule or item lives, so the hot path does only the arithmetic that
 * depends on the order. Each value equals what the pricing procedure would compute in place:
 * these are memos, not different figures.
 */

function memo<K extends object, V>(compute: (key: K) => V): (key: K) => V {
  const cache = new WeakMap<K, V>();
  return (key) => {
    let value = cache.get(key);
    if (value === undefined) {
      value = compute(key);
      cache.set(key, value);
    }
    return value;
  };
}

const wireListPrice = memo((_item: CatalogItem) => ({ scale: -1, text: '' }));

/** `formatUnitPrice(item.listPrice, scale)`, remembered per item. */
export function listPriceText(item: CatalogItem, scale: number): string {
  const entry = wireListPrice(item);
  if (entry.scale !== scale) {
    entry.text = formatUnitPrice(item.listPrice, scale);
    entry.scale = scale;
  }
  return entry.text;
}

/** The `line.listPrice` fact: the list price with two decimals, remembered per item. */
export const listPriceFact = memo((item: CatalogItem): string => item.listPrice.toFixed(2));

const factorPrices = memo((_action: { readonly factor: Dec }) => new Map<CatalogItem, Dec>());

/** list price × factor of a price-factor or price-floor action, remembered per action and item. */
export function factorPrice(action: { readonly factor: Dec }, item: CatalogItem): Dec {
  const prices = factorPrices(action);
  let price = prices.get(item);
  if (price === undefined) {
    price = item.listPrice.times(action.factor);
    prices.set(item, price);
  }
  return price;
}
