import { Dec, ZERO, roundMoney, type RoundingPolicy } from './money';

/**
 * Shares an order-level amount among lines in proportion to their weights (the shared
 * convention of docs/agreements/README.md): the total is rounded with the policy first, each
 * share is rounded with the policy, and the remainder (positive or negative) goes to the line
 * with the largest weight, the first such line on a tie. The shares always sum to the rounded
 * total exactly. With no positive weight, the whole total goes to the first line.
 *
 * @example allocate(new Dec('100'), [new Dec('1'), new Dec('1'), new Dec('1')], policy)
 *   // ["33.34", "33.33", "33.33"]: 33.33 × 3 = 99.99, the remainder 0.01 to the first largest
 */
export function allocate(total: Dec, weights: readonly Dec[], policy: RoundingPolicy): Dec[] {
  const rounded = roundMoney(total, policy);
  if (weights.length === 0) return [];
  let weightSum = ZERO;
  let largest = 0;
  weights.forEach((weight, i) => {
    weightSum = weightSum.plus(weight);
    if (weight.gt(weights[largest]!)) largest = i;
  });
  if (!weightSum.gt(0)) return weights.map((_, i) => (i === 0 ? rounded : ZERO));
  const shares = weights.map((weight) => roundMoney(rounded.times(weight).div(weightSum), policy));
  let allocated = ZERO;
  for (const share of shares) allocated = allocated.plus(share);
  shares[largest] = shares[largest]!.plus(rounded.minus(allocated));
  return shares;
}

