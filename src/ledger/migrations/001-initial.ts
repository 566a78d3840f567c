import type { Migration } from '../ledger-store';

/**
 * The ledger's first schema. Money never appears as a column: transactions are kept as their
 * canonical JSON, statements as their signed document; what SQL filters on is a column.
 */
export const initial: Migration = {
  version: 1,
  name: 'initial',
  sqlite: `
CREATE TABLE ledger_transactions (
  seq INTEGER PRIMARY KEY,
  agreement TEXT NOT NULL,
  id TEXT NOT NULL,
  period TEXT NOT NULL,
  date TEXT NOT NULL,
  return_of TEXT,
  adjustment INTEGER NOT NULL,
  adjusted INTEGER NOT NULL,
  content_hash TEXT NOT NULL,
  body TEXT NOT NULL,
  UNIQUE (agreement, id)
);
CREATE INDEX ledger_transactions_period ON ledger_transactions (agreement, period, seq);
CREATE INDEX ledger_transactions_return_of ON ledger_transactions (agreement, return_of) WHERE return_of IS NOT NULL;
CREATE TABLE ledger_periods (
  agreement TEXT NOT NULL,
  period TEXT NOT NULL,
  state TEXT NOT NULL CHECK (state IN ('open', 'closed')),
  closed_at TEXT,
  statement_id TEXT,
  PRIMARY KEY (agreement, period)
);
CREATE TABLE ledger_statements (
  id TEXT PRIMARY KEY,
  agreement TEXT NOT NULL,
  period TEXT NOT NULL,
  partner TEXT,
  closed_at TEXT NOT NULL,
  content_hash TEXT NOT NULL,
  signature TEXT NOT NULL,
  body TEXT NOT NULL,
  UNIQUE (agreement, period)
);
CREATE TABLE ledger_claims (
  agreement TEXT NOT NULL,
  period TEXT NOT NULL,
  figure TEXT NOT NULL,
  claimed TEXT NOT NULL,
  PRIMARY KEY (agreement, period, figure)
);
CREATE TABLE ledger_audit (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  agreement TEXT NOT NULL,
  action TEXT NOT NULL,
  partner TEXT,
  at TEXT NOT NULL,
  input_hash TEXT NOT NULL,
  detail TEXT NOT NULL
);
CREATE INDEX ledger_audit_agreement ON ledger_audit (agreement, seq);
`,
  postgres: `
CREATE TABLE ledger_transactions (
  seq BIGSERIAL PRIMARY KEY,
  agreement TEXT NOT NULL,
  id TEXT NOT NULL,
  period TEXT NOT NULL,
  date TEXT NOT NULL,
  return_of TEXT,
  adjustment BOOLEAN NOT NULL,
  adjusted BOOLEAN NOT NULL,
  content_hash TEXT NOT NULL,
  body TEXT NOT NULL,
  UNIQUE (agreement, id)
);
CREATE INDEX ledger_transactions_period ON ledger_transactions (agreement, period, seq);
CREATE INDEX ledger_transactions_return_of ON ledger_transactions (agreement, return_of) WHERE return_of IS NOT NULL;
CREATE TABLE ledger_periods (
  agreement TEXT NOT NULL,
  period TEXT NOT NULL,
  state TEXT NOT NULL CHECK (state IN ('open', 'closed')),
  closed_at TEXT,
  statement_id TEXT,
  PRIMARY KEY (agreement, period)
);
CREATE TABLE ledger_statements (
  id TEXT PRIMARY KEY,
  agreement TEXT NOT NULL,
  period TEXT NOT NULL,
  partner TEXT,
  closed_at TEXT NOT NULL,
  content_hash TEXT NOT NULL,
  signature TEXT NOT NULL,
  body TEXT NOT NULL,
  UNIQUE (agreement, period)
);
CREATE TABLE ledger_claims (
  agreement TEXT NOT NULL,
  period TEXT NOT NULL,
  figure TEXT NOT NULL,
  claimed TEXT NOT NULL,
  PRIMARY KEY (agreement, period, figure)
);
CREATE TABLE ledger_audit (
  seq BIGSERIAL PRIMARY KEY,
  agreement TEXT NOT NULL,
  action TEXT NOT NULL,
  partner TEXT,
  at TEXT NOT NULL,
  input_hash TEXT NOT NULL,
  detail TEXT NOT NULL
);
CREATE INDEX ledger_audit_agreement ON ledger_audit (agreement, seq);
`,
};
