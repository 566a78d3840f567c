import type { Label } from './agreement';

/** The buyer as a quote or a settlement transaction names it. */
export interface Buyer {
  readonly id: string;
  readonly member: boolean;
  readonly keyAccount: boolean;
}

export interface QuoteLineInput {
  readonly sku: string;
  /** Whole units; negative only in settlement returns. */
  readonly quantity: number;
}

export interface QuoteInput {
  readonly agreement: string;
  readonly channel: string;
  /** ISO date (yyyy-mm-dd) that selects the rule version and the rules in force. */
  readonly date: string;
  readonly buyer: Buyer;
  readonly lines: readonly QuoteLineInput[];
}

/** Which figure an adjustment explains. */
export type AdjustmentEffect = 'price' | 'commission' | 'rebate';

/**
 * One rule's effect on one line. For price effects `base` is the line amount before the step
 * and `amount` the change it made (so the price adjustments of a line add up to amount − list
 * amount); for commission and rebate `base` is the line amount and `amount` the figure.
 */
export interface Adjustment {
  readonly ruleId: string;
  readonly clause: string;
  readonly label: Label;
  readonly type: string;
  readonly effect: AdjustmentEffect;
  readonly base: string;
  readonly rate: string;
  readonly amount: string;
}

/** Why a rule whose conditions held did not change the line. */
export interface RuleDecision {
  readonly ruleId: string;
  readonly reason: 'lost-exclusivity' | 'no-effect';
  /** The rule that won the exclusivity group. */
  readonly winner?: string;
}

export interface QuotedLine {
  readonly sku: string;
  readonly quantity: number;
  readonly listPrice: string;
  readonly listAmount: string;
  readonly unitPrice: string;
  readonly amount: string;
  readonly commission: string;
  readonly rebate: string;
  /** True when the lowest-price floor raised the unit price. */
  readonly floorApplied: boolean;
  readonly adjustments: readonly Adjustment[];
  readonly decisions: readonly RuleDecision[];
}

export interface GiftLine {
  readonly sku: string;
  readonly quantity: number;
  readonly listPrice: string;
  readonly unitPrice: string;
  readonly value: string;
  readonly ruleId: string;
  readonly clause: string;
  readonly label: Label;
}

export interface QuoteTotals {
  readonly list: string;
  readonly discount: string;
  readonly net: string;
  readonly commission: string;
  readonly rebate: string;
  readonly gifts: string;
}

export interface Quote {
  readonly agreement: string;
  readonly rulesetVersion: string;
  readonly effectiveFrom: string;
  readonly channel: string;
  readonly date: string;
  readonly currency: string;
  readonly buyer: Buyer;
  readonly lines: readonly QuotedLine[];
  readonly gifts: readonly GiftLine[];
  readonly totals: QuoteTotals;
}
