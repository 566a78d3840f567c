import { grown } from './id-numbers';
import type { Dec } from './money';
import type { FiredRules } from './price-quote';

/** A line of a booked sale as return matching reads it. */
export interface BookedLine {
  /** The line's number in the store (what {@link BookedSale.setRemaining} writes to). */
  readonly index: number;
  readonly sku: string;
  readonly unitPrice: Dec;
  readonly fired: FiredRules;
  /** Units not yet returned. */
  remaining: number;
}

/** A booked sale as return matching reads it: a view of its numbers in {@link BookedSales}. */
export interface BookedSale {
  readonly channel: string;
  readonly buyerId: string;
  readonly date: string;
  lines(): BookedLine[];
  setRemaining(line: BookedLine): void;
}

/** A sale line to book: the same SKU, unit price and rules on two lines make one booked line. */
export interface SaleLineToBook {
  readonly sku: string;
  readonly unitPrice: Dec;
  readonly fired: FiredRules;
  readonly quantity: number;
}

/** Numbers values once each (texts by value, unit prices and rule lists by identity). */
export class Numbering<T> {
  private readonly numbers = new Map<T, number>();
  readonly values: T[] = [];

  /** The value's number if it has one. */
  find(value: T): number | undefined {
    return this.numbers.get(value);
  }

  numberOf(value: T): number {
    let n = this.numbers.get(value);
    if (n === undefined) {
      n = this.values.length;
      this.values.push(value);
      this.numbers.set(value, n);
    }
    return n;
  }
}

/**
 * The booked sales of a period as compactly as return matching allows (a month may hold a
 * few hundred thousand, a year millions): per sale three numbers (channel, buyer, day) and
 * where its lines start, per line four (SKU, unit price, rules, units not yet returned), all
 * in typed arrays; texts, unit prices and rule lists are numbered once. A sale's lines
 * follow the previous sale's, so sale n's lines end where sale n + 1's start.
 */
export class BookedSales {
  private count = 0;
  private lineCount = 0;
  private saleChannel = new Int32Array(1024);
  private saleBuyer = new Int32Array(1024);
  private saleDate = new Int32Array(1024);
  private saleLinesEnd = new Int32Array(1024);
  private lineSku = new Int32Array(4096);
  private linePrice = new Int32Array(4096);
  private lineFired = new Int32Array(4096);
  private lineRemaining = new Float64Array(4096);
  private readonly texts = new Numbering<string>();
  private readonly prices = new Numbering<Dec>();
  private readonly firedLists = new Numbering<FiredRules>();

  /** Books a sale; returns its number. */
  add(channel: string, buyerId: string, date: string, lines: readonly SaleLineToBook[]): number {
    const n = this.count++;
    if (n >= this.saleChannel.length) {
      this.saleChannel = grown(this.saleChannel, n + 1);
      this.saleBuyer = grown(this.saleBuyer, n + 1);
      this.saleDate = grown(this.saleDate, n + 1);
      this.saleLinesEnd = grown(this.saleLinesEnd, n + 1);
    }
    this.saleChannel[n] = this.texts.numberOf(channel);
    this.saleBuyer[n] = this.texts.numberOf(buyerId);
    this.saleDate[n] = this.texts.numberOf(date);
    const start = this.lineCount;
    const needed = start + lines.length;
    if (needed > this.lineSku.length) {
      this.lineSku = grown(this.lineSku, needed);
      this.linePrice = grown(this.linePrice, needed);
      this.lineFired = grown(this.lineFired, needed);
      this.lineRemaining = grown(this.lineRemaining, needed);
    }
    for (const line of lines) {
      const sku = this.texts.numberOf(line.sku);
      const price = this.prices.numberOf(line.unitPrice);
      const fired = this.firedLists.numberOf(line.fired);
      let i = start;
      while (i < this.lineCount && !(this.lineSku[i] === sku && this.linePrice[i] === price && this.lineFired[i] === fired)) i++;
      if (i === this.lineCount) {
        this.lineSku[i] = sku;
        this.linePrice[i] = price;
        this.lineFired[i] = fired;
        this.lineRemaining[i] = 0;
        this.lineCount++;
      }
      this.lineRemaining[i] = this.lineRemaining[i]! + line.quantity;
    }
    this.saleLinesEnd[n] = this.lineCount;
    return n;
  }

  /** Sale `n` (a number {@link add} returned). */
  sale(n: number): BookedSale {
    const store = this;
    const texts = this.texts.values;
    return {
      channel: texts[this.saleChannel[n]!]!,
      buyerId: texts[this.saleBuyer[n]!]!,
      date: texts[this.saleDate[n]!]!,
      lines() {
        const lines: BookedLine[] = [];
        for (let i = n === 0 ? 0 : store.saleLinesEnd[n - 1]!; i < store.saleLinesEnd[n]!; i++) {
          lines.push({ index: i, sku: texts[store.lineSku[i]!]!, unitPrice: store.prices.values[store.linePrice[i]!]!, fired: store.firedLists.values[store.lineFired[i]!]!, remaining: store.lineRemaining[i]! });
        }
        return lines;
      },
      setRemaining(line) {
        store.lineRemaining[line.index] = line.remaining;
      },
    };
  }
}

/**
 * A sale's lines as {@link BookedSales.add} keeps them: lines with the same SKU, the same unit
 * price and the same rules (prices and rule lists compared by identity, as it numbers them)
 * make one line, where the first of them stood.
 */
export function mergeSaleLines(lines: readonly SaleLineToBook[]): readonly SaleLineToBook[] {
  // most sales name each SKU once: nothing to merge
  let repeated = false;
  for (let i = 1; i < lines.length && !repeated; i++) for (let j = 0; j < i && !repeated; j++) repeated = lines[i]!.sku === lines[j]!.sku;
  if (!repeated) return lines;
  const merged: { sku: string; unitPrice: Dec; fired: FiredRules; quantity: number }[] = [];
  for (const line of lines) {
    const same = merged.find((kept) => kept.sku === line.sku && kept.unitPrice === line.unitPrice && kept.fired === line.fired);
    if (same === undefined) merged.push({ sku: line.sku, unitPrice: line.unitPrice, fired: line.fired, quantity: line.quantity });
    else same.quantity += line.quantity;
  }
  return merged;
}
