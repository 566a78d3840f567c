import type { ServerResponse } from 'node:http';
import type { BreachReport, FieldIssue } from '../domain/errors';

/** Every problem code the API answers with, its HTTP status and its title. */
export const PROBLEMS = {
  VALIDATION_FAILED: { status: 400, title: 'The request does not match the API contract' },
  MALFORMED_JSON: { status: 400, title: 'The body is not valid JSON' },
  PAYLOAD_TOO_LARGE: { status: 413, title: 'The body is larger than the limit' },
  REQUEST_TIMEOUT: { status: 408, title: 'The request body did not arrive in time' },
  UNSUPPORTED_MEDIA_TYPE: { status: 415, title: 'The body must be application/json' },
  NOT_ACCEPTABLE: { status: 406, title: 'No representation matches the Accept header' },
  NOT_FOUND: { status: 404, title: 'No such resource' },
  METHOD_NOT_ALLOWED: { status: 405, title: 'Method not allowed on this resource' },
  UNKNOWN_AGREEMENT: { status: 404, title: 'Unknown agreement' },
  UNKNOWN_CHANNEL: { status: 422, title: 'Unknown channel' },
  UNKNOWN_SKU: { status: 422, title: 'Unknown SKU' },
  NO_RULESET_IN_FORCE: { status: 422, title: 'No rule version is in force on that date' },
  UNKNOWN_RULESET_VERSION: { status: 422, title: 'No such rule version is loaded' },
  INVALID_SETTLEMENT: { status: 422, title: 'The settlement input is inconsistent' },
  PERIOD_CLOSED: { status: 409, title: 'The period is closed' },
  TRANSACTION_CONFLICT: { status: 409, title: 'A transaction id is already recorded with other content' },
  UNKNOWN_STATEMENT: { status: 404, title: 'No such statement' },
  INVALID_PERIOD: { status: 400, title: 'Not a period of the ledger' },
  LEDGER_UNAVAILABLE: { status: 503, title: 'The ledger is not configured' },
  UNKNOWN_COUPON: { status: 422, title: 'Unknown coupon code' },
  INVALID_ATTRIBUTE: { status: 400, title: 'An attribute the agreement does not declare, or of the wrong type' },
  INVALID_QUOTE_INPUT: { status: 422, title: 'The quote names things the agreement does not have' },
  ORDER_REFUSED: { status: 422, title: 'The agreement refuses this order' },
  RULES_NOT_LOADED: { status: 503, title: 'Rules are not loaded yet' },
  RULESET_INVALID: { status: 422, title: 'The rule set is invalid' },
  UNAUTHORIZED: { status: 401, title: 'Authentication required' },
  FORBIDDEN: { status: 403, title: 'Not allowed' },
  RATE_LIMITED: { status: 429, title: 'Too many requests' },
  SHUTTING_DOWN: { status: 503, title: 'The service is shutting down' },
  INTERNAL_ERROR: { status: 500, title: 'Internal error' },
} as const satisfies Record<string, { status: number; title: string }>;

export type ProblemCode = keyof typeof PROBLEMS;

/** An RFC 9457 problem details body. */
export interface Problem {
  readonly type: string;
  readonly title: string;
  readonly status: number;
  readonly detail?: string;
  readonly instance?: string;
  readonly code: ProblemCode;
  readonly requestId?: string;
  readonly errors?: readonly FieldIssue[];
  /** ORDER_REFUSED: every refusal the order breaches. */
  readonly breaches?: readonly BreachReport[];
}

/** Builds a problem body; a 5xx never carries the internal message, only the title. */
export function buildProblem(code: ProblemCode, detail: string | undefined, extras: { instance?: string; requestId?: string; errors?: readonly FieldIssue[]; breaches?: readonly BreachReport[] } = {}): Problem {
  const { status, title } = PROBLEMS[code];
  return {
    type: `/problems/${code.toLowerCase().replace(/_/g, '-')}`,
    title,
    status,
    ...(detail === undefined || status >= 500 ? {} : { detail }),
    ...(extras.instance === undefined ? {} : { instance: extras.instance }),
    code,
    ...(extras.requestId === undefined ? {} : { requestId: extras.requestId }),
    ...(extras.errors === undefined || extras.errors.length === 0 ? {} : { errors: extras.errors }),
    ...(extras.breaches === undefined ? {} : { breaches: extras.breaches }),
  };
}

/** Answers `problem` as application/problem+json, on Express's path and the quote lane's alike. */
export function sendProblem(res: ServerResponse, problem: Problem, headers: Record<string, string> = {}): void {
  const body = JSON.stringify(problem);
  res.writeHead(problem.status, { ...headers, 'Content-Type': 'application/problem+json; charset=utf-8', 'Content-Length': Buffer.byteLength(body) });
  res.end(body);
}

/** An error a route throws to answer with a problem; the error handler renders it. */
export class HttpProblem extends Error {
  constructor(
    readonly code: ProblemCode,
    detail: string,
    readonly errors: readonly FieldIssue[] = [],
    readonly headers: Record<string, string> = {},
  ) {
    super(detail);
    this.name = 'HttpProblem';
  }
}
