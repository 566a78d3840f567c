/** Stable, machine-readable error codes of the domain; the HTTP layer maps each to a status. */
export type DomainErrorCode =
  | 'UNKNOWN_AGREEMENT'
  | 'UNKNOWN_CHANNEL'
  | 'UNKNOWN_SKU'
  | 'UNKNOWN_COUPON'
  | 'INVALID_ATTRIBUTE'
  | 'INVALID_QUOTE_INPUT'
  | 'ORDER_REFUSED'
  | 'NO_RULESET_IN_FORCE'
  | 'UNKNOWN_RULESET_VERSION'
  | 'INVALID_SETTLEMENT'
  | 'RULESET_INVALID';

/** One thing wrong with an input, located by a JSON pointer into it. */
export interface FieldIssue {
  readonly pointer: string;
  readonly detail: string;
  readonly code?: string;
}

/** An expected refusal of an input, carrying a stable code and the fields at fault. */
export class DomainError extends Error {
  constructor(
    readonly code: DomainErrorCode,
    message: string,
    readonly issues: readonly FieldIssue[] = [],
  ) {
    super(message);
    this.name = 'DomainError';
  }
}

/** A breach of a refusal term, as the refusal answer lists it. */
export interface BreachReport {
  readonly code: string;
  readonly ruleId: string;
  readonly clause: string;
  readonly label: { readonly zh: string; readonly en: string };
  /** The lines (0-based indexes) its conditions held on. */
  readonly lines: readonly number[];
}

/** An order the agreement refuses (minimum order, quantity limit, …): every breach, with the rule and its code. */
export class OrderRefused extends DomainError {
  constructor(readonly breaches: readonly BreachReport[]) {
    super(
      'ORDER_REFUSED',
      `the agreement refuses this order: ${breaches.map((breach) => `${breach.code} (rule ${breach.ruleId}, clause ${breach.clause})`).join('; ')}`,
      breaches.flatMap((breach) => breach.lines.map((line) => ({ pointer: `/lines/${line}`, code: breach.code, detail: `${breach.label.en} (rule ${breach.ruleId})` }))),
    );
  }
}
