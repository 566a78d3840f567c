import type { CatalogItem, Label, PricingRule } from '../agreement';
import type { Dec, RoundingPolicy } from '../money';
import type { Adjustment, QuoteInput, RuleDecision } from '../quote';

/**
 * A term type: one kind of commercial term a rule file can state (`event.type`), in one module
 * with everything about it — its params' JSON Schema, parsing, the stage and step it runs in,
 * what it computes, its lint ranges, its explanation and the inputs its result depends on.
 * The registry (./registry.ts) lists them; the loader, the pricing procedure, the lint and the
 * docs read them from there, so adding a term type is one module and one registry line.
 */
export interface TermBase<A extends TermAction> {
  readonly type: A['type'];
  /** What the term type is, for rule authors (docs, `rules describe`). */
  readonly summary: Label;
  /** The JSON Schema of `event.params`; shared definitions are `rule.schema.json#/$defs/…`. */
  readonly paramsSchema: object;
  /** The params (schema-valid) as a domain action, decimals parsed once. */
  parse(params: Readonly<Record<string, unknown>>): A;
  /** Checks the schema cannot express (a tier table without gaps, a SKU that exists); reasons, empty when fine. */
  check?(action: A, context: TermCheckContext): string[];
  /** Lint ranges: values that load but are surely wrong (errors) or without effect (warnings). */
  lint?(action: A): { readonly errors: readonly LintFinding[]; readonly warnings: readonly LintFinding[] };
  /** The rate or factor an adjustment shows ("0.1"), or "" when the term has none. */
  rateText(action: A): string;
  /**
   * What a line's figures under this term depend on besides the line's SKU, its unit-price
   * history and the rules that fired: a cache of line prices keys on these, and does not
   * cache a line whose terms read the rest of the order ('order.lines').
   */
  dependsOn(action: A): readonly PriceInput[];
}

/** A term's parsed params: its type and whatever the term needs. */
export interface TermAction {
  readonly type: string;
}

/** Inputs a priced line can depend on beyond its SKU and the rules that fired on it. */
export type PriceInput = 'line.quantity' | 'order.totalQuantity' | 'order.lines';

export interface LintFinding {
  readonly reason: string;
  readonly hint?: string;
}

export interface TermCheckContext {
  readonly skus: ReadonlySet<string>;
  readonly categories: ReadonlySet<string>;
  readonly partyRoles: ReadonlySet<string>;
  readonly orderAttributes: ReadonlySet<string>;
  readonly buyerAttributes: ReadonlySet<string>;
}

/** The running state of one line while an order is priced. */
export interface LinePricing {
  readonly index: number;
  readonly item: CatalogItem;
  readonly quantity: number;
  readonly quantityDec: Dec;
  readonly listAmount: Dec;
  /** The unit price after the steps so far (exact, unrounded). */
  unitPrice: Dec;
  /** round(unitPrice × quantity) plus {@link allocated}. */
  amount: Dec;
  /** The amounts off this line so far that are not in its unit price (its own, or its shares of order amounts), negative. */
  allocated: Dec;
  /** True once a floor raised the unit price. */
  floorApplied: boolean;
  readonly fired: readonly PricingRule[];
  readonly adjustments: Adjustment[];
  readonly decisions: RuleDecision[];
}

/** What the price steps of an order see. */
export interface OrderPricing {
  readonly input: QuoteInput;
  readonly lines: readonly LinePricing[];
  readonly policy: RoundingPolicy;
  readonly totalQuantity: number;
}

/** What a price term does to one line it fired on. */
export type PriceOutcome =
  /** A new unit price (the amount follows: round(unit price × quantity) + shares so far). */
  | { readonly kind: 'unit-price'; readonly unitPrice: Dec; readonly rate: string; readonly floor?: boolean }
  /** An amount off this line: its own (a fixed amount per line) or its share of an order-level amount. */
  | { readonly kind: 'amount-off'; readonly amount: Dec; readonly rate: string }
  /** Nothing to change. */
  | { readonly kind: 'none' }
  /** The term did not apply although its conditions held, and why (a coupon's minimum not reached). */
  | { readonly kind: 'skipped'; readonly reason: 'below-minimum'; readonly detail: string };

/**
 * A term that changes prices: a channel price, a discount, a tier table, an amount off, a
 * floor. It runs in a pricing step (agreement.json `pricingSteps`) over the lines it fired on
 * and answers one outcome per line, in their order: line-level terms look at each line,
 * order-level terms compute one amount and allocate it ({@link allocateOff}).
 */
export interface PriceTerm<A extends TermAction> extends TermBase<A> {
  readonly stage: 'price';
  /** The step it runs in unless the rule names one. */
  readonly defaultStep: string;
  outcomes(action: A, lines: readonly LinePricing[], order: OrderPricing): readonly PriceOutcome[];
}

/** A term that refuses an order when its conditions hold on any line. */
export interface RefusalTerm<A extends TermAction> extends TermBase<A> {
  readonly stage: 'refusal';
  code(action: A): string;
}

/** A figure computed on each priced line (commission, rebate accrual). */
export interface LineFigureTerm<A extends TermAction> extends TermBase<A> {
  readonly stage: 'figure';
  readonly effect: 'commission' | 'rebate';
  figure(action: A, line: LinePricing, order: OrderPricing): { readonly amount: Dec; readonly rate: string; readonly payee: string; readonly capped?: boolean };
}

/** A term over the order's line figures (a cap on an order's commission). */
export interface OrderFigureTerm<A extends TermAction> extends TermBase<A> {
  readonly stage: 'order-figure';
  readonly effect: 'commission';
  /** The payee whose figures it limits, given the order. */
  payee(action: A, order: OrderPricing): string;
  /** The most the order's figures to that payee may add up to. */
  limit(action: A): Dec;
}

/** Free goods given with the order. */
export interface GiftTerm<A extends TermAction> extends TermBase<A> {
  readonly stage: 'gifts';
  /** Free units for `bought` units on the lines it fired on, and the SKU given. */
  gift(action: A, lineSku: string): { readonly sku: string; readonly per: number; readonly quantity: number };
}

/** A term applied at settlement over a period, never to a quote. */
export interface SettlementTerm<A extends TermAction> extends TermBase<A> {
  readonly stage: 'settlement';
}

export type TermModule<A extends TermAction = TermAction> =
  | PriceTerm<A>
  | RefusalTerm<A>
  | LineFigureTerm<A>
  | OrderFigureTerm<A>
  | GiftTerm<A>
  | SettlementTerm<A>;

export type TermStage = TermModule['stage'];

/** The payee a figure goes to: a party role of the agreement, or the value of an order attribute. */
export type PayeeJson = string | { readonly attribute: string };

/** A payee as written in a rule, resolved against the order: `partner`, or `order.affiliate` → its value. */
export function resolvePayee(payee: PayeeJson, order: OrderPricing): string {
  if (typeof payee === 'string') return payee;
  const name = payee.attribute.replace(/^order\./, '');
  const value = order.input.attributes?.[name];
  return value === undefined || value === null ? `${payee.attribute}:(none)` : String(value);
}
