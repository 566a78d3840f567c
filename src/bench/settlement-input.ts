/**
 * BENCH INPUT ONLY. A month of ERP export as the settlement CSV, generated on the fly (never
 * held in memory): sales on the three chamber channels with 1–5 lines each, dated in order
 * through the month, a return of part of a recent sale for about 3 % of transactions, invoiced
 * prices on chamber-supply lines (one in ten thousand wrong), then a table of external sales.
 * Deterministic for a seed, so the product and the baseline read the same bytes.
 */

const SKUS = [
  { sku: 'BYK-H01', supplyPrice: '1094.80' },
  { sku: 'BYK-H02', supplyPrice: '2278.00' },
  { sku: 'BYK-M01', supplyPrice: '253.30' },
  { sku: 'BYK-M02', supplyPrice: '389.30' },
  { sku: 'BYK-L01', supplyPrice: '57.80' },
  { sku: 'BYK-L02', supplyPrice: '33.915' },
] as const;

export const SETTLEMENT_HEADER = 'transaction,date,channel,buyer,member,keyAccount,returnOf,sku,quantity,unitPrice';

interface RecentSale {
  readonly id: string;
  readonly channel: string;
  readonly buyer: string;
  readonly member: boolean;
  readonly keyAccount: boolean;
  readonly sku: string;
  readonly quantity: number;
  returned: boolean;
}

/** A small seeded generator (mulberry32): the same seed gives the same month. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * `lines` transaction lines of November 2026 (plus 200 external sales) as CSV text, in
 * chunks of about `chunkChars` characters.
 */
export function* settlementCsvChunks(lines: number, seed = 2026, chunkChars = 1 << 16): Generator<string> {
  const next = random(seed);
  const pick = (n: number): number => Math.floor(next() * n);
  const recent: RecentSale[] = [];
  let chunk = `${SETTLEMENT_HEADER}\n`;
  let written = 0;
  for (let t = 1; written < lines; t++) {
    const day = 1 + Math.min(29, Math.floor((written / lines) * 30));
    const date = `2026-11-${String(day).padStart(2, '0')}`;
    const id = `T${t}`;
    const returnable = recent.length > 0 ? recent[pick(recent.length)]! : undefined;
    if (returnable !== undefined && !returnable.returned && next() < 0.03) {
      returnable.returned = true;
      const quantity = 1 + pick(Math.min(3, returnable.quantity));
      chunk += `${id},${date},${returnable.channel},${returnable.buyer},${returnable.member},${returnable.keyAccount},${returnable.id},${returnable.sku},-${quantity},\n`;
      written++;
    } else {
      const roll = next();
      const channel = roll < 0.2 ? 'chamber-supply' : roll < 0.5 ? 'member-direct' : 'group-buy';
      const buyer = channel === 'chamber-supply' ? 'CHAMBER' : channel === 'member-direct' ? `M-${pick(5000)}` : `E-${pick(800)}`;
      const member = channel === 'member-direct' || (channel === 'group-buy' && buyer.charCodeAt(buyer.length - 1) % 2 === 0);
      const keyAccount = channel === 'group-buy' && buyer.charCodeAt(buyer.length - 1) % 3 === 0;
      const count = 1 + pick(5);
      const used = new Set<number>();
      for (let j = 0; j < count && written < lines; j++) {
        const s = pick(SKUS.length);
        if (used.has(s)) continue;
        used.add(s);
        const item = SKUS[s]!;
        const quantity = channel === 'chamber-supply' ? 10 + pick(190) : channel === 'member-direct' ? 1 + pick(5) : 1 + pick(60);
        const invoiced = channel !== 'chamber-supply' ? '' : next() < 0.0001 ? '1.00' : item.supplyPrice;
        chunk += `${id},${date},${channel},${buyer},${member},${keyAccount},,${item.sku},${quantity},${invoiced}\n`;
        written++;
        const sale: RecentSale = { id, channel, buyer, member, keyAccount, sku: item.sku, quantity, returned: false };
        if (recent.length < 1000) recent.push(sale);
        else recent[pick(1000)] = sale;
      }
    }
    if (chunk.length >= chunkChars) {
      yield chunk;
      chunk = '';
    }
  }
  chunk += '\ninstitution,sku,date,quantity,unitPrice\n';
  for (let i = 0; i < 200; i++) {
    // at the guaranteed 85 % of list, but once BYK-H01 at 80 % (a breach)
    const breach = i === 17;
    const item = breach ? SKUS[0] : SKUS[i % SKUS.length]!;
    const unitPrice = breach ? '1030.40' : item.supplyPrice;
    chunk += `Institution ${i},${item.sku},2026-11-${String(1 + (i % 30)).padStart(2, '0')},${1 + (i % 50)},${unitPrice}\n`;
  }
  yield chunk;
}
