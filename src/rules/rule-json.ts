import type { AttributeDeclaration } from '../domain/agreement';
import type { StatementDeclaration } from '../domain/statement-figures';

/** A rule file as authored (validated by rules/schema/rule.schema.json). */
export interface RuleJson {
  readonly id: string;
  readonly clause: string;
  readonly label: { readonly zh: string; readonly en: string };
  readonly description?: { readonly zh: string; readonly en: string };
  readonly priority: number;
  readonly exclusivity?: { readonly group: string; readonly policy: 'best-for-buyer' | 'first-by-priority' };
  /** The pricing step of a price term (agreement.json pricingSteps). */
  readonly step?: string;
  readonly validFrom?: string;
  readonly validTo?: string;
  readonly conditions: ConditionJson;
  readonly event: { readonly type: string; readonly params: Readonly<Record<string, unknown>> };
}

export type ConditionValue = string | boolean | number | readonly (string | boolean | number)[];

export interface LeafConditionJson {
  readonly fact: string;
  readonly operator: string;
  readonly value: ConditionValue;
  /** The params of a parameterised fact (order.skuQuantity with {sku}); the loader folds them into the fact's name. */
  readonly params?: Readonly<Record<string, string | number>>;
}

export type ConditionJson =
  | { readonly all: readonly ConditionJson[] }
  | { readonly any: readonly ConditionJson[] }
  | { readonly not: ConditionJson }
  | LeafConditionJson;

export interface TierJson {
  readonly from: string;
  readonly to?: string;
  readonly rate: string;
}

/** agreement.json of one version folder. */
export interface AgreementJson {
  readonly agreement: string;
  readonly effectiveFrom: string;
  readonly title: { readonly zh: string; readonly en: string };
  readonly source?: string;
  readonly parties: Readonly<Record<string, { readonly id: string; readonly name: LabelJson }>>;
  readonly timeZone?: string;
  readonly currency: string;
  readonly rounding: { readonly mode: 'half-up' | 'half-even'; readonly scale: number; readonly at: 'line' };
  readonly channels: readonly { readonly id: string; readonly business?: boolean; readonly chamberBusiness?: boolean; readonly label: LabelJson }[];
  readonly catalog: readonly { readonly sku: string; readonly name: LabelJson; readonly category: string; readonly listPrice: string; readonly tags?: readonly string[] }[];
  readonly attributes?: {
    readonly buyer?: Readonly<Record<string, AttributeJson>>;
    readonly order?: Readonly<Record<string, AttributeJson>>;
  };
  readonly coupons?: readonly { readonly code: string; readonly label: LabelJson }[];
  readonly pricingSteps?: readonly string[];
  /** The settlement statement's figures and names (see docs/rule-authors.md). */
  readonly statement?: StatementJson;
  /** How people read the statement (docs/rule-authors.md): no figure depends on it. */
  readonly presentation?: PresentationJson;
}

/** How people read a version's statements: agreement.json's `presentation`, or the version's presentation.json. */
export interface PresentationJson {
  readonly priceFactors?: 'percent' | 'zhe';
}

export interface StatementJson {
  readonly per?: string;
  readonly perSection?: string;
  readonly perKey?: string;
  readonly figures: StatementDeclaration['figures'];
  readonly net?: Omit<NonNullable<StatementDeclaration['net']>, 'minus'> & { readonly minus?: readonly string[] };
}

export interface LabelJson {
  readonly zh: string;
  readonly en: string;
}

/** A declared attribute as written: the same shape the domain reads. */
export type AttributeJson = AttributeDeclaration;

export function isLeaf(condition: ConditionJson): condition is LeafConditionJson {
  return 'fact' in condition;
}
