import type { Tier } from '../agreement';
import { Dec } from '../money';
import type { LintFinding } from './term';

interface TierJson {
  readonly from: string;
  readonly to?: string;
  readonly rate: string;
}

/** A schema-valid tier table with its decimals parsed. */
export function parseTiers(json: unknown): Tier[] {
  return (json as readonly TierJson[]).map((tier) => ({ from: new Dec(tier.from), ...(tier.to === undefined ? {} : { to: new Dec(tier.to) }), rate: new Dec(tier.rate) }));
}

/** Tiers must be ascending, each `to` equal to the next `from` (no gap, no overlap), the last open. */
export function checkTierTable(tiers: readonly Tier[], integral: boolean): string[] {
  const reasons: string[] = [];
  tiers.forEach((tier, i) => {
    const label = `tier ${i + 1} (from ${tier.from.toFixed()})`;
    if (integral && !tier.from.isInteger()) reasons.push(`${label}: a quantity tier must start at a whole number`);
    const next = tiers[i + 1];
    if (next === undefined) {
      if (tier.to !== undefined) reasons.push(`${label}: the last tier must have no "to" (it is open-ended), or add a tier from ${tier.to.toFixed()}`);
      return;
    }
    if (tier.to === undefined) {
      reasons.push(`${label}: only the last tier may omit "to"; set "to": "${next.from.toFixed()}"`);
      return;
    }
    if (!tier.to.gt(tier.from)) reasons.push(`${label}: "to" ${tier.to.toFixed()} must be greater than "from"`);
    const gap = next.from.comparedTo(tier.to);
    if (gap > 0) reasons.push(`gap between tier ${i + 1} and tier ${i + 2}: ${tier.to.toFixed()} to ${next.from.toFixed()} has no rate; set tier ${i + 2} "from" to ${tier.to.toFixed()}`);
    if (gap < 0) reasons.push(`tier ${i + 1} and tier ${i + 2} overlap: tier ${i + 1} ends at ${tier.to.toFixed()} but tier ${i + 2} starts at ${next.from.toFixed()}`);
  });
  return reasons;
}

/** Rates of 100 % or more are errors; a table of zeros does nothing. */
export function lintTierRates(tiers: readonly Tier[]): { errors: LintFinding[]; warnings: LintFinding[] } {
  const errors: LintFinding[] = [];
  tiers.forEach((tier, i) => {
    if (tier.rate.gte(1)) errors.push({ reason: `tier ${i + 1} (from ${tier.from.toFixed()}): rate ${tier.rate.toFixed()} is out of range, it must be below 1 (100 %)`, hint: 'write rates as fractions, e.g. "0.03" for 3 %' });
  });
  const warnings = tiers.every((tier) => tier.rate.isZero()) ? [{ reason: 'every tier has rate 0: the rule has no effect', hint: 'set the intended rates or remove the rule' }] : [];
  return { errors, warnings };
}
