import type { Label } from './agreement';

/** The value of a declared buyer or order attribute (a decimal is a decimal string). */
export type AttributeValue = string | boolean | null;

/** The buyer as a quote or a settlement transaction names it: its id and the attributes the agreement declares. */
export interface Buyer {
  readonly id: string;
  readonly [attribute: string]: AttributeValue | undefined;
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
  /** The order attributes the agreement declares (agreement.json `attributes.order`). */
  readonly attributes?: Readonly<Record<string, AttributeValue>>;
  /** A coupon or promotion code from the agreement's declared list. */
  readonly coupon?: string | null;
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
  /** Who a commission is paid to: a party role of the agreement, or the order attribute's value. */
  readonly payee?: string;
}

/** Why a rule whose conditions held did not change the line. */
export interface RuleDecision {
  readonly ruleId: string;
  readonly reason: 'lost-exclusivity' | 'no-effect' | 'below-minimum';
  /** The rule that won the exclusivity group. */
  readonly winner?: string;
  /** What fell short, for below-minimum. */
  readonly detail?: string;
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

/** What became of the order's coupon: applied, or not and why (a known code whose conditions failed is not an error). */
export interface CouponOutcome {
  readonly code: string;
  readonly applied: boolean;
  /** Why it did not apply: the first condition that failed, or the minimum not reached, per rule of the code. */
  readonly reasons?: readonly CouponReason[];
}

/** Why one rule of a coupon's code did not apply. */
export interface CouponReason {
  readonly ruleId: string;
  readonly reason: 'below-minimum' | 'condition-failed' | 'not-in-force';
  /** In words: the basis and the minimum, or the condition that failed with the value it met. */
  readonly detail: string;
}

export interface Quote {
  readonly agreement: string;
  readonly rulesetVersion: string;
  readonly effectiveFrom: string;
  readonly channel: string;
  readonly date: string;
  readonly currency: string;
  readonly buyer: Buyer;
  readonly attributes?: Readonly<Record<string, AttributeValue>>;
  readonly coupon?: CouponOutcome;
  readonly lines: readonly QuotedLine[];
  readonly gifts: readonly GiftLine[];
  readonly totals: QuoteTotals;
}
