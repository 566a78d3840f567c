/// <reference lib="dom" />
// What the ledger and archive pages share of the ledger API: an archived statement's record,
// where it is served, and what to say on a server built without a ledger (503
// LEDGER_UNAVAILABLE, whose body, a 5xx, carries no detail).
import { ApiError, el, tr } from './common';

/** An archived statement's record, as GET /v1/statements lists it. */
export interface StatementSummary {
  readonly id: string;
  readonly agreement: string;
  readonly period: string;
  readonly partner: string | null;
  readonly closedAt: string;
  readonly contentHash: string;
}

/** Where the API serves an archived statement (JSON, CSV, HTML or xlsx by Accept). */
export function statementPath(id: string): string {
  return `/v1/statements/${encodeURIComponent(id)}`;
}

/** Whether the API answered that it has no ledger. */
export function isLedgerUnavailable(error: unknown): boolean {
  return error instanceof ApiError && error.problem.code === 'LEDGER_UNAVAILABLE';
}

/** Said in place of the ledger's data. */
export function ledgerUnavailable(): HTMLElement {
  return el(
    'p',
    { class: 'problem', id: 'ledger-unavailable' },
    el('strong', {}, 'LEDGER_UNAVAILABLE'),
    ' ',
    tr('此服务器没有配置台账（HTTP 503）：运维需设置 SUANPAN_DATA_DIR 或 SUANPAN_DATABASE_URL 并重启服务。', 'This server has no ledger (HTTP 503): its operators need to set SUANPAN_DATA_DIR or SUANPAN_DATABASE_URL and restart it.'),
  );
}
