import { allocate } from '../allocate';
import { ZERO, type Dec } from '../money';
import type { LinePricing, OrderPricing, PriceOutcome } from './term';

/**
 * An order-level amount off as one outcome per line: the amount (rounded first) allocated in
 * proportion to the lines' running amounts, the remainder to the largest line (allocate()).
 */
export function allocateOff(amount: Dec, rate: string, lines: readonly LinePricing[], order: OrderPricing): PriceOutcome[] {
  const shares = allocate(amount, lines.map((line) => line.amount), order.policy);
  return shares.map((share) => ({ kind: 'amount-off', amount: share, rate }));
}

/** Σ of the running amounts of `lines`. */
export function runningAmount(lines: readonly LinePricing[]): Dec {
  let total = ZERO;
  for (const line of lines) total = total.plus(line.amount);
  return total;
}
