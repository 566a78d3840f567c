import type { FieldIssue } from '../domain/errors';

/** The ledger's refusals, each with a stable code the HTTP layer maps to its status. */
export type LedgerErrorCode = 'PERIOD_CLOSED' | 'TRANSACTION_CONFLICT' | 'UNKNOWN_STATEMENT' | 'INVALID_PERIOD';

/** An expected refusal of a ledger operation, naming what is at fault. */
export class LedgerError extends Error {
  constructor(
    readonly code: LedgerErrorCode,
    message: string,
    readonly issues: readonly FieldIssue[] = [],
  ) {
    super(message);
    this.name = 'LedgerError';
  }
}
