import type { Dec, RoundingPolicy } from './money';
import type { OrderFactUse } from './line-facts';
import type { Action } from './terms/registry';
import type { StatementDeclaration } from './statement-figures';
import type { TermModule } from './terms/term';

export type { Action, ActionType } from './terms/registry';

/** A text in both languages of the agreement. */
export interface Label {
  readonly zh: string;
  readonly en: string;
}

export interface CatalogItem {
  readonly sku: string;
  readonly name: Label;
  readonly category: string;
  readonly tags: readonly string[];
  readonly listPrice: Dec;
}

export interface Channel {
  readonly id: string;
  /** Business under the agreement: counts toward the partner's volume (settlement). */
  readonly business: boolean;
  readonly label: Label;
}

/** A party of the agreement under its role (supplier, partner, …). */
export interface Party {
  readonly role: string;
  readonly id: string;
  readonly name: Label;
}

/** A buyer or order attribute the agreement declares: quote requests carry it, conditions read it. */
export interface AttributeDeclaration {
  readonly type: 'boolean' | 'string' | 'decimal' | 'enum';
  readonly values?: readonly string[];
  readonly label?: Label;
}

export interface Coupon {
  readonly code: string;
  readonly label: Label;
  /** The rules whose conditions name this code (order.coupon): applied when one of them changes a line. */
  readonly ruleIds: readonly string[];
}

/** One band of a tier table: `from` inclusive, `to` exclusive (absent on the last band). */
export interface Tier {
  readonly from: Dec;
  readonly to?: Dec;
  readonly rate: Dec;
}

export type TierMode = 'range' | 'graduated';

/** The price steps of an agreement that names none, in order. */
export const DEFAULT_PRICING_STEPS: readonly string[] = ['channel-price', 'buyer-discount', 'floor'];

export interface Exclusivity {
  readonly group: string;
  /** best-for-buyer: the member giving the lowest line amount; first-by-priority: the first member that fired. */
  readonly policy: 'best-for-buyer' | 'first-by-priority';
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
  /** The pricing step of a price term (agreement.json pricingSteps); undefined for other terms. */
  readonly step?: string;
  /** What the rule does: its term type's parsed params. */
  readonly action: Action;
  /** The module of its term type. */
  readonly term: TermModule;
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
  /** IANA time zone the agreement's days are counted in (what "today" means). */
  readonly timeZone: string;
  readonly parties: ReadonlyMap<string, Party>;
  readonly channels: ReadonlyMap<string, Channel>;
  readonly catalog: ReadonlyMap<string, CatalogItem>;
  readonly attributes: { readonly buyer: ReadonlyMap<string, AttributeDeclaration>; readonly order: ReadonlyMap<string, AttributeDeclaration> };
  readonly coupons: ReadonlyMap<string, Coupon>;
  /** The price steps in the order they run. */
  readonly pricingSteps: readonly string[];
  /** The parameterised order facts the conditions read (computed once per order). */
  readonly orderFacts: readonly OrderFactUse[];
  readonly readsOrderListAmount: boolean;
  readonly readsLineListAmount: boolean;
  /** The settlement statement's figures, as the agreement declares them (none: the statement shows only the term sections). */
  readonly statement?: StatementDeclaration;
  /** How a price factor reads on a statement people read: `zhe` (8.5 折) where the agreement speaks in 折, else percent. */
  readonly priceFactors: 'percent' | 'zhe';
  /** All rules, sorted by stage and step, then priority (higher first), then id. */
  readonly rules: readonly PricingRule[];
}

/** True when the rule is in force on `date` (ISO yyyy-mm-dd; validTo is inclusive). */
export function isRuleInForce(rule: PricingRule, date: string): boolean {
  return (rule.validFrom === undefined || rule.validFrom <= date) && (rule.validTo === undefined || date <= rule.validTo);
}

/** True for terms applied at settlement only (a quote never shows them). */
export function isSettlementRule(rule: PricingRule): boolean {
  return rule.term.stage === 'settlement';
}
