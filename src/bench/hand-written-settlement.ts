/**
 * BENCH BASELINE ONLY — not product code. The settlement of the bundled chamber × 百益康
 * agreement written by hand for the bench's CSV: every rate, tier and threshold hard-coded,
 * lines split on commas (the bench input has no quoted cells), no checks, no rules engine.
 * It streams like the product and computes the same headline figures, which the bench
 * compares, so the ratio measures what keeping the terms as rules and checking every input
 * costs.
 */
import Decimal from 'decimal.js';
import type { Readable } from 'node:stream';

const D = Decimal.clone({ precision: 34, rounding: Decimal.ROUND_HALF_UP });
type D = InstanceType<typeof D>;

const LIST = new Map<string, { readonly list: D; readonly premium: boolean }>([
  ['BYK-H01', { list: new D('1288.00'), premium: true }],
  ['BYK-H02', { list: new D('2680.00'), premium: true }],
  ['BYK-M01', { list: new D('298.00'), premium: false }],
  ['BYK-M02', { list: new D('458.00'), premium: false }],
  ['BYK-L01', { list: new D('68.00'), premium: false }],
  ['BYK-L02', { list: new D('39.90'), premium: false }],
]);
const SUPPLY = new D('0.85');
const COMMISSION = new D('0.10');
const round = (value: D): D => value.toDecimalPlaces(2, Decimal.ROUND_HALF_UP);
const groupRate = (units: number): number => (units >= 100 ? 0.1 : units >= 50 ? 0.06 : units >= 10 ? 0.03 : 0);
const rebateRate = (volume: D): D => new D(volume.gte(500000) ? '0.04' : volume.gte(100000) ? '0.03' : '0.02');

/** The headline figures both the product and the baseline compute. */
export interface HeadlineFigures {
  readonly supplyPayable: string;
  readonly commission: string;
  readonly rebatesFinal: string;
  readonly compensation: string;
  readonly giftsValue: string;
}

interface Line {
  readonly channel: string;
  readonly buyer: string;
  readonly member: boolean;
  readonly keyAccount: boolean;
  readonly returnOf: string;
  readonly sku: string;
  readonly quantity: number;
}

/** Settles the bench CSV by hand, streaming. */
export async function settleByHand(input: Readable): Promise<HeadlineFigures> {
  let supply = new D(0);
  let commission = new D(0);
  let gifts = new D(0);
  const ka = new Map<string, D>();
  const prices = new Map<string, Map<string, D>>();
  const supplyQuantities = new Map<string, Map<number, number>>();
  const lowest = new Map<string, D>();
  let section: 'tx' | 'ext' = 'tx';
  let id = '';
  let lines: Line[] = [];

  const book = (channel: string, buyer: string, keyAccount: boolean, sku: string, quantity: number, amount: D): void => {
    commission = commission.plus(round(amount.times(COMMISSION)));
    if (channel === 'chamber-supply') {
      supply = supply.plus(amount);
      const counts = supplyQuantities.get(sku) ?? new Map<number, number>();
      counts.set(quantity, (counts.get(quantity) ?? 0) + 1);
      supplyQuantities.set(sku, counts);
    }
    if (keyAccount) ka.set(buyer, (ka.get(buyer) ?? new D(0)).plus(amount));
  };
  const flush = (): void => {
    if (lines.length === 0) return;
    const first = lines[0]!;
    if (first.returnOf !== '') {
      const sold = prices.get(first.returnOf)!;
      for (const line of lines) book(line.channel, line.buyer, line.keyAccount, line.sku, line.quantity, round(sold.get(line.sku)!.times(line.quantity)));
    } else {
      const units = lines.reduce((total, line) => total + line.quantity, 0);
      const rate = first.channel === 'group-buy' ? Math.max(groupRate(units), first.member ? 0.05 : 0) : first.channel === 'member-direct' && first.member ? 0.05 : 0;
      const unitPrices = new Map<string, D>();
      for (const line of lines) {
        const item = LIST.get(line.sku)!;
        const unit = first.channel === 'chamber-supply' ? item.list.times(SUPPLY) : item.list.times(new D(1).minus(rate));
        unitPrices.set(line.sku, unit);
        book(line.channel, line.buyer, line.keyAccount, line.sku, line.quantity, round(unit.times(line.quantity)));
        if (first.channel === 'group-buy' && first.keyAccount && item.premium) gifts = gifts.plus(item.list.times(Math.floor(line.quantity / 20)));
      }
      prices.set(id, unitPrices);
    }
    lines = [];
  };

  let pending = '';
  for await (const chunk of input as AsyncIterable<Buffer | string>) {
    pending += chunk.toString();
    let start = 0;
    for (let newline = pending.indexOf('\n'); newline >= 0; newline = pending.indexOf('\n', start)) {
      const row = pending.slice(start, newline);
      start = newline + 1;
      if (row === '' || row.startsWith('transaction,')) continue;
      if (row.startsWith('institution,')) {
        flush();
        section = 'ext';
        continue;
      }
      const cells = row.split(',');
      if (section === 'ext') {
        const price = new D(cells[4]!);
        const known = lowest.get(cells[1]!);
        if (known === undefined || price.lt(known)) lowest.set(cells[1]!, price);
        continue;
      }
      if (cells[0] !== id) {
        flush();
        id = cells[0]!;
      }
      lines.push({ channel: cells[2]!, buyer: cells[3]!, member: cells[4] === 'true', keyAccount: cells[5] === 'true', returnOf: cells[6]!, sku: cells[7]!, quantity: Number(cells[8]) });
    }
    pending = pending.slice(start);
  }
  flush();

  let rebatesFinal = new D(0);
  for (const volume of ka.values()) rebatesFinal = rebatesFinal.plus(round(volume.times(rebateRate(volume))));
  let compensation = new D(0);
  for (const [sku, price] of lowest) {
    const guaranteed = LIST.get(sku)!.list.times(SUPPLY);
    if (!price.lt(guaranteed)) continue;
    for (const [quantity, count] of supplyQuantities.get(sku) ?? []) compensation = compensation.plus(round(guaranteed.minus(price).times(quantity)).times(count));
  }
  return {
    supplyPayable: supply.toFixed(2),
    commission: commission.toFixed(2),
    rebatesFinal: rebatesFinal.toFixed(2),
    compensation: compensation.toFixed(2),
    giftsValue: gifts.toFixed(2),
  };
}
