import type { QuoteInput } from '../domain/quote';

const SKUS = ['BYK-H01', 'BYK-H02', 'BYK-M01', 'BYK-M02', 'BYK-L01', 'BYK-L02'];
const BUYERS = [
  { channel: 'chamber-supply', buyer: { id: 'CHAMBER', member: false, keyAccount: false } },
  { channel: 'member-direct', buyer: { id: 'M-007', member: true, keyAccount: false } },
  { channel: 'group-buy', buyer: { id: 'ENT-001', member: true, keyAccount: true } },
  { channel: 'group-buy', buyer: { id: 'ENT-002', member: false, keyAccount: true } },
  { channel: 'group-buy', buyer: { id: 'ENT-003', member: false, keyAccount: false } },
  { channel: 'other', buyer: { id: 'X-1', member: false, keyAccount: false } },
] as const;

/** A small deterministic PRNG (mulberry32), so every bench run prices the same orders. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * `count` orders of `linesPerOrder` lines of the bundled agreement, cycling through every
 * channel and kind of buyer, with quantities from 1 to 40 per line (so every group-buy tier occurs).
 */
export function benchOrders(count: number, linesPerOrder: number, seed = 42): QuoteInput[] {
  const random = seededRandom(seed);
  const orders: QuoteInput[] = [];
  for (let i = 0; i < count; i++) {
    const { channel, buyer } = BUYERS[i % BUYERS.length]!;
    const lines = Array.from({ length: linesPerOrder }, () => ({ sku: SKUS[Math.floor(random() * SKUS.length)]!, quantity: 1 + Math.floor(random() * (i % 3 === 0 ? 4 : 40)) }));
    orders.push({ agreement: 'chamber-baiyikang', channel, date: '2026-11-15', buyer: { ...buyer }, lines });
  }
  return orders;
}

/** The order the HTTP figures post: 10 lines, group-buy by a member key account (the most rules fire). */
export function httpBenchOrder(): QuoteInput {
  return benchOrders(3, 10)[2]!;
}
