/** Stable, machine-readable error codes of the domain; the HTTP layer maps each to a status. */
export type DomainErrorCode =
  | 'UNKNOWN_AGREEMENT'
  | 'UNKNOWN_CHANNEL'
  | 'UNKNOWN_SKU'
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
