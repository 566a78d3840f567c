import type { Dec, RoundingPolicy } from './money';

/** A text in both languages of the agreement. */
export interface Label {
  readonly zh: string;
  readonly en: string;
}

export interface CatalogItem {
  readonly sku: string;
  readonly name: Label;
  readonly category: string;
  readonly listPrice: Dec;
}

export interface Channel {
  readonly id: string;
  /** Chamber business earns commission and counts toward the chamber's volume. */
  readonly chamberBusiness: boolean;
  readonly label: Label;
}

/** One band of a tier table: `from` inclusive, `to` exclusive (absent on the last band). */
export interface Tier {
  readonly from: Dec;
  readonly to?: Dec;
  readonly rate: Dec;
}

export type TierMode = 'range' | 'graduated';

/** What a rule does when its conditions hold. Rates and factors are fractions ("0.10"). */
export type Action =
  | { readonly type: 'price-factor'; readonly factor: Dec }
  | { readonly type: 'percentage-discount'; readonly rate: Dec }
  | {
      readonly type: 'tiered-discount';
      readonly basis: 'order.totalQuantity' | 'line.quantity';
      readonly mode: TierMode;
      readonly tiers: readonly Tier[];
    }
  | { readonly type: 'price-floor'; readonly factor: Dec }
  | { readonly type: 'commission'; readonly rate: Dec }
  | { readonly type: 'rebate-accrual'; readonly rate: Dec }
  | { readonly type: 'free-goods'; readonly per: number; readonly quantity: number; readonly sku?: string }
  | { readonly type: 'rebate-settlement'; readonly basis: 'period.volume'; readonly mode: 'range'; readonly tiers: readonly Tier[] }
  | { readonly type: 'price-guarantee'; readonly factor: Dec };

export type ActionType = Action['type'];

/** The pricing step an action belongs to; steps run in the order of {@link PRICING_STEPS}. */
export type PricingStep =
  | 'channel-price'
  | 'buyer-discount'
  | 'floor'
  | 'commission'
  | 'rebate'
  | 'gifts'
  | 'settlement';

/** Every pricing step, in the order the procedure runs them. */
export const PRICING_STEPS: readonly PricingStep[] = ['channel-price', 'buyer-discount', 'floor', 'commission', 'rebate', 'gifts', 'settlement'];

/** The steps that set the unit price from a rule's offer; exclusivity groups apply only to them. */
export const PRICE_STEPS: readonly PricingStep[] = ['channel-price', 'buyer-discount'];

export const STEP_OF_ACTION: Readonly<Record<ActionType, PricingStep>> = {
  'price-factor': 'channel-price',
  'percentage-discount': 'buyer-discount',
  'tiered-discount': 'buyer-discount',
  'price-floor': 'floor',
  commission: 'commission',
  'rebate-accrual': 'rebate',
  'free-goods': 'gifts',
  'rebate-settlement': 'settlement',
  'price-guarantee': 'settlement',
};

export interface Exclusivity {
  readonly group: string;
  readonly policy: 'best-for-buyer';
}

/** A rule as the domain sees it: its conditions are the rules layer's business. */
export interface PricingRule {
  readonly id: string;
  readonly clause: string;
  readonly label: Label;
  readonly priority: number;
  readonly exclusivity?: Exclusivity;
  readonly validFrom?: string;
  readonly validTo?: string;
  readonly action: Action;
}

/** One published version of an agreement: its terms and rules, identified by a content hash. */
export interface AgreementVersion {
  readonly agreement: string;
  readonly effectiveFrom: string;
  /** Content hash of the version's files; reported on every figure computed with it. */
  readonly rulesetVersion: string;
  readonly title: Label;
  readonly currency: string;
  readonly rounding: RoundingPolicy;
  readonly channels: ReadonlyMap<string, Channel>;
  readonly catalog: ReadonlyMap<string, CatalogItem>;
  /** All rules, sorted by step, then priority (higher first), then id. */
  readonly rules: readonly PricingRule[];
}

/** True when the rule is in force on `date` (ISO yyyy-mm-dd; validTo is inclusive). */
export function isRuleInForce(rule: PricingRule, date: string): boolean {
  return (rule.validFrom === undefined || rule.validFrom <= date) && (rule.validTo === undefined || date <= rule.validTo);
}
