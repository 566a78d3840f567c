/**
 * BENCH BASELINE ONLY — not product code. The settlement of the bundled chamber × 百益康
 * agreement written by hand for the bench's CSV: every rate, tier and threshold hard-coded,
 * lines split on commas (the bench input has no quoted cells), no checks, no rules engine.
 * It streams like the product and computes the same figures (volume per channel,
 * discrepancies, supply payable, commission, rebates, compensation, gifts), which the bench
 * compares, so the ratio measures what keeping the terms as rules and checking every input
 * costs.
 */
import Decimal from 'decimal.js';
import type { Readable } from 'node:stream';
import { Dec, formatAmount, sum } from '../domain/money';
import { figureAmount, type SettlementStatement } from '../domain/settlement';

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
  readonly volume: Readonly<Record<string, string>>;
  /** How many lines' invoiced amount differs from the agreed one. */
  readonly discrepancies: number;
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
  readonly invoiced: string;
}

/** A line's figures, in fen (integers: exact below 2^53), computed once per unit price and quantity. */
interface LineFen {
  readonly amount: number;
  readonly commission: number;
}

const fen = (value: D): number => value.times(100).toNumber();
const yuan = (units: number): string => new D(units).dividedBy(100).toFixed(2);

/**
 * Settles the bench CSV by hand, streaming, as a competent hand-written streamer would: the
 * same caches as the product (a unit price per channel, discount and SKU; a line's amount and
 * commission per unit price and quantity; whether an invoiced price agrees, per line pricing
 * and invoiced text) and sums in integer fen, so the ratio compares like with like.
 */
/** The figures the baseline gives, read from the product's statement, so the two compare field by field. */
export function headlineFiguresOf(statement: SettlementStatement): HeadlineFigures {
  return {
    volume: statement.volume,
    discrepancies: statement.discrepancies.length,
    supplyPayable: figureAmount(statement, 'supplyPayable') ?? '',
    commission: statement.commission,
    rebatesFinal: formatAmount(sum(statement.rebates.map((rebate) => new Dec(rebate.final)))),
    compensation: statement.compensation,
    giftsValue: statement.giftsValue,
  };
}

export async function settleByHand(input: Readable): Promise<HeadlineFigures> {
  let supply = 0;
  let commission = 0;
  let gifts = 0;
  const volume = new Map<string, number>([['chamber-supply', 0], ['member-direct', 0], ['group-buy', 0]]);
  let discrepancies = 0;
  const ka = new Map<string, number>();
  const prices = new Map<string, Map<string, number>>();
  const supplyQuantities = new Map<string, Map<number, number>>();
  const lowest = new Map<string, D>();
  // the caches: unit prices (numbered), line figures by price number and quantity, invoiced agreement
  const unitPrices = new Map<string, number>();
  const unitValues: D[] = [];
  const lineFigures = new Map<number, Map<number, LineFen>>();
  const invoicedAgrees = new Map<string, boolean>();
  let section: 'tx' | 'ext' = 'tx';
  let id = '';
  let lines: Line[] = [];

  const priceOf = (key: string, compute: () => D): number => {
    let priceId = unitPrices.get(key);
    if (priceId === undefined) {
      priceId = unitValues.push(compute()) - 1;
      unitPrices.set(key, priceId);
    }
    return priceId;
  };
  const figuresOf = (priceId: number, quantity: number): LineFen => {
    let byQuantity = lineFigures.get(priceId);
    if (byQuantity === undefined) lineFigures.set(priceId, (byQuantity = new Map()));
    let figures = byQuantity.get(quantity);
    if (figures === undefined) {
      const amount = round(unitValues[priceId]!.times(quantity));
      figures = { amount: fen(amount), commission: fen(round(amount.times(COMMISSION))) };
      byQuantity.set(quantity, figures);
    }
    return figures;
  };
  const book = (channel: string, buyer: string, keyAccount: boolean, sku: string, quantity: number, figures: LineFen): void => {
    commission += figures.commission;
    volume.set(channel, volume.get(channel)! + figures.amount);
    if (channel === 'chamber-supply') {
      supply += figures.amount;
      const counts = supplyQuantities.get(sku) ?? new Map<number, number>();
      counts.set(quantity, (counts.get(quantity) ?? 0) + 1);
      supplyQuantities.set(sku, counts);
    }
    if (keyAccount) ka.set(buyer, (ka.get(buyer) ?? 0) + figures.amount);
  };
  const flush = (): void => {
    if (lines.length === 0) return;
    const first = lines[0]!;
    if (first.returnOf !== '') {
      const sold = prices.get(first.returnOf)!;
      for (const line of lines) book(line.channel, line.buyer, line.keyAccount, line.sku, line.quantity, figuresOf(sold.get(line.sku)!, line.quantity));
    } else {
      const units = lines.reduce((total, line) => total + line.quantity, 0);
      const rate = first.channel === 'group-buy' ? Math.max(groupRate(units), first.member ? 0.05 : 0) : first.channel === 'member-direct' && first.member ? 0.05 : 0;
      const saleUnitPrices = new Map<string, number>();
      for (const line of lines) {
        const item = LIST.get(line.sku)!;
        const priceId = priceOf(`${first.channel === 'chamber-supply' ? 'supply' : rate}|${line.sku}`, () => (first.channel === 'chamber-supply' ? item.list.times(SUPPLY) : item.list.times(new D(1).minus(rate))));
        saleUnitPrices.set(line.sku, priceId);
        const figures = figuresOf(priceId, line.quantity);
        book(line.channel, line.buyer, line.keyAccount, line.sku, line.quantity, figures);
        if (line.invoiced !== '') {
          const key = `${priceId}|${line.quantity}|${line.invoiced}`;
          let agrees = invoicedAgrees.get(key);
          if (agrees === undefined) invoicedAgrees.set(key, (agrees = fen(round(new D(line.invoiced).times(line.quantity))) === figures.amount));
          if (!agrees) discrepancies++;
        }
        if (first.channel === 'group-buy' && first.keyAccount && item.premium) gifts += fen(item.list) * Math.floor(line.quantity / 20);
      }
      prices.set(id, saleUnitPrices);
    }
    lines = [];
  };

  let pending = '';
  const decoder = new TextDecoder();
  for await (const chunk of input as AsyncIterable<Buffer | string>) {
    pending += typeof chunk === 'string' ? chunk : decoder.decode(chunk, { stream: true });
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
      lines.push({ channel: cells[2]!, buyer: cells[3]!, member: cells[4] === 'true', keyAccount: cells[5] === 'true', returnOf: cells[6]!, sku: cells[7]!, quantity: Number(cells[8]), invoiced: cells[9] ?? '' });
    }
    pending = pending.slice(start);
  }
  flush();

  let rebatesFinal = new D(0);
  for (const units of ka.values()) {
    const buyerVolume = new D(units).dividedBy(100);
    rebatesFinal = rebatesFinal.plus(round(buyerVolume.times(rebateRate(buyerVolume))));
  }
  let compensation = new D(0);
  for (const [sku, price] of lowest) {
    const guaranteed = LIST.get(sku)!.list.times(SUPPLY);
    if (!price.lt(guaranteed)) continue;
    for (const [quantity, count] of supplyQuantities.get(sku) ?? []) compensation = compensation.plus(round(guaranteed.minus(price).times(quantity)).times(count));
  }
  return {
    volume: Object.fromEntries([...volume].map(([channel, units]) => [channel, yuan(units)])),
    discrepancies,
    supplyPayable: yuan(supply),
    commission: yuan(commission),
    rebatesFinal: rebatesFinal.toFixed(2),
    compensation: compensation.toFixed(2),
    giftsValue: yuan(gifts),
  };
}
