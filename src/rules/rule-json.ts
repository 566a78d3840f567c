/** A rule file as authored (validated by rules/schema/rule.schema.json). */
export interface RuleJson {
  readonly id: string;
  readonly clause: string;
  readonly label: { readonly zh: string; readonly en: string };
  readonly description?: { readonly zh: string; readonly en: string };
  readonly priority: number;
  readonly exclusivity?: { readonly group: string; readonly policy: 'best-for-buyer' };
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
  readonly parties: Readonly<Record<'supplier' | 'partner', { readonly id: string; readonly name: { readonly zh: string; readonly en: string } }>>;
  readonly currency: string;
  readonly rounding: { readonly mode: 'half-up' | 'half-even'; readonly scale: number; readonly at: 'line' };
  readonly channels: readonly { readonly id: string; readonly chamberBusiness: boolean; readonly label: { readonly zh: string; readonly en: string } }[];
  readonly catalog: readonly { readonly sku: string; readonly name: { readonly zh: string; readonly en: string }; readonly category: string; readonly listPrice: string }[];
}

export function isLeaf(condition: ConditionJson): condition is LeafConditionJson {
  return 'fact' in condition;
}
