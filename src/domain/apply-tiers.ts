import type { Tier, TierMode } from './agreement';
import { Dec, ZERO } from './money';

/**
 * The tier of `value`: the band with from ≤ value < to; undefined below the first band.
 * Tiers are validated at load to be ascending, gap-free and non-overlapping.
 */
export function findTier(tiers: readonly Tier[], value: Dec): Tier | undefined {
  for (let i = tiers.length - 1; i >= 0; i--) {
    const tier = tiers[i]!;
    if (value.gte(tier.from) && (tier.to === undefined || value.lt(tier.to))) return tier;
  }
  return undefined;
}

/**
 * The discount rate a tier table gives to `quantity` units.
 * - range: every unit gets the rate of the tier reached (0 below the first tier).
 * - graduated: unit k (1-based) gets the rate of the band containing k; the result is the
 *   average rate over the units, exact to 80 significant digits.
 * @example tierRate(tiers, new Dec(120), 'range') // 0.10 with tiers 1–9: 0, 10–49: 0.03, 50–99: 0.06, 100+: 0.10
 */
export function tierRate(tiers: readonly Tier[], quantity: Dec, mode: TierMode): Dec {
  if (mode === 'range') return findTier(tiers, quantity)?.rate ?? ZERO;
  if (quantity.lte(0)) return ZERO;
  let weighted = ZERO;
  for (const tier of tiers) {
    // units k with from <= k < to and 1 <= k <= quantity
    const low = Dec.max(tier.from.ceil(), 1);
    const high = Dec.min(tier.to === undefined ? quantity : tier.to.minus(1).ceil(), quantity);
    if (high.gte(low)) weighted = weighted.plus(high.minus(low).plus(1).times(tier.rate));
  }
  return weighted.div(quantity);
}
