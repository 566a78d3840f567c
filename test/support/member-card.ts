import { OrderRefused, type BreachReport } from '../../src/domain/errors';
import type { Buyer } from '../../src/domain/quote';

/**
 * The order or transaction with its buyer holding a member card when it buys on `member-direct`:
 * the agreement refuses that channel to a non-member (rule member-direct-needs-card), so random
 * orders meant to be priced or booked give member-direct buyers a card. Other channels are kept.
 */
export function withMemberCard<T extends { readonly channel: string; readonly buyer: Buyer }>(order: T): T {
  return order.channel === 'member-direct' && order.buyer.member !== true ? { ...order, buyer: { ...order.buyer, member: true } } : order;
}

/** What pricing answered: `{ quote }`, or `{ refused }` with the breaches when the agreement refuses the order; any other error is thrown. */
export async function quoteOrRefusal(price: () => unknown): Promise<{ readonly quote: unknown } | { readonly refused: readonly BreachReport[] }> {
  try {
    return { quote: await price() };
  } catch (error) {
    if (!(error instanceof OrderRefused)) throw error;
    return { refused: error.breaches };
  }
}
